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
            position: sql<number>`(select count(*)::int from ${courseWaitlistEntries} w
              where w.tenant_id = ${courseWaitlistEntries.tenantId} and w.course_id = ${courseWaitlistEntries.courseId}
                and w.status = 'WAITING'
                and (w.joined_at, w.id) < (${courseWaitlistEntries.joinedAt}, ${courseWaitlistEntries.id})) + 1`,
          })
          .from(courseWaitlistEntries)
          .where(and(inTenant(courseWaitlistEntries), inArray(courseWaitlistEntries.id, [...entryIds]), eq(courseWaitlistEntries.status, "WAITING"))),
      (row) => row.id,
    ),
  };
}
