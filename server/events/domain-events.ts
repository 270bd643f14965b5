/**
 * Domain events: the one function services call when something happened.
 * Handlers run inside the service's transaction (notification rows) and queue
 * what must wait for the commit (publishing to subscribers).
 */
import type { Lecture } from "../../drizzle/schema";
import type { Context } from "../context";
import type { MessageKey } from "../i18n";
import { notify } from "../services/notifications";
import { Topic } from "../pubsub/topics";

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
  "payment.succeeded": { kind: "PAYMENT_SUCCEEDED", titleKey: "notification.paymentSucceeded.title", bodyKey: "notification.paymentSucceeded.body" },
  "payment.failed": { kind: "PAYMENT_FAILED", titleKey: "notification.paymentFailed.title", bodyKey: "notification.paymentFailed.body" },
  "refund.refunded": { kind: "REFUND_REFUNDED", titleKey: "notification.refundRefunded.title", bodyKey: "notification.refundRefunded.body" },
  "refund.rejected": { kind: "REFUND_REJECTED", titleKey: "notification.refundRejected.title", bodyKey: "notification.refundRejected.body" },
  "refund.failed": { kind: "REFUND_FAILED", titleKey: "notification.refundFailed.title", bodyKey: "notification.refundFailed.body" },
} as const satisfies Record<PaymentEvent["type"], { kind: string; titleKey: MessageKey; bodyKey: MessageKey }>;

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
    default:
      return;
  }
};

const handlers: Handler[] = [notifications, realtime];

/** Records that `event` happened: runs every handler in the caller's transaction. */
export async function emit(ctx: Context, event: DomainEvent): Promise<void> {
  for (const handler of handlers) await handler(ctx, event);
}
