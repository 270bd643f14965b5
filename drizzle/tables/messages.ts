import { sql } from "drizzle-orm";
import { boolean, index, integer, jsonb, pgPolicy, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { appRole, createdAt, id, readonlyRole, updatedAt } from "./columns";
import { languageEnum, messageDeliveryStatusEnum, verificationChannelEnum } from "./enums";
import { tenants } from "./tenants";
import { users } from "./users";

/**
 * The durable message outbox: one row per message to one address on one channel, written in the
 * transaction that decided to send it and sent by the delivery worker after commit
 * (server/messaging/worker.ts).
 *
 * Tenancy: verification codes belong to no tenant (an account, not a membership), so `tenant_id` is
 * nullable and the primary key is `id` alone. Row-level security lets `roster_app` READ only its
 * tenant's rows (tenant admins list them); a row without a tenant is never visible to it. Every
 * write — queueing, claiming, marking, provider status webhooks — runs as the owner (`asSystem`,
 * or the worker's own connection), never as a request's role.
 */
export const messageDeliveries = pgTable(
  "message_deliveries",
  {
    id: id().primaryKey(),
    tenantId: uuid().references(() => tenants.id, { onDelete: "cascade" }),
    userId: uuid().references(() => users.id, { onDelete: "set null" }),
    notificationId: uuid(),
    channel: verificationChannelEnum().notNull(),
    /** E.164 phone number or email address. */
    destination: text().notNull(),
    kind: text().notNull(),
    language: languageEnum().notNull(),
    subject: text().notNull(),
    body: text().notNull(),
    params: jsonb().$type<Record<string, string>>().notNull().default({}),
    urgent: boolean().notNull().default(false),
    status: messageDeliveryStatusEnum().notNull().default("QUEUED"),
    attempts: integer().notNull().default(0),
    /** When the next attempt may start (notBefore, then the retry schedule). */
    nextAttemptAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    /** While SENDING: the claim's lease; past it, another worker may take the row over (its sender died). */
    lockedUntil: timestamp({ withTimezone: true, precision: 3 }),
    /** Adapter that sent it (smtp, beem, twilio, whatsapp, webhook, outbox). */
    provider: text(),
    providerMessageId: text(),
    lastError: text(),
    sentAt: timestamp({ withTimezone: true, precision: 3 }),
    deliveredAt: timestamp({ withTimezone: true, precision: 3 }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    // The worker's claim: due rows in order (partial: finished rows are most of the table).
    index("message_deliveries_due_idx").on(t.nextAttemptAt).where(sql`status in ('QUEUED', 'SENDING')`),
    index("message_deliveries_tenant_idx").on(t.tenantId, t.createdAt, t.id),
    index("message_deliveries_user_idx").on(t.userId),
    // Status webhooks find the row by the provider's message id.
    uniqueIndex("message_deliveries_provider_key").on(t.provider, t.providerMessageId),
    pgPolicy("tenant_read", {
      as: "permissive",
      for: "select",
      to: [appRole, readonlyRole],
      using: sql`tenant_id = app_tenant_id()`,
    }),
  ],
);

export type MessageDelivery = typeof messageDeliveries.$inferSelect;
