/**
 * Numbered receipts (issue 13): one per successful payment and per paid refund, numbered per
 * tenant from 1 without gaps. The number comes from `receipt_counters`, a row per tenant updated
 * in the transaction that issues the receipt (not a PostgreSQL sequence: a sequence is not
 * transactional, so a rolled-back payment would burn a number and leave a gap, and it is one per
 * database, not per tenant). The row lock serialises concurrent issuers of a tenant; a rollback
 * undoes the increment with the receipt, so a number is never used twice nor skipped.
 */
import { sql } from "drizzle-orm";
import { char, check, index, integer, pgTable, primaryKey, text, timestamp, unique, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { id, money, tenantFk, tenantIsolation } from "./columns";
import { payments, refundRequests } from "./payments";
import { tenantId } from "./tenants";

export const receiptCounters = pgTable(
  "receipt_counters",
  {
    tenantId: tenantId(),
    lastNumber: integer().notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.tenantId] }), check("receipt_counters_non_negative", sql`${t.lastNumber} >= 0`), tenantIsolation()],
);

export const receipts = pgTable(
  "receipts",
  {
    tenantId: tenantId(),
    id: id(),
    number: integer().notNull(),
    /** PAYMENT (money received) or REFUND (money paid back). */
    kind: text().$type<"PAYMENT" | "REFUND">().notNull(),
    paymentId: uuid().notNull(),
    /** REFUND only. */
    refundRequestId: uuid(),
    amount: money().notNull(),
    currency: char({ length: 3 }).notNull(),
    issuedAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    unique("receipts_number_key").on(t.tenantId, t.number),
    unique("receipts_refund_key").on(t.tenantId, t.refundRequestId),
    // One PAYMENT receipt per payment.
    uniqueIndex("receipts_payment_key").on(t.tenantId, t.paymentId).where(sql`kind = 'PAYMENT'`),
    index("receipts_payment_idx").on(t.tenantId, t.paymentId),
    tenantFk("receipts_payment_fk", t.tenantId, t.paymentId, payments).onDelete("restrict"),
    tenantFk("receipts_refund_fk", t.tenantId, t.refundRequestId, refundRequests).onDelete("restrict"),
    check(
      "receipts_kind",
      sql`(${t.kind} = 'PAYMENT' AND ${t.refundRequestId} IS NULL) OR (${t.kind} = 'REFUND' AND ${t.refundRequestId} IS NOT NULL)`,
    ),
    check("receipts_number_positive", sql`${t.number} > 0`),
    tenantIsolation(),
  ],
);

export type Receipt = typeof receipts.$inferSelect;
