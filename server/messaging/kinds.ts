/**
 * Every kind of notification people can be told about (issue 11): who it is for, whether it is
 * urgent (urgent kinds skip quiet hours), and the channels besides in-app each role gets by
 * default until the person chooses their own. Pure data: no database, no context.
 */
import type { MembershipRole, VerificationChannel } from "../../drizzle/tables/enums-types";

export type Channel = VerificationChannel;
export const CHANNELS: readonly Channel[] = ["SMS", "WHATSAPP", "EMAIL"];

interface KindSpec {
  /** Skips quiet hours (a cancellation, an alert, a security notice). */
  urgent: boolean;
  /** Default channels for families (PARENT, STUDENT). */
  family: Channel[];
  /** Default channels for staff (ADMIN, STAFF). */
  staff: Channel[];
  /** Default channels for everyone else (INSTRUCTOR, MEMBER). */
  other: Channel[];
}

const family = (urgent: boolean, channels: Channel[]): KindSpec => ({ urgent, family: channels, staff: [], other: [] });
const staff = (urgent: boolean, channels: Channel[]): KindSpec => ({ urgent, family: [], staff: channels, other: [] });

export const NOTIFICATION_KINDS = {
  // Accounts
  PASSWORD_CHANGED: { urgent: true, family: ["EMAIL"], staff: ["EMAIL"], other: ["EMAIL"] },
  INVITATION: { urgent: false, family: [], staff: [], other: [] },
  // Families
  ENROLLMENT_APPROVED: family(false, ["SMS"]),
  ENROLLMENT_REJECTED: family(false, ["SMS"]),
  LECTURE_CANCELLED: family(true, ["SMS"]),
  LECTURE_RESCHEDULED: family(true, ["SMS"]),
  LECTURE_REMINDER: family(false, []),
  ATTENDANCE_ABSENT: family(false, []),
  ABSENCE_ALERT: family(true, ["SMS"]),
  EXAM_RESULTS: family(false, ["EMAIL"]),
  FEES_DUE: family(false, ["SMS"]),
  PAYMENT_SUCCEEDED: family(false, ["EMAIL"]),
  PAYMENT_FAILED: family(true, ["SMS"]),
  REFUND_REFUNDED: family(false, ["EMAIL"]),
  REFUND_REJECTED: family(false, ["EMAIL"]),
  REFUND_FAILED: family(false, ["EMAIL"]),
  EVENT_CHANGED: { urgent: false, family: ["SMS"], staff: [], other: [] },
  EVENT_CANCELLED: { urgent: true, family: ["SMS"], staff: [], other: ["SMS"] },
  EVENT_PROMOTED: { urgent: false, family: ["SMS"], staff: [], other: ["SMS"] },
  EVENT_REMINDER: family(false, []),
  // Time-bound: skips quiet hours, the offer runs out.
  WAITLIST_OFFER: family(true, ["SMS"]),
  // Staff
  ENROLLMENT_REQUESTED: staff(false, ["EMAIL"]),
  REFUND_REQUESTED: staff(false, ["EMAIL"]),
  PAYMENT_PROBLEM: staff(true, ["EMAIL"]),
  DEVICE_OFFLINE: staff(false, ["EMAIL"]),
} as const satisfies Record<string, KindSpec>;

export type NotificationKind = keyof typeof NOTIFICATION_KINDS;
export const NOTIFICATION_KIND_NAMES = Object.keys(NOTIFICATION_KINDS) as NotificationKind[];

export const isNotificationKind = (kind: string): kind is NotificationKind => Object.hasOwn(NOTIFICATION_KINDS, kind);

/** Urgent kinds skip quiet hours; an unknown kind is not urgent. */
export const isUrgent = (kind: string): boolean => (isNotificationKind(kind) ? NOTIFICATION_KINDS[kind].urgent : false);

/** The channels (besides in-app) a member with `roles` gets for `kind` until they choose. */
export function defaultChannels(kind: string, roles: readonly MembershipRole[]): Channel[] {
  if (!isNotificationKind(kind)) return [];
  const spec: KindSpec = NOTIFICATION_KINDS[kind];
  const isFamily = roles.includes("PARENT") || roles.includes("STUDENT");
  const isStaff = roles.includes("ADMIN") || roles.includes("STAFF");
  const granted = [...(isFamily ? spec.family : []), ...(isStaff ? spec.staff : []), ...(!isFamily && !isStaff ? spec.other : [])];
  const chosen = new Set<Channel>(granted);
  return CHANNELS.filter((channel) => chosen.has(channel));
}
