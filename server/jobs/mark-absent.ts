/**
 * `mark-absent`, daily at 23:59 local time: every participant with an ACTIVE
 * enrolment in a course that had a (non-cancelled) lecture that day, and no mark
 * for it, is marked absent (source AUTO_ABSENT, no rating, marked by nobody).
 * Families are notified and attendanceUpdated subscribers told through the same
 * domain event a manual mark emits.
 */
import { and, asc, eq, lt, ne, notExists, sql } from "drizzle-orm";
import { children, courses, enrollments, lectureAttendance, lectures, parents, students, users, type Lecture } from "../../drizzle/schema";
import { requireTenant } from "../auth/guards";
import { emit } from "../events/domain-events";
import { audit } from "../services/audit";
import { addDays, localDate, zonedInstant } from "../time";
import type { Job } from "./job";

export const markAbsent: Job = {
  name: "mark-absent",
  description: "Marks absent every ACTIVE participant left unmarked on the day's lectures; families are notified.",
  schedule: "59 23 * * *",
  lookBack: 7,
  // The run at 23:59 covers its own local date, whatever the date is in UTC.
  window: (at, timeZone) => localDate(at, timeZone),
  windowOfDate: (date) => date,

  async run(ctx, day) {
    const tenant = requireTenant(ctx);
    // A late (caught-up) run must not mark people who enrolled after the day ended.
    const dayEnd = zonedInstant(addDays(day, 1), "00:00", tenant.timeZone);
    const unmarked = await ctx.db
      .select({
        lecture: lectures,
        courseName: courses.name,
        studentId: enrollments.studentId,
        childId: enrollments.childId,
        // The account answering for the participant: the student, or the child's parent.
        userId: sql<string>`coalesce(${students.userId}, ${parents.userId})`,
        name: sql<string>`trim(coalesce(${children.firstName} || ' ' || ${children.lastName}, ${users.firstName} || ' ' || ${users.lastName}, ''))`,
      })
      .from(lectures)
      .innerJoin(courses, and(eq(courses.tenantId, lectures.tenantId), eq(courses.id, lectures.courseId)))
      .innerJoin(
        enrollments,
        and(
          eq(enrollments.tenantId, lectures.tenantId),
          eq(enrollments.courseId, lectures.courseId),
          eq(enrollments.status, "ACTIVE"),
          lt(enrollments.enrolledAt, dayEnd),
        ),
      )
      .leftJoin(students, and(eq(students.tenantId, enrollments.tenantId), eq(students.id, enrollments.studentId)))
      .leftJoin(users, eq(users.id, students.userId))
      .leftJoin(children, and(eq(children.tenantId, enrollments.tenantId), eq(children.id, enrollments.childId)))
      .leftJoin(parents, and(eq(parents.tenantId, children.tenantId), eq(parents.id, children.parentId)))
      .where(
        and(
          ctx.scope.inTenant(lectures),
          eq(lectures.date, day),
          ne(lectures.status, "CANCELLED"),
          notExists(
            ctx.db
              .select({ one: sql`1` })
              .from(lectureAttendance)
              .where(
                and(
                  eq(lectureAttendance.tenantId, lectures.tenantId),
                  eq(lectureAttendance.lectureId, lectures.id),
                  sql`(${lectureAttendance.studentId} = ${enrollments.studentId} or ${lectureAttendance.childId} = ${enrollments.childId})`,
                ),
              ),
          ),
        ),
      )
      .orderBy(asc(lectures.startTime), asc(lectures.id), asc(enrollments.id));

    const [{ count: lectureCount } = { count: 0 }] = await ctx.db
      .select({ count: sql<number>`count(*)::int` })
      .from(lectures)
      .where(and(ctx.scope.inTenant(lectures), eq(lectures.date, day), ne(lectures.status, "CANCELLED")));

    const byLecture = new Map<string, { lecture: Lecture; courseName: string; rows: typeof unmarked }>();
    for (const row of unmarked) {
      const entry = byLecture.get(row.lecture.id) ?? { lecture: row.lecture, courseName: row.courseName, rows: [] };
      entry.rows.push(row);
      byLecture.set(row.lecture.id, entry);
    }

    let markedAbsent = 0;
    const now = new Date();
    for (const { lecture, courseName, rows } of byLecture.values()) {
      // DO NOTHING: a person marking the lecture at this very moment wins; only the
      // rows actually written count, are notified and announced.
      const saved = await ctx.db
        .insert(lectureAttendance)
        .values(
          rows.map((row) => ({
            tenantId: tenant.id,
            lectureId: lecture.id,
            studentId: row.studentId,
            childId: row.childId,
            present: false,
            rating: null,
            source: "AUTO_ABSENT" as const,
            markedBy: null,
            markedAt: now,
          })),
        )
        .onConflictDoNothing()
        .returning();
      if (saved.length === 0) continue;
      markedAbsent += saved.length;
      // attendanceTaken stays as it was: it records that a teacher took attendance,
      // which the weekly instructor report counts.
      await audit(ctx, { action: "attendance.autoAbsent", entity: "lecture", entityId: lecture.id, after: saved });
      const who = new Map(rows.map((row) => [(row.studentId ?? row.childId)!, row]));
      await emit(ctx, {
        type: "attendance.marked",
        tenantId: tenant.id,
        courseId: lecture.courseId,
        courseName,
        lecture,
        marks: saved,
        absent: saved.map((mark) => {
          const row = who.get((mark.studentId ?? mark.childId)!)!;
          return { userId: row.userId, participant: row.name };
        }),
      });
    }
    return { lectures: lectureCount, markedAbsent };
  },
};
