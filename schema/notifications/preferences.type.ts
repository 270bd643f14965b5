import { Field, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import type { VerificationChannel as ChannelValue } from "../../drizzle/tables/enums-types";
import { NOTIFICATION_KIND_NAMES, type NotificationKind as KindValue } from "../../server/messaging/kinds";
import type { NotificationSettingsInput } from "../../server/services/notification-preferences";
import { VerificationChannel } from "../shared/enums";
import { LocalTime } from "../shared/scalars";

/** What each kind is about (one description per kind: a kind added to server/messaging/kinds.ts needs one here). */
const KIND_DESCRIPTIONS: Record<KindValue, string> = {
  PASSWORD_CHANGED: "Your password was changed (urgent).",
  INVITATION: "A tenant invited you to join it.",
  ENROLLMENT_APPROVED: "An enrolment request was approved.",
  ENROLLMENT_REJECTED: "An enrolment request was rejected.",
  LECTURE_CANCELLED: "A lecture of your participant's course was cancelled (urgent).",
  LECTURE_RESCHEDULED: "A lecture of your participant's course moved to another date or time (urgent).",
  LECTURE_REMINDER: "A lecture of your participant's course starts soon (the tenant sets how soon).",
  ATTENDANCE_ABSENT: "Your participant was marked absent from a lecture.",
  ABSENCE_ALERT: "Your participant missed several lectures of a course in a row (urgent; once per streak).",
  EXAM_RESULTS: "Your participant's exam result was recorded.",
  FEES_DUE: "A course starts soon and its fees are not paid yet.",
  PAYMENT_SUCCEEDED: "A payment went through.",
  PAYMENT_FAILED: "A payment did not go through (urgent).",
  REFUND_REFUNDED: "A refund was paid.",
  REFUND_REJECTED: "A refund request was rejected.",
  REFUND_FAILED: "A refund could not be paid.",
  EVENT_CHANGED: "An event you registered for changed its time or place.",
  EVENT_CANCELLED: "An event you registered for was cancelled (urgent).",
  EVENT_PROMOTED: "You moved from an event's waitlist to a place.",
  EVENT_REMINDER: "An event you registered for starts soon.",
  WAITLIST_OFFER: "A place in a course freed up for you from its waitlist, held for a limited time (urgent).",
  ENROLLMENT_REQUESTED: "Staff: a new enrolment request.",
  REFUND_REQUESTED: "Staff: a new refund request.",
  PAYMENT_PROBLEM: "Staff: a payment failed or was disputed (urgent).",
  DEVICE_OFFLINE: "Staff: an attendance device has not been seen for a day.",
};

export const NotificationKind = Object.fromEntries(NOTIFICATION_KIND_NAMES.map((kind) => [kind, kind])) as { [K in KindValue]: K };
registerEnumType(NotificationKind, {
  name: "NotificationKind",
  description: "Kinds of notification whose channels you may choose (the kind field of a Notification).",
  valuesConfig: Object.fromEntries(NOTIFICATION_KIND_NAMES.map((kind) => [kind, { description: KIND_DESCRIPTIONS[kind] }])),
});

@ObjectType({ description: "Your channels for one kind of notification (in-app is always on)." })
export class NotificationKindPreference {
  @Field(() => NotificationKind, { description: "The kind." })
  kind: KindValue;

  @Field(() => [VerificationChannel], { description: "Channels besides in-app, as chosen (or the defaults of your roles)." })
  channels: ChannelValue[];

  @Field(() => Boolean, { description: "True while you have not chosen: the channels are your roles' defaults." })
  isDefault: boolean;

  @Field(() => Boolean, { description: "Urgent kinds are sent during quiet hours too." })
  urgent: boolean;
}

@ObjectType({ description: "A daily window, in the tenant's time zone, when non-urgent messages wait (in-app ones still arrive)." })
export class QuietHours {
  @Field(() => LocalTime, { description: "Start, local time (HH:MM:SS)." })
  start: string;

  @Field(() => LocalTime, { description: "End, local time; before start means the window crosses midnight." })
  end: string;
}

@ObjectType({ description: "Your notification preferences in the current tenant." })
export class NotificationPreferences {
  @Field(() => [NotificationKindPreference], { description: "Every kind, in a fixed order." })
  kinds: NotificationKindPreference[];

  @Field(() => QuietHours, { nullable: true, description: "Your quiet hours; null when you have none." })
  quietHours: QuietHours | null;

  @Field(() => [VerificationChannel], { description: "Channels the tenant uses; a chosen channel outside them is kept but not used." })
  enabledChannels: ChannelValue[];
}

@ObjectType({ description: "The tenant's notification settings (tenant admins)." })
export class NotificationSettings {
  @Field(() => [VerificationChannel], { description: "Channels besides in-app the tenant uses (each costs money)." })
  enabledChannels: ChannelValue[];

  @Field(() => Int, { description: "Consecutive absences in a course after which the family gets an absence alert (default 2)." })
  absenceAlertAfter: number;

  @Field(() => Int, { description: "Minutes before a lecture or event its reminder goes out (default 120)." })
  reminderLeadMinutes: number;

  @Field(() => Int, { description: "Days before a course starts when families with unpaid fees are told (default 3)." })
  feesDueDays: number;
}

@InputType({ description: "Your channels for one kind of notification." })
export class NotificationPreferenceInput {
  @Field(() => NotificationKind, { description: "The kind." })
  kind: KindValue;

  @Field(() => [VerificationChannel], {
    nullable: true,
    description: "Channels besides in-app (empty: in-app only); null: back to your roles' defaults.",
  })
  channels?: ChannelValue[] | null;
}

@InputType({ description: "A quiet-hours window in the tenant's time zone." })
export class QuietHoursInput {
  @Field(() => String, { description: "Start, HH:MM (24-hour clock)." })
  start: string;

  @Field(() => String, { description: "End, HH:MM; before start means the window crosses midnight; not equal to start." })
  end: string;
}

@InputType({ description: "Tenant notification settings; omitted fields keep their value." })
export class UpdateNotificationSettingsInput implements NotificationSettingsInput {
  @Field(() => [VerificationChannel], { nullable: true, description: "Channels besides in-app the tenant uses (empty: in-app only)." })
  enabledChannels?: ChannelValue[] | null;

  @Field(() => Int, { nullable: true, description: "Consecutive absences before an absence alert, 1 to 30." })
  absenceAlertAfter?: number | null;

  @Field(() => Int, { nullable: true, description: "Reminder lead time in minutes, 15 to 10080 (a week)." })
  reminderLeadMinutes?: number | null;

  @Field(() => Int, { nullable: true, description: "Days before a course starts for the fees-due notice, 0 to 60." })
  feesDueDays?: number | null;
}
