import { randomUUID } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { and, eq, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, idempotencyKeys, notifications, paymentWebhookEvents, payments, refundRequests } from "../drizzle/schema";
import { fromDatabaseError } from "../server/errors";
import { clickpesaChecksum, clickpesaProvider } from "../server/payments/clickpesa";
import { formatCents, toCents } from "../server/payments/money";
import { WebhookRejected } from "../server/payments/provider";
import { sandboxEvent, signSandboxWebhook, type SandboxProvider } from "../server/payments/sandbox";
import { createLog } from "../server/log";
import { loadConfig } from "../server/config";
import {
  AddChildDocument,
  ApproveEnrollmentRequestDocument,
  ApproveRefundDocument,
  CourseDocument,
  DropEnrollmentDocument,
  EnrollmentMoneyDocument,
  LoginDocument,
  PaymentDocument,
  PaymentsDocument,
  RecordManualPaymentDocument,
  RefundRequestsDocument,
  RegisterDocument,
  RejectRefundDocument,
  RequestEnrollmentDocument,
  RequestRefundDocument,
  StartPaymentDocument,
} from "./sdk/graphql";
import { codes, data, expectFlatStatements } from "./helpers/client";
import { PASSWORD, uniquePhone, type SignedIn } from "./helpers/fixtures";
import { createSchool, type School } from "./helpers/school";
import { captureLog, LEVEL } from "./helpers/log";
import { startTestServer, testEnv, type TestServer } from "./helpers/server";

const CLICKPESA_KEY = "clickpesa-fixture-checksum-key";
const fixture = (name: string) => fs.readFileSync(path.join(import.meta.dirname, "fixtures/clickpesa", name));

/** A stand-in for ClickPesa's API: records what the adapter sends, answers like the docs. */
const gateway = { requests: [] as { path: string; headers: http.IncomingHttpHeaders; body: Record<string, unknown> }[] };
const clickpesaStub = http.createServer((req, res) => {
  let raw = "";
  req.on("data", (chunk) => (raw += chunk));
  req.on("end", () => {
    const body = raw ? JSON.parse(raw) : {};
    gateway.requests.push({ path: req.url!, headers: req.headers, body });
    res.setHeader("content-type", "application/json");
    if (req.url === "/generate-token") return void res.end(JSON.stringify({ success: true, token: "Bearer stub-token" }));
    if (req.url === "/payments/initiate-ussd-push-request" && body.phoneNumber === "255700000500") {
      res.statusCode = 500;
      return void res.end(JSON.stringify({ message: "stub outage" }));
    }
    if (req.url === "/payments/initiate-ussd-push-request") {
      return void res.end(
        JSON.stringify({ id: "STUB1LCP1", status: "PROCESSING", channel: "M-PESA", orderReference: body.orderReference }),
      );
    }
    if (req.url === "/payouts/create-mobile-money-payout") {
      return void res.end(
        JSON.stringify({ id: "PAYSTUB", status: "AUTHORIZED", orderReference: body.orderReference, amount: String(body.amount) }),
      );
    }
    res.statusCode = 404;
    res.end("{}");
  });
});

const logs = captureLog("info");
let t: TestServer;
let school: School;
let sandbox: SandboxProvider;
let secret: string;

beforeAll(async () => {
  await new Promise<void>((resolve) => clickpesaStub.listen(0, "127.0.0.1", resolve));
  const { port } = clickpesaStub.address() as AddressInfo;
  t = await startTestServer(
    {
      CLICKPESA_CLIENT_ID: "stub-client",
      CLICKPESA_API_KEY: "stub-api-key",
      CLICKPESA_CHECKSUM_KEY: CLICKPESA_KEY,
      CLICKPESA_BASE_URL: `http://127.0.0.1:${port}`,
    },
    { log: logs.log },
  );
  school = await createSchool(t);
  sandbox = t.deps.payments.get("sandbox") as SandboxProvider;
  secret = t.deps.config.payments.sandbox!.webhookSecret;
});
afterAll(async () => {
  await t?.close();
  clickpesaStub.close();
});

const key = () => randomUUID();
const db = () => t.deps.database.db;

/** Posts a webhook delivery as a gateway would. */
async function deliver(provider: string, body: string | Buffer, headers: Record<string, string> = {}) {
  const response = await fetch(`${t.url}/webhooks/payments/${provider}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
  return { status: response.status, body: (await response.json()) as any };
}

/** The sandbox gateway's signed event about a payment. */
function signedEvent(
  payment: { providerReference: string; amount: { amount: string; currency: string } },
  options: {
    status?: "SUCCEEDED" | "FAILED";
    eventId?: string;
    timestamp?: number;
    secret?: string;
    reason?: string;
    currency?: string;
  } = {},
) {
  const body = JSON.stringify(
    sandboxEvent({
      reference: payment.providerReference,
      amount: payment.amount.amount,
      currency: options.currency ?? payment.amount.currency,
      status: options.status ?? "SUCCEEDED",
      eventId: options.eventId,
      reason: options.reason,
    }),
  );
  return { body, headers: { "x-roster-signature": signSandboxWebhook(options.secret ?? secret, body, options.timestamp) } };
}

async function confirm(payment: Parameters<typeof signedEvent>[0], options: Parameters<typeof signedEvent>[1] = {}) {
  const event = signedEvent(payment, options);
  return deliver("sandbox", event.body, event.headers);
}

const start = (who: SignedIn, enrollmentId: string, extra: { amount?: string; provider?: string; idempotencyKey?: string } = {}) =>
  who.client.request(StartPaymentDocument, { input: { enrollmentId, provider: "sandbox", idempotencyKey: key(), ...extra } });

const manual = (enrollmentId: string, amount: string, extra: { reference?: string; note?: string; idempotencyKey?: string } = {}) =>
  school.admin.client.request(RecordManualPaymentDocument, { input: { enrollmentId, amount, idempotencyKey: key(), ...extra } });

const approve = (refundRequestId: string, idempotencyKey = key()) =>
  school.admin.client.request(ApproveRefundDocument, { input: { refundRequestId, idempotencyKey } });

const money = (who: SignedIn, id: string) => who.client.request(EnrollmentMoneyDocument, { id });

const notificationKinds = async (userId: string) =>
  (await db().select().from(notifications).where(eq(notifications.userId, userId))).map((row) => row.kind);

/** A family with one child enrolled (price 250.00 by default). */
async function enrolled(course: { price?: string; capacity?: number; currency?: string } = {}) {
  const courseId = await school.createCourse(course);
  const family = await school.family(1);
  const enrollmentId = await school.enroll(courseId, family.childIds[0]!, family.parent);
  return { courseId, parent: family.parent, childId: family.childIds[0]!, enrollmentId };
}

/** Enrolled and paid in full with a sandbox payment confirmed by webhook. */
async function paid(course: { price?: string } = {}) {
  const enrolment = await enrolled(course);
  const payment = data(await start(enrolment.parent, enrolment.enrollmentId)).startPayment;
  expect((await confirm(payment)).status).toBe(200);
  return { ...enrolment, payment };
}

describe("the payment journey", () => {
  it("a parent registers, enrols a child, pays through the sandbox, is refunded; the place frees up", async () => {
    // A parent signs up through the API, into the school by its slug.
    const phone = uniquePhone();
    const anonymous = t.client({ tenant: school.tenant.slug });
    data(
      await anonymous.request(RegisterDocument, {
        input: { phoneNumber: phone, password: PASSWORD, firstName: "Amina", lastName: "Said", role: "PARENT" },
      }),
    );
    const login = data(await anonymous.request(LoginDocument, { input: { identifier: phone, password: PASSWORD } })).login;
    const parent = t.client({ token: login.accessToken });
    const parentId = login.user.id;
    const child = data(await parent.request(AddChildDocument, { input: { firstName: "Zuri", lastName: "Said" } })).addChild;

    const courseId = await school.createCourse({ name: "Swimming", capacity: 5, price: "250.00" });
    const request = data(
      await parent.request(RequestEnrollmentDocument, { input: { courseId, participantId: child.id } }),
    ).requestEnrollment;
    const approved = data(await school.admin.client.request(ApproveEnrollmentRequestDocument, { id: request.id })).approveEnrollmentRequest;
    expect(approved.enrollment.course.spotsLeft).toBe(4);
    const enrollmentId = approved.enrollment.id;
    expect(data(await parent.request(EnrollmentMoneyDocument, { id: enrollmentId })).enrollment).toMatchObject({
      amountPaid: { amount: "0.00", currency: "EGP" },
      balance: { amount: "250.00", currency: "EGP" },
      payments: [],
    });

    // Start: PENDING, with what the client needs next.
    const started = data(
      await parent.request(StartPaymentDocument, { input: { enrollmentId, provider: "sandbox", idempotencyKey: key() } }),
    ).startPayment;
    expect(started).toMatchObject({
      status: "PENDING",
      provider: "sandbox",
      amount: { amount: "250.00", currency: "EGP" },
      refundedAmount: { amount: "0.00", currency: "EGP" },
      paidAt: null,
      payer: { id: parentId },
      enrollment: { id: enrollmentId },
    });
    expect(started.nextAction).toMatchObject({ type: "SANDBOX_CONFIRMATION", webhookPath: "/webhooks/payments/sandbox" });

    // The gateway confirms with a signed webhook (the event the sandbox announced).
    const event = JSON.stringify((started.nextAction as { event: unknown }).event);
    const confirmed = await deliver("sandbox", event, { "x-roster-signature": signSandboxWebhook(secret, event) });
    expect(confirmed).toEqual({ status: 200, body: { status: "processed", paymentId: started.id, paymentStatus: "SUCCEEDED" } });
    const afterPay = data(await parent.request(EnrollmentMoneyDocument, { id: enrollmentId })).enrollment;
    expect(afterPay).toMatchObject({
      amountPaid: { amount: "250.00" },
      balance: { amount: "0.00" },
      payments: [{ id: started.id, status: "SUCCEEDED" }],
    });
    expect(data(await parent.request(PaymentDocument, { id: started.id })).payment.paidAt).toBeTruthy();
    expect(await notificationKinds(parentId)).toContain("PAYMENT_SUCCEEDED");

    // The family asks for the money back; staff see it in their queue and approve.
    const refund = data(
      await parent.request(RequestRefundDocument, {
        input: { paymentId: started.id, amount: "250", reason: "We are moving away", idempotencyKey: key() },
      }),
    ).requestRefund;
    expect(refund).toMatchObject({ status: "REQUESTED", amount: { amount: "250.00", currency: "EGP" }, requestedBy: { id: parentId } });
    const queue = data(
      await school.admin.client.request(RefundRequestsDocument, { filter: { status: "REQUESTED", paymentId: started.id } }),
    ).refundRequests;
    expect(queue.nodes.map((r) => r.id)).toEqual([refund.id]);

    const calls = sandbox.refunds.length;
    const approvedRefund = data(await approve(refund.id)).approveRefund;
    expect(approvedRefund).toMatchObject({
      status: "REFUNDED",
      decidedBy: { id: school.admin.user.id },
      payment: {
        status: "REFUNDED",
        refundedAmount: { amount: "250.00" },
        enrollment: { id: enrollmentId, status: "REFUNDED", course: { id: courseId, spotsLeft: 5 } },
      },
    });
    expect(approvedRefund.providerReference).toMatch(/^sbx_rf_/);
    expect(sandbox.refunds.length).toBe(calls + 1);
    expect(data(await school.admin.client.request(CourseDocument, { id: courseId })).course.spotsLeft).toBe(5);
    expect(await notificationKinds(parentId)).toEqual(
      expect.arrayContaining(["ENROLLMENT_APPROVED", "PAYMENT_SUCCEEDED", "REFUND_REFUNDED"]),
    );
    const [refunded] = (await db().select().from(notifications).where(eq(notifications.userId, parentId))).filter(
      (n) => n.kind === "REFUND_REFUNDED",
    );
    expect(refunded!.body).toBe("250.00 EGP was refunded for Zuri Said in Swimming.");

    const audits = await db()
      .select({ action: auditLog.action, before: auditLog.before, after: auditLog.after })
      .from(auditLog)
      .where(inArray(auditLog.entityId, [started.id, refund.id, enrollmentId]));
    expect(audits.map((a) => a.action)).toEqual(
      expect.arrayContaining([
        "payment.start",
        "payment.webhook",
        "refund.request",
        "refund.approve",
        "payment.refund",
        "enrollment.refunded",
      ]),
    );
    const paymentRefund = audits.find((a) => a.action === "payment.refund")!;
    expect(paymentRefund.before).toMatchObject({ status: "SUCCEEDED", refundedAmount: "0.00" });
    expect(paymentRefund.after).toMatchObject({ status: "REFUNDED", refundedAmount: "250.00" });
  });

  it("staff record cash; part payments, a pending payment and partial refunds add up exactly", async () => {
    const { parent, enrollmentId } = await enrolled({ price: "250.00" });
    const receipt = `RCPT-${key()}`;
    const cash = data(await manual(enrollmentId, "100.10", { reference: receipt, note: "Paid at the desk" })).recordManualPayment;
    expect(cash.providerReference).toBe(receipt);
    const twice = await manual(enrollmentId, "1", { reference: receipt });
    expect([codes(twice), twice.errors![0]!.message]).toEqual([["CONFLICT"], "A payment with this reference is already recorded."]);
    expect(cash).toMatchObject({
      status: "SUCCEEDED",
      provider: "manual",
      amount: { amount: "100.10" },
      recordedBy: { id: school.admin.user.id },
    });
    expect(cash.paidAt).toBeTruthy();
    expect(await notificationKinds(parent.user.id)).toContain("PAYMENT_SUCCEEDED");
    const [noted] = await db()
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entityId, cash.id), eq(auditLog.action, "payment.recordManual")));
    expect(noted!.after).toMatchObject({ note: "Paid at the desk" });

    // The default amount is what is still owed; a PENDING payment holds its amount.
    const pending = data(await start(parent, enrollmentId)).startPayment;
    expect(pending.amount.amount).toBe("149.90");
    const nothing = await start(parent, enrollmentId);
    expect(codes(nothing)).toEqual(["BAD_USER_INPUT"]);
    expect(nothing.errors![0]!.message).toMatch(/Nothing is owed.*149\.90 EGP awaiting/);
    expect(codes(await manual(enrollmentId, "0.01"))).toEqual(["BAD_USER_INPUT"]);
    await confirm(pending);
    expect(data(await money(parent, enrollmentId)).enrollment).toMatchObject({
      amountPaid: { amount: "250.00" },
      balance: { amount: "0.00" },
    });

    // Partial refunds: the payment and the balance follow; the enrolment stays ACTIVE.
    const r1 = data(
      await parent.client.request(RequestRefundDocument, {
        input: { paymentId: cash.id, amount: "40.05", reason: "Missed a week", idempotencyKey: key() },
      }),
    ).requestRefund;
    const partial = data(await approve(r1.id)).approveRefund;
    expect(partial.payment).toMatchObject({
      status: "PARTIALLY_REFUNDED",
      refundedAmount: { amount: "40.05" },
      enrollment: { status: "ACTIVE" },
    });
    expect(data(await money(parent, enrollmentId)).enrollment).toMatchObject({
      amountPaid: { amount: "209.95" },
      balance: { amount: "40.05" },
    });

    // Never more than is left: open requests count too.
    const over = await parent.client.request(RequestRefundDocument, {
      input: { paymentId: cash.id, amount: "60.06", reason: "x", idempotencyKey: key() },
    });
    expect(codes(over)).toEqual(["BAD_USER_INPUT"]);
    expect(over.errors![0]!.message).toMatch(/Over-refund: 60\.05 EGP/);
    const r2 = data(
      await parent.client.request(RequestRefundDocument, {
        input: { paymentId: cash.id, amount: "60.05", reason: "Rest", idempotencyKey: key() },
      }),
    ).requestRefund;
    expect(
      codes(
        await parent.client.request(RequestRefundDocument, {
          input: { paymentId: cash.id, amount: "0.01", reason: "x", idempotencyKey: key() },
        }),
      ),
    ).toEqual(["BAD_USER_INPUT"]);

    // Staff decline; the family is told why; a decided request cannot be decided again.
    const rejected = data(
      await school.admin.client.request(RejectRefundDocument, { refundRequestId: r2.id, reason: "Term has started" }),
    ).rejectRefund;
    expect(rejected).toMatchObject({ status: "REJECTED", decisionNote: "Term has started" });
    expect(await notificationKinds(parent.user.id)).toContain("REFUND_REJECTED");
    const again = await approve(r2.id);
    expect(codes(again)).toEqual(["CONFLICT"]);
    expect(again.errors![0]!.message).toMatch(/REJECTED.*REQUESTED/);
    expect(codes(await school.admin.client.request(RejectRefundDocument, { refundRequestId: r2.id, reason: "again" }))).toEqual([
      "CONFLICT",
    ]);
    expect(codes(await school.admin.client.request(RejectRefundDocument, { refundRequestId: r1.id, reason: " " }))).toEqual([
      "BAD_USER_INPUT",
    ]);

    // Refunding the rest of both payments ends the enrolment as REFUNDED.
    const rest = data(
      await school.admin.client.request(RequestRefundDocument, {
        input: { paymentId: cash.id, amount: "60.05", reason: "Closing", idempotencyKey: key() },
      }),
    ).requestRefund;
    expect(data(await approve(rest.id)).approveRefund.payment).toMatchObject({ status: "REFUNDED", enrollment: { status: "ACTIVE" } });
    const last = data(
      await parent.client.request(RequestRefundDocument, {
        input: { paymentId: pending.id, amount: "149.90", reason: "Closing", idempotencyKey: key() },
      }),
    ).requestRefund;
    expect(data(await approve(last.id)).approveRefund.payment.enrollment.status).toBe("REFUNDED");
    expect(data(await money(parent, enrollmentId)).enrollment).toMatchObject({
      status: "REFUNDED",
      amountPaid: { amount: "0.00" },
      balance: { amount: "250.00" },
    });
  });

  it("lists payments each viewer may see, in a fixed number of SQL statements", async () => {
    const a = await paid();
    const b = await paid();
    await paid();
    const forA = data(await a.parent.client.request(PaymentsDocument, {})).payments;
    expect(forA.nodes.map((p) => p.id)).toEqual([a.payment.id]);
    expect(data(await a.parent.client.request(PaymentsDocument, { filter: { enrollmentId: b.enrollmentId } })).payments.totalCount).toBe(0);
    expect(data(await school.instructor.client.request(PaymentsDocument, {})).payments.totalCount).toBe(0);

    const few = await school.admin.client.request(PaymentsDocument, { filter: { provider: "sandbox", status: "SUCCEEDED" }, first: 1 });
    const many = await school.admin.client.request(PaymentsDocument, { filter: { provider: "sandbox", status: "SUCCEEDED" }, first: 10 });
    expect(data(many).payments.nodes.length).toBeGreaterThan(data(few).payments.nodes.length);
    // Relations are batched: more rows, same number of statements.
    expectFlatStatements(few, many);
    const next = data(
      await school.admin.client.request(PaymentsDocument, { first: 1, after: data(few).payments.pageInfo.endCursor }),
    ).payments;
    expect(next.nodes.map((p) => p.id)).not.toContain(data(few).payments.nodes[0]!.id);
  });
});

describe("paging", () => {
  it("pages through payments that share a millisecond, each exactly once", async () => {
    const { enrollmentId } = await enrolled({ price: "250.00" });
    // PostgreSQL keeps microseconds; cursors carry milliseconds.
    const stamps = ["2030-01-01T00:00:00.123600Z", "2030-01-01T00:00:00.123400Z", "2030-01-01T00:00:00.123200Z"];
    await db()
      .insert(payments)
      .values(
        stamps.map((stamp, i) => ({
          tenantId: school.tenant.id,
          enrollmentId,
          amount: "1.00",
          currency: "EGP",
          provider: "manual",
          providerReference: `paging-${key()}-${i}`,
          status: "SUCCEEDED" as const,
          createdAt: sql`${stamp}::timestamptz`,
        })),
      );
    const seen: string[] = [];
    let after: string | null | undefined;
    do {
      const page = data(await school.admin.client.request(PaymentsDocument, { filter: { enrollmentId }, first: 1, after })).payments;
      seen.push(...page.nodes.map((p) => p.id));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after && seen.length < 10);
    expect(seen).toHaveLength(3);
    expect(new Set(seen).size).toBe(3);
  });
});

describe("who may pay and refund", () => {
  it("checks every boundary: another family, an instructor, another tenant, anonymous", async () => {
    const mine = await paid();
    const other = await school.family(1);
    const input = { enrollmentId: mine.enrollmentId, provider: "sandbox", idempotencyKey: key() };

    // Another family cannot see any of it.
    expect(codes(await other.parent.client.request(StartPaymentDocument, { input }))).toEqual(["NOT_FOUND"]);
    expect(codes(await other.parent.client.request(PaymentDocument, { id: mine.payment.id }))).toEqual(["NOT_FOUND"]);
    const foreignRefund = { paymentId: mine.payment.id, amount: "1", reason: "x", idempotencyKey: key() };
    expect(codes(await other.parent.client.request(RequestRefundDocument, { input: foreignRefund }))).toEqual(["NOT_FOUND"]);
    expect(data(await other.parent.client.request(RefundRequestsDocument, {})).refundRequests.totalCount).toBe(0);

    // The instructor sees the enrolment but not its money, and cannot pay or decide.
    const asInstructor = data(await money(school.instructor, mine.enrollmentId)).enrollment;
    expect(asInstructor).toMatchObject({ payments: [], amountPaid: null, balance: null });
    expect(codes(await school.instructor.client.request(StartPaymentDocument, { input }))).toEqual(["FORBIDDEN"]);
    expect(codes(await school.instructor.client.request(PaymentDocument, { id: mine.payment.id }))).toEqual(["NOT_FOUND"]);
    const cash = { enrollmentId: mine.enrollmentId, amount: "1", idempotencyKey: key() };
    expect(codes(await school.instructor.client.request(RecordManualPaymentDocument, { input: cash }))).toEqual(["FORBIDDEN"]);

    // Families may not record cash or decide refunds.
    const refund = data(
      await mine.parent.client.request(RequestRefundDocument, {
        input: { paymentId: mine.payment.id, amount: "10", reason: "x", idempotencyKey: key() },
      }),
    ).requestRefund;
    expect(codes(await mine.parent.client.request(RecordManualPaymentDocument, { input: cash }))).toEqual(["FORBIDDEN"]);
    for (const who of [mine.parent, school.instructor]) {
      expect(
        codes(await who.client.request(ApproveRefundDocument, { input: { refundRequestId: refund.id, idempotencyKey: key() } })),
      ).toEqual(["FORBIDDEN"]);
      expect(codes(await who.client.request(RejectRefundDocument, { refundRequestId: refund.id, reason: "no" }))).toEqual(["FORBIDDEN"]);
    }

    // Another tenant's staff find nothing.
    const elsewhere = await createSchool(t);
    expect(codes(await elsewhere.admin.client.request(PaymentDocument, { id: mine.payment.id }))).toEqual(["NOT_FOUND"]);
    expect(
      codes(await elsewhere.admin.client.request(ApproveRefundDocument, { input: { refundRequestId: refund.id, idempotencyKey: key() } })),
    ).toEqual(["NOT_FOUND"]);
    expect(codes(await elsewhere.admin.client.request(RecordManualPaymentDocument, { input: cash }))).toEqual(["NOT_FOUND"]);
    expect(codes(await elsewhere.admin.client.request(RejectRefundDocument, { refundRequestId: refund.id, reason: "no" }))).toEqual([
      "NOT_FOUND",
    ]);
    expect(data(await elsewhere.admin.client.request(PaymentsDocument, {})).payments.totalCount).toBe(0);

    // Anonymous callers are asked to sign in.
    const anonymous = t.client({ tenant: school.tenant.slug });
    expect(codes(await anonymous.request(StartPaymentDocument, { input }))).toEqual(["UNAUTHENTICATED"]);
    expect(codes(await anonymous.request(PaymentsDocument, {}))).toEqual(["UNAUTHENTICATED"]);
    expect(codes(await anonymous.request(RequestRefundDocument, { input: foreignRefund }))).toEqual(["UNAUTHENTICATED"]);

    // Nothing of that changed the payment.
    const [row] = await db().select().from(payments).where(eq(payments.id, mine.payment.id));
    expect(row).toMatchObject({ status: "SUCCEEDED", refundedAmount: "0.00" });
  });

  it("lets a student pay for themself and staff pay for anyone", async () => {
    const courseId = await school.createCourse({ price: "80.00" });
    const student = await school.student();
    const enrollmentId = await school.enroll(courseId, student.studentId, student);
    const own = data(await start(student, enrollmentId, { amount: "30" })).startPayment;
    expect(own).toMatchObject({ status: "PENDING", amount: { amount: "30.00" }, payer: { id: student.user.id } });
    const byStaff = data(await start(school.admin, enrollmentId)).startPayment;
    expect(byStaff).toMatchObject({ amount: { amount: "50.00" }, payer: { id: student.user.id } });
  });
});

describe("bad input", () => {
  it("refuses unknown ids, non-positive and excessive amounts, unknown providers and inactive enrolments", async () => {
    const { parent, enrollmentId } = await enrolled({ price: "250.00" });
    const unknown = "00000000-0000-4000-8000-000000000000";
    expect(codes(await start(parent, unknown))).toEqual(["NOT_FOUND"]);
    expect(codes(await parent.client.request(PaymentDocument, { id: unknown }))).toEqual(["NOT_FOUND"]);
    expect(codes(await approve(unknown))).toEqual(["NOT_FOUND"]);
    expect(
      codes(
        await parent.client.request(RequestRefundDocument, {
          input: { paymentId: unknown, amount: "1", reason: "x", idempotencyKey: key() },
        }),
      ),
    ).toEqual(["NOT_FOUND"]);
    for (const amount of ["0", "0.00", "-5", "-0.01"]) {
      const result = await start(parent, enrollmentId, { amount });
      expect(codes(result)).toEqual(["BAD_USER_INPUT"]);
      expect(result.errors![0]!.extensions?.field).toBe("amount");
    }
    // Not a decimal at all: the Decimal scalar refuses it before any resolver runs.
    const malformed = await start(parent, enrollmentId, { amount: "12.345" });
    expect([malformed.status, codes(malformed)]).toEqual([400, ["BAD_USER_INPUT"]]);
    const tooMuch = await start(parent, enrollmentId, { amount: "250.01" });
    expect(codes(tooMuch)).toEqual(["BAD_USER_INPUT"]);
    expect(tooMuch.errors![0]!.message).toMatch(/250\.01 EGP is more than the 250\.00 EGP still owed/);
    expect(codes(await manual(enrollmentId, "300"))).toEqual(["BAD_USER_INPUT"]);
    for (const provider of ["paypal", "manual"]) {
      const result = await start(parent, enrollmentId, { provider });
      expect(codes(result)).toEqual(["BAD_USER_INPUT"]);
      expect(result.errors![0]!.message).toMatch(/sandbox, clickpesa/);
    }

    // A pending payment cannot be refunded; an empty reason is refused.
    const pending = data(await start(parent, enrollmentId, { amount: "10" })).startPayment;
    const early = await parent.client.request(RequestRefundDocument, {
      input: { paymentId: pending.id, amount: "1", reason: "x", idempotencyKey: key() },
    });
    expect(codes(early)).toEqual(["CONFLICT"]);
    expect(early.errors![0]!.message).toMatch(/PENDING.*SUCCEEDED \/ PARTIALLY_REFUNDED/);
    await confirm(pending);
    expect(
      codes(
        await parent.client.request(RequestRefundDocument, {
          input: { paymentId: pending.id, amount: "1", reason: "  ", idempotencyKey: key() },
        }),
      ),
    ).toEqual(["BAD_USER_INPUT"]);
    expect(
      codes(
        await parent.client.request(RequestRefundDocument, {
          input: { paymentId: pending.id, amount: "0", reason: "x", idempotencyKey: key() },
        }),
      ),
    ).toEqual(["BAD_USER_INPUT"]);

    // A dropped enrolment cannot be paid.
    data(await parent.client.request(DropEnrollmentDocument, { id: enrollmentId }));
    const dropped = await start(parent, enrollmentId, { amount: "5" });
    expect(codes(dropped)).toEqual(["CONFLICT"]);
    expect(dropped.errors![0]!.message).toMatch(/DROPPED.*ACTIVE/);
    expect(codes(await manual(enrollmentId, "5"))).toEqual(["CONFLICT"]);
  });

  it("checks idempotency keys: format, same key same input, same key other input, expiry", async () => {
    const { parent, enrollmentId } = await enrolled({ price: "250.00" });
    for (const bad of ["", "x".repeat(201), "has space", "tab\there"]) {
      const result = await start(parent, enrollmentId, { idempotencyKey: bad, amount: "1" });
      expect(codes(result)).toEqual(["BAD_USER_INPUT"]);
      expect(result.errors![0]!.extensions?.field).toBe("idempotencyKey");
    }
    data(await start(parent, enrollmentId, { idempotencyKey: "k".repeat(200), amount: "1" }));

    const k = key();
    const first = data(await start(parent, enrollmentId, { idempotencyKey: k, amount: "20" })).startPayment;
    const second = data(await start(parent, enrollmentId, { idempotencyKey: k, amount: "20.00" })).startPayment;
    expect(second).toEqual(first);
    const other = await start(parent, enrollmentId, { idempotencyKey: k, amount: "21" });
    expect(codes(other)).toEqual(["CONFLICT"]);
    expect(other.errors![0]!.message).toMatch(/idempotency key was already used with different input/);
    expect((await db().select().from(payments).where(eq(payments.enrollmentId, enrollmentId))).length).toBe(2);

    // Keys are per user: another user's identical key is theirs alone.
    expect(data(await start(school.admin, enrollmentId, { idempotencyKey: k, amount: "20" })).startPayment.id).not.toBe(first.id);

    // A failed request does not spend its key.
    const k2 = key();
    expect(codes(await start(parent, enrollmentId, { idempotencyKey: k2, amount: "999" }))).toEqual(["BAD_USER_INPUT"]);
    expect(data(await start(parent, enrollmentId, { idempotencyKey: k2, amount: "9" })).startPayment.amount.amount).toBe("9.00");

    // After 24 hours a key may start something new.
    await db()
      .update(idempotencyKeys)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(idempotencyKeys.key, k));
    const renewed = data(await start(parent, enrollmentId, { idempotencyKey: k, amount: "21" })).startPayment;
    expect(renewed.id).not.toBe(first.id);
    const [row] = await db()
      .select()
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.key, k), eq(idempotencyKeys.userId, parent.user.id)));
    expect(row!.expiresAt.getTime()).toBeGreaterThan(Date.now() + 23 * 3_600_000);
    expect(row!.response).toEqual({ paymentId: renewed.id });
  });
});

describe("sandbox webhooks", () => {
  it("refuses bad, missing and stale signatures and changes nothing", async () => {
    const { parent, enrollmentId } = await enrolled();
    const payment = data(await start(parent, enrollmentId)).startPayment;
    const good = signedEvent(payment);
    const now = Math.floor(Date.now() / 1000);
    const attempts: Record<string, string>[] = [
      {}, // no signature
      { "x-roster-signature": "nonsense" },
      { "x-roster-signature": signSandboxWebhook("another-secret-of-16+", good.body) },
      { "x-roster-signature": good.headers["x-roster-signature"].replace(/v1=(.)/, (_, c: string) => `v1=${c === "0" ? "1" : "0"}`) },
      { "x-roster-signature": signSandboxWebhook(secret, good.body, now - 6 * 60) }, // replayed: 6 minutes old
      { "x-roster-signature": signSandboxWebhook(secret, good.body, now + 6 * 60) }, // from the future
    ];
    for (const headers of attempts) {
      const refused = await deliver("sandbox", good.body, headers);
      expect(refused.status).toBe(401);
      expect(refused.body.errors[0].extensions.code).toBe("UNAUTHENTICATED");
    }
    // A body changed after signing fails too.
    const tampered = good.body.replace(payment.amount.amount, "1.00");
    expect((await deliver("sandbox", tampered, good.headers)).status).toBe(401);

    const [row] = await db().select().from(payments).where(eq(payments.id, payment.id));
    expect(row!.status).toBe("PENDING");
    expect(await db().select().from(paymentWebhookEvents).where(eq(paymentWebhookEvents.paymentId, payment.id))).toEqual([]);
    // Within the window (4 minutes old) it is accepted.
    const recent = signedEvent(payment, { timestamp: now - 4 * 60 });
    expect((await deliver("sandbox", recent.body, recent.headers)).body.status).toBe("processed");
  });

  it("processes the same event once, even when delivered concurrently", async () => {
    const { parent, enrollmentId } = await enrolled();
    const payment = data(await start(parent, enrollmentId)).startPayment;
    const event = signedEvent(payment, { eventId: `evt_${key()}` });
    const results = await Promise.all(Array.from({ length: 5 }, () => deliver("sandbox", event.body, event.headers)));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(results.map((r) => r.body.status).sort()).toEqual(["duplicate", "duplicate", "duplicate", "duplicate", "processed"]);
    expect((await deliver("sandbox", event.body, event.headers)).body).toEqual({ status: "duplicate", paymentId: payment.id });
    expect((await db().select().from(paymentWebhookEvents).where(eq(paymentWebhookEvents.paymentId, payment.id))).length).toBe(1);
    expect((await notificationKinds(parent.user.id)).filter((kind) => kind === "PAYMENT_SUCCEEDED")).toHaveLength(1);
    // A later FAILED event cannot undo a success.
    const late = await confirm(payment, { status: "FAILED" });
    expect(late.body).toMatchObject({ status: "ignored", reason: "payment already SUCCEEDED" });
    expect(data(await parent.client.request(PaymentDocument, { id: payment.id })).payment.status).toBe("SUCCEEDED");
  });

  it("answers unknown providers 404, malformed bodies 400, unknown payments 200, oversize 413", async () => {
    const body = JSON.stringify(sandboxEvent({ reference: "sbx_nobody", amount: "1.00", currency: "EGP", status: "SUCCEEDED" }));
    const signature = { "x-roster-signature": signSandboxWebhook(secret, body) };
    for (const provider of ["stripe", "manual"]) {
      const unknown = await deliver(provider, body, signature);
      expect([unknown.status, unknown.body.errors[0].extensions.code]).toEqual([404, "NOT_FOUND"]);
    }
    for (const malformed of [
      "not json",
      "[]",
      "{}",
      JSON.stringify({ id: "e", type: "payment.succeeded", created: 1, data: { reference: "r", amount: "x" } }),
    ]) {
      const result = await deliver("sandbox", malformed, { "x-roster-signature": signSandboxWebhook(secret, malformed) });
      expect([result.status, result.body.errors[0].extensions.code]).toEqual([400, "BAD_REQUEST"]);
    }
    expect(await deliver("sandbox", body, signature)).toEqual({
      status: 200,
      body: { status: "ignored", reason: "unknown payment reference" },
    });
    const huge = "x".repeat(65 * 1024);
    const tooLarge = await deliver("sandbox", huge, { "x-roster-signature": signSandboxWebhook(secret, huge) });
    expect([tooLarge.status, tooLarge.body.errors[0].extensions.code]).toEqual([413, "PAYLOAD_TOO_LARGE"]);
  });

  it("a FAILED event fails a pending payment and tells the family; its amount is free again", async () => {
    const { parent, enrollmentId } = await enrolled({ price: "100.00" });
    const payment = data(await start(parent, enrollmentId)).startPayment;
    const failed = await confirm(payment, { status: "FAILED", reason: "Insufficient funds" });
    expect(failed.body).toMatchObject({ status: "processed", paymentStatus: "FAILED" });
    expect(data(await parent.client.request(PaymentDocument, { id: payment.id })).payment).toMatchObject({
      status: "FAILED",
      failureReason: "Insufficient funds",
    });
    expect(await notificationKinds(parent.user.id)).toContain("PAYMENT_FAILED");
    expect(data(await start(parent, enrollmentId)).startPayment.amount.amount).toBe("100.00");
  });
});

describe("the sandbox failure rule (cents .13 fail)", () => {
  it("declines a .13 payment at once and fails a .13 refund, changing nothing else", async () => {
    const { parent, enrollmentId } = await enrolled({ price: "250.00" });
    const declined = data(await start(parent, enrollmentId, { amount: "100.13" })).startPayment;
    expect(declined).toMatchObject({ status: "FAILED", nextAction: null });
    expect(declined.failureReason).toMatch(/\.13/);
    expect(data(await money(parent, enrollmentId)).enrollment.balance!.amount).toBe("250.00");

    // A .13 refund fails at the gateway: the request is FAILED, the payment and enrolment unchanged.
    const { payment, parent: p2 } = await paid({ price: "50.00" });
    const r13 = data(
      await p2.client.request(RequestRefundDocument, {
        input: { paymentId: payment.id, amount: "10.13", reason: "x", idempotencyKey: key() },
      }),
    ).requestRefund;
    const calls = sandbox.refunds.length;
    const failed = data(await approve(r13.id)).approveRefund;
    expect(failed).toMatchObject({
      status: "FAILED",
      payment: { status: "SUCCEEDED", refundedAmount: { amount: "0.00" }, enrollment: { status: "ACTIVE" } },
    });
    expect(failed.decisionNote).toMatch(/\.13/);
    expect(sandbox.refunds.length).toBe(calls);
    expect(await notificationKinds(p2.user.id)).toContain("REFUND_FAILED");
    expect(codes(await approve(r13.id))).toEqual(["CONFLICT"]);
    const r10 = data(
      await p2.client.request(RequestRefundDocument, {
        input: { paymentId: payment.id, amount: "10.00", reason: "x", idempotencyKey: key() },
      }),
    ).requestRefund;
    expect(data(await approve(r10.id)).approveRefund.payment).toMatchObject({
      status: "PARTIALLY_REFUNDED",
      refundedAmount: { amount: "10.00" },
    });
  });
});

describe("ClickPesa", () => {
  const provider = clickpesaProvider(
    { clientId: "c", apiKey: "k", checksumKey: CLICKPESA_KEY, baseUrl: "http://127.0.0.1:9" },
    createLog(loadConfig(testEnv())),
  );

  it("verifies recorded webhook payloads signed with the test key", () => {
    const received = provider.verifyWebhook!(fixture("payment-received.json"), {});
    expect(received).toMatchObject({
      eventId: "PAYMENT RECEIVED:0A1B2C3D4E5F6071LCP8293",
      providerReference: "0A1B2C3D4E5F60718293A4B5C6D7E8F9",
      status: "SUCCEEDED",
      occurredAt: new Date("2025-03-14T09:26:53.210Z"),
    });
    const failed = provider.verifyWebhook!(fixture("payment-failed.json"), {});
    expect(failed).toMatchObject({
      status: "FAILED",
      reason: "Insufficient balance",
      providerReference: "9F8E7D6C5B4A39210F1E2D3C4B5A6978",
    });
    // Authentic but not about a collection (a payout): acknowledged, ignored.
    expect(provider.verifyWebhook!(fixture("payout-initiated.json"), {})).toBeNull();
    // Key order and whitespace do not matter (the checksum is over canonical JSON).
    const reordered = JSON.parse(fixture("payment-received.json").toString());
    const shuffled = Object.fromEntries(Object.entries(reordered).reverse());
    expect(provider.verifyWebhook!(Buffer.from(JSON.stringify(shuffled)), {})?.status).toBe("SUCCEEDED");
  });

  it("refuses tampered payloads, missing checksums and other keys", () => {
    const original = fixture("payment-received.json").toString();
    const tamperings = [
      original.replace('"collectedAmount": "49000.00"', '"collectedAmount": "1.00"'),
      original.replace("0A1B2C3D4E5F60718293A4B5C6D7E8F9", "0A1B2C3D4E5F60718293A4B5C6D7E8F0"),
      original.replace('"PAYMENT RECEIVED"', '"PAYMENT FAILED"'),
      original.replace(/"checksum": "[0-9a-f]+"/, '"checksum": "nope"'),
      original.replace(/,\s*"checksum": "[0-9a-f]+"/, ""),
    ];
    for (const body of tamperings) {
      expect(() => provider.verifyWebhook!(Buffer.from(body), {})).toThrow(WebhookRejected);
      try {
        provider.verifyWebhook!(Buffer.from(body), {});
      } catch (error) {
        expect((error as WebhookRejected).reason).toBe("signature");
      }
    }
    const otherKey = clickpesaProvider(
      { clientId: "c", apiKey: "k", checksumKey: "another-key", baseUrl: "http://127.0.0.1:9" },
      createLog(loadConfig(testEnv())),
    );
    expect(() => otherKey.verifyWebhook!(fixture("payment-received.json"), {})).toThrow(WebhookRejected);
    expect(() => provider.verifyWebhook!(Buffer.from("{"), {})).toThrow(/not JSON/);
  });

  it("starts a USSD push through the API, is confirmed by its webhook, and refunds by payout", async () => {
    const { parent, enrollmentId } = await enrolled({ price: "49000.00", currency: "TZS" });
    gateway.requests.length = 0;
    const started = data(
      await parent.client.request(StartPaymentDocument, {
        input: { enrollmentId, provider: "clickpesa", phoneNumber: "+255754000111", idempotencyKey: key() },
      }),
    ).startPayment;
    expect(started).toMatchObject({ status: "PENDING", provider: "clickpesa", amount: { amount: "49000.00", currency: "TZS" } });
    expect(started.nextAction).toMatchObject({ type: "USSD_PUSH", phoneNumber: "+255754000111", channel: "M-PESA" });
    expect(gateway.requests.map((r) => r.path)).toEqual(["/generate-token", "/payments/initiate-ussd-push-request"]);
    const push = gateway.requests[1]!;
    expect(push.headers.authorization).toBe("Bearer stub-token");
    expect(push.body).toMatchObject({
      amount: "49000.00",
      currency: "TZS",
      phoneNumber: "255754000111",
      orderReference: started.providerReference,
    });
    expect(push.body.checksum).toBe(clickpesaChecksum(CLICKPESA_KEY, push.body));

    // The recorded delivery, about this payment, re-signed with the test key.
    const delivery = JSON.parse(fixture("payment-received.json").toString());
    delivery.data.orderReference = started.providerReference;
    delivery.data.id = `LCP${key()}`;
    delivery.checksum = clickpesaChecksum(CLICKPESA_KEY, delivery);
    const forged = { ...delivery, data: { ...delivery.data, collectedAmount: "1" } };
    expect((await deliver("clickpesa", JSON.stringify(forged))).status).toBe(401);
    expect(await deliver("clickpesa", JSON.stringify(delivery))).toEqual({
      status: 200,
      body: { status: "processed", paymentId: started.id, paymentStatus: "SUCCEEDED" },
    });
    expect(await deliver("clickpesa", JSON.stringify(delivery))).toMatchObject({ status: 200, body: { status: "duplicate" } });

    const refund = data(
      await parent.client.request(RequestRefundDocument, {
        input: { paymentId: started.id, amount: "9000", reason: "x", idempotencyKey: key() },
      }),
    ).requestRefund;
    const done = data(await approve(refund.id)).approveRefund;
    expect(done).toMatchObject({ status: "REFUNDED", payment: { status: "PARTIALLY_REFUNDED" } });
    const payout = gateway.requests.find((r) => r.path === "/payouts/create-mobile-money-payout")!;
    expect(payout.body).toMatchObject({ amount: 9000, currency: "TZS", phoneNumber: "255754000111" });
    expect(payout.body.orderReference).toBe(done.providerReference);
  });

  it("records a FAILED payment when the gateway cannot be reached or the currency is not TZS", async () => {
    const { parent, enrollmentId } = await enrolled({ price: "250.00" });
    const egp = data(
      await parent.client.request(StartPaymentDocument, { input: { enrollmentId, provider: "clickpesa", idempotencyKey: key() } }),
    ).startPayment;
    expect(egp).toMatchObject({ status: "FAILED", failureReason: "ClickPesa collects TZS only." });
    const tzs = await enrolled({ price: "1000.00", currency: "TZS" });
    const outage = data(
      await tzs.parent.client.request(StartPaymentDocument, {
        input: { enrollmentId: tzs.enrollmentId, provider: "clickpesa", phoneNumber: "+255700000500", idempotencyKey: key() },
      }),
    ).startPayment;
    expect(outage.status).toBe("FAILED");
    expect(outage.failureReason).toMatch(/could not be reached; nothing was charged/);
    // A failed start holds nothing back: the whole amount can be paid again.
    expect(data(await money(tzs.parent, tzs.enrollmentId)).enrollment.balance!.amount).toBe("1000.00");
  });
});

describe("webhooks about another currency or with text the database cannot store", () => {
  it("refuses an event in another currency (answered 200 ignored, logged at warn); the payment stays unpaid", async () => {
    const { parent, enrollmentId } = await enrolled({ price: "100.00" });
    const payment = data(await start(parent, enrollmentId)).startPayment;
    expect(payment.amount.currency).toBe("EGP");
    logs.clear();
    for (const status of ["SUCCEEDED", "FAILED"] as const) {
      const refused = await confirm(payment, { currency: "USD", status });
      expect(refused).toEqual({ status: 200, body: { status: "ignored", reason: "currency mismatch" } });
    }
    const warnings = logs.lines.filter((line) => line.msg.startsWith("payment webhook refused"));
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatchObject({
      level: LEVEL.warn,
      paymentId: payment.id,
      reason: "currency mismatch",
      expected: { amount: "100.00", currency: "EGP" },
      reported: { amount: "100.00", currency: "USD" },
    });
    expect(logs.atLeast(LEVEL.error)).toEqual([]);
    expect(data(await parent.client.request(PaymentDocument, { id: payment.id })).payment.status).toBe("PENDING");
    expect(await notificationKinds(parent.user.id)).not.toContain("PAYMENT_SUCCEEDED");
    // The gateway's own event, in the payment's currency (any letter case), is applied.
    expect((await confirm(payment, { currency: "egp" })).body).toMatchObject({ status: "processed", paymentStatus: "SUCCEEDED" });
  });

  it("refuses a currency that is not a code, and a ClickPesa collection in another currency", async () => {
    const { parent, enrollmentId } = await enrolled({ price: "100.00" });
    const payment = data(await start(parent, enrollmentId)).startPayment;
    for (const currency of ["EURO", "", "E1P"]) {
      const refused = await confirm(payment, { currency });
      expect([currency, refused.status, refused.body.errors[0].extensions.code]).toEqual([currency, 400, "BAD_REQUEST"]);
    }
    const tzs = await enrolled({ price: "49000.00", currency: "TZS" });
    const started = data(
      await tzs.parent.client.request(StartPaymentDocument, {
        input: { enrollmentId: tzs.enrollmentId, provider: "clickpesa", phoneNumber: "+255754000111", idempotencyKey: key() },
      }),
    ).startPayment;
    const delivery = JSON.parse(fixture("payment-received.json").toString());
    delivery.data.orderReference = started.providerReference;
    delivery.data.id = `LCP${key()}`;
    delivery.data.collectedCurrency = "KES";
    delivery.checksum = clickpesaChecksum(CLICKPESA_KEY, delivery);
    expect(await deliver("clickpesa", JSON.stringify(delivery))).toEqual({
      status: 200,
      body: { status: "ignored", reason: "currency mismatch" },
    });
    expect(data(await tzs.parent.client.request(PaymentDocument, { id: started.id })).payment.status).toBe("PENDING");
  });

  it("answers NUL bytes and lone surrogates 400 BAD_REQUEST, signed or not, and changes nothing", async () => {
    const { parent, enrollmentId } = await enrolled({ price: "100.00" });
    const payment = data(await start(parent, enrollmentId)).startPayment;
    logs.clear();
    const event = (patch: (body: ReturnType<typeof sandboxEvent>) => void) => {
      const body = sandboxEvent({
        reference: payment.providerReference,
        amount: "100.00",
        currency: "EGP",
        status: "FAILED",
        reason: "declined",
      });
      patch(body);
      return JSON.stringify(body);
    };
    for (const body of [
      event((b) => (b.data.reason = "declined\u0000")),
      event((b) => (b.data.reference = `${b.data.reference}\u0000`)),
      event((b) => (b.id = "evt_\u0000")),
      event((b) => ((b as unknown as Record<string, unknown>)["k\u0000"] = 1)),
      event((b) => (b.data.reason = "\ud800")),
    ]) {
      const result = await deliver("sandbox", body, { "x-roster-signature": signSandboxWebhook(secret, body) });
      expect([body, result.status, result.body.errors?.[0]?.extensions?.code]).toEqual([body, 400, "BAD_REQUEST"]);
    }
    const clickpesa = JSON.parse(fixture("payment-received.json").toString());
    clickpesa.data.message = "ok\u0000";
    clickpesa.checksum = clickpesaChecksum(CLICKPESA_KEY, clickpesa);
    expect((await deliver("clickpesa", JSON.stringify(clickpesa))).status).toBe(400);
    expect(logs.atLeast(LEVEL.error)).toEqual([]);
    expect(data(await parent.client.request(PaymentDocument, { id: payment.id })).payment.status).toBe("PENDING");
    expect(await db().select().from(paymentWebhookEvents).where(eq(paymentWebhookEvents.paymentId, payment.id))).toEqual([]);
  });
});

describe("concurrency", () => {
  /** Ten requests at once; returns their results. */
  const tenAtOnce = <T>(fn: (i: number) => Promise<T>) => Promise.all(Array.from({ length: 10 }, (_, i) => fn(i)));
  const sandboxRefundsOf = (refundId: string) => sandbox.refunds.filter((r) => r.refundId === refundId).length;

  it("approveRefund retried 10 times at once with one key refunds exactly once; all answers are equal", async () => {
    const { parent, payment } = await paid({ price: "120.00" });
    const refund = data(
      await parent.client.request(RequestRefundDocument, {
        input: { paymentId: payment.id, amount: "120", reason: "x", idempotencyKey: key() },
      }),
    ).requestRefund;
    const k = key();
    const results = await tenAtOnce(() => approve(refund.id, k));
    expect(results.map(codes)).toEqual(Array.from({ length: 10 }, () => []));
    const answers = results.map((r) => JSON.stringify(data(r)));
    expect(new Set(answers).size).toBe(1);
    expect(data(results[0]!).approveRefund).toMatchObject({
      status: "REFUNDED",
      payment: { status: "REFUNDED", refundedAmount: { amount: "120.00" } },
    });
    expect(sandboxRefundsOf(refund.id)).toBe(1);
    const [row] = await db().select().from(payments).where(eq(payments.id, payment.id));
    expect(row!.refundedAmount).toBe("120.00");
    const approvals = await db()
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entityId, refund.id), eq(auditLog.action, "refund.approve")));
    expect(approvals).toHaveLength(1);
  });

  it("10 approvals of one refund with different keys refund once; the others are CONFLICT", async () => {
    const { parent, payment } = await paid({ price: "90.00" });
    const refund = data(
      await parent.client.request(RequestRefundDocument, {
        input: { paymentId: payment.id, amount: "30", reason: "x", idempotencyKey: key() },
      }),
    ).requestRefund;
    const results = await tenAtOnce(() => approve(refund.id));
    expect(results.filter((r) => !r.errors).length).toBe(1);
    expect(results.filter((r) => codes(r)[0] === "CONFLICT").length).toBe(9);
    expect(sandboxRefundsOf(refund.id)).toBe(1);
    const [row] = await db().select().from(payments).where(eq(payments.id, payment.id));
    expect(row).toMatchObject({ refundedAmount: "30.00", status: "PARTIALLY_REFUNDED" });
  });

  it("concurrent approvals of two refunds of one payment never exceed what was paid", async () => {
    const { parent, payment } = await paid({ price: "100.00" });
    // Two requests that together claim more than was paid (inserted directly: the API refuses to create them).
    const claims = await db()
      .insert(refundRequests)
      .values(
        ["70.00", "60.00"].map((amount) => ({
          tenantId: school.tenant.id,
          paymentId: payment.id,
          amount,
          reason: "race",
          requestedBy: parent.user.id,
        })),
      )
      .returning();
    const results = await Promise.all(claims.map((claim) => approve(claim.id)));
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    const refused = results.find((r) => r.errors)!;
    expect(codes(refused)).toEqual(["BAD_USER_INPUT"]);
    expect(refused.errors![0]!.message).toMatch(/Over-refund/);
    const [row] = await db().select().from(payments).where(eq(payments.id, payment.id));
    expect(toCents(row!.refundedAmount) <= toCents(row!.amount)).toBe(true);
    expect(["70.00", "60.00"]).toContain(row!.refundedAmount);

    // The CHECK constraint is the backstop, and it reads as a clear error.
    const error = await db()
      .update(payments)
      .set({ refundedAmount: sql`${payments.amount} + 1` })
      .where(eq(payments.id, payment.id))
      .then(
        () => null,
        (e: unknown) => e,
      );
    const mapped = fromDatabaseError(error);
    expect(mapped?.extensions.code).toBe("BAD_USER_INPUT");
    expect(mapped?.message).toMatch(/Over-refund/);
  });

  it("10 payments started at once never pay more than is owed; one key starts one payment", async () => {
    const { parent, enrollmentId } = await enrolled({ price: "75.00" });
    const k = key();
    const sameKey = await tenAtOnce(() => start(parent, enrollmentId, { idempotencyKey: k }));
    expect(new Set(sameKey.map((r) => data(r).startPayment.id)).size).toBe(1);
    const { enrollmentId: other, parent: otherParent } = await enrolled({ price: "75.00" });
    const racing = await tenAtOnce(() => start(otherParent, other, { amount: "30" }));
    expect(racing.filter((r) => !r.errors)).toHaveLength(2);
    expect(racing.filter((r) => codes(r)[0] === "BAD_USER_INPUT")).toHaveLength(8);
    const rows = await db().select().from(payments).where(eq(payments.enrollmentId, other));
    expect(formatCents(rows.reduce((sum, row) => sum + toCents(row.amount), 0n))).toBe("60.00");
  });
});

describe("configuration", () => {
  it("validates the payment settings and keeps the sandbox out of production", () => {
    expect(() => loadConfig(testEnv({ CLICKPESA_CLIENT_ID: "only-this" }))).toThrow(/CLICKPESA_API_KEY, CLICKPESA_CHECKSUM_KEY: required/);
    expect(() =>
      loadConfig(testEnv({ CLICKPESA_CLIENT_ID: "a", CLICKPESA_API_KEY: "b", CLICKPESA_CHECKSUM_KEY: "c", CLICKPESA_BASE_URL: "ftp://x" })),
    ).toThrow(/CLICKPESA_BASE_URL/);
    expect(() => loadConfig(testEnv({ SANDBOX_WEBHOOK_SECRET: "short" }))).toThrow(/at least 16/);
    const production = { NODE_ENV: "production", JWT_PRIVATE_KEY: "set", ROSTER_DB: "memory" };
    expect(loadConfig(production).payments.sandbox).toBeUndefined();
    expect(() => loadConfig({ ...production, PAYMENTS_SANDBOX: "true" })).toThrow(/SANDBOX_WEBHOOK_SECRET: required/);
    expect(
      loadConfig({ ...production, PAYMENTS_SANDBOX: "true", SANDBOX_WEBHOOK_SECRET: "a-long-enough-secret" }).payments.sandbox,
    ).toEqual({
      webhookSecret: "a-long-enough-secret",
    });
  });
});
