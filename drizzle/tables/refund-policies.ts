/**
 * Refund policies per course (issue 13): ordered tiers — a percentage of what was paid, refunded
 * until a cut-off in the tenant's time zone (some days before the course starts, or the first
 * lecture) — and a fixed fee taken off the refund. After the last tier nothing is refunded.
 */
import { sql } from "drizzle-orm";
import { check, index, jsonb, pgTable, primaryKey, uuid } from "drizzle-orm/pg-core";
import { money, tenantFk, tenantIsolation, updatedAt } from "./columns";
import { courses } from "./courses";
import { tenantId } from "./tenants";
import { users } from "./users";

/** Where a tier ends: local midnight `days` before the course's first day, or the first lecture's start. */
export type RefundCutoff = "DAYS_BEFORE_START" | "FIRST_LECTURE";
export interface RefundTierValue {
  /** Whole percent of what was paid, 0 to 100. */
  percent: number;
  until: RefundCutoff;
  /** DAYS_BEFORE_START only: 0 to 365. */
  days: number | null;
}

export const refundPolicies = pgTable(
  "refund_policies",
  {
    tenantId: tenantId(),
    courseId: uuid().notNull(),
    /** Taken off every refund the policy computes (never below 0). */
    fee: money().notNull().default("0"),
    tiers: jsonb().$type<RefundTierValue[]>().notNull(),
    updatedBy: uuid().references(() => users.id),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.courseId] }),
    tenantFk("refund_policies_course_fk", t.tenantId, t.courseId, courses).onDelete("cascade"),
    index("refund_policies_updated_by_idx").on(t.updatedBy),
    check("refund_policies_fee_non_negative", sql`${t.fee} >= 0`),
    check("refund_policies_tiers_array", sql`jsonb_typeof(${t.tiers}) = 'array' AND jsonb_array_length(${t.tiers}) BETWEEN 1 AND 10`),
    tenantIsolation(),
  ],
);

export type RefundPolicy = typeof refundPolicies.$inferSelect;
