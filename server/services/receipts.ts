/**
 * Numbered receipts (issue 13): issued in the transaction where a payment SUCCEEDS or a refund is
 * REFUNDED, numbered from the tenant's counter row (drizzle/tables/receipts.ts says why not a
 * sequence), and downloadable as a PDF in the payer's language by the payer's family and staff.
 */
import { and, eq, sql } from "drizzle-orm";
import { payments, receiptCounters, receipts, type Payment, type Receipt, type RefundRequest } from "../../drizzle/schema";
import { requireMember, requireTenant } from "../auth/guards";
import { isOwn, participantIdOf } from "../auth/policies";
import { isStaff } from "../auth/viewer";
import type { Context } from "../context";
import { notFound } from "../errors";
import { isLanguage, translate, type Language } from "../i18n";
import { localDate, localTime } from "../time";
import { audit } from "./audit";
import { findParticipant, participantName } from "./participants";
import { renderReceiptPdf } from "./receipt-pdf";

/** The tenant's next receipt number: the counter row, incremented and locked until the transaction ends. */
async function nextNumber(ctx: Context, tenantId: string): Promise<number> {
  const [row] = await ctx.db
    .insert(receiptCounters)
    .values({ tenantId, lastNumber: 1 })
    .onConflictDoUpdate({ target: receiptCounters.tenantId, set: { lastNumber: sql`${receiptCounters.lastNumber} + 1` } })
    .returning({ lastNumber: receiptCounters.lastNumber });
  return row!.lastNumber;
}

/** Issues the receipt of a payment that succeeded, or of a refund that was paid (once each). */
export async function issueReceipt(ctx: Context, payment: Payment, refund?: RefundRequest): Promise<Receipt> {
  const number = await nextNumber(ctx, payment.tenantId);
  const [receipt] = await ctx.db
    .insert(receipts)
    .values({
      tenantId: payment.tenantId,
      number,
      kind: refund ? "REFUND" : "PAYMENT",
      paymentId: payment.id,
      refundRequestId: refund?.id ?? null,
      amount: refund ? refund.amount : payment.amount,
      currency: payment.currency,
    })
    .returning();
  await audit(ctx, { action: "receipt.issue", entity: "receipt", entityId: receipt!.id, after: receipt });
  return receipt!;
}

/** The receipt and its payment, if the viewer may see them: staff, the payer, or the participant's family. */
export async function getReceipt(ctx: Context, id: string): Promise<{ receipt: Receipt; payment: Payment }> {
  const viewer = requireMember(ctx);
  const [found] = await ctx.db
    .select({ receipt: receipts, payment: payments })
    .from(receipts)
    .innerJoin(payments, and(eq(payments.tenantId, receipts.tenantId), eq(payments.id, receipts.paymentId)))
    .where(and(ctx.scope.inTenant(receipts), eq(receipts.id, id)));
  if (!found) throw notFound("Receipt", id);
  if (isStaff(viewer) || found.payment.payerId === viewer.userId) return found;
  const enrollment = await ctx.loaders.enrollment.load(found.payment.enrollmentId);
  if (enrollment && (await isOwn(ctx, enrollment))) return found;
  throw notFound("Receipt", id);
}

/** The receipt as a PDF in the payer's language (else the tenant's), for GET /receipts/:id.pdf. */
export async function receiptPdf(ctx: Context, id: string): Promise<{ receipt: Receipt; pdf: Buffer }> {
  const { receipt, payment } = await getReceipt(ctx, id);
  const tenant = requireTenant(ctx);
  const payer = payment.payerId ? await ctx.loaders.user.load(payment.payerId) : null;
  const language: Language = payer && isLanguage(payer.preferredLanguage) ? payer.preferredLanguage : tenant.defaultLanguage;
  const enrollment = await ctx.loaders.enrollment.load(payment.enrollmentId);
  const course = enrollment ? await ctx.loaders.course.load(enrollment.courseId) : null;
  const participant = enrollment ? await findParticipant(ctx, participantIdOf(enrollment)) : null;
  const t = (key: Parameters<typeof translate>[1]) => translate(language, key);
  const pdf = await renderReceiptPdf({
    language,
    title: t(receipt.kind === "REFUND" ? "receipt.refundTitle" : "receipt.title"),
    rows: [
      [t("receipt.number"), String(receipt.number)],
      [t("receipt.date"), `${localDate(receipt.issuedAt, tenant.timeZone)} ${localTime(receipt.issuedAt, tenant.timeZone).slice(0, 5)}`],
      [t("receipt.centre"), tenant.name],
      [t("receipt.payer"), payer ? `${payer.firstName} ${payer.lastName}`.trim() : "—"],
      [t("receipt.participant"), participant ? await participantName(ctx, participant) : "—"],
      [t("receipt.course"), course?.name ?? "—"],
      [t("receipt.amount"), `${receipt.amount} ${receipt.currency}`],
    ],
    footer: t("receipt.footer"),
  });
  return { receipt, pdf };
}
