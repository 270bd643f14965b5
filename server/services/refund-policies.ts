/**
 * Refund policies per course (issue 13). A policy is ordered tiers and a fee: the first tier
 * whose cut-off is still ahead gives the percentage of what was paid (and not yet refunded or
 * claimed) that comes back, less the fee; after the last cut-off nothing does. Cut-offs are
 * instants in the tenant's time zone: local midnight `days` before the course's first day, or
 * the start of its first lecture not cancelled (its first day at midnight while it has none).
 * A tier applies strictly before its cut-off: at the cut-off instant the next one does.
 *
 * `refundQuote` shows the family the amount before they ask; `requestRefund`
 * (server/services/payments.ts) refuses more than the quote unless staff give a reason to
 * override it (audited as refund.policyOverride). A course without a policy refunds in full.
 */
import { and, eq, inArray } from "drizzle-orm";
import {
  payments,
  refundPolicies,
  refundRequests,
  type Course,
  type Enrollment,
  type RefundCutoff,
  type RefundPolicy,
  type RefundTierValue,
} from "../../drizzle/schema";
import { requireMember, requireRole, requireTenant } from "../auth/guards";
import { isOwn } from "../auth/policies";
import { isStaff } from "../auth/viewer";
import { atomic, type Context } from "../context";
import { badInput, notFound } from "../errors";
import { formatCents, sumCents, toCents } from "../payments/money";
import { addDays, zonedInstant } from "../time";
import { audit } from "./audit";

export const MAX_TIERS = 10;
/** Refund requests still holding part of a payment. */
const OPEN: ("REQUESTED" | "APPROVED")[] = ["REQUESTED", "APPROVED"];

export interface RefundTierInput {
  percent: number;
  until: RefundCutoff;
  days?: number | null;
}
export interface RefundPolicyInput {
  fee?: string | null;
  tiers: RefundTierInput[];
}

/** A tier with its cut-off worked out for one course. */
export interface RefundTierView extends RefundTierValue {
  endsAt: Date;
}
export interface RefundPolicyView {
  courseId: string;
  fee: string;
  tiers: RefundTierView[];
}

/** When a tier stops applying to this course, in the tenant's time zone. */
async function cutoffOf(ctx: Context, course: Course, tier: RefundTierValue): Promise<Date> {
  const timeZone = requireTenant(ctx).timeZone;
  if (tier.until === "DAYS_BEFORE_START") return zonedInstant(addDays(course.startsOn, -(tier.days ?? 0)), "00:00:00", timeZone);
  const first = await ctx.loaders.firstLecture.load(course.id);
  if (!first) return zonedInstant(course.startsOn, "00:00:00", timeZone);
  const [date, time] = first.startsAt.split(" ");
  return zonedInstant(date!, time!, timeZone);
}

async function view(ctx: Context, course: Course, policy: Pick<RefundPolicy, "fee" | "tiers">): Promise<RefundPolicyView> {
  const tiers = await Promise.all(policy.tiers.map(async (tier) => ({ ...tier, endsAt: await cutoffOf(ctx, course, tier) })));
  return { courseId: course.id, fee: policy.fee, tiers };
}

/** The course's policy with its cut-offs, or null (a course without one refunds in full). */
export async function refundPolicyOfCourse(ctx: Context, course: Course): Promise<RefundPolicyView | null> {
  const policy = await ctx.loaders.refundPolicy.load(course.id);
  return policy ? view(ctx, course, policy) : null;
}

function checkPolicy(input: RefundPolicyInput): { fee: string; tiers: RefundTierValue[] } {
  let fee = 0n;
  try {
    fee = toCents(input.fee ?? "0");
  } catch {
    throw badInput("fee", "a decimal amount such as 25.00");
  }
  if (fee < 0n) throw badInput("fee", "0 or more");
  if (input.tiers.length < 1 || input.tiers.length > MAX_TIERS) throw badInput("tiers", `1 to ${MAX_TIERS} tiers`);
  const tiers = input.tiers.map((tier, index) => {
    if (!Number.isInteger(tier.percent) || tier.percent < 0 || tier.percent > 100) {
      throw badInput(`tiers[${index}].percent`, "a whole percent from 0 to 100");
    }
    if (tier.until === "DAYS_BEFORE_START") {
      if (tier.days == null || !Number.isInteger(tier.days) || tier.days < 0 || tier.days > 365) {
        throw badInput(`tiers[${index}].days`, "0 to 365 days for DAYS_BEFORE_START");
      }
    } else if (tier.days != null) {
      throw badInput(`tiers[${index}].days`, "only for DAYS_BEFORE_START");
    }
    return { percent: tier.percent, until: tier.until, days: tier.until === "DAYS_BEFORE_START" ? tier.days! : null };
  });
  return { fee: formatCents(fee), tiers };
}

/** Staff set (or, with null, remove) a course's refund policy; tiers must end in time order. */
export async function setCourseRefundPolicy(ctx: Context, courseId: string, input: RefundPolicyInput | null) {
  const viewer = requireRole(ctx, "STAFF");
  const checked = input ? checkPolicy(input) : null;
  return atomic(ctx, async (ctx) => {
    const course = await ctx.loaders.course.load(courseId);
    if (!course) throw notFound("Course", courseId);
    const before = (await ctx.loaders.refundPolicy.load(courseId)) ?? null;
    let after: RefundPolicy | null = null;
    if (checked) {
      const tiers = (await view(ctx, course, { fee: checked.fee, tiers: checked.tiers })).tiers;
      tiers.forEach((tier, index) => {
        if (index > 0 && tier.endsAt < tiers[index - 1]!.endsAt) throw badInput(`tiers[${index}]`, "cut-offs in time order");
      });
      [after] = await ctx.db
        .insert(refundPolicies)
        .values({ tenantId: course.tenantId, courseId, fee: checked.fee, tiers: checked.tiers, updatedBy: viewer.userId })
        .onConflictDoUpdate({
          target: [refundPolicies.tenantId, refundPolicies.courseId],
          set: { fee: checked.fee, tiers: checked.tiers, updatedBy: viewer.userId, updatedAt: new Date() },
        })
        .returning();
    } else {
      await ctx.db.delete(refundPolicies).where(and(ctx.scope.inTenant(refundPolicies), eq(refundPolicies.courseId, courseId)));
    }
    ctx.loaders.refundPolicy.clear(courseId);
    await audit(ctx, { action: "refundPolicy.set", entity: "course", entityId: courseId, before, after });
    return course;
  });
}

export interface RefundQuote {
  enrollmentId: string;
  currency: string;
  /** Paid and still refundable before the policy: paid, less refunded, less open refund requests. */
  refundableBeforePolicy: string;
  percent: number;
  fee: string;
  refundable: string;
  /** When the applying tier ends (the quote changes then); null after the last tier or without a policy. */
  changesAt: Date | null;
  hasPolicy: boolean;
  at: Date;
}

/** The quote for an enrolment at `at` (no permission check: callers check). */
export async function quoteFor(ctx: Context, enrollment: Enrollment, at: Date): Promise<RefundQuote> {
  const course = await ctx.loaders.course.load(enrollment.courseId);
  if (!course) throw notFound("Course", enrollment.courseId);
  const paid = await ctx.db
    .select({ id: payments.id, amount: payments.amount, refunded: payments.refundedAmount })
    .from(payments)
    .where(
      and(
        ctx.scope.inTenant(payments),
        eq(payments.enrollmentId, enrollment.id),
        inArray(payments.status, ["SUCCEEDED", "PARTIALLY_REFUNDED"]),
      ),
    );
  const open = paid.length
    ? await ctx.db
        .select({ amount: refundRequests.amount })
        .from(refundRequests)
        .where(
          and(
            ctx.scope.inTenant(refundRequests),
            inArray(
              refundRequests.paymentId,
              paid.map((p) => p.id),
            ),
            inArray(refundRequests.status, OPEN),
          ),
        )
    : [];
  const available = sumCents(paid.map((p) => toCents(p.amount) - toCents(p.refunded))) - sumCents(open.map((row) => toCents(row.amount)));
  const base = available > 0n ? available : 0n;
  const policy = await refundPolicyOfCourse(ctx, course);
  if (!policy) {
    return {
      enrollmentId: enrollment.id,
      currency: course.currency,
      refundableBeforePolicy: formatCents(base),
      percent: 100,
      fee: "0.00",
      refundable: formatCents(base),
      changesAt: null,
      hasPolicy: false,
      at,
    };
  }
  const tier = policy.tiers.find((candidate) => at < candidate.endsAt);
  const percent = tier?.percent ?? 0;
  // Rounded down to the cent: never more than the policy allows.
  const gross = (base * BigInt(percent)) / 100n;
  const net = gross - toCents(policy.fee);
  return {
    enrollmentId: enrollment.id,
    currency: course.currency,
    refundableBeforePolicy: formatCents(base),
    percent,
    fee: policy.fee,
    refundable: formatCents(net > 0n ? net : 0n),
    changesAt: tier?.endsAt ?? null,
    hasPolicy: true,
    at,
  };
}

/**
 * What asking for a refund of an enrolment would give, now or at `at` (to see what changes when):
 * staff, or who acts for its participant; NOT_FOUND for anyone else.
 */
export async function refundQuote(ctx: Context, enrollmentId: string, at?: Date | null): Promise<RefundQuote> {
  requireMember(ctx);
  const enrollment = await ctx.loaders.enrollment.load(enrollmentId);
  if (!enrollment || !(isStaff(ctx.viewer) || (await isOwn(ctx, enrollment)))) throw notFound("Enrollment", enrollmentId);
  return quoteFor(ctx, enrollment, at ?? new Date());
}
