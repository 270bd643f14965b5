/** Loaders for course waitlist entries: their participants, and their position in line. */
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { courseWaitlistEntries, courseWaitlistParticipants } from "../../drizzle/schema";
import { manyLoader, oneLoader } from "./batch";
import type { LoaderContext } from "./index";

export function waitlistLoaders(ctx: LoaderContext) {
  const { db } = ctx;
  const { inTenant } = ctx.scope;

  return {
    waitlistParticipants: manyLoader(
      (entryIds: readonly string[]) =>
        db
          .select()
          .from(courseWaitlistParticipants)
          .where(and(inTenant(courseWaitlistParticipants), inArray(courseWaitlistParticipants.entryId, [...entryIds])))
          .orderBy(asc(courseWaitlistParticipants.id)),
      (row) => row.entryId,
    ),
    /** Position in line (1 = next to be offered) of WAITING entries: the WAITING entries of the course that joined before, plus one. */
    waitlistPosition: oneLoader(
      (entryIds: readonly string[]) =>
        db
          .select({
            id: courseWaitlistEntries.id,
            // Written out with the outer table named: Drizzle leaves columns unqualified in a one-table select.
            position: sql<number>`(select count(*)::int from course_waitlist_entries w
              where w.tenant_id = course_waitlist_entries.tenant_id and w.course_id = course_waitlist_entries.course_id
                and w.status = 'WAITING'
                and (w.joined_at, w.id) < (course_waitlist_entries.joined_at, course_waitlist_entries.id)) + 1`,
          })
          .from(courseWaitlistEntries)
          .where(
            and(
              inTenant(courseWaitlistEntries),
              inArray(courseWaitlistEntries.id, [...entryIds]),
              eq(courseWaitlistEntries.status, "WAITING"),
            ),
          ),
      (row) => row.id,
    ),
  };
}
