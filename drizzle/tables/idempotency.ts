import { index, jsonb, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { createdAt, tenantIsolation } from "./columns";
import { idempotencyStatusEnum } from "./enums";
import { tenantId } from "./tenants";
import { users } from "./users";

/**
 * A money-moving mutation's key. The row is inserted first, in the mutation's
 * transaction: a concurrent retry waits on the primary key, then reads the result.
 */
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    tenantId: tenantId(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    operation: text().notNull(),
    key: text().notNull(),
    /** SHA-256 of the operation's input: the same key with other input is a CONFLICT. */
    requestHash: text().notNull(),
    status: idempotencyStatusEnum().notNull().default("IN_PROGRESS"),
    response: jsonb(),
    createdAt: createdAt(),
    expiresAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.userId, t.operation, t.key] }),
    index("idempotency_keys_user_idx").on(t.userId),
    index("idempotency_keys_expires_idx").on(t.expiresAt),
    tenantIsolation(),
  ],
);

export type IdempotencyKey = typeof idempotencyKeys.$inferSelect;
