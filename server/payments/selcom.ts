/**
 * SELCOM (Tanzania: M-Pesa, Tigo Pesa, Airtel Money, Halopesa, cards), from the NTC seed.
 * Enabled when SELCOM_API_KEY, SELCOM_API_SECRET and SELCOM_VENDOR are set (and
 * PAYMENT_WEBHOOK_BASE_URL, which Selcom is told to call back).
 *
 * Endpoints targeted (Selcom API gateway, https://developers.selcommobile.com, base
 * SELCOM_BASE_URL, default https://apigw.selcommobile.com/v1):
 *  - POST /checkout/create-order-minimal { vendor, order_id, buyer_email, buyer_name, buyer_phone,
 *    amount, currency, webhook (base64 of the callback URL), buyer_remarks, merchant_remarks, no_of_items }
 *    → { resultcode: "000", result: "SUCCESS", data: [{ payment_gateway_url (base64), … }] };
 *  - POST /checkout/wallet-payment { transid, order_id, msisdn }: pushes the USSD prompt to the
 *    payer's wallet (when a phone number is known); the checkout page stays as the other way to pay.
 *
 * Every request is signed: `Authorization: SELCOM <base64(api key)>`, `Timestamp` (ISO 8601 with
 * offset), `Digest-Method: HS256`, `Signed-Fields` (the body's fields, in order) and
 * `Digest` = base64(HMAC-SHA256(api secret, "timestamp=<Timestamp>&<field>=<value>&…")).
 *
 * Webhooks (the order's `webhook` URL, POST /webhooks/payments/selcom) are checked the same
 * way: the Authorization must name our key, the Timestamp must be within
 * PAYMENT_WEBHOOK_TOLERANCE of now, the fields we read (order_id, payment_status and, when
 * present, transid, reference, amount) must all be among the Signed-Fields, and the Digest
 * must match. Selcom's public pages document this signature for requests to Selcom; that
 * its callbacks carry the same headers is what Selcom's integrators describe, not a page of
 * its own: confirm with Selcom when going live.
 *
 * Refunds: Selcom's public checkout API has no refund call; a refund is answered FAILED
 * with a reason (money goes back through Selcom's merchant portal).
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { Log } from "../log";
import { callGateway, failedStart, GatewayError } from "./gateway-http";
import { centsPart, formatCents, toCents } from "./money";
import { headerValue, parseJsonObject, requiredString, WebhookRejected, type PaymentProvider, type VerifiedWebhookEvent } from "./provider";

export interface SelcomConfig {
  apiKey: string;
  apiSecret: string;
  vendor: string;
  baseUrl: string;
  /** Our public POST /webhooks/payments/selcom, sent with every order. */
  webhookUrl: string;
  timeoutMs: number;
  toleranceMs: number;
}

/** "2026-11-27T20:01:02+00:00": Selcom's timestamp form (seconds, explicit offset). */
export const selcomTimestamp = (at = new Date()) => `${at.toISOString().slice(0, 19)}+00:00`;

/** The string Selcom signs: the timestamp, then each signed field of the body, in order. */
function signedText(timestamp: string, fields: readonly string[], body: Record<string, unknown>): string {
  return [`timestamp=${timestamp}`, ...fields.map((field) => `${field}=${body[field] == null ? "" : String(body[field])}`)].join("&");
}

/** Selcom's `Digest`: base64 HMAC-SHA256 of the signed text with the API secret. */
export function selcomDigest(apiSecret: string, timestamp: string, fields: readonly string[], body: Record<string, unknown>): string {
  return createHmac("sha256", apiSecret)
    .update(signedText(timestamp, fields, body))
    .digest("base64");
}

/** The signature headers of a body (all its fields signed), as Selcom wants them and sends them. */
export function selcomHeaders(config: Pick<SelcomConfig, "apiKey" | "apiSecret">, body: Record<string, unknown>, at = new Date()) {
  const timestamp = selcomTimestamp(at);
  const fields = Object.keys(body);
  return {
    authorization: `SELCOM ${Buffer.from(config.apiKey).toString("base64")}`,
    "digest-method": "HS256",
    digest: selcomDigest(config.apiSecret, timestamp, fields, body),
    timestamp,
    "signed-fields": fields.join(","),
  };
}

/** The order id Selcom knows a payment by: our payment id without dashes. */
const orderId = (paymentId: string) => paymentId.replaceAll("-", "");

/** E.164 "+255712345678" → "255712345678". */
const msisdn = (phone: string) => phone.replace(/^\+/, "");

const equalText = (a: string, b: string) => {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
};

const COMPLETED = new Set(["COMPLETED", "SUCCESS"]);
const FAILED = new Set(["REJECTED", "CANCELLED", "CANCELED", "USERCANCELED", "USERCANCELLED", "FAILED", "EXPIRED"]);

export function selcomProvider(config: SelcomConfig, log: Log): PaymentProvider {
  async function post(path: string, body: Record<string, unknown>) {
    return callGateway({
      provider: "selcom",
      method: "POST",
      url: `${config.baseUrl}${path}`,
      headers: { "content-type": "application/json", accept: "application/json", ...selcomHeaders(config, body) },
      body: JSON.stringify(body),
      timeoutMs: config.timeoutMs,
      log,
    });
  }
  const accepted = (answer: Record<string, unknown>) => String(answer.resultcode ?? "") === "000";

  return {
    name: "selcom",
    online: true,
    async start(payment, ctx) {
      const reference = orderId(payment.id);
      const failed = (failureReason: string) => failedStart(reference, failureReason);
      if (payment.currency !== "TZS") return failed("Selcom collects TZS only.");
      const cents = toCents(payment.amount);
      if (centsPart(cents) !== 0n) return failed("Selcom collects whole shillings only.");
      if (!ctx.phoneNumber) return failed("A mobile money phone number is needed.");
      const payer = ctx.payer;
      let order: Record<string, unknown>;
      try {
        order = await post("/checkout/create-order-minimal", {
          vendor: config.vendor,
          order_id: reference,
          // Selcom requires an email; a payer without one gets a placeholder that receives nothing.
          buyer_email: payer?.email ?? "no-email@roster.invalid",
          buyer_name: payer ? `${payer.firstName} ${payer.lastName}`.trim() : "Roster payer",
          buyer_phone: msisdn(ctx.phoneNumber),
          amount: Number(cents / 100n),
          currency: "TZS",
          webhook: Buffer.from(config.webhookUrl).toString("base64"),
          buyer_remarks: ctx.description.slice(0, 100),
          merchant_remarks: payment.id,
          no_of_items: 1,
        });
      } catch (error) {
        // A 4xx is Selcom's answer (declined); a timeout or 5xx is thrown on: "could not be reached".
        if (error instanceof GatewayError && error.failure === "refused") {
          return failed(String(error.answer?.message ?? "Declined by Selcom."));
        }
        throw error;
      }
      if (!accepted(order)) return failed(String(order.message ?? "Declined by Selcom."));
      const data = Array.isArray(order.data) ? (order.data[0] as Record<string, unknown> | undefined) : undefined;
      const encodedUrl = typeof data?.payment_gateway_url === "string" ? data.payment_gateway_url : null;
      const checkoutUrl = encodedUrl ? Buffer.from(encodedUrl, "base64").toString("utf8") : null;
      // The push is a convenience: if it fails, the checkout page still takes the payment.
      let pushed = false;
      try {
        pushed = accepted(
          await post("/checkout/wallet-payment", { transid: payment.id, order_id: reference, msisdn: msisdn(ctx.phoneNumber) }),
        );
      } catch (error) {
        log.warn({ err: error, paymentId: payment.id }, "Selcom wallet push failed; the checkout page remains");
      }
      return {
        providerReference: reference,
        status: "PENDING",
        nextAction: {
          type: pushed ? "USSD_PUSH" : "REDIRECT",
          phoneNumber: ctx.phoneNumber,
          url: checkoutUrl,
          message: pushed
            ? `Approve the payment of ${formatCents(cents)} TZS with your mobile money PIN on ${ctx.phoneNumber}.`
            : `Pay ${formatCents(cents)} TZS on Selcom's checkout page.`,
        },
      };
    },
    async refund() {
      return {
        status: "FAILED",
        providerReference: null,
        failureReason: "Selcom has no refund call in its checkout API: refund through Selcom's merchant portal.",
      };
    },
    verifyWebhook(rawBody, headers): VerifiedWebhookEvent | null {
      const authorization = headerValue(headers, "authorization");
      const timestamp = headerValue(headers, "timestamp");
      const digest = headerValue(headers, "digest");
      const signedFields = headerValue(headers, "signed-fields");
      if (!authorization || !timestamp || !digest || !signedFields) {
        throw new WebhookRejected("signature", "Authorization, Timestamp, Digest and Signed-Fields are required");
      }
      if (!equalText(authorization, `SELCOM ${Buffer.from(config.apiKey).toString("base64")}`)) {
        throw new WebhookRejected("signature", "the Authorization does not name our API key");
      }
      const at = new Date(timestamp);
      if (!/^\d{4}-\d{2}-\d{2}T/.test(timestamp) || Number.isNaN(at.getTime()))
        throw new WebhookRejected("signature", "Timestamp is not ISO 8601");
      if (Math.abs(Date.now() - at.getTime()) > config.toleranceMs) {
        throw new WebhookRejected("signature", "the Timestamp is outside the allowed window");
      }
      const body = parseJsonObject(rawBody);
      const fields = signedFields.split(",").map((field) => field.trim());
      const read = ["order_id", "payment_status", ...["transid", "reference", "amount"].filter((field) => body[field] != null)];
      const unsigned = read.filter((field) => !fields.includes(field));
      if (unsigned.length > 0) throw new WebhookRejected("signature", `Signed-Fields leaves out ${unsigned.join(", ")}`);
      if (!equalText(digest, selcomDigest(config.apiSecret, timestamp, fields, body))) {
        throw new WebhookRejected("signature", "the Digest does not match");
      }

      const status = requiredString(body, "payment_status").toUpperCase();
      if (!COMPLETED.has(status) && !FAILED.has(status)) return null; // PENDING, INPROGRESS: wait for the outcome.
      let amount: string | null = null;
      if (body.amount != null) {
        try {
          amount = formatCents(toCents(String(body.amount)));
        } catch {
          throw new WebhookRejected("malformed", "amount is not an amount");
        }
      }
      const order = requiredString(body, "order_id");
      return {
        eventId: `${status}:${String(body.transid ?? body.reference ?? order)}`,
        providerReference: order,
        status: COMPLETED.has(status) ? "SUCCEEDED" : "FAILED",
        amount,
        // Selcom's checkout is TZS only; the payment was started in TZS or not at all.
        currency: "TZS",
        occurredAt: at,
        reason: typeof body.message === "string" ? body.message : typeof body.result === "string" ? body.result : null,
        payload: body,
      };
    },
  };
}
