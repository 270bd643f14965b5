import { sql } from "drizzle-orm";
import { index, integer, pgPolicy, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { appRole, createdAt, id } from "./columns";
import { verificationChannelEnum } from "./enums";
import { tenants } from "./tenants";
import { users } from "./users";

/**
 * A signed-in device: one login, one refresh-token family. Revoking it (logout,
 * "sign out that device", or refresh-token reuse) ends every token of the family.
 */
export const authSessions = pgTable(
  "auth_sessions",
  {
    id: id().primaryKey(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** The tenant the session's access tokens are issued for (null: no membership chosen). */
    tenantId: uuid().references(() => tenants.id, { onDelete: "set null" }),
    deviceName: text(),
    userAgent: text(),
    ipAddress: text(),
    createdAt: createdAt(),
    lastUsedAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    expiresAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    revokedAt: timestamp({ withTimezone: true, precision: 3 }),
    revokedReason: text(),
  },
  (t) => [
    index("auth_sessions_user_idx").on(t.userId),
    index("auth_sessions_tenant_idx").on(t.tenantId),
    // A signed-in user sees and revokes their own devices.
    pgPolicy("auth_sessions_own", {
      for: "all",
      to: appRole,
      using: sql`user_id = app_user_id()`,
      withCheck: sql`user_id = app_user_id()`,
    }),
  ],
);

/** One refresh token of a session; rotated on every use, reuse is detected by `usedAt`. */
export const refreshTokens = pgTable(
  "refresh_tokens",
  {
    id: id().primaryKey(),
    sessionId: uuid()
      .notNull()
      .references(() => authSessions.id, { onDelete: "cascade" }),
    /** SHA-256 of the opaque token; the token itself is never stored. */
    tokenHash: text().notNull(),
    createdAt: createdAt(),
    expiresAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    usedAt: timestamp({ withTimezone: true, precision: 3 }),
    replacedBy: uuid(),
  },
  (t) => [uniqueIndex("refresh_tokens_hash_key").on(t.tokenHash), index("refresh_tokens_session_idx").on(t.sessionId)],
  // No policy: only the auth service, running as the owner, reads this table.
).enableRLS();

/** A one-time code sent by SMS, WhatsApp or email; stored hashed, with an attempt budget. */
export const verificationCodes = pgTable(
  "verification_codes",
  {
    id: id().primaryKey(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    channel: verificationChannelEnum().notNull(),
    destination: text().notNull(),
    purpose: text().notNull(),
    codeHash: text().notNull(),
    attempts: integer().notNull().default(0),
    maxAttempts: integer().notNull().default(5),
    expiresAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    consumedAt: timestamp({ withTimezone: true, precision: 3 }),
    createdAt: createdAt(),
  },
  (t) => [index("verification_codes_user_idx").on(t.userId, t.purpose)],
).enableRLS();

export type AuthSession = typeof authSessions.$inferSelect;
export type RefreshToken = typeof refreshTokens.$inferSelect;
export type VerificationCode = typeof verificationCodes.$inferSelect;
