/**
 * Selcom, Polar and Paymob against a local HTTP server that plays all three: it checks
 * each request's shape and authentication as the gateway would, answers like their
 * documentation, and can fail (5xx), refuse (4xx) or hang (timeouts). Webhooks are
 * signed here as each gateway signs them (computed independently of the adapters).
 */
import { createHmac, randomInt, randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, paymentWebhookEvents, payments, refundRequests } from "../drizzle/schema";
import { loadConfig } from "../server/config";
import {
  ApproveRefundDocument,
  EnrollmentMoneyDocument,
  PaymentDocument,
  RequestRefundDocument,
  StartPaymentDocument,
} from "./sdk/graphql";
import { codes, data } from "./helpers/client";
import type { SignedIn } from "./helpers/fixtures";
import { createSchool, type School } from "./helpers/school";
import { startTestServer, testEnv, type TestServer } from "./helpers/server";

const SELCOM = { key: "selcom-test-api-key", secret: "selcom-test-api-secret", vendor: "TILL61000001" };
const POLAR = { token: "polar_oat_test_token", secret: "polar-test-webhook-secret", product: "8f1c2d3e-0000-4000-8000-00000000a001" };
const PAYMOB = {
  secret: "egy_sk_test_secret",
  public: "egy_pk_test_public",
  hmac: "PAYMOB-TEST-HMAC-SECRET",
  integrations: [4500001, 4500002],
};
const PUBLIC_BASE = "https://roster.example.test";

// ---------------------------------------------------------------- the fake gateways

type Seen = { path: string; headers: http.IncomingHttpHeaders; body: Record<string, any> };
/** What the fake answers a path with instead of its normal answer. */
type Override = { status?: number; body?: unknown; hang?: boolean };
/** orderCounter: Paymob order ids are global; a random start keeps reruns on a kept PostgreSQL database apart. */
const fake = {
  requests: [] as Seen[],
  overrides: new Map<string, Override>(),
  authFailures: [] as string[],
  orderCounter: randomInt(1_000_000, 1_000_000_000),
};

const b64 = (text: string) => Buffer.from(text).toString("base64");
/** Selcom's digest, written out here from its documentation (not the adapter's code). */
const selcomDigest = (timestamp: string, fields: string[], body: Record<string, unknown>) =>
  createHmac("sha256", SELCOM.secret)
    .update([`timestamp=${timestamp}`, ...fields.map((f) => `${f}=${body[f] ?? ""}`)].join("&"))
    .digest("base64");

function authorised(path: string, headers: http.IncomingHttpHeaders, body: Record<string, unknown>): boolean {
  if (path.startsWith("/selcom/")) {
    const fields = String(headers["signed-fields"] ?? "").split(",");
    return (
      headers.authorization === `SELCOM ${b64(SELCOM.key)}` &&
      headers["digest-method"] === "HS256" &&
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/.test(String(headers.timestamp)) &&
      fields.join() === Object.keys(body).join() &&
      headers.digest === selcomDigest(String(headers.timestamp), fields, body)
    );
  }
  if (path.startsWith("/polar/")) return headers.authorization === `Bearer ${POLAR.token}`;
  if (path.startsWith("/paymob/")) return headers.authorization === `Token ${PAYMOB.secret}`;
  return false;
}

function answer(path: string, body: Record<string, any>): [number, unknown] {
  switch (path) {
    case "/selcom/v1/checkout/create-order-minimal":
      return [
        200,
        {
          reference: "0289999288",
          resultcode: "000",
          result: "SUCCESS",
          message: "Order creation successful",
          data: [
            {
              gateway_buyer_uuid: "12344321",
              payment_token: "80008000",
              qr: "QR",
              payment_gateway_url: b64(`https://checkout.selcom.test/pay/${body.order_id}`),
            },
          ],
        },
      ];
    case "/selcom/v1/checkout/wallet-payment":
      return [200, { reference: "0289999289", resultcode: "000", result: "SUCCESS", message: "Push sent", data: [] }];
    case "/polar/v1/checkouts/":
      return [
        201,
        { id: `chk_${randomUUID()}`, url: "https://buy.polar.test/checkout/abc", status: "open", amount: body.amount, currency: "usd" },
      ];
    case "/polar/v1/refunds/":
      return [201, { id: `ref_${randomUUID()}`, status: "pending", amount: body.amount, order_id: body.order_id }];
    case "/paymob/v1/intention/":
      return [
        201,
        {
          id: `pi_test_${randomUUID()}`,
          client_secret: `egy_csk_test_${randomUUID()}`,
          intention_order_id: ++fake.orderCounter,
          status: "intended",
        },
      ];
    case "/paymob/api/acceptance/void_refund/refund":
      return [200, { id: 990_000 + fake.orderCounter, success: true, is_refund: true, amount_cents: body.amount_cents }];
    default:
      return [404, { detail: "not found" }];
  }
}

const gateways = http.createServer((req, res) => {
  let raw = "";
  req.on("data", (chunk) => (raw += chunk));
  req.on("end", () => {
    const body = raw ? JSON.parse(raw) : {};
    const path = req.url!;
    fake.requests.push({ path, headers: req.headers, body });
    res.setHeader("content-type", "application/json");
    if (!authorised(path, req.headers, body)) {
      fake.authFailures.push(path);
      res.statusCode = 401;
      return void res.end(JSON.stringify({ detail: "unauthorised" }));
    }
    const override = fake.overrides.get(path);
    if (override?.hang) return; // never answers: the adapter's time limit must end it
    const [status, payload] = override?.status ? [override.status, override.body ?? {}] : answer(path, body);
    res.statusCode = status;
    res.end(JSON.stringify(payload));
  });
});

// ---------------------------------------------------------------- the server under test

let t: TestServer;
let school: School;
const key = () => randomUUID();
const db = () => t.deps.database.db;

beforeAll(async () => {
  await new Promise<void>((resolve) => gateways.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(gateways.address() as AddressInfo).port}`;
  t = await startTestServer({
    PAYMENT_WEBHOOK_BASE_URL: PUBLIC_BASE,
    PAYMENT_GATEWAY_TIMEOUT: "600ms",
    SELCOM_API_KEY: SELCOM.key,
    SELCOM_API_SECRET: SELCOM.secret,
    SELCOM_VENDOR: SELCOM.vendor,
    SELCOM_BASE_URL: `${base}/selcom/v1`,
    POLAR_ACCESS_TOKEN: POLAR.token,
    POLAR_WEBHOOK_SECRET: POLAR.secret,
    POLAR_PRODUCT_ID: POLAR.product,
    POLAR_BASE_URL: `${base}/polar`,
    PAYMOB_SECRET_KEY: PAYMOB.secret,
    PAYMOB_PUBLIC_KEY: PAYMOB.public,
    PAYMOB_HMAC_SECRET: PAYMOB.hmac,
    PAYMOB_INTEGRATION_IDS: PAYMOB.integrations.join(","),
    PAYMOB_BASE_URL: `${base}/paymob`,
  });
  school = await createSchool(t);
});
afterAll(async () => {
  await t?.close();
  gateways.closeAllConnections();
  gateways.close();
});

/** A family with one child enrolled in a course of this price and currency. */
async function enrolled(price: string, currency: string) {
  const courseId = await school.createCourse({ price, currency });
  const family = await school.family(1);
  const enrollmentId = await school.enroll(courseId, family.childIds[0]!, family.parent);
  return { parent: family.parent, enrollmentId };
}

const start = (who: SignedIn, enrollmentId: string, provider: string, extra: { phoneNumber?: string; amount?: string } = {}) =>
  who.client.request(StartPaymentDocument, { input: { enrollmentId, provider, idempotencyKey: key(), ...extra } });

async function deliver(provider: string, body: string, headers: Record<string, string> = {}, query = "") {
  const response = await fetch(`${t.url}/webhooks/payments/${provider}${query}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
  return { status: response.status, body: (await response.json()) as any };
}

const paymentRow = async (id: string) => (await db().select().from(payments).where(eq(payments.id, id)))[0]!;
const eventsOf = async (paymentId: string) => db().select().from(paymentWebhookEvents).where(eq(paymentWebhookEvents.paymentId, paymentId));
const balance = async (who: SignedIn, id: string) =>
  data(await who.client.request(EnrollmentMoneyDocument, { id })).enrollment.balance!.amount;

async function refund(who: SignedIn, paymentId: string, amount: string) {
  const requested = data(
    await who.client.request(RequestRefundDocument, { input: { paymentId, amount, reason: "moving away", idempotencyKey: key() } }),
  ).requestRefund;
  return data(await school.admin.client.request(ApproveRefundDocument, { input: { refundRequestId: requested.id, idempotencyKey: key() } }))
    .approveRefund;
}

/** The gateway failures every adapter must survive the same way: a FAILED payment, nothing held, nothing else written. */
async function expectUnreachable(provider: string, path: string, price: string, currency: string, override: Override) {
  const { parent, enrollmentId } = await enrolled(price, currency);
  fake.overrides.set(path, override);
  try {
    const started = Date.now();
    const payment = data(await start(parent, enrollmentId, provider, { phoneNumber: "+255754000111" })).startPayment;
    expect(payment.status).toBe("FAILED");
    expect(payment.failureReason).toMatch(/could not be reached; nothing was charged/);
    if (override.hang) expect(Date.now() - started).toBeLessThan(5000);
    expect(await balance(parent, enrollmentId)).toBe(price);
    expect(await eventsOf(payment.id)).toEqual([]);
  } finally {
    fake.overrides.delete(path);
  }
}

// ---------------------------------------------------------------- Selcom

/** A Selcom callback signed as Selcom signs (all its fields, or `fields`). */
function selcomCallback(body: Record<string, unknown>, options: { fields?: string[]; at?: Date; secret?: string; apiKey?: string } = {}) {
  const timestamp = `${(options.at ?? new Date()).toISOString().slice(0, 19)}+00:00`;
  const fields = options.fields ?? Object.keys(body);
  const digest = createHmac("sha256", options.secret ?? SELCOM.secret)
    .update([`timestamp=${timestamp}`, ...fields.map((f) => `${f}=${body[f] ?? ""}`)].join("&"))
    .digest("base64");
  return {
    body: JSON.stringify(body),
    headers: {
      authorization: `SELCOM ${b64(options.apiKey ?? SELCOM.key)}`,
      "digest-method": "HS256",
      digest,
      timestamp,
      "signed-fields": fields.join(","),
    },
  };
}

const selcomPaid = (orderId: string, extra: Record<string, unknown> = {}) => ({
  result: "SUCCESS",
  resultcode: "000",
  order_id: orderId,
  transid: `T${randomUUID().slice(0, 8)}`,
  reference: "0289999290",
  channel: "AIRTELMONEY",
  amount: "49000",
  phone: "255754000111",
  payment_status: "COMPLETED",
  ...extra,
});

describe("Selcom", () => {
  it("creates a signed checkout order, pushes the USSD prompt, and is confirmed once by its signed callback", async () => {
    const { parent, enrollmentId } = await enrolled("49000.00", "TZS");
    fake.requests.length = 0;
    const payment = data(await start(parent, enrollmentId, "selcom", { phoneNumber: "+255754000111" })).startPayment;
    expect(payment).toMatchObject({ status: "PENDING", provider: "selcom", amount: { amount: "49000.00", currency: "TZS" } });
    expect(fake.authFailures).toEqual([]);
    expect(fake.requests.map((r) => r.path)).toEqual(["/selcom/v1/checkout/create-order-minimal", "/selcom/v1/checkout/wallet-payment"]);
    const [order, push] = fake.requests;
    expect(order!.body).toMatchObject({
      vendor: SELCOM.vendor,
      order_id: payment.providerReference,
      buyer_phone: "255754000111",
      amount: 49000,
      currency: "TZS",
      no_of_items: 1,
    });
    expect(Buffer.from(order!.body.webhook, "base64").toString()).toBe(`${PUBLIC_BASE}/webhooks/payments/selcom`);
    expect(push!.body).toEqual({ transid: payment.id, order_id: payment.providerReference, msisdn: "255754000111" });
    expect(payment.nextAction).toMatchObject({
      type: "USSD_PUSH",
      url: `https://checkout.selcom.test/pay/${payment.providerReference}`,
    });

    const paid = selcomPaid(payment.providerReference);
    // Forged: another secret, another key, a stale timestamp, the amount left out of the signature, a changed amount.
    const forgeries = [
      selcomCallback(paid, { secret: "not-the-secret" }),
      selcomCallback(paid, { apiKey: "someone-else" }),
      selcomCallback(paid, { at: new Date(Date.now() - 10 * 60_000) }),
      selcomCallback(paid, { fields: Object.keys(paid).filter((f) => f !== "amount") }),
      { ...selcomCallback(paid), body: JSON.stringify({ ...paid, amount: "1" }) },
    ];
    for (const forged of forgeries) expect((await deliver("selcom", forged.body, forged.headers)).status).toBe(401);
    expect((await deliver("selcom", JSON.stringify(paid))).status).toBe(401); // no headers at all
    expect((await paymentRow(payment.id)).status).toBe("PENDING");

    const good = selcomCallback(paid);
    expect(await deliver("selcom", good.body, good.headers)).toEqual({
      status: 200,
      body: { status: "processed", paymentId: payment.id, paymentStatus: "SUCCEEDED" },
    });
    // The same delivery again (a replay inside the window): nothing changes.
    expect((await deliver("selcom", good.body, good.headers)).body).toEqual({ status: "duplicate", paymentId: payment.id });
    // A late "cancelled" never moves a paid payment back.
    const late = selcomCallback(selcomPaid(payment.providerReference, { payment_status: "CANCELLED", result: "FAIL" }));
    expect((await deliver("selcom", late.body, late.headers)).body).toMatchObject({
      status: "ignored",
      reason: "payment already SUCCEEDED",
    });
    expect(await paymentRow(payment.id)).toMatchObject({ status: "SUCCEEDED", failureReason: null });
    expect(await balance(parent, enrollmentId)).toBe("0.00");
    expect(await eventsOf(payment.id)).toHaveLength(2);
  });

  it("refuses a callback for another amount (200 ignored) and waits through PENDING", async () => {
    const { parent, enrollmentId } = await enrolled("30000.00", "TZS");
    const payment = data(await start(parent, enrollmentId, "selcom", { phoneNumber: "+255754000111" })).startPayment;
    const pending = selcomCallback(selcomPaid(payment.providerReference, { payment_status: "PENDING", amount: "30000" }));
    expect((await deliver("selcom", pending.body, pending.headers)).body).toEqual({ status: "ignored", reason: "not a payment event" });
    const cheaper = selcomCallback(selcomPaid(payment.providerReference, { amount: "3000" }));
    expect((await deliver("selcom", cheaper.body, cheaper.headers)).body).toMatchObject({ status: "ignored", reason: "amount mismatch" });
    expect((await paymentRow(payment.id)).status).toBe("PENDING");
    const rejected = selcomCallback(
      selcomPaid(payment.providerReference, { payment_status: "REJECTED", amount: "30000", message: "Insufficient funds" }),
    );
    expect((await deliver("selcom", rejected.body, rejected.headers)).body).toMatchObject({ status: "processed", paymentStatus: "FAILED" });
    expect(await paymentRow(payment.id)).toMatchObject({ status: "FAILED", failureReason: "Insufficient funds" });
  });

  it("declines what it cannot take, survives outages and time-outs, and refunds only through the portal", async () => {
    const egp = await enrolled("250.00", "EGP");
    expect(data(await start(egp.parent, egp.enrollmentId, "selcom", { phoneNumber: "+255754000111" })).startPayment).toMatchObject({
      status: "FAILED",
      failureReason: "Selcom collects TZS only.",
    });
    const cents = await enrolled("1000.50", "TZS");
    expect(data(await start(cents.parent, cents.enrollmentId, "selcom", { phoneNumber: "+255754000111" })).startPayment.failureReason).toBe(
      "Selcom collects whole shillings only.",
    );
    // Selcom answers 200 with an error result code: its message is the reason.
    const declined = await enrolled("1000.00", "TZS");
    fake.overrides.set("/selcom/v1/checkout/create-order-minimal", {
      status: 200,
      body: { resultcode: "403", result: "FAIL", message: "Invalid vendor" },
    });
    expect(
      data(await start(declined.parent, declined.enrollmentId, "selcom", { phoneNumber: "+255754000111" })).startPayment,
    ).toMatchObject({
      status: "FAILED",
      failureReason: "Invalid vendor",
    });
    fake.overrides.delete("/selcom/v1/checkout/create-order-minimal");

    await expectUnreachable("selcom", "/selcom/v1/checkout/create-order-minimal", "1000.00", "TZS", { status: 503 });
    await expectUnreachable("selcom", "/selcom/v1/checkout/create-order-minimal", "1000.00", "TZS", { hang: true });

    // A failed push leaves the checkout page as the way to pay.
    const noPush = await enrolled("2000.00", "TZS");
    fake.overrides.set("/selcom/v1/checkout/wallet-payment", { status: 500 });
    const viaPage = data(await start(noPush.parent, noPush.enrollmentId, "selcom", { phoneNumber: "+255754000111" })).startPayment;
    fake.overrides.delete("/selcom/v1/checkout/wallet-payment");
    expect(viaPage).toMatchObject({ status: "PENDING", nextAction: { type: "REDIRECT" } });

    const paid = selcomCallback(selcomPaid(viaPage.providerReference, { amount: "2000" }));
    expect((await deliver("selcom", paid.body, paid.headers)).body.status).toBe("processed");
    const refunded = await refund(noPush.parent, viaPage.id, "500");
    expect(refunded).toMatchObject({ status: "FAILED", decisionNote: expect.stringMatching(/merchant portal/) });
    expect(await paymentRow(viaPage.id)).toMatchObject({ status: "SUCCEEDED", refundedAmount: "0.00" });
  });
});

// ---------------------------------------------------------------- Polar

/** A Polar delivery signed per Standard Webhooks with the raw secret's bytes as key. */
function polarDelivery(event: Record<string, unknown>, options: { id?: string; timestamp?: number; secret?: string } = {}) {
  const id = options.id ?? `msg_${randomUUID()}`;
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const body = JSON.stringify(event);
  const signature = createHmac("sha256", Buffer.from(options.secret ?? POLAR.secret))
    .update(`${id}.${timestamp}.${body}`)
    .digest("base64");
  return { body, headers: { "webhook-id": id, "webhook-timestamp": String(timestamp), "webhook-signature": `v1,${signature}` } };
}

const orderPaid = (checkoutId: string, cents: number, currency = "usd") => ({
  type: "order.paid",
  timestamp: new Date().toISOString(),
  data: {
    id: `ord_${randomUUID()}`,
    checkout_id: checkoutId,
    status: "paid",
    currency,
    subtotal_amount: cents,
    discount_amount: 0,
    net_amount: cents,
    tax_amount: 0,
    total_amount: cents,
    created_at: new Date().toISOString(),
  },
});

describe("Polar", () => {
  it("opens a checkout, is confirmed by order.paid, and refunds that order", async () => {
    const { parent, enrollmentId } = await enrolled("120.00", "USD");
    fake.requests.length = 0;
    const payment = data(await start(parent, enrollmentId, "polar")).startPayment;
    expect(payment).toMatchObject({ status: "PENDING", nextAction: { type: "REDIRECT", url: "https://buy.polar.test/checkout/abc" } });
    expect(fake.authFailures).toEqual([]);
    const [checkout] = fake.requests;
    expect(checkout!.path).toBe("/polar/v1/checkouts/");
    expect(checkout!.body).toMatchObject({
      products: [POLAR.product],
      amount: 12000,
      allow_discount_codes: false,
      metadata: { roster_payment_id: payment.id },
    });
    expect(payment.providerReference).toMatch(/^chk_/);

    const event = orderPaid(payment.providerReference, 12000);
    const good = polarDelivery(event);
    const forgeries = [
      polarDelivery(event, { secret: "another-secret" }),
      polarDelivery(event, { timestamp: Math.floor(Date.now() / 1000) - 600 }),
      { ...good, body: good.body.replace("12000", "1200") },
      { ...good, headers: { ...good.headers, "webhook-id": "msg_other" } },
      { body: good.body, headers: {} },
    ];
    for (const forged of forgeries) expect((await deliver("polar", forged.body, forged.headers)).status).toBe(401);
    expect(await deliver("polar", good.body, good.headers)).toEqual({
      status: 200,
      body: { status: "processed", paymentId: payment.id, paymentStatus: "SUCCEEDED" },
    });
    // Polar retries with the same webhook-id: a duplicate.
    expect((await deliver("polar", good.body, good.headers)).body.status).toBe("duplicate");
    // A late "expired" after payment changes nothing; other events are acknowledged and ignored.
    const expired = polarDelivery({ type: "checkout.updated", data: { id: payment.providerReference, status: "expired" } });
    expect((await deliver("polar", expired.body, expired.headers)).body).toMatchObject({ status: "ignored" });
    const other = polarDelivery({ type: "customer.created", data: { id: "cus_1" } });
    expect((await deliver("polar", other.body, other.headers)).body).toEqual({ status: "ignored", reason: "not a payment event" });
    expect((await paymentRow(payment.id)).status).toBe("SUCCEEDED");

    const done = await refund(parent, payment.id, "20.00");
    expect(done).toMatchObject({ status: "REFUNDED", payment: { status: "PARTIALLY_REFUNDED" } });
    const refundCall = fake.requests.find((r) => r.path === "/polar/v1/refunds/")!;
    expect(refundCall.body).toMatchObject({ order_id: event.data.id, amount: 2000, reason: "customer_request" });
    expect(done.providerReference).toMatch(/^ref_/);
  });

  it("refuses another currency at start and in the webhook; a failed checkout fails the payment", async () => {
    const egp = await enrolled("250.00", "EGP");
    expect(data(await start(egp.parent, egp.enrollmentId, "polar")).startPayment).toMatchObject({
      status: "FAILED",
      failureReason: "Polar collects USD only.",
    });
    const { parent, enrollmentId } = await enrolled("50.00", "USD");
    const payment = data(await start(parent, enrollmentId, "polar")).startPayment;
    const euros = polarDelivery(orderPaid(payment.providerReference, 5000, "eur"));
    expect((await deliver("polar", euros.body, euros.headers)).body).toMatchObject({ status: "ignored", reason: "currency mismatch" });
    const failed = polarDelivery({ type: "checkout.updated", data: { id: payment.providerReference, status: "failed" } });
    expect((await deliver("polar", failed.body, failed.headers)).body).toMatchObject({ status: "processed", paymentStatus: "FAILED" });
    expect(await balance(parent, enrollmentId)).toBe("50.00");
  });

  it("a gateway outage on a refund fails the request and writes nothing else", async () => {
    const { parent, enrollmentId } = await enrolled("80.00", "USD");
    const payment = data(await start(parent, enrollmentId, "polar")).startPayment;
    const paid = polarDelivery(orderPaid(payment.providerReference, 8000));
    expect((await deliver("polar", paid.body, paid.headers)).body.status).toBe("processed");
    for (const override of [{ status: 502 }, { hang: true }] satisfies Override[]) {
      fake.overrides.set("/polar/v1/refunds/", override);
      const failed = await refund(parent, payment.id, "10.00");
      expect(failed).toMatchObject({ status: "FAILED", decisionNote: "The payment gateway could not be reached." });
    }
    fake.overrides.delete("/polar/v1/refunds/");
    expect(await paymentRow(payment.id)).toMatchObject({ status: "SUCCEEDED", refundedAmount: "0.00" });
    const refundsAudited = await db()
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entityId, payment.id), eq(auditLog.action, "payment.refund")));
    expect(refundsAudited).toEqual([]);
    await expectUnreachable("polar", "/polar/v1/checkouts/", "80.00", "USD", { status: 500 });
    await expectUnreachable("polar", "/polar/v1/checkouts/", "80.00", "USD", { hang: true });
  });
});

// ---------------------------------------------------------------- Paymob

/** A Paymob transaction callback, with its HMAC computed the documented way. */
function paymobCallback(
  order: number | string,
  options: { success?: boolean; pending?: boolean; cents?: number; currency?: string; id?: number } = {},
) {
  const obj = {
    id: options.id ?? Math.floor(Math.random() * 1e9),
    pending: options.pending ?? false,
    amount_cents: options.cents ?? 25000,
    success: options.success ?? true,
    is_auth: false,
    is_capture: false,
    is_standalone_payment: true,
    is_voided: false,
    is_refunded: false,
    is_3d_secure: true,
    integration_id: PAYMOB.integrations[0],
    has_parent_transaction: false,
    order: { id: order, merchant_order_id: null },
    created_at: "2026-11-27T21:03:05.123456",
    currency: options.currency ?? "EGP",
    source_data: { pan: "2346", type: "card", sub_type: "MasterCard" },
    error_occured: false,
    owner: 302852,
    data: { message: options.success === false ? "Do not honour" : "Approved" },
  };
  const values = [
    obj.amount_cents,
    obj.created_at,
    obj.currency,
    obj.error_occured,
    obj.has_parent_transaction,
    obj.id,
    obj.integration_id,
    obj.is_3d_secure,
    obj.is_auth,
    obj.is_capture,
    obj.is_refunded,
    obj.is_standalone_payment,
    obj.is_voided,
    obj.order.id,
    obj.owner,
    obj.pending,
    obj.source_data.pan,
    obj.source_data.sub_type,
    obj.source_data.type,
    obj.success,
  ];
  const hmac = createHmac("sha512", PAYMOB.hmac).update(values.map(String).join("")).digest("hex");
  return { body: JSON.stringify({ type: "TRANSACTION", obj }), query: `?hmac=${hmac}`, obj };
}

describe("Paymob", () => {
  it("creates an intention for the unified checkout, is confirmed by the HMAC-signed callback, and refunds the transaction", async () => {
    const { parent, enrollmentId } = await enrolled("250.00", "EGP");
    fake.requests.length = 0;
    const payment = data(await start(parent, enrollmentId, "paymob")).startPayment;
    expect(payment).toMatchObject({ status: "PENDING", provider: "paymob", amount: { amount: "250.00", currency: "EGP" } });
    expect(fake.authFailures).toEqual([]);
    const [intention] = fake.requests;
    expect(intention!.path).toBe("/paymob/v1/intention/");
    expect(intention!.body).toMatchObject({
      amount: 25000,
      currency: "EGP",
      payment_methods: PAYMOB.integrations,
      special_reference: payment.id,
      notification_url: `${PUBLIC_BASE}/webhooks/payments/paymob`,
      items: [{ amount: 25000, quantity: 1 }],
    });
    expect(Object.keys(intention!.body.billing_data).sort()).toEqual(["email", "first_name", "last_name", "phone_number"]);
    expect(payment.providerReference).toBe(String(fake.orderCounter));
    expect((payment.nextAction as { url: string }).url).toMatch(
      new RegExp(`/paymob/unifiedcheckout/\\?publicKey=${PAYMOB.public}&clientSecret=egy_csk_test_`),
    );

    const callback = paymobCallback(Number(payment.providerReference));
    expect((await deliver("paymob", callback.body)).status).toBe(401); // no hmac
    expect((await deliver("paymob", callback.body, {}, `?hmac=${"0".repeat(128)}`)).status).toBe(401);
    const tampered = callback.body.replace('"amount_cents":25000', '"amount_cents":2500');
    expect((await deliver("paymob", tampered, {}, callback.query)).status).toBe(401);
    expect((await paymentRow(payment.id)).status).toBe("PENDING");

    const pending = paymobCallback(Number(payment.providerReference), { pending: true });
    expect((await deliver("paymob", pending.body, {}, pending.query)).body).toEqual({ status: "ignored", reason: "not a payment event" });
    expect(await deliver("paymob", callback.body, {}, callback.query)).toEqual({
      status: 200,
      body: { status: "processed", paymentId: payment.id, paymentStatus: "SUCCEEDED" },
    });
    expect((await deliver("paymob", callback.body, {}, callback.query)).body.status).toBe("duplicate");
    const lateFailure = paymobCallback(Number(payment.providerReference), { success: false });
    expect((await deliver("paymob", lateFailure.body, {}, lateFailure.query)).body).toMatchObject({ status: "ignored" });
    expect((await paymentRow(payment.id)).status).toBe("SUCCEEDED");

    const done = await refund(parent, payment.id, "250.00");
    expect(done).toMatchObject({ status: "REFUNDED", payment: { status: "REFUNDED" } });
    const refundCall = fake.requests.find((r) => r.path === "/paymob/api/acceptance/void_refund/refund")!;
    expect(refundCall.body).toEqual({ transaction_id: callback.obj.id, amount_cents: 25000 });
  });

  it("a declined card fails the payment; a later success lifts it; another amount is refused", async () => {
    const { parent, enrollmentId } = await enrolled("100.00", "EGP");
    const payment = data(await start(parent, enrollmentId, "paymob")).startPayment;
    const order = Number(payment.providerReference);
    const cheaper = paymobCallback(order, { cents: 1000 });
    expect((await deliver("paymob", cheaper.body, {}, cheaper.query)).body).toMatchObject({ status: "ignored", reason: "amount mismatch" });
    const declined = paymobCallback(order, { success: false, cents: 10000 });
    expect((await deliver("paymob", declined.body, {}, declined.query)).body).toMatchObject({
      status: "processed",
      paymentStatus: "FAILED",
    });
    expect(await paymentRow(payment.id)).toMatchObject({ status: "FAILED", failureReason: "Do not honour" });
    const retried = paymobCallback(order, { cents: 10000 });
    expect((await deliver("paymob", retried.body, {}, retried.query)).body).toMatchObject({
      status: "processed",
      paymentStatus: "SUCCEEDED",
    });
    // A refund Paymob declines leaves the payment as it was.
    fake.overrides.set("/paymob/api/acceptance/void_refund/refund", {
      status: 200,
      body: { id: 1, success: false, data: { message: "Refund window closed" } },
    });
    const refused = await refund(parent, payment.id, "40.00");
    fake.overrides.delete("/paymob/api/acceptance/void_refund/refund");
    expect(refused).toMatchObject({ status: "FAILED", decisionNote: "Refund window closed" });
    expect(await paymentRow(payment.id)).toMatchObject({ status: "SUCCEEDED", refundedAmount: "0.00" });
  });

  it("a saved-card (TOKEN) callback is checked over its own fields, then ignored", async () => {
    const obj = {
      id: 8812,
      token: "d2d3a1c0ffee",
      masked_pan: "xxxx-xxxx-xxxx-2346",
      merchant_id: 302852,
      card_subtype: "MasterCard",
      created_at: "2026-11-27T21:03:05.123456",
      email: "parent@example.test",
      order_id: "123",
    };
    const signed = [obj.card_subtype, obj.created_at, obj.email, obj.id, obj.masked_pan, obj.merchant_id, obj.order_id, obj.token].join("");
    const hmac = createHmac("sha512", PAYMOB.hmac).update(signed).digest("hex");
    const body = JSON.stringify({ type: "TOKEN", obj });
    expect(await deliver("paymob", body, {}, `?hmac=${hmac}`)).toEqual({
      status: 200,
      body: { status: "ignored", reason: "not a payment event" },
    });
    expect((await deliver("paymob", body.replace("2346", "9999"), {}, `?hmac=${hmac}`)).status).toBe(401);
    // Called a transaction, the same object fails the transaction HMAC.
    expect((await deliver("paymob", body.replace('"TOKEN"', '"TRANSACTION"'), {}, `?hmac=${hmac}`)).status).toBe(401);
  });

  it("declines other currencies and survives outages, refusals and time-outs", async () => {
    const usd = await enrolled("10.00", "USD");
    expect(data(await start(usd.parent, usd.enrollmentId, "paymob")).startPayment.failureReason).toBe("Paymob collects EGP only.");
    const refusedAt = await enrolled("10.00", "EGP");
    fake.overrides.set("/paymob/v1/intention/", { status: 400, body: { detail: "Integration is not active" } });
    expect(data(await start(refusedAt.parent, refusedAt.enrollmentId, "paymob")).startPayment).toMatchObject({
      status: "FAILED",
      failureReason: "Integration is not active",
    });
    fake.overrides.delete("/paymob/v1/intention/");
    await expectUnreachable("paymob", "/paymob/v1/intention/", "300.00", "EGP", { status: 500 });
    await expectUnreachable("paymob", "/paymob/v1/intention/", "300.00", "EGP", { hang: true });
    // An answer without what the checkout needs is a gateway fault too.
    await expectUnreachable("paymob", "/paymob/v1/intention/", "300.00", "EGP", { status: 201, body: { id: "pi_x" } });
  });
});

// ---------------------------------------------------------------- boundaries

describe("who may pay through the gateways", () => {
  it("another family, an instructor, another tenant and anonymous callers start nothing, and no gateway is called", async () => {
    const mine = await enrolled("250.00", "EGP");
    const other = await school.family(1);
    const elsewhere = await createSchool(t);
    const anonymous = t.client({ tenant: school.tenant.slug });
    fake.requests.length = 0;
    for (const provider of ["selcom", "polar", "paymob"]) {
      const input = { enrollmentId: mine.enrollmentId, provider, idempotencyKey: key() };
      expect(codes(await other.parent.client.request(StartPaymentDocument, { input }))).toEqual(["NOT_FOUND"]);
      expect(codes(await school.instructor.client.request(StartPaymentDocument, { input }))).toEqual(["FORBIDDEN"]);
      expect(codes(await elsewhere.admin.client.request(StartPaymentDocument, { input }))).toEqual(["NOT_FOUND"]);
      expect(codes(await anonymous.request(StartPaymentDocument, { input }))).toEqual(["UNAUTHENTICATED"]);
    }
    expect(fake.requests).toEqual([]);
    // Staff may pay for the family.
    const byStaff = data(await start(school.admin, mine.enrollmentId, "paymob")).startPayment;
    expect(byStaff.status).toBe("PENDING");
    expect(codes(await other.parent.client.request(PaymentDocument, { id: byStaff.id }))).toEqual(["NOT_FOUND"]);
  });

  it("a callback naming another tenant's order is matched to that payment only, and an unknown order is ignored", async () => {
    const elsewhere = await createSchool(t);
    const courseId = await elsewhere.createCourse({ price: "70.00" });
    const family = await elsewhere.family(1);
    const enrollmentId = await elsewhere.enroll(courseId, family.childIds[0]!, family.parent);
    const payment = data(await start(family.parent, enrollmentId, "paymob")).startPayment;
    const callback = paymobCallback(Number(payment.providerReference), { cents: 7000 });
    expect((await deliver("paymob", callback.body, {}, callback.query)).body).toMatchObject({ status: "processed" });
    const [row] = await db().select().from(paymentWebhookEvents).where(eq(paymentWebhookEvents.paymentId, payment.id));
    expect(row!.tenantId).toBe(elsewhere.tenant.id);
    const unknown = paymobCallback(123, { cents: 7000 });
    expect((await deliver("paymob", unknown.body, {}, unknown.query)).body).toEqual({
      status: "ignored",
      reason: "unknown payment reference",
    });
    expect((await db().select().from(refundRequests).where(eq(refundRequests.paymentId, payment.id))).length).toBe(0);
  });
});

describe("configuration", () => {
  const config = (env: Record<string, string>) => () => loadConfig(testEnv(env));
  it("takes all of a gateway's credentials or none, and Selcom needs the public webhook address", () => {
    expect(config({ SELCOM_API_KEY: "k", SELCOM_API_SECRET: "s" })).toThrow(/SELCOM_VENDOR/);
    expect(config({ SELCOM_API_KEY: "k", SELCOM_API_SECRET: "s", SELCOM_VENDOR: "v" })).toThrow(/PAYMENT_WEBHOOK_BASE_URL/);
    expect(config({ POLAR_ACCESS_TOKEN: "t" })).toThrow(/POLAR_WEBHOOK_SECRET, POLAR_PRODUCT_ID/);
    const paymob = { PAYMOB_SECRET_KEY: "s", PAYMOB_PUBLIC_KEY: "p", PAYMOB_HMAC_SECRET: "h" };
    expect(config({ ...paymob, PAYMOB_INTEGRATION_IDS: "12, card" })).toThrow(/PAYMOB_INTEGRATION_IDS/);
    expect(config({ POLAR_CURRENCY: "dollars" })).toThrow(/POLAR_CURRENCY/);
    expect(config({ PAYMENT_GATEWAY_TIMEOUT: "soon" })).toThrow(/PAYMENT_GATEWAY_TIMEOUT/);
    const on = loadConfig(testEnv({ ...paymob, PAYMOB_INTEGRATION_IDS: "12, 34" })).payments;
    expect(on.paymob).toMatchObject({ integrationIds: [12, 34], currency: "EGP", webhookUrl: null, baseUrl: "https://accept.paymob.com" });
    expect(on.selcom ?? on.polar).toBeUndefined();
  });
});
