/**
 * Self-cancellation with a refund (issue 13): the family (or staff) leaves a course and, in the
 * same transaction, asks for what the course's refund policy gives back now (refundQuote). The
 * quote is for the enrolment; it is split over its payments, newest first, each request no more
 * than that payment has left. The place frees up (and goes to the waitlist) as with dropEnrollment.
 */
import { and, desc, eq, inArray } from "drizzle-orm";
import { payments, refundRequests } from "../../drizzle/schema";
import { requireMember } from "../auth/guards";
import { atomic, type Context } from "../context";
import { formatCents, sumCents, toCents } from "../payments/money";
import { dropEnrollment, getEnrollment } from "./enrollments";
import { requestRefund } from "./payments";
import { quoteFor } from "./refund-policies";

export async function cancelEnrollmentWithRefund(ctx: Context, input: { enrollmentId: string; reason: string; idempotencyKey: string }) {
  requireMember(ctx);
  return atomic(ctx, async (ctx) => {
    const before = await getEnrollment(ctx, input.enrollmentId);
    const quote = await quoteFor(ctx, before, new Date());
    const enrollment = await dropEnrollment(ctx, input.enrollmentId);
    let left = toCents(quote.refundable);
    const refunds = [];
    if (left > 0n) {
      const paid = await ctx.db
        .select()
        .from(payments)
        .where(
          and(
            ctx.scope.inTenant(payments),
            eq(payments.enrollmentId, before.id),
            inArray(payments.status, ["SUCCEEDED", "PARTIALLY_REFUNDED"]),
          ),
        )
        .orderBy(desc(payments.createdAt), desc(payments.id));
      const open = paid.length
        ? await ctx.db
            .select({ paymentId: refundRequests.paymentId, amount: refundRequests.amount })
            .from(refundRequests)
            .where(
              and(
                ctx.scope.inTenant(refundRequests),
                inArray(
                  refundRequests.paymentId,
                  paid.map((p) => p.id),
                ),
                inArray(refundRequests.status, ["REQUESTED", "APPROVED"]),
              ),
            )
        : [];
      for (const payment of paid) {
        if (left <= 0n) break;
        const claimed = sumCents(open.filter((row) => row.paymentId === payment.id).map((row) => toCents(row.amount)));
        const available = toCents(payment.amount) - toCents(payment.refundedAmount) - claimed;
        // bigint: no Math.min.
        let amount = available;
        if (left < amount) amount = left;
        if (amount <= 0n) continue;
        refunds.push(
          await requestRefund(
            ctx,
            {
              paymentId: payment.id,
              amount: formatCents(amount),
              reason: input.reason,
              idempotencyKey: `${input.idempotencyKey}:${payment.id}`,
            },
            { policyApplied: true },
          ),
        );
        left -= amount;
      }
    }
    return { enrollment, quote, refunds };
  });
}
