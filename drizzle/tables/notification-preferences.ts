import { sql } from "drizzle-orm";
import { check, index, integer, pgTable, primaryKey, text, time, uuid } from "drizzle-orm/pg-core";
import { createdAt, tenantIsolation, updatedAt } from "./columns";
import { verificationChannelEnum } from "./enums";
import { tenantId } from "./tenants";
import { users } from "./users";

/**
 * A tenant's notification settings (issue 11): the channels it pays for, and the numbers its
 * scheduled notices use. No row means the defaults.
 */
export const notificationSettings = pgTable(
  "notification_settings",
  {
    tenantId: tenantId(),
    /** Channels besides in-app the tenant allows (switching one off saves its cost). */
    enabledChannels: verificationChannelEnum().array().notNull().default(sql`'{SMS,WHATSAPP,EMAIL}'::verification_channel[]`),
    /** Consecutive absences in a course after which the family gets an absence alert. */
    absenceAlertAfter: integer().notNull().default(2),
    /** How long before a lecture or event its reminder goes out, in minutes. */
    reminderLeadMinutes: integer().notNull().default(120),
    /** How many days before a course starts an unpaid enrolment's family is told fees are due. */
    feesDueDays: integer().notNull().default(3),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId] }),
    check("notification_settings_absence_after", sql`${t.absenceAlertAfter} BETWEEN 1 AND 30`),
    check("notification_settings_reminder_lead", sql`${t.reminderLeadMinutes} BETWEEN 15 AND 10080`),
    check("notification_settings_fees_due_days", sql`${t.feesDueDays} BETWEEN 0 AND 60`),
    tenantIsolation(),
  ],
);

/** A user's channels for one kind of notification in one tenant (in-app is always on). No row: the role's defaults. */
export const notificationPreferences = pgTable(
  "notification_preferences",
  {
    tenantId: tenantId(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: text().notNull(),
    channels: verificationChannelEnum().array().notNull(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.userId, t.kind] }),
    index("notification_preferences_user_fk_idx").on(t.userId),
    tenantIsolation(),
  ],
);

/** A user's quiet hours in one tenant: local times (tenant's zone); the window may cross midnight. */
export const notificationQuietHours = pgTable(
  "notification_quiet_hours",
  {
    tenantId: tenantId(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    startsAt: time().notNull(),
    endsAt: time().notNull(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.userId] }),
    index("notification_quiet_hours_user_fk_idx").on(t.userId),
    check("notification_quiet_hours_not_empty", sql`${t.startsAt} <> ${t.endsAt}`),
    tenantIsolation(),
  ],
);

/**
 * Scheduled notices already sent, by key (e.g. `lecture-reminder:<lectureId>:<userId>`): a job
 * inserts the key and notifies only when the insert wrote a row, so a notice never goes twice.
 */
export const notificationsSent = pgTable(
  "notifications_sent",
  {
    tenantId: tenantId(),
    key: text().notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.key] }), tenantIsolation()],
);

export type NotificationSettings = typeof notificationSettings.$inferSelect;
export type NotificationPreference = typeof notificationPreferences.$inferSelect;
export type NotificationQuietHours = typeof notificationQuietHours.$inferSelect;
