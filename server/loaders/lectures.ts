/** Loaders for lectures and their attendance, and instructor ratings. */
import { and, asc, inArray, sql } from "drizzle-orm";
import { instructorRatings, lectureAttendance, lectures } from "../../drizzle/schema";
import { manyLoader, oneLoader } from "./batch";
import type { LoaderContext } from "./index";

export function lectureLoaders(ctx: LoaderContext) {
  const { db } = ctx;
  const { inTenant } = ctx.scope;

  return {
    lecture: oneLoader(
      (ids: readonly string[]) =>
        db
          .select()
          .from(lectures)
          .where(and(inTenant(lectures), inArray(lectures.id, [...ids]))),
      (row) => row.id,
    ),
    lecturesOfCourse: manyLoader(
      (courseIds: readonly string[]) =>
        db
          .select()
          .from(lectures)
          .where(and(inTenant(lectures), inArray(lectures.courseId, [...courseIds])))
          .orderBy(asc(lectures.date), asc(lectures.startTime)),
      (row) => row.courseId,
    ),
    attendanceOfLecture: manyLoader(
      (lectureIds: readonly string[]) =>
        db
          .select()
          .from(lectureAttendance)
          .where(and(inTenant(lectureAttendance), inArray(lectureAttendance.lectureId, [...lectureIds])))
          .orderBy(asc(lectureAttendance.markedAt), asc(lectureAttendance.id)),
      (row) => row.lectureId,
    ),
    /** Average rating and count per instructor. */
    ratingOfInstructor: oneLoader(
      (instructorIds: readonly string[]) =>
        db
          .select({
            instructorId: instructorRatings.instructorId,
            average: sql<string>`round(avg(${instructorRatings.rating}), 2)::text`,
            count: sql<number>`count(*)::int`,
          })
          .from(instructorRatings)
          .where(and(inTenant(instructorRatings), inArray(instructorRatings.instructorId, [...instructorIds])))
          .groupBy(instructorRatings.instructorId),
      (row) => row.instructorId,
    ),
  };
}
