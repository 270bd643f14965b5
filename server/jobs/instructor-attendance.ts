/**
 * `instructor-attendance`, weekly on Sunday at 00:05 local time: for the week that
 * just ended (the 7 local dates before the run, Sunday to Saturday), each
 * instructor's lectures scheduled, taken (attendance marked by a teacher) and
 * cancelled, upserted into instructor_attendance. Running a week again recomputes it.
 */
import { and, between, eq, sql } from "drizzle-orm";
import { courses, instructorAttendance, instructors, lectures } from "../../drizzle/schema";
import { requireTenant } from "../auth/guards";
import { addDays, localDate } from "../time";
import { sundayOnOrBefore, type Job } from "./job";

export const instructorAttendanceJob: Job = {
  name: "instructor-attendance",
  description: "Weekly per-instructor counts of lectures scheduled, taken and cancelled for the week just ended.",
  schedule: "5 0 * * 0",
  lookBack: 4,
  // The run early on Sunday covers the seven dates before it; the key is their first date.
  window: (at, timeZone) => addDays(localDate(at, timeZone), -7),
  windowOfDate: sundayOnOrBefore,

  async run(ctx, weekStart) {
    const tenant = requireTenant(ctx);
    const weekEnd = addDays(weekStart, 6);
    const rows = await ctx.db
      .select({
        instructorId: instructors.id,
        scheduled: sql<number>`count(${lectures.id}) filter (where ${lectures.status} <> 'CANCELLED')::int`,
        taken: sql<number>`count(${lectures.id}) filter (where ${lectures.status} <> 'CANCELLED' and ${lectures.attendanceTaken})::int`,
        cancelled: sql<number>`count(${lectures.id}) filter (where ${lectures.status} = 'CANCELLED')::int`,
      })
      .from(instructors)
      .leftJoin(courses, and(eq(courses.tenantId, instructors.tenantId), eq(courses.instructorId, instructors.id)))
      .leftJoin(
        lectures,
        and(eq(lectures.tenantId, courses.tenantId), eq(lectures.courseId, courses.id), between(lectures.date, weekStart, weekEnd)),
      )
      .where(ctx.scope.inTenant(instructors))
      .groupBy(instructors.id)
      .orderBy(instructors.id);
    if (rows.length > 0) {
      await ctx.db
        .insert(instructorAttendance)
        .values(
          rows.map((row) => ({
            tenantId: tenant.id,
            instructorId: row.instructorId,
            weekStart,
            lecturesScheduled: row.scheduled,
            lecturesTaken: row.taken,
            lecturesCancelled: row.cancelled,
          })),
        )
        .onConflictDoUpdate({
          target: [instructorAttendance.tenantId, instructorAttendance.instructorId, instructorAttendance.weekStart],
          set: {
            lecturesScheduled: sql`excluded.lectures_scheduled`,
            lecturesTaken: sql`excluded.lectures_taken`,
            lecturesCancelled: sql`excluded.lectures_cancelled`,
            updatedAt: new Date(),
          },
        });
    }
    return { instructors: rows.length, lectures: rows.reduce((sum, row) => sum + row.scheduled + row.cancelled, 0) };
  },
};
