/**
 * `absence-alerts`, daily at 00:15 local time (after `mark-absent` closed the day): a participant
 * whose latest marks in a course are N or more absences in a row (N: the tenant's
 * notification_settings.absence_alert_after, default 2) — the absences after their last present
 * mark, EXCUSED marks left out — has their family told, once per streak: the key names the streak's first absent lecture,
 * so a present mark ends the streak and a later one may alert again.
 */
import { and, eq, inArray, ne, sql } from "drizzle-orm";
import { courses, enrollments, lectureAttendance, lectures } from "../../drizzle/schema";
import { requireTenant } from "../auth/guards";
import { emit } from "../domain-events/domain-events";
import { tenantNotificationSettings } from "../services/notification-preferences";
import { localDate } from "../time";
import type { Job } from "./job";
import { firstTime } from "./notices";
import { participantDisplayName, withParticipantAccounts, participantUserId } from "../services/participant-accounts";

export const absenceAlerts: Job = {
  name: "absence-alerts",
  description: "Tells families when a participant has missed the tenant's number of lectures in a row (once per streak).",
  schedule: "15 0 * * *",
  lookBack: 3,
  window: (at, timeZone) => localDate(at, timeZone),
  windowOfDate: (date) => date,

  async run(ctx) {
    const tenant = requireTenant(ctx);
    const { absenceAlertAfter } = await tenantNotificationSettings(ctx);
    const slot = sql`(${lectures.date} + ${lectures.startTime})`;
    // Per participant and course: the marks after the last present one (the current streak).
    const marks = ctx.db
      .select({
        studentId: lectureAttendance.studentId,
        childId: lectureAttendance.childId,
        courseId: lectures.courseId,
        lectureId: lectures.id,
        date: lectures.date,
        present: lectureAttendance.present,
        slot: sql`${slot}`.as("slot"),
        lastPresent:
          sql`max(case when ${lectureAttendance.present} then ${slot} end) over (partition by ${lectureAttendance.studentId}, ${lectureAttendance.childId}, ${lectures.courseId})`.as(
            "last_present",
          ),
      })
      .from(lectureAttendance)
      .innerJoin(lectures, and(eq(lectures.tenantId, lectureAttendance.tenantId), eq(lectures.id, lectureAttendance.lectureId)))
      // EXCUSED marks are no absence and do not end a streak either: they are left out.
      .where(and(ctx.scope.inTenant(lectureAttendance), ne(lectures.status, "CANCELLED"), ne(lectureAttendance.status, "EXCUSED")))
      .as("marks");
    const streaks = await ctx.db
      .select({
        studentId: marks.studentId,
        childId: marks.childId,
        courseId: marks.courseId,
        count: sql<number>`count(*)::int`,
        firstLectureId: sql<string>`(array_agg(${marks.lectureId} order by ${marks.slot}))[1]`,
        lastLectureId: sql<string>`(array_agg(${marks.lectureId} order by ${marks.slot} desc))[1]`,
        lastDate: sql<string>`max(${marks.date})::text`,
      })
      .from(marks)
      .where(sql`not ${marks.present} and (${marks.lastPresent} is null or ${marks.slot} > ${marks.lastPresent})`)
      .groupBy(marks.studentId, marks.childId, marks.courseId)
      .having(sql`count(*) >= ${absenceAlertAfter}`);
    if (streaks.length === 0) return { streaks: 0, alerted: 0 };

    // Who answers for each participant, for the enrolments still ACTIVE.
    const people = await withParticipantAccounts(
      ctx.db
        .select({
          studentId: enrollments.studentId,
          childId: enrollments.childId,
          courseId: enrollments.courseId,
          course: courses.name,
          userId: participantUserId,
          participant: participantDisplayName,
        })
        .from(enrollments)
        .innerJoin(courses, and(eq(courses.tenantId, enrollments.tenantId), eq(courses.id, enrollments.courseId)))
        .$dynamic(),
    ).where(
      and(
        ctx.scope.inTenant(enrollments),
        eq(enrollments.status, "ACTIVE"),
        inArray(enrollments.courseId, [...new Set(streaks.map((streak) => streak.courseId))]),
      ),
    );
    const whoKey = (row: { studentId: string | null; childId: string | null; courseId: string }) =>
      `${row.studentId ?? row.childId}:${row.courseId}`;
    // A child's guardians who receive alerts each have a row: every one of them is told, once per streak.
    const who = new Map<string, typeof people>();
    for (const row of people) if (row.userId) who.set(whoKey(row), [...(who.get(whoKey(row)) ?? []), row]);
    const alerts = streaks.flatMap((streak) => {
      const persons = who.get(whoKey(streak));
      return persons ? [{ streak, persons, key: `absence-alert:${whoKey(streak)}:${streak.firstLectureId}` }] : [];
    });
    const fresh = await firstTime(
      ctx,
      tenant.id,
      alerts.map((alert) => alert.key),
    );
    const items = alerts
      .filter((alert) => fresh.has(alert.key))
      .flatMap(({ streak, persons }) => persons.map((person) => ({ streak, person })))
      .map(({ streak, person }) => ({
        userId: person.userId,
        participant: person.participant,
        course: person.course,
        courseId: streak.courseId,
        count: streak.count,
        lastDate: streak.lastDate,
        lectureId: streak.lastLectureId,
      }));
    if (items.length > 0) await emit(ctx, { type: "absence.alert", tenantId: tenant.id, items });
    return { streaks: alerts.length, alerted: alerts.filter((alert) => fresh.has(alert.key)).length };
  },
};
