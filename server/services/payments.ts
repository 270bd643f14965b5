/**
 * Payments and refunds of enrolments.
 *
 * A payment is started through a provider (sandbox, ClickPesa …: PENDING until the
 * gateway's signed webhook says SUCCEEDED or FAILED) or recorded by staff (manual:
 * SUCCEEDED at once). A refund is requested by the family or staff (REQUESTED),
 * then approved by staff, which pays it back through the provider and, in the same
 * transaction, adds it to the payment's refunded amount (PARTIALLY_REFUNDED /
 * REFUNDED) and marks the enrolment REFUNDED once nothing paid for it is left.
 *
 * Money is exact: decimal strings in and out, integer cents (bigint) in between.
 * Amount checks run under row locks (the enrolment for payments, the payment for
 * refunds), so concurrent requests on any instance serialise; the CHECK
 * refunded_amount <= amount is the last line of defence. Every money-moving
 * mutation takes an idempotency key (services/idempotency.ts).
 */
import { randomUUID } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { and, desc, eq, inArray, sql, type SQL } from "drizzle-orm";
import {
  enrollments,
  payments,
  paymentWebhookEvents,
  refundRequests,
  type Course,
  type Enrollment,
  type Payment,
  type RefundRequest,
} from "../../drizzle/schema";
import type { PaymentStatus, RefundStatus } from "../../drizzle/tables/enums-types";
import type { AppDeps } from "../app-deps";
import { requireMember, requireRole } from "../auth/guards";
import { actsFor, isOwn, ownParticipantIds, ownRowsOf } from "../auth/policies";
import { isStaff } from "../auth/viewer";
import { atomic, loadTenant, withRequestContext, type Context } from "../context";
import { asSystem, enterScope, tenantScope } from "../db/scope";
import { AppError, badInput, forbidden, notFound, onConstraint, wrongState } from "../errors";
import { emit, type PaymentEvent } from "../domain-events/domain-events";
import { translate } from "../i18n";
import { createLoaders } from "../loaders";
import { newestFirst, page } from "../db/page";
import { formatCents, sumCents, toCents } from "../payments/money";
import type { PaymentProvider, StartContext, StartResult, VerifiedWebhookEvent } from "../payments/provider";
import { audit } from "./audit";
import { getEnrollment, participantOfRow } from "./enrollments";
import { idempotent } from "./idempotency";
import { participantName, type Participant } from "./participants";
import { issueReceipt } from "./receipts";
import { quoteFor } from "./refund-policies";

onConstraint("payments_provider_reference_key", () => new AppError("CONFLICT", "payment.referenceTaken"));
onConstraint("payments_refund_within_amount", () => new AppError("BAD_USER_INPUT", "refund.overRefundCheck", {}, { field: "amount" }));

const TEXT_MAX = 1000;

// ---------------------------------------------------------------- money of an enrolment

/** Statuses whose money reached the centre (less what was refunded). */
const RECEIVED: readonly PaymentStatus[] = ["SUCCEEDED", "PARTIALLY_REFUNDED", "REFUNDED"];
/** Refund requests that still claim part of a payment. */
const OPEN_REFUNDS: readonly RefundStatus[] = ["REQUESTED", "APPROVED"];

type MoneyRow = Pick<Payment, "status" | "amount" | "refundedAmount">;

/** What was paid and kept (received less refunded), in cents. */
const paidCents = (rows: readonly MoneyRow[]) =>
  sumCents(rows.filter((row) => RECEIVED.includes(row.status)).map((row) => toCents(row.amount) - toCents(row.refundedAmount)));

/** The money columns of an enrolment's payments, read fresh (not through a loader). */
const moneyRowsOf = (ctx: Context, enrollmentId: string): Promise<MoneyRow[]> =>
  ctx.db
    .select({ status: payments.status, amount: payments.amount, refundedAmount: payments.refundedAmount })
    .from(payments)
    .where(and(ctx.scope.inTenant(payments), eq(payments.enrollmentId, enrollmentId)));

/** What is started and not yet confirmed, in cents. */
const pendingCents = (rows: readonly MoneyRow[]) =>
  sumCents(rows.filter((row) => row.status === "PENDING").map((row) => toCents(row.amount)));

/** Paid and still-owed amounts of an enrolment, as money strings (balance never below zero). */
function enrollmentMoney(course: Pick<Course, "price" | "currency">, rows: readonly MoneyRow[]) {
  const paid = paidCents(rows);
  const balance = toCents(course.price) - paid;
  return { currency: course.currency, amountPaid: formatCents(paid), balance: formatCents(balance > 0n ? balance : 0n) };
}

/** A positive amount in cents, or BAD_USER_INPUT naming the field. */
function positiveCents(field: string, amount: string): bigint {
  let cents: bigint;
  try {
    cents = toCents(amount);
  } catch {
    throw badInput(field, "a decimal amount such as 250.00");
  }
  if (cents <= 0n) throw badInput(field, "must be more than 0");
  return cents;
}

/** Trimmed text of at most 1000 characters; required unless `optional`. */
function text(field: string, value: string | null | undefined, optional = false): string | null {
  const trimmed = value?.trim() ?? "";
  if (!trimmed) {
    if (optional) return null;
    throw badInput(field, "required");
  }
  if (trimmed.length > TEXT_MAX) throw badInput(field, `at most ${TEXT_MAX} characters`);
  return trimmed;
}

// ---------------------------------------------------------------- who may see and pay

/** May the viewer see the money of this enrolment? Staff, and who acts for its participant. */
async function seesMoneyOf(ctx: Context, enrollment: Pick<Enrollment, "studentId" | "childId">): Promise<boolean> {
  return isStaff(ctx.viewer) || (await isOwn(ctx, enrollment));
}

/**
 * The enrolment to pay, locked (payments of one enrolment serialise on it), with
 * its participant and course. NOT_FOUND when the viewer may not see it; FORBIDDEN
 * when they may see it but not pay for it (an instructor).
 */
async function enrollmentToPay(ctx: Context, enrollmentId: string) {
  await getEnrollment(ctx, enrollmentId);
  const [enrollment] = await ctx.db
    .select()
    .from(enrollments)
    .where(and(ctx.scope.inTenant(enrollments), eq(enrollments.id, enrollmentId)))
    .for("update");
  if (!enrollment) throw notFound("Enrollment", enrollmentId);
  const participant = await participantOfRow(ctx, enrollment);
  if (!actsFor(ctx, participant)) throw forbidden();
  if (enrollment.status !== "ACTIVE") throw wrongState("Enrollment", enrollment.status, "ACTIVE");
  const course = (await ctx.loaders.course.load(enrollment.courseId))!;
  return { enrollment, participant, course };
}

/** The amount to pay: `requested` or all that is still owed; never more than is owed. */
async function amountToPay(ctx: Context, enrollment: Enrollment, course: Course, requested: bigint | null): Promise<bigint> {
  // Read under the enrolment's lock: no other payment of it can start meanwhile.
  const rows = await moneyRowsOf(ctx, enrollment.id);
  // A PENDING payment may still succeed, so it holds its amount until the gateway decides.
  const pending = pendingCents(rows);
  const outstanding = toCents(course.price) - paidCents(rows) - pending;
  if (requested === null) {
    if (outstanding <= 0n) {
      throw new AppError(
        "BAD_USER_INPUT",
        "payment.nothingOwed",
        { pending: formatCents(pending), currency: course.currency },
        { field: "amount" },
      );
    }
    return outstanding;
  }
  if (requested > outstanding) {
    throw new AppError(
      "BAD_USER_INPUT",
      "payment.overpay",
      { amount: formatCents(requested), outstanding: formatCents(outstanding > 0n ? outstanding : 0n), currency: course.currency },
      { field: "amount" },
    );
  }
  return requested;
}

/** The facts every money notification names. */
async function eventFacts(ctx: Context, payment: Payment, participant?: Participant) {
  const enrollment = (await ctx.loaders.enrollment.load(payment.enrollmentId))!;
  const who = participant ?? (await participantOfRow(ctx, enrollment));
  const course = await ctx.loaders.course.load(enrollment.courseId);
  return {
    tenantId: payment.tenantId,
    recipients: [...new Set([payment.payerId, who.userId].filter((id): id is string => Boolean(id)))],
    participant: await participantName(ctx, who),
    course: course?.name ?? "",
    currency: payment.currency,
    paymentId: payment.id,
    enrollmentId: payment.enrollmentId,
  } satisfies Omit<PaymentEvent, "type" | "amount">;
}

/** Re-reads a payment (idempotent replays return what is stored now). */
async function loadPayment(ctx: Context, id: string): Promise<Payment> {
  const [row] = await ctx.db
    .select()
    .from(payments)
    .where(and(ctx.scope.inTenant(payments), eq(payments.id, id)));
  if (!row) throw notFound("Payment", id);
  return row;
}

async function loadRefund(ctx: Context, id: string): Promise<RefundRequest> {
  const [row] = await ctx.db
    .select()
    .from(refundRequests)
    .where(and(ctx.scope.inTenant(refundRequests), eq(refundRequests.id, id)));
  if (!row) throw notFound("RefundRequest", id);
  return row;
}

// ---------------------------------------------------------------- paying

export interface StartPaymentInput {
  enrollmentId: string;
  provider: string;
  amount?: string | null;
  phoneNumber?: string | null;
  idempotencyKey: string;
}

/**
 * Starts a payment through an online provider, for whoever acts for the
 * enrolment's participant (or staff): PENDING with the provider's next action, or
 * FAILED at once when the gateway declines or cannot be reached.
 */
export async function startPayment(ctx: Context, input: StartPaymentInput): Promise<Payment> {
  const viewer = requireMember(ctx);
  const requested = input.amount == null ? null : positiveCents("amount", input.amount);
  const provider = ctx.app.payments.get(input.provider);
  if (!provider?.online) {
    throw new AppError(
      "BAD_USER_INPUT",
      "payment.unknownProvider",
      { provider: input.provider, providers: ctx.app.payments.onlineNames().join(", ") },
      { field: "provider" },
    );
  }
  return atomic(ctx, (ctx) =>
    idempotent(
      ctx,
      { tenantId: viewer.tenantId, userId: viewer.userId },
      {
        operation: "startPayment",
        key: input.idempotencyKey,
        input: {
          enrollmentId: input.enrollmentId,
          provider: provider.name,
          amount: requested === null ? null : formatCents(requested),
          phoneNumber: input.phoneNumber ?? null,
        },
        run: async () => {
          const { enrollment, participant, course } = await enrollmentToPay(ctx, input.enrollmentId);
          const amount = await amountToPay(ctx, enrollment, course, requested);
          const payer = await ctx.loaders.user.load(participant.userId);
          return recordPayment(ctx, provider, {
            enrollment,
            participant,
            course,
            amount,
            phoneNumber: input.phoneNumber ?? payer?.phoneNumber1 ?? null,
            payer: payer ? { firstName: payer.firstName, lastName: payer.lastName, email: payer.email } : null,
          });
        },
        save: (payment) => ({ paymentId: payment.id }),
        load: (saved) => loadPayment(ctx, saved.paymentId),
      },
    ),
  );
}

export interface RecordManualPaymentInput {
  enrollmentId: string;
  amount: string;
  reference?: string | null;
  note?: string | null;
  idempotencyKey: string;
}

/** Staff record money taken in person (cash, a checked bank transfer): SUCCEEDED at once. */
export async function recordManualPayment(ctx: Context, input: RecordManualPaymentInput): Promise<Payment> {
  const viewer = requireRole(ctx, "STAFF");
  const requested = positiveCents("amount", input.amount);
  const reference = text("reference", input.reference, true);
  const note = text("note", input.note, true);
  return atomic(ctx, (ctx) =>
    idempotent(
      ctx,
      { tenantId: viewer.tenantId, userId: viewer.userId },
      {
        operation: "recordManualPayment",
        key: input.idempotencyKey,
        input: { enrollmentId: input.enrollmentId, amount: formatCents(requested), reference, note },
        run: async () => {
          const { enrollment, participant, course } = await enrollmentToPay(ctx, input.enrollmentId);
          const amount = await amountToPay(ctx, enrollment, course, requested);
          return recordPayment(ctx, ctx.app.payments.get("manual")!, { enrollment, participant, course, amount, reference, note });
        },
        save: (payment) => ({ paymentId: payment.id }),
        load: (saved) => loadPayment(ctx, saved.paymentId),
      },
    ),
  );
}

/** Starts the payment with its provider, then records what the provider said. */
async function recordPayment(
  ctx: Context,
  provider: PaymentProvider,
  args: {
    enrollment: Enrollment;
    participant: Participant;
    course: Course;
    amount: bigint;
    phoneNumber?: string | null;
    payer?: StartContext["payer"];
    reference?: string | null;
    note?: string | null;
  },
): Promise<Payment> {
  const { enrollment, participant, course } = args;
  const draft = {
    id: randomUUID(),
    tenantId: enrollment.tenantId,
    enrollmentId: enrollment.id,
    amount: formatCents(args.amount),
    currency: course.currency,
  };
  let started: StartResult;
  try {
    started = await provider.start(draft, {
      phoneNumber: args.phoneNumber ?? null,
      description: `${course.name}: ${await participantName(ctx, participant)}`,
      reference: args.reference,
      payer: args.payer ?? null,
    });
  } catch (error) {
    // Nothing was charged that we know of; the payer sees a FAILED payment and may start another.
    ctx.app.log.warn({ err: error, provider: provider.name, paymentId: draft.id }, "payment provider start failed");
    started = {
      providerReference: `unsent-${draft.id}`,
      status: "FAILED",
      nextAction: null,
      failureReason: translate(ctx.language, "payment.gatewayUnreachable"),
    };
  }
  const [payment] = await ctx.db
    .insert(payments)
    .values({
      ...draft,
      payerId: participant.userId,
      provider: provider.name,
      providerReference: started.providerReference,
      status: started.status,
      nextAction: started.nextAction,
      failureReason: started.failureReason ?? null,
      paidAt: started.status === "SUCCEEDED" ? new Date() : null,
      recordedBy: ctx.viewer.kind === "user" ? ctx.viewer.userId : null,
    })
    .returning();
  ctx.loaders.paymentsOfEnrollment.clear(enrollment.id);
  // The manual note has no column of its own: it is kept with the audit entry.
  await audit(ctx, {
    action: provider.online ? "payment.start" : "payment.recordManual",
    entity: "payment",
    entityId: payment!.id,
    after: args.note ? { ...payment!, note: args.note } : payment,
  });
  if (payment!.status === "SUCCEEDED") {
    await issueReceipt(ctx, payment!);
    await emit(ctx, { type: "payment.succeeded", amount: payment!.amount, ...(await eventFacts(ctx, payment!, participant)) });
  }
  return payment!;
}

// ---------------------------------------------------------------- gateway webhooks

export type WebhookOutcome =
  | { status: "processed"; paymentId: string; paymentStatus: PaymentStatus }
  | { status: "duplicate"; paymentId: string }
  | { status: "ignored"; reason: string };

/**
 * A gateway's webhook delivery: verified by its provider (WebhookRejected
 * otherwise), then applied in the payment's tenant. Webhooks name no tenant, so
 * the payment is first found by provider and reference with row-level security
 * lifted; everything after runs scoped to that payment's tenant.
 */
export async function receivePaymentWebhook(
  app: AppDeps,
  providerName: string,
  rawBody: Buffer,
  headers: IncomingHttpHeaders,
  request: { requestId: string; ip: string; userAgent: string | null; query?: URLSearchParams },
): Promise<WebhookOutcome> {
  const provider = app.payments.get(providerName);
  if (!provider?.verifyWebhook) throw new AppError("NOT_FOUND", "webhook.unknownProvider", { provider: providerName });
  const event = provider.verifyWebhook(rawBody, headers, request.query ?? new URLSearchParams());
  if (!event) return { status: "ignored", reason: "not a payment event" };
  return withRequestContext(
    app,
    { requestId: request.requestId, credentials: { kind: "none" }, ip: request.ip, userAgent: request.userAgent },
    async (ctx) => {
      // Webhook lookup by gateway reference: the one cross-tenant read here (see db/scope.ts).
      const owners = await asSystem(ctx.db, (system) =>
        system
          .select({ tenantId: payments.tenantId })
          .from(payments)
          .where(and(eq(payments.provider, provider.name), eq(payments.providerReference, event.providerReference)))
          .limit(2),
      );
      if (owners.length !== 1) {
        // Unknown: another system sharing the gateway account, or a typo at the gateway.
        // Answered 200 so the gateway stops retrying something that will never match.
        app.log.warn(
          { provider: provider.name, reference: event.providerReference, eventId: event.eventId, matches: owners.length },
          "webhook for an unknown payment",
        );
        return { status: "ignored", reason: owners.length ? "ambiguous reference" : "unknown payment reference" };
      }
      const scoped = await inTenant(ctx, owners[0]!.tenantId);
      // Parked at the gateway: refused (503 in the route) until the tenant is reactivated, so the gateway retries.
      if (scoped.tenant && !scoped.tenant.isActive) {
        throw new AppError("TENANT_SUSPENDED", "tenant.suspended", { slug: scoped.tenant.slug }, { tenant: scoped.tenant.slug });
      }
      return applyPaymentEvent(scoped, provider.name, event);
    },
  );
}

/** The context re-scoped to one tenant (row-level security and loaders follow). */
async function inTenant(ctx: Context, tenantId: string): Promise<Context> {
  await enterScope(ctx.db, { tenantId, userId: null });
  const tenant = await loadTenant(ctx.app, ctx.db, { id: tenantId });
  const scoped: Context = { ...ctx, tenant, scope: tenantScope(tenant?.id ?? null) };
  scoped.loaders = createLoaders(scoped);
  return scoped;
}

/**
 * Applies a verified gateway event once: the event id is recorded with the change,
 * so a second delivery finds it and changes nothing. A payment goes PENDING →
 * SUCCEEDED / FAILED; a late success also lifts a FAILED one (the money did arrive);
 * nothing ever moves a payment back from SUCCEEDED.
 */
async function applyPaymentEvent(ctx: Context, provider: string, event: VerifiedWebhookEvent): Promise<WebhookOutcome> {
  return atomic(ctx, async (ctx) => {
    const tenantId = ctx.tenant!.id;
    // Locked first: deliveries of one payment, duplicates included, run one after another.
    const [before] = await ctx.db
      .select()
      .from(payments)
      .where(and(ctx.scope.inTenant(payments), eq(payments.provider, provider), eq(payments.providerReference, event.providerReference)))
      .for("update");
    if (!before) return { status: "ignored", reason: "unknown payment reference" };
    const [recorded] = await ctx.db
      .insert(paymentWebhookEvents)
      .values({ tenantId, provider, eventId: event.eventId, paymentId: before.id, payload: event.payload })
      .onConflictDoNothing()
      .returning({ id: paymentWebhookEvents.id });
    if (!recorded) return { status: "duplicate", paymentId: before.id };

    let after: Payment | undefined;
    // A gateway that reports another amount or currency is not talking about this payment
    // as we started it: the event is recorded, nothing changes, and a person has to look.
    const mismatch =
      event.currency != null && event.currency !== before.currency
        ? "currency mismatch"
        : event.amount != null && toCents(event.amount) !== toCents(before.amount)
          ? "amount mismatch"
          : null;
    if (mismatch) {
      ctx.app.log.warn(
        {
          provider,
          paymentId: before.id,
          eventId: event.eventId,
          reason: mismatch,
          expected: { amount: before.amount, currency: before.currency },
          reported: { amount: event.amount ?? null, currency: event.currency ?? null },
        },
        "payment webhook refused; payment left as it was",
      );
    } else if (event.status === "SUCCEEDED" && (before.status === "PENDING" || before.status === "FAILED")) {
      [after] = await ctx.db
        .update(payments)
        .set({ status: "SUCCEEDED", paidAt: event.occurredAt, failureReason: null })
        .where(and(ctx.scope.inTenant(payments), eq(payments.id, before.id)))
        .returning();
    } else if (event.status === "FAILED" && before.status === "PENDING") {
      [after] = await ctx.db
        .update(payments)
        .set({ status: "FAILED", failureReason: event.reason ?? "Declined by the gateway." })
        .where(and(ctx.scope.inTenant(payments), eq(payments.id, before.id)))
        .returning();
    }
    await ctx.db
      .update(paymentWebhookEvents)
      .set({ processedAt: new Date() })
      .where(and(ctx.scope.inTenant(paymentWebhookEvents), eq(paymentWebhookEvents.id, recorded.id)));
    if (!after) {
      return { status: "ignored", reason: mismatch ?? `payment already ${before.status}` };
    }

    await audit(ctx, {
      action: "payment.webhook",
      entity: "payment",
      entityId: after.id,
      before,
      after: { ...after, eventId: event.eventId },
    });
    if (after.status === "SUCCEEDED") await issueReceipt(ctx, after);
    const facts = await eventFacts(ctx, after);
    await emit(
      ctx,
      after.status === "SUCCEEDED"
        ? { type: "payment.succeeded", amount: after.amount, ...facts }
        : { type: "payment.failed", amount: after.amount, reason: after.failureReason ?? "", ...facts },
    );
    return { status: "processed", paymentId: after.id, paymentStatus: after.status };
  });
}

// ---------------------------------------------------------------- refunds

/** The payment, locked, if the viewer may see it (staff, or who acts for its participant). */
async function lockPayment(ctx: Context, paymentId: string): Promise<Payment> {
  const [payment] = await ctx.db
    .select()
    .from(payments)
    .where(and(ctx.scope.inTenant(payments), eq(payments.id, paymentId)))
    .for("update");
  if (!payment) throw notFound("Payment", paymentId);
  if (!isStaff(ctx.viewer)) {
    const enrollment = await ctx.loaders.enrollment.load(payment.enrollmentId);
    if (!enrollment || !(await seesMoneyOf(ctx, enrollment))) throw notFound("Payment", paymentId);
  }
  return payment;
}

async function lockRefund(ctx: Context, refundRequestId: string): Promise<RefundRequest> {
  const [refund] = await ctx.db
    .select()
    .from(refundRequests)
    .where(and(ctx.scope.inTenant(refundRequests), eq(refundRequests.id, refundRequestId)))
    .for("update");
  if (!refund) throw notFound("RefundRequest", refundRequestId);
  return refund;
}

const REFUNDABLE: readonly PaymentStatus[] = ["SUCCEEDED", "PARTIALLY_REFUNDED"];

export interface RequestRefundInput {
  paymentId: string;
  amount: string;
  reason: string;
  idempotencyKey: string;
  /** Staff only: asks for more than the course's refund policy allows, saying why (audited). */
  overridePolicyReason?: string | null;
}

/**
 * Asks for money back (who acts for the participant, or staff): REQUESTED, for staff to decide.
 * Never more than the course's refund policy allows now (refundQuote), unless staff override it
 * with a reason.
 */
export async function requestRefund(
  ctx: Context,
  input: RequestRefundInput,
  /** The caller applied the refund policy already (self-cancellation splits one quote over payments). */
  options: { policyApplied?: boolean } = {},
): Promise<RefundRequest> {
  const viewer = requireMember(ctx);
  const amount = positiveCents("amount", input.amount);
  const reason = text("reason", input.reason)!;
  const override = text("overridePolicyReason", input.overridePolicyReason, true);
  if (override && !isStaff(viewer)) throw forbidden();
  return atomic(ctx, (ctx) =>
    idempotent(
      ctx,
      { tenantId: viewer.tenantId, userId: viewer.userId },
      {
        operation: "requestRefund",
        key: input.idempotencyKey,
        input: { paymentId: input.paymentId, amount: formatCents(amount), reason, override },
        run: async () => {
          // The payment's lock serialises requests against it, so open claims are counted exactly.
          const payment = await lockPayment(ctx, input.paymentId);
          if (!REFUNDABLE.includes(payment.status)) throw wrongState("Payment", payment.status, [...REFUNDABLE]);
          const open = await ctx.db
            .select({ amount: refundRequests.amount })
            .from(refundRequests)
            .where(
              and(
                ctx.scope.inTenant(refundRequests),
                eq(refundRequests.paymentId, payment.id),
                inArray(refundRequests.status, [...OPEN_REFUNDS]),
              ),
            );
          const available = toCents(payment.amount) - toCents(payment.refundedAmount) - sumCents(open.map((row) => toCents(row.amount)));
          if (amount > available) {
            throw new AppError(
              "BAD_USER_INPUT",
              "refund.overRefund",
              { available: formatCents(available > 0n ? available : 0n), currency: payment.currency },
              { field: "amount" },
            );
          }
          const enrollment = await ctx.loaders.enrollment.load(payment.enrollmentId);
          const quote = await quoteFor(ctx, enrollment!, new Date());
          const overPolicy = !options.policyApplied && amount > toCents(quote.refundable);
          if (overPolicy && !override) {
            throw new AppError(
              "BAD_USER_INPUT",
              "refund.overPolicy",
              { refundable: quote.refundable, currency: quote.currency, percent: quote.percent },
              { field: "amount" },
            );
          }
          const [refund] = await ctx.db
            .insert(refundRequests)
            .values({ tenantId: payment.tenantId, paymentId: payment.id, amount: formatCents(amount), reason, requestedBy: viewer.userId })
            .returning();
          await audit(ctx, { action: "refund.request", entity: "refund_request", entityId: refund!.id, after: refund });
          if (overPolicy) {
            await audit(ctx, {
              action: "refund.policyOverride",
              entity: "refund_request",
              entityId: refund!.id,
              after: { amount: refund!.amount, reason: override, quote },
            });
          }
          const { recipients: _family, ...facts } = await eventFacts(ctx, payment);
          await emit(ctx, { type: "refund.requested", ...facts, amount: refund!.amount, refundRequestId: refund!.id });
          return refund!;
        },
        save: (refund) => ({ refundRequestId: refund.id }),
        load: (saved) => loadRefund(ctx, saved.refundRequestId),
      },
    ),
  );
}

export interface ApproveRefundInput {
  refundRequestId: string;
  idempotencyKey: string;
}

/**
 * Staff approve a REQUESTED refund: the provider pays it back, then in this one
 * transaction the request becomes REFUNDED, the payment's refunded amount grows
 * (PARTIALLY_REFUNDED / REFUNDED) and the enrolment becomes REFUNDED when nothing
 * paid for it is left (its place frees up). When the gateway refuses, the request
 * is FAILED and nothing else changes.
 *
 * The gateway is called while the rows are locked: a second approval waits rather
 * than paying twice. Gateways get the refund request's id as their reference, so
 * a refund retried after a crash between their answer and our commit is not paid twice.
 */
export async function approveRefund(ctx: Context, input: ApproveRefundInput): Promise<RefundRequest> {
  const viewer = requireRole(ctx, "STAFF");
  return atomic(ctx, (ctx) =>
    idempotent(
      ctx,
      { tenantId: viewer.tenantId, userId: viewer.userId },
      {
        operation: "approveRefund",
        key: input.idempotencyKey,
        input: { refundRequestId: input.refundRequestId },
        run: async () => {
          const refund = await lockRefund(ctx, input.refundRequestId);
          if (refund.status !== "REQUESTED") throw wrongState("RefundRequest", refund.status, "REQUESTED");
          const payment = await lockPayment(ctx, refund.paymentId);
          if (!REFUNDABLE.includes(payment.status)) throw wrongState("Payment", payment.status, [...REFUNDABLE]);
          const left = toCents(payment.amount) - toCents(payment.refundedAmount);
          if (toCents(refund.amount) > left) {
            throw new AppError(
              "BAD_USER_INPUT",
              "refund.overRefund",
              { available: formatCents(left), currency: payment.currency },
              { field: "amount" },
            );
          }
          const provider = ctx.app.payments.get(payment.provider);
          if (!provider) throw new AppError("CONFLICT", "refund.providerUnavailable", { provider: payment.provider });

          // Gateways that refund by their own transaction id find it in the events that confirmed the payment.
          const events = provider.refundReadsEvents ? await webhookPayloadsOf(ctx, payment.id) : [];
          let result;
          try {
            result = await provider.refund(payment, refund.amount, refund.id, { events });
          } catch (error) {
            ctx.app.log.warn({ err: error, provider: provider.name, refundRequestId: refund.id }, "payment provider refund failed");
            result = {
              status: "FAILED" as const,
              providerReference: null,
              failureReason: translate(ctx.language, "refund.gatewayUnreachable"),
            };
          }
          const decided = { decidedBy: viewer.userId, decidedAt: new Date(), providerReference: result.providerReference };
          const facts = await eventFacts(ctx, payment);

          if (result.status === "FAILED") {
            const reason = result.failureReason ?? "";
            const [failed] = await ctx.db
              .update(refundRequests)
              .set({ status: "FAILED", decisionNote: reason, ...decided })
              .where(and(ctx.scope.inTenant(refundRequests), eq(refundRequests.id, refund.id)))
              .returning();
            await audit(ctx, { action: "refund.fail", entity: "refund_request", entityId: refund.id, before: refund, after: failed });
            await emit(ctx, { type: "refund.failed", amount: refund.amount, refundRequestId: refund.id, reason, ...facts });
            return failed!;
          }

          // Added in SQL, not from the value read: correct even if a lock were ever missed (the CHECK is the backstop).
          const [paymentAfter] = await ctx.db
            .update(payments)
            .set({
              refundedAmount: sql`${payments.refundedAmount} + ${refund.amount}::numeric`,
              status: sql`case when ${payments.refundedAmount} + ${refund.amount}::numeric = ${payments.amount} then 'REFUNDED' else 'PARTIALLY_REFUNDED' end::payment_status`,
            })
            .where(and(ctx.scope.inTenant(payments), eq(payments.id, payment.id)))
            .returning();
          const [refunded] = await ctx.db
            .update(refundRequests)
            .set({ status: "REFUNDED", ...decided })
            .where(and(ctx.scope.inTenant(refundRequests), eq(refundRequests.id, refund.id)))
            .returning();
          await audit(ctx, { action: "refund.approve", entity: "refund_request", entityId: refund.id, before: refund, after: refunded });
          await audit(ctx, { action: "payment.refund", entity: "payment", entityId: payment.id, before: payment, after: paymentAfter });
          ctx.loaders.payment.clear(payment.id);
          ctx.loaders.paymentsOfEnrollment.clear(payment.enrollmentId);
          ctx.loaders.refundsOfPayment.clear(payment.id);
          await issueReceipt(ctx, paymentAfter!, refunded!);
          if (paymentAfter!.status === "REFUNDED") await refundEnrollmentIfSettled(ctx, payment.enrollmentId);
          await emit(ctx, { type: "refund.refunded", amount: refund.amount, refundRequestId: refund.id, ...facts });
          return refunded!;
        },
        save: (refund) => ({ refundRequestId: refund.id }),
        load: (saved) => loadRefund(ctx, saved.refundRequestId),
      },
    ),
  );
}

/** The payloads of a payment's recorded webhook events, newest first (bounded). */
async function webhookPayloadsOf(ctx: Context, paymentId: string): Promise<Record<string, unknown>[]> {
  const rows = await ctx.db
    .select({ payload: paymentWebhookEvents.payload })
    .from(paymentWebhookEvents)
    .where(and(ctx.scope.inTenant(paymentWebhookEvents), eq(paymentWebhookEvents.paymentId, paymentId)))
    .orderBy(desc(paymentWebhookEvents.receivedAt), desc(paymentWebhookEvents.id))
    .limit(20);
  return rows.map((row) => row.payload as Record<string, unknown>);
}

/**
 * Marks the enrolment REFUNDED once every payment for it has been given back
 * (ACTIVE or DROPPED ones; a COMPLETED course stays completed). The enrolment
 * trigger then frees its place in the course.
 */
async function refundEnrollmentIfSettled(ctx: Context, enrollmentId: string) {
  if (paidCents(await moneyRowsOf(ctx, enrollmentId)) !== 0n) return;
  const [before] = await ctx.db
    .select()
    .from(enrollments)
    .where(and(ctx.scope.inTenant(enrollments), eq(enrollments.id, enrollmentId)))
    .for("update");
  if (!before || (before.status !== "ACTIVE" && before.status !== "DROPPED")) return;
  const [after] = await ctx.db
    .update(enrollments)
    .set({ status: "REFUNDED", endedAt: before.endedAt ?? new Date() })
    .where(and(ctx.scope.inTenant(enrollments), eq(enrollments.id, before.id)))
    .returning();
  ctx.loaders.enrollment.clear(before.id);
  ctx.loaders.course.clear(before.courseId);
  await audit(ctx, { action: "enrollment.refunded", entity: "enrollment", entityId: before.id, before, after });
}

/** Staff decline a REQUESTED refund with a reason the family is told. */
export async function rejectRefund(ctx: Context, refundRequestId: string, reasonText: string): Promise<RefundRequest> {
  const viewer = requireRole(ctx, "STAFF");
  const reason = text("reason", reasonText)!;
  return atomic(ctx, async (ctx) => {
    const refund = await lockRefund(ctx, refundRequestId);
    if (refund.status !== "REQUESTED") throw wrongState("RefundRequest", refund.status, "REQUESTED");
    const [rejected] = await ctx.db
      .update(refundRequests)
      .set({ status: "REJECTED", decisionNote: reason, decidedBy: viewer.userId, decidedAt: new Date() })
      .where(and(ctx.scope.inTenant(refundRequests), eq(refundRequests.id, refund.id)))
      .returning();
    await audit(ctx, { action: "refund.reject", entity: "refund_request", entityId: refund.id, before: refund, after: rejected });
    const payment = (await ctx.loaders.payment.load(refund.paymentId))!;
    await emit(ctx, {
      type: "refund.rejected",
      amount: refund.amount,
      refundRequestId: refund.id,
      reason,
      ...(await eventFacts(ctx, payment)),
    });
    return rejected!;
  });
}

// ---------------------------------------------------------------- queries

/** Rows of payments the viewer may list: staff all, others their own participants'. */
async function paymentScope(ctx: Context): Promise<SQL | undefined> {
  if (isStaff(ctx.viewer)) return undefined;
  const own = ownRowsOf(enrollments, await ownParticipantIds(ctx));
  if (!own) return ctx.scope.none();
  return inArray(
    payments.enrollmentId,
    ctx.db
      .select({ id: enrollments.id })
      .from(enrollments)
      .where(and(ctx.scope.inTenant(enrollments), own)),
  );
}

export interface PaymentFilter {
  enrollmentId?: string | null;
  status?: PaymentStatus | null;
  provider?: string | null;
}

/** Payments the viewer may see, newest first. */
export async function listPayments(ctx: Context, args: { filter?: PaymentFilter | null; first?: number | null; after?: string | null }) {
  requireMember(ctx);
  const f = args.filter ?? {};
  const where = and(
    ctx.scope.inTenant(payments),
    await paymentScope(ctx),
    f.enrollmentId ? eq(payments.enrollmentId, f.enrollmentId) : undefined,
    f.status ? eq(payments.status, f.status) : undefined,
    f.provider ? eq(payments.provider, f.provider) : undefined,
  );
  const order = newestFirst(payments.createdAt, payments.id);
  return page(ctx, { from: payments, where, order, first: args.first, after: args.after, prime: ctx.loaders.payment });
}

/** A payment the viewer may see, or NOT_FOUND. */
export async function getPayment(ctx: Context, id: string): Promise<Payment> {
  requireMember(ctx);
  const payment = await ctx.loaders.payment.load(id);
  if (!payment) throw notFound("Payment", id);
  const enrollment = await ctx.loaders.enrollment.load(payment.enrollmentId);
  if (!enrollment || !(await seesMoneyOf(ctx, enrollment))) throw notFound("Payment", id);
  return payment;
}

export interface RefundRequestFilter {
  paymentId?: string | null;
  status?: RefundStatus | null;
}

/** Refund requests the viewer may see (staff: all, e.g. the REQUESTED queue), newest first. */
export async function listRefundRequests(
  ctx: Context,
  args: { filter?: RefundRequestFilter | null; first?: number | null; after?: string | null },
) {
  requireMember(ctx);
  const f = args.filter ?? {};
  const scope = await paymentScope(ctx);
  const where = and(
    ctx.scope.inTenant(refundRequests),
    scope
      ? inArray(
          refundRequests.paymentId,
          ctx.db
            .select({ id: payments.id })
            .from(payments)
            .where(and(ctx.scope.inTenant(payments), scope)),
        )
      : undefined,
    f.paymentId ? eq(refundRequests.paymentId, f.paymentId) : undefined,
    f.status ? eq(refundRequests.status, f.status) : undefined,
  );
  const order = newestFirst(refundRequests.createdAt, refundRequests.id);
  return page(ctx, { from: refundRequests, where, order, first: args.first, after: args.after });
}

type EnrollmentKeys = Pick<Enrollment, "id" | "courseId" | "studentId" | "childId">;

/** An enrolment's payments, for staff and the family; nobody else sees money (an instructor gets none). */
export async function paymentsOfEnrollmentForViewer(ctx: Context, enrollment: EnrollmentKeys): Promise<Payment[]> {
  return (await seesMoneyOf(ctx, enrollment)) ? ctx.loaders.paymentsOfEnrollment.load(enrollment.id) : [];
}

/** Paid and owed amounts of an enrolment, or null for viewers who may not see its money. */
export async function moneyOfEnrollmentForViewer(ctx: Context, enrollment: EnrollmentKeys) {
  if (!(await seesMoneyOf(ctx, enrollment))) return null;
  const [course, rows] = await Promise.all([
    ctx.loaders.course.load(enrollment.courseId),
    ctx.loaders.paymentsOfEnrollment.load(enrollment.id),
  ]);
  return course ? enrollmentMoney(course, rows) : null;
}
