/**
 * `fees-due`, daily at 09:00 local time: every ACTIVE enrolment in a course that starts within the
 * tenant's notice (notification_settings.fees_due_days, default 3) and still owes part of its price
 * (received payments, less refunds, below the price) — its family is told once per enrolment.
 */
import { and, asc, between, eq, gt, sql } from "drizzle-orm";
import { courses, enrollments, payments } from "../../drizzle/schema";
import { requireTenant } from "../auth/guards";
import { emit } from "../domain-events/domain-events";
import { tenantNotificationSettings } from "../services/notification-preferences";
import { addDays, localDate } from "../time";
import type { Job } from "./job";
import { firstTime } from "./notices";
import { participantDisplayName, withParticipantAccounts, participantUserId } from "../services/participant-accounts";

export const feesDue: Job = {
  name: "fees-due",
  description: "Tells families with unpaid fees that their course starts within the tenant's notice (once per enrolment).",
  schedule: "0 9 * * *",
  lookBack: 3,
  window: (at, timeZone) => localDate(at, timeZone),
  windowOfDate: (date) => date,

  async run(ctx, day) {
    const tenant = requireTenant(ctx);
    const settings = await tenantNotificationSettings(ctx);
    // A course that already started is past notice; a caught-up run still covers the days ahead.
    const from = [day, localDate(new Date(), tenant.timeZone)].sort()[1]!;
    const paid = sql<string>`coalesce((
      select sum(${payments.amount} - ${payments.refundedAmount}) from ${payments}
      where ${payments.tenantId} = ${enrollments.tenantId} and ${payments.enrollmentId} = ${enrollments.id}
        and ${payments.status} in ('SUCCEEDED', 'PARTIALLY_REFUNDED', 'REFUNDED')), 0)`;
    const rows = await withParticipantAccounts(
      ctx.db
        .select({
          enrollmentId: enrollments.id,
          courseId: courses.id,
          course: courses.name,
          startsOn: courses.startsOn,
          currency: courses.currency,
          due: sql<string>`(${courses.price} - ${paid})::numeric(12,2)::text`,
          userId: participantUserId,
          participant: participantDisplayName,
        })
        .from(enrollments)
        .innerJoin(courses, and(eq(courses.tenantId, enrollments.tenantId), eq(courses.id, enrollments.courseId)))
        .$dynamic(),
    )
      .where(
        and(
          ctx.scope.inTenant(enrollments),
          eq(enrollments.status, "ACTIVE"),
          between(courses.startsOn, from, addDays(day, settings.feesDueDays)),
          gt(courses.price, "0"),
          sql`${courses.price} > ${paid}`,
        ),
      )
      .orderBy(asc(courses.startsOn), asc(enrollments.id));
    const owing = rows.filter((row) => row.userId);
    const fresh = await firstTime(
      ctx,
      tenant.id,
      owing.map((row) => `fees-due:${row.enrollmentId}`),
    );
    const items = owing
      .filter((row) => fresh.has(`fees-due:${row.enrollmentId}`))
      .map((row) => ({
        userId: row.userId,
        participant: row.participant,
        course: row.course,
        courseId: row.courseId,
        startsOn: row.startsOn,
        amount: row.due,
        currency: row.currency,
        enrollmentId: row.enrollmentId,
      }));
    if (items.length > 0) await emit(ctx, { type: "fees.due", tenantId: tenant.id, items });
    // Counted per enrolment (a child with two guardians who receive alerts has two rows).
    return { owing: new Set(owing.map((row) => row.enrollmentId)).size, notified: new Set(items.map((item) => item.enrollmentId)).size };
  },
};
