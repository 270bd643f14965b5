import { sql } from "drizzle-orm";
import { char, check, index, jsonb, pgTable, primaryKey, text, timestamp, unique, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, money, tenantFk, tenantIsolation, updatedAt } from "./columns";
import { enrollments } from "./enrollments";
import { paymentStatusEnum, refundStatusEnum } from "./enums";
import { tenantId } from "./tenants";
import { users } from "./users";

export const payments = pgTable(
  "payments",
  {
    tenantId: tenantId(),
    id: id(),
    enrollmentId: uuid().notNull(),
    payerId: uuid().references(() => users.id),
    amount: money().notNull(),
    currency: char({ length: 3 }).notNull(),
    /** Adapter name: manual, sandbox, clickpesa … */
    provider: text().notNull(),
    providerReference: text().notNull(),
    status: paymentStatusEnum().notNull().default("PENDING"),
    refundedAmount: money().notNull().default("0"),
    recordedBy: uuid().references(() => users.id),
    /** What the client needs next (checkout URL, USSD prompt …), from the provider. */
    nextAction: jsonb(),
    failureReason: text(),
    paidAt: timestamp({ withTimezone: true, precision: 3 }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    tenantFk("payments_enrollment_fk", t.tenantId, t.enrollmentId, enrollments).onDelete("restrict"),
    unique("payments_provider_reference_key").on(t.tenantId, t.provider, t.providerReference),
    index("payments_provider_reference_idx").on(t.provider, t.providerReference),
    index("payments_enrollment_idx").on(t.tenantId, t.enrollmentId),
    index("payments_payer_idx").on(t.payerId),
    index("payments_recorded_by_idx").on(t.recordedBy),
    check("payments_amount_positive", sql`${t.amount} > 0`),
    // Never refund more than was paid.
    check("payments_refund_within_amount", sql`${t.refundedAmount} >= 0 AND ${t.refundedAmount} <= ${t.amount}`),
    check("payments_currency_format", sql`${t.currency} ~ '^[A-Z]{3}$'`),
    tenantIsolation(),
  ],
);

export const refundRequests = pgTable(
  "refund_requests",
  {
    tenantId: tenantId(),
    id: id(),
    paymentId: uuid().notNull(),
    amount: money().notNull(),
    reason: text().notNull(),
    status: refundStatusEnum().notNull().default("REQUESTED"),
    requestedBy: uuid()
      .notNull()
      .references(() => users.id),
    decidedBy: uuid().references(() => users.id),
    decidedAt: timestamp({ withTimezone: true, precision: 3 }),
    decisionNote: text(),
    providerReference: text(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    tenantFk("refund_requests_payment_fk", t.tenantId, t.paymentId, payments).onDelete("restrict"),
    index("refund_requests_payment_idx").on(t.tenantId, t.paymentId),
    index("refund_requests_requested_by_idx").on(t.requestedBy),
    index("refund_requests_decided_by_idx").on(t.decidedBy),
    check("refund_requests_amount_positive", sql`${t.amount} > 0`),
    tenantIsolation(),
  ],
);

/** Every webhook delivery accepted from a gateway, kept once (replay-safe, idempotent). */
export const paymentWebhookEvents = pgTable(
  "payment_webhook_events",
  {
    tenantId: tenantId(),
    id: id(),
    provider: text().notNull(),
    /** The gateway's own event id (or a digest of the payload when it has none). */
    eventId: text().notNull(),
    paymentId: uuid(),
    payload: jsonb().notNull(),
    receivedAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    processedAt: timestamp({ withTimezone: true, precision: 3 }),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    unique("payment_webhook_events_event_key").on(t.tenantId, t.provider, t.eventId),
    tenantFk("payment_webhook_events_payment_fk", t.tenantId, t.paymentId, payments).onDelete("cascade"),
    index("payment_webhook_events_payment_idx").on(t.tenantId, t.paymentId),
    tenantIsolation(),
  ],
);

export type Payment = typeof payments.$inferSelect;
export type RefundRequest = typeof refundRequests.$inferSelect;
export type PaymentWebhookEvent = typeof paymentWebhookEvents.$inferSelect;
