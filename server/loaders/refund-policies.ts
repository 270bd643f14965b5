/** Loaders for refund policies: a course's policy, and when its first lecture starts. */
import { and, inArray, ne, sql } from "drizzle-orm";
import { lectures, refundPolicies } from "../../drizzle/schema";
import { oneLoader } from "./batch";
import type { LoaderContext } from "./index";

export function refundPolicyLoaders(ctx: LoaderContext) {
  const { db } = ctx;
  const { inTenant } = ctx.scope;

  return {
    refundPolicy: oneLoader(
      (courseIds: readonly string[]) =>
        db
          .select()
          .from(refundPolicies)
          .where(and(inTenant(refundPolicies), inArray(refundPolicies.courseId, [...courseIds]))),
      (row) => row.courseId,
    ),
    /** The local date and time of a course's first lecture not cancelled (none: no row). */
    firstLecture: oneLoader(
      (courseIds: readonly string[]) =>
        db
          .select({ courseId: lectures.courseId, startsAt: sql<string>`min(${lectures.date} + ${lectures.startTime})::text` })
          .from(lectures)
          .where(and(inTenant(lectures), inArray(lectures.courseId, [...courseIds]), ne(lectures.status, "CANCELLED")))
          .groupBy(lectures.courseId),
      (row) => row.courseId,
    ),
  };
}
