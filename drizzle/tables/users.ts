import { sql } from "drizzle-orm";
import { boolean, check, date, index, pgPolicy, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { appRole, createdAt, id, readonlyRole, updatedAt } from "./columns";
import { genderEnum, languageEnum } from "./enums";

/**
 * A person's one account across the platform. The only table (besides tenants)
 * without tenant_id: a row is visible to its owner and, through a membership,
 * inside the tenants the person belongs to.
 */
export const users = pgTable(
  "users",
  {
    id: id().primaryKey(),
    /** Primary phone number, E.164; the login identifier. */
    phoneNumber1: text(),
    phoneNumber2: text(),
    email: text(),
    passwordHash: text().notNull(),
    firstName: text().notNull(),
    lastName: text().notNull().default(""),
    dateOfBirth: date({ mode: "string" }),
    gender: genderEnum().notNull().default("UNSPECIFIED"),
    identityNumber: text(),
    preferredLanguage: languageEnum().notNull().default("ar"),
    isVerified: boolean().notNull().default(false),
    phoneVerifiedAt: timestamp({ withTimezone: true, precision: 3 }),
    emailVerifiedAt: timestamp({ withTimezone: true, precision: 3 }),
    isPlatformAdmin: boolean().notNull().default(false),
    isActive: boolean().notNull().default(true),
    passwordChangedAt: timestamp({ withTimezone: true, precision: 3 }),
    /** The person asked to delete the account: it is erased at this instant unless they cancel (server/services/account-deletion.ts). */
    deletionScheduledAt: timestamp({ withTimezone: true, precision: 3 }),
    /** Erased: personal fields wiped, the row kept as a tombstone so payments, attendance and audit rows still point somewhere. */
    erasedAt: timestamp({ withTimezone: true, precision: 3 }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("users_phone_number1_key").on(t.phoneNumber1),
    uniqueIndex("users_email_key").on(sql`lower(${t.email})`),
    index("users_phone_number2_idx").on(t.phoneNumber2),
    check("users_has_login", sql`${t.erasedAt} IS NOT NULL OR num_nonnulls(${t.phoneNumber1}, ${t.email}) >= 1`),
    index("users_deletion_due_idx").on(t.deletionScheduledAt).where(sql`${t.erasedAt} IS NULL AND ${t.deletionScheduledAt} IS NOT NULL`),
    check("users_phone1_e164", sql`${t.phoneNumber1} ~ '^\\+[1-9][0-9]{6,14}$'`),
    check("users_phone2_e164", sql`${t.phoneNumber2} ~ '^\\+[1-9][0-9]{6,14}$'`),
    check("users_email_format", sql`${t.email} ~ '^[^@\\s]+@[^@\\s]+$'`),
    pgPolicy("users_visible", {
      for: "select",
      to: [appRole, readonlyRole],
      using: sql`id = app_user_id() OR EXISTS (
        SELECT 1 FROM memberships m WHERE m.user_id = users.id AND m.tenant_id = app_tenant_id())`,
    }),
    pgPolicy("users_update_self", {
      for: "update",
      to: appRole,
      using: sql`id = app_user_id()`,
      withCheck: sql`id = app_user_id()`,
    }),
  ],
);

export type User = typeof users.$inferSelect;
export type NewUser = typeof users.$inferInsert;
