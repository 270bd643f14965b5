/** Loaders for enrolments and enrolment requests. */
import { and, asc, inArray } from "drizzle-orm";
import { enrollmentRequests, enrollments } from "../../drizzle/schema";
import { manyLoader, oneLoader } from "./batch";
import type { LoaderContext } from "./index";

export function enrollmentLoaders(ctx: LoaderContext) {
  const { db } = ctx;
  const { inTenant } = ctx.scope;

  return {
    enrollment: oneLoader(
      (ids: readonly string[]) =>
        db
          .select()
          .from(enrollments)
          .where(and(inTenant(enrollments), inArray(enrollments.id, [...ids]))),
      (row) => row.id,
    ),
    enrollmentsOfCourse: manyLoader(
      (courseIds: readonly string[]) =>
        db
          .select()
          .from(enrollments)
          .where(and(inTenant(enrollments), inArray(enrollments.courseId, [...courseIds])))
          .orderBy(asc(enrollments.enrolledAt)),
      (row) => row.courseId,
    ),
    enrollmentRequest: oneLoader(
      (ids: readonly string[]) =>
        db
          .select()
          .from(enrollmentRequests)
          .where(and(inTenant(enrollmentRequests), inArray(enrollmentRequests.id, [...ids]))),
      (row) => row.id,
    ),
  };
}
