/**
 * Domain events: the one function services call when something happened.
 * Handlers run inside the service's transaction (notification rows) and queue
 * what must wait for the commit (publishing to subscribers).
 */
import type { Event as EventRow, Exam, ExamResult, Invitation, Lecture, LectureAttendance } from "../../drizzle/schema";
import type { Context } from "../context";
import { translate, type Language, type MessageKey } from "../i18n";
import { notify, notifyMany, staffUserIds, type NotificationSpec } from "../services/notifications";
import { findParticipants, participantName } from "../services/participants";
import { Topic } from "../pubsub/topics";
import { alertUserIds, participantIdOf } from "../auth/policies";

/** What happened to an event, as eventUpdated subscribers are told. */
export const EVENT_CHANGES = ["CREATED", "UPDATED", "PUBLISHED", "CANCELLED", "REGISTRATION"] as const;
export type EventChange = (typeof EVENT_CHANGES)[number];

export type DomainEvent =
  | { type: "user.passwordChanged"; userId: string }
  | { type: "user.profileUpdated"; userId: string; changedFields: string[] }
  | {
      type: "enrollment.approved";
      tenantId: string;
      recipients: string[];
      participant: string;
      course: string;
      enrollmentId: string;
      requestId: string;
    }
  | {
      type: "enrollment.rejected";
      tenantId: string;
      recipients: string[];
      participant: string;
      course: string;
      reason: string;
      requestId: string;
    }
  | { type: "lecture.cancelled"; tenantId: string; lecture: Lecture; courseName: string; recipients: string[] }
  | {
      type: "attendance.marked";
      tenantId: string;
      courseId: string;
      courseName: string;
      lecture: Lecture;
      marks: LectureAttendance[];
      /** Participants newly marked absent, with the account answering for each. */
      absent: { userId: string; participant: string }[];
    }
  | {
      type: "event.changed";
      change: EventChange;
      /** The event as it is after the change. */
      event: EventRow;
      /** Registrants to notify (UPDATED: time or place changed; CANCELLED), with the cancellation reason. */
      registrants?: { userIds: string[]; reason?: string };
    }
  | { type: "event.registrationPromoted"; event: EventRow; userId: string }
  /** Places of a course were offered to a waitlist entry (its family is told until when). */
  | {
      type: "waitlist.offered";
      tenantId: string;
      recipients: string[];
      participants: string;
      course: string;
      courseId: string;
      entryId: string;
      /** Local date and time in the tenant's zone, "YYYY-MM-DD HH:MM". */
      expiresAt: string;
    }
  /** A family asked for a place (staff are told). */
  | { type: "enrollment.requested"; tenantId: string; participant: string; course: string; courseId: string; requestId: string }
  /** A family asked for a refund (staff are told). */
  | {
      type: "refund.requested";
      tenantId: string;
      participant: string;
      course: string;
      amount: string;
      currency: string;
      refundRequestId: string;
      paymentId: string;
    }
  /** A provider reported a dispute (chargeback) on a payment (staff are told). */
  | {
      type: "payment.disputed";
      tenantId: string;
      participant: string;
      course: string;
      amount: string;
      currency: string;
      paymentId: string;
      reason: string;
    }
  /** A scheduled lecture moved to another date or time (the families of the course are told). */
  | { type: "lecture.rescheduled"; tenantId: string; before: Lecture; after: Lecture; courseName: string; recipients: string[] }
  /** Results of an exam were recorded or corrected (each participant's family is told their own result). */
  | { type: "exam.resultsRecorded"; tenantId: string; exam: Exam; courseName: string; results: ExamResult[] }
  /** Lectures starting soon, with the accounts to remind (the lecture-reminders job). */
  | { type: "lectures.reminder"; tenantId: string; items: { lecture: Lecture; courseName: string; userIds: string[] }[] }
  /** Events starting soon, with the registrants to remind (the lecture-reminders job). */
  | { type: "events.reminder"; tenantId: string; items: { event: EventRow; userIds: string[] }[] }
  /** Unpaid enrolments of courses starting soon (the fees-due job). */
  | {
      type: "fees.due";
      tenantId: string;
      items: {
        userId: string;
        participant: string;
        course: string;
        startsOn: string;
        amount: string;
        currency: string;
        enrollmentId: string;
        courseId: string;
      }[];
    }
  /** Participants who reached the tenant's number of consecutive absences in a course (the absence-alerts job). */
  | {
      type: "absence.alert";
      tenantId: string;
      items: {
        userId: string;
        participant: string;
        course: string;
        courseId: string;
        count: number;
        lastDate: string;
        lectureId: string;
      }[];
    }
  /** Attendance devices not seen for a day (the device-offline job; staff are told). */
  | { type: "devices.offline"; tenantId: string; devices: { id: string; name: string; lastSeenAt: Date | null; createdAt: Date }[] }
  /** A tenant invited an account to join it (the invitee is told, in their language). */
  | { type: "invitation.created"; tenantId: string; tenantName: string; invitation: Invitation }
  /** Many invitations at once (an import): the same notice as one, each its own, in one batch. */
  | { type: "invitations.created"; tenantId: string; tenantName: string; invitations: Invitation[] }
  | PaymentEvent;

/** Money events: who to tell, and the facts their message names. */
export type PaymentEvent = {
  tenantId: string;
  recipients: string[];
  participant: string;
  course: string;
  amount: string;
  currency: string;
  paymentId: string;
  enrollmentId: string;
} & (
  | { type: "payment.succeeded" }
  | { type: "payment.failed"; reason: string }
  | { type: "refund.refunded"; refundRequestId: string }
  | { type: "refund.rejected"; refundRequestId: string; reason: string }
  | { type: "refund.failed"; refundRequestId: string; reason: string }
);

/** Notification kind and message keys of each money event. */
const paymentNotifications = {
  "payment.succeeded": {
    kind: "PAYMENT_SUCCEEDED",
    titleKey: "notification.paymentSucceeded.title",
    bodyKey: "notification.paymentSucceeded.body",
  },
  "payment.failed": { kind: "PAYMENT_FAILED", titleKey: "notification.paymentFailed.title", bodyKey: "notification.paymentFailed.body" },
  "refund.refunded": {
    kind: "REFUND_REFUNDED",
    titleKey: "notification.refundRefunded.title",
    bodyKey: "notification.refundRefunded.body",
  },
  "refund.rejected": {
    kind: "REFUND_REJECTED",
    titleKey: "notification.refundRejected.title",
    bodyKey: "notification.refundRejected.body",
  },
  "refund.failed": { kind: "REFUND_FAILED", titleKey: "notification.refundFailed.title", bodyKey: "notification.refundFailed.body" },
} as const satisfies Record<PaymentEvent["type"], { kind: string; titleKey: MessageKey; bodyKey: MessageKey }>;

/** A time as people of the tenant read it: "2025-07-01 18:30" in the tenant's time zone. */
function localTime(ctx: Context, at: Date): string {
  // sv-SE formats as ISO-like "YYYY-MM-DD HH:mm", readable in every language we write.
  return new Intl.DateTimeFormat("sv-SE", {
    timeZone: ctx.tenant?.timeZone ?? "UTC",
    dateStyle: "short",
    timeStyle: "short",
  }).format(at);
}

const eventParams = (ctx: Context, event: EventRow) => ({
  title: event.title,
  startsAt: localTime(ctx, event.startsAt),
  endsAt: localTime(ctx, event.endsAt),
  location: event.location || "—",
});

type Handler = (ctx: Context, event: DomainEvent) => Promise<void>;

/** Notification rows for the users an event concerns. */
const notifications: Handler = async (ctx, event) => {
  switch (event.type) {
    case "user.passwordChanged":
      if (ctx.tenant) {
        await notify(ctx, {
          tenantId: ctx.tenant.id,
          userIds: [event.userId],
          kind: "PASSWORD_CHANGED",
          titleKey: "notification.passwordChanged.title",
          bodyKey: "notification.passwordChanged.body",
        });
      }
      return;
    case "enrollment.approved":
      await notify(ctx, {
        tenantId: event.tenantId,
        userIds: event.recipients,
        kind: "ENROLLMENT_APPROVED",
        titleKey: "notification.enrollmentApproved.title",
        bodyKey: "notification.enrollmentApproved.body",
        params: { participant: event.participant, course: event.course },
        data: { enrollmentId: event.enrollmentId, requestId: event.requestId },
      });
      return;
    case "enrollment.rejected":
      await notify(ctx, {
        tenantId: event.tenantId,
        userIds: event.recipients,
        kind: "ENROLLMENT_REJECTED",
        titleKey: "notification.enrollmentRejected.title",
        bodyKey: "notification.enrollmentRejected.body",
        params: { participant: event.participant, course: event.course, reason: event.reason },
        data: { requestId: event.requestId },
      });
      return;
    case "lecture.cancelled":
      await notify(ctx, {
        tenantId: event.tenantId,
        userIds: event.recipients,
        kind: "LECTURE_CANCELLED",
        titleKey: "notification.lectureCancelled.title",
        bodyKey: "notification.lectureCancelled.body",
        params: { course: event.courseName, date: event.lecture.date, time: event.lecture.startTime.slice(0, 5) },
        data: { lectureId: event.lecture.id, courseId: event.lecture.courseId },
      });
      return;
    case "attendance.marked":
      // One batch for every newly absent participant: a page of marks costs what one does.
      await notifyMany(
        ctx,
        event.absent.map(({ userId, participant }) => ({
          tenantId: event.tenantId,
          userIds: [userId],
          kind: "ATTENDANCE_ABSENT",
          titleKey: "notification.absent.title",
          bodyKey: "notification.absent.body",
          params: { participant, course: event.courseName, date: event.lecture.date },
          data: { lectureId: event.lecture.id, courseId: event.courseId },
        })),
      );
      return;
    case "enrollment.requested":
      await notify(ctx, {
        tenantId: event.tenantId,
        userIds: await staffUserIds(ctx, event.tenantId),
        kind: "ENROLLMENT_REQUESTED",
        titleKey: "notification.enrollmentRequested.title",
        bodyKey: "notification.enrollmentRequested.body",
        params: { participant: event.participant, course: event.course },
        data: { requestId: event.requestId, courseId: event.courseId },
      });
      return;
    case "refund.requested":
      await notify(ctx, {
        tenantId: event.tenantId,
        userIds: await staffUserIds(ctx, event.tenantId),
        kind: "REFUND_REQUESTED",
        titleKey: "notification.refundRequested.title",
        bodyKey: "notification.refundRequested.body",
        params: { participant: event.participant, course: event.course, amount: event.amount, currency: event.currency },
        data: { refundRequestId: event.refundRequestId, paymentId: event.paymentId },
      });
      return;
    case "payment.disputed":
      await tellStaffOfPaymentProblem(ctx, event, { paymentId: event.paymentId, disputed: true });
      return;
    case "lecture.rescheduled":
      await notify(ctx, {
        tenantId: event.tenantId,
        userIds: event.recipients,
        kind: "LECTURE_RESCHEDULED",
        titleKey: "notification.lectureRescheduled.title",
        bodyKey: "notification.lectureRescheduled.body",
        params: {
          course: event.courseName,
          oldDate: event.before.date,
          oldTime: event.before.startTime.slice(0, 5),
          date: event.after.date,
          time: event.after.startTime.slice(0, 5),
        },
        data: { lectureId: event.after.id, courseId: event.after.courseId },
      });
      return;
    case "exam.resultsRecorded": {
      const participants = await findParticipants(ctx, event.results.map(participantIdOf));
      // Names together, so the user loader reads every student in one batch.
      const named = await Promise.all(
        event.results.map(async (result) => {
          const participant = participants.get(participantIdOf(result));
          return participant ? { result, participant, name: await participantName(ctx, participant) } : null;
        }),
      );
      const specs: NotificationSpec[] = named.flatMap((entry) =>
        entry
          ? [
              {
                tenantId: event.tenantId,
                userIds: alertUserIds(entry.participant),
                kind: "EXAM_RESULTS",
                titleKey: "notification.examResults.title" as const,
                bodyKey: "notification.examResults.body" as const,
                params: {
                  participant: entry.name,
                  score: entry.result.score,
                  max: event.exam.maxScore,
                  exam: event.exam.title,
                  course: event.courseName,
                },
                data: { examId: event.exam.id, courseId: event.exam.courseId, resultId: entry.result.id },
              },
            ]
          : [],
      );
      await notifyMany(ctx, specs);
      return;
    }
    case "lectures.reminder":
      await notifyMany(
        ctx,
        event.items.map(({ lecture, courseName, userIds }) => ({
          tenantId: event.tenantId,
          userIds,
          kind: "LECTURE_REMINDER",
          titleKey: "notification.lectureReminder.title",
          bodyKey: "notification.lectureReminder.body",
          params: { course: courseName, date: lecture.date, time: lecture.startTime.slice(0, 5) },
          data: { lectureId: lecture.id, courseId: lecture.courseId },
        })),
      );
      return;
    case "events.reminder":
      await notifyMany(
        ctx,
        event.items.map(({ event: row, userIds }) => ({
          tenantId: event.tenantId,
          userIds,
          kind: "EVENT_REMINDER",
          titleKey: "notification.eventReminder.title",
          bodyKey: "notification.eventReminder.body",
          params: eventParams(ctx, row),
          data: { eventId: row.id },
        })),
      );
      return;
    case "fees.due":
      await notifyMany(
        ctx,
        event.items.map((item) => ({
          tenantId: event.tenantId,
          userIds: [item.userId],
          kind: "FEES_DUE",
          titleKey: "notification.feesDue.title",
          bodyKey: "notification.feesDue.body",
          params: {
            participant: item.participant,
            course: item.course,
            startsOn: item.startsOn,
            amount: item.amount,
            currency: item.currency,
          },
          data: { enrollmentId: item.enrollmentId, courseId: item.courseId },
        })),
      );
      return;
    case "absence.alert":
      await notifyMany(
        ctx,
        event.items.map((item) => ({
          tenantId: event.tenantId,
          userIds: [item.userId],
          kind: "ABSENCE_ALERT",
          titleKey: "notification.absenceAlert.title",
          bodyKey: "notification.absenceAlert.body",
          params: { participant: item.participant, course: item.course, count: item.count, date: item.lastDate },
          data: { courseId: item.courseId, lectureId: item.lectureId, absences: item.count },
        })),
      );
      return;
    case "devices.offline": {
      if (event.devices.length === 0) return;
      const staff = await staffUserIds(ctx, event.tenantId);
      await notifyMany(
        ctx,
        event.devices.map((device) => ({
          tenantId: event.tenantId,
          userIds: staff,
          kind: "DEVICE_OFFLINE",
          titleKey: "notification.deviceOffline.title",
          bodyKey: "notification.deviceOffline.body",
          params: { device: device.name, since: localTime(ctx, device.lastSeenAt ?? device.createdAt) },
          data: { deviceId: device.id },
        })),
      );
      return;
    }
    case "event.changed": {
      const userIds = event.registrants?.userIds ?? [];
      if (userIds.length === 0 || (event.change !== "UPDATED" && event.change !== "CANCELLED")) return;
      const cancelled = event.change === "CANCELLED";
      await notify(ctx, {
        tenantId: event.event.tenantId,
        userIds,
        kind: cancelled ? "EVENT_CANCELLED" : "EVENT_CHANGED",
        titleKey: cancelled ? "notification.eventCancelled.title" : "notification.eventChanged.title",
        bodyKey: cancelled ? "notification.eventCancelled.body" : "notification.eventChanged.body",
        params: { ...eventParams(ctx, event.event), reason: event.registrants?.reason ?? "" },
        data: { eventId: event.event.id, change: event.change },
      });
      return;
    }
    case "event.registrationPromoted":
      await notify(ctx, {
        tenantId: event.event.tenantId,
        userIds: [event.userId],
        kind: "EVENT_PROMOTED",
        titleKey: "notification.eventPromoted.title",
        bodyKey: "notification.eventPromoted.body",
        params: eventParams(ctx, event.event),
        data: { eventId: event.event.id },
      });
      return;
    case "waitlist.offered":
      await notify(ctx, {
        tenantId: event.tenantId,
        userIds: event.recipients,
        kind: "WAITLIST_OFFER",
        titleKey: "notification.waitlistOffer.title",
        bodyKey: "notification.waitlistOffer.body",
        params: { course: event.course, participants: event.participants, expiresAt: event.expiresAt },
        data: { entryId: event.entryId, courseId: event.courseId },
      });
      return;
    case "invitation.created":
    case "invitations.created": {
      const all = event.type === "invitation.created" ? [event.invitation] : event.invitations;
      await notifyMany(
        ctx,
        all.map((invitation) => ({
          tenantId: event.tenantId,
          userIds: [invitation.userId],
          kind: "INVITATION",
          titleKey: "notification.invitation.title" as const,
          bodyKey: "notification.invitation.body" as const,
          params: (language: Language) => ({
            tenant: event.tenantName,
            inviter: invitation.invitedByName || event.tenantName,
            roles: invitation.roles.map((role) => translate(language, `role.${role}`)).join(", "),
            expires: localTime(ctx, invitation.expiresAt),
          }),
          data: { invitationId: invitation.id, tenantId: event.tenantId },
        })),
      );
      return;
    }
    case "payment.succeeded":
    case "payment.failed":
    case "refund.refunded":
    case "refund.rejected":
    case "refund.failed": {
      await notify(ctx, {
        tenantId: event.tenantId,
        userIds: event.recipients,
        ...paymentNotifications[event.type],
        params: {
          participant: event.participant,
          course: event.course,
          amount: event.amount,
          currency: event.currency,
          reason: "reason" in event ? event.reason : "",
        },
        data: {
          paymentId: event.paymentId,
          enrollmentId: event.enrollmentId,
          ...("refundRequestId" in event ? { refundRequestId: event.refundRequestId } : {}),
        },
      });
      if (event.type === "payment.failed") {
        await tellStaffOfPaymentProblem(ctx, event, { paymentId: event.paymentId, enrollmentId: event.enrollmentId });
      }
      return;
    }
    default:
      return;
  }
};

/** Live updates, published once the transaction has committed. */
const realtime: Handler = async (ctx, event) => {
  switch (event.type) {
    case "user.passwordChanged":
    case "user.profileUpdated": {
      const payload = {
        userId: event.userId,
        passwordUpdated: event.type === "user.passwordChanged",
        changedFields: event.type === "user.profileUpdated" ? event.changedFields : ["password"],
        at: new Date().toISOString(),
      };
      ctx.afterCommit.push(() => ctx.app.bus.publish(Topic.ProfileUpdated, [event.userId], payload));
      return;
    }
    case "attendance.marked": {
      const payload = {
        tenantId: event.tenantId,
        courseId: event.courseId,
        lectureId: event.lecture.id,
        attendanceIds: event.marks.map((mark) => mark.id),
        participantIds: event.marks.map((mark) => participantIdOf(mark)),
      };
      ctx.afterCommit.push(() => ctx.app.bus.publish(Topic.AttendanceUpdated, [event.tenantId, event.courseId], payload));
      return;
    }
    case "event.changed": {
      const { tenantId, id: eventId, status, createdBy } = event.event;
      const payload = { tenantId, eventId, change: event.change, status, createdBy };
      ctx.afterCommit.push(() => ctx.app.bus.publish(Topic.EventUpdated, [tenantId], payload));
      return;
    }
    default:
      return;
  }
};

const handlers: Handler[] = [notifications, realtime];

/** Records that `event` happened: runs every handler in the caller's transaction. */
export async function emit(ctx: Context, event: DomainEvent): Promise<void> {
  for (const handler of handlers) await handler(ctx, event);
}

/** Staff are told of a failed or disputed payment: one notice kind, whatever went wrong. */
async function tellStaffOfPaymentProblem(
  ctx: Context,
  event: { tenantId: string; participant: string; course: string; amount: string; currency: string; reason: string },
  data: Record<string, unknown>,
) {
  await notify(ctx, {
    tenantId: event.tenantId,
    userIds: await staffUserIds(ctx, event.tenantId),
    kind: "PAYMENT_PROBLEM",
    titleKey: "notification.paymentProblem.title",
    bodyKey: "notification.paymentProblem.body",
    params: { participant: event.participant, course: event.course, amount: event.amount, currency: event.currency, reason: event.reason },
    data,
  });
}
