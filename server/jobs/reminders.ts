/**
 * `reminders`, every 15 minutes: families of the participants enrolled (ACTIVE) in a lecture, and
 * the confirmed registrants of a published event, are reminded once it starts within the tenant's
 * lead time (notification_settings.reminder_lead_minutes, default 120). Each (lecture or event,
 * account) is reminded once: the key goes into notifications_sent with the notification.
 * The window is the run's local time, e.g. `2026-11-23T18:15`.
 */
import { and, asc, between, eq, gt, lte, ne, sql } from "drizzle-orm";
import { courses, enrollments, eventRegistrations, events, lectures, type Event as EventRow, type Lecture } from "../../drizzle/schema";
import { requireTenant } from "../auth/guards";
import { emit } from "../domain-events/domain-events";
import { tenantNotificationSettings } from "../services/notification-preferences";
import { localDate, localTime, zonedInstant } from "../time";
import type { Job } from "./job";
import { firstTime } from "./notices";
import { withParticipantAccounts, participantUserId } from "../services/participant-accounts";

const EVERY_MINUTES = 15;

/** The local "YYYY-MM-DDTHH:MM" of an instant. */
const minuteOf = (at: Date, timeZone: string) => `${localDate(at, timeZone)}T${localTime(at, timeZone).slice(0, 5)}`;

export const reminders: Job = {
  name: "reminders",
  description: "Reminds families of lectures and registrants of events starting within the tenant's lead time (once each).",
  schedule: `*/${EVERY_MINUTES} * * * *`,
  lookBack: 4,
  window: minuteOf,
  windowOfDate: (date) => `${date}T00:00`,

  async run(ctx, window) {
    const tenant = requireTenant(ctx);
    const settings = await tenantNotificationSettings(ctx);
    const windowStart = zonedInstant(window.slice(0, 10), `${window.slice(11, 16)}:00`, tenant.timeZone);
    const now = new Date();
    // Everything starting before the next run's horizon; what already started is not reminded.
    const until = new Date(windowStart.getTime() + (settings.reminderLeadMinutes + EVERY_MINUTES) * 60_000);
    if (until <= now) return { lectures: 0, events: 0, reminded: 0 };
    const startsAt = sql`((${lectures.date} + ${lectures.startTime}) at time zone ${tenant.timeZone})`;

    const lectureRows = await withParticipantAccounts(
      ctx.db
        .select({ lecture: lectures, courseName: courses.name, userId: participantUserId })
        .from(lectures)
        .innerJoin(courses, and(eq(courses.tenantId, lectures.tenantId), eq(courses.id, lectures.courseId)))
        .innerJoin(
          enrollments,
          and(eq(enrollments.tenantId, lectures.tenantId), eq(enrollments.courseId, lectures.courseId), eq(enrollments.status, "ACTIVE")),
        )
        .$dynamic(),
    )
      .where(
        and(
          ctx.scope.inTenant(lectures),
          // The dates bound the index scan; the instants decide.
          between(lectures.date, localDate(now, tenant.timeZone), localDate(until, tenant.timeZone)),
          eq(lectures.status, "SCHEDULED"),
          sql`${startsAt} > ${now.toISOString()}::timestamptz`,
          sql`${startsAt} <= ${until.toISOString()}::timestamptz`,
        ),
      )
      .orderBy(asc(lectures.date), asc(lectures.startTime), asc(lectures.id));

    const eventRows = await ctx.db
      .select({ event: events, userId: eventRegistrations.userId })
      .from(events)
      .innerJoin(
        eventRegistrations,
        and(
          eq(eventRegistrations.tenantId, events.tenantId),
          eq(eventRegistrations.eventId, events.id),
          eq(eventRegistrations.status, "CONFIRMED"),
        ),
      )
      .where(
        and(
          ctx.scope.inTenant(events),
          eq(events.status, "PUBLISHED"),
          gt(events.startsAt, now),
          lte(events.startsAt, until),
          ne(events.status, "CANCELLED"),
        ),
      )
      .orderBy(asc(events.startsAt), asc(events.id));

    const lectureKey = (lectureId: string, userId: string) => `lecture-reminder:${lectureId}:${userId}`;
    const eventKey = (eventId: string, userId: string) => `event-reminder:${eventId}:${userId}`;
    const fresh = await firstTime(ctx, tenant.id, [
      ...lectureRows.filter((row) => row.userId).map((row) => lectureKey(row.lecture.id, row.userId)),
      ...eventRows.map((row) => eventKey(row.event.id, row.userId)),
    ]);

    const byLecture = new Map<string, { lecture: Lecture; courseName: string; userIds: string[] }>();
    for (const row of lectureRows) {
      if (!row.userId || !fresh.has(lectureKey(row.lecture.id, row.userId))) continue;
      const entry = byLecture.get(row.lecture.id) ?? { lecture: row.lecture, courseName: row.courseName, userIds: [] };
      entry.userIds.push(row.userId);
      byLecture.set(row.lecture.id, entry);
    }
    const byEvent = new Map<string, { event: EventRow; userIds: string[] }>();
    for (const row of eventRows) {
      if (!fresh.has(eventKey(row.event.id, row.userId))) continue;
      const entry = byEvent.get(row.event.id) ?? { event: row.event, userIds: [] };
      entry.userIds.push(row.userId);
      byEvent.set(row.event.id, entry);
    }
    if (byLecture.size > 0) await emit(ctx, { type: "lectures.reminder", tenantId: tenant.id, items: [...byLecture.values()] });
    if (byEvent.size > 0) await emit(ctx, { type: "events.reminder", tenantId: tenant.id, items: [...byEvent.values()] });
    return { lectures: byLecture.size, events: byEvent.size, reminded: fresh.size };
  },
};
