/**
 * Polar (polar.sh: cards, worldwide, merchant of record), from the NTC seed.
 * Enabled when POLAR_ACCESS_TOKEN, POLAR_WEBHOOK_SECRET and POLAR_PRODUCT_ID are set.
 *
 * Endpoints targeted (https://docs.polar.sh/api-reference, base POLAR_BASE_URL, default
 * https://api.polar.sh; the sandbox is https://sandbox-api.polar.sh), with
 * `Authorization: Bearer <organization access token>`:
 *  - POST /v1/checkouts/ { products: [POLAR_PRODUCT_ID], amount (cents), customer_email,
 *    customer_name, metadata: { roster_payment_id }, allow_discount_codes: false, success_url }
 *    → { id, url, status, … }.
 *    The product must have a custom ("pay what you want") price: Roster sets the amount.
 *  - POST /v1/refunds/ { order_id, amount (cents), reason, comment, metadata } → { id, status }.
 *
 * Webhooks (POST /webhooks/payments/polar) follow the Standard Webhooks specification:
 * headers `webhook-id`, `webhook-timestamp` (unix seconds) and `webhook-signature`
 * ("v1,<base64>", several separated by spaces while a secret rotates), the signature being
 * HMAC-SHA256 over `${id}.${timestamp}.${body}`. The key is the secret's bytes as Polar's
 * dashboard shows it (Polar's SDK hands `base64(secret)` to the Standard Webhooks library,
 * which decodes it back), or, for a `whsec_…` secret, its base64 part decoded. A timestamp
 * outside PAYMENT_WEBHOOK_TOLERANCE is refused; the `webhook-id` is the event id, so a
 * retried delivery is a duplicate.
 *
 * Events read: `order.paid` (SUCCEEDED; reference = its checkout_id, amount = net_amount,
 * the amount before tax and after discounts, currency compared) and `checkout.updated` with
 * status `failed` or `expired` (FAILED). Others are acknowledged and ignored.
 * A refund names the order of the `order.paid` event recorded for the payment.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { Log } from "../log";
import { callGateway, failedStart, fieldAt, GatewayError, minorUnits, refusalReason } from "./gateway-http";
import { formatCents, toCents } from "./money";
import {
  currencyCode,
  headerValue,
  parseJsonObject,
  requiredString,
  WebhookRejected,
  type PaymentProvider,
  type RefundResult,
  type VerifiedWebhookEvent,
} from "./provider";

export interface PolarConfig {
  accessToken: string;
  webhookSecret: string;
  productId: string;
  baseUrl: string;
  /** The one currency the Polar organisation sells in (upper case). */
  currency: string;
  successUrl: string | null;
  timeoutMs: number;
  toleranceMs: number;
}

/** The HMAC key of a Polar webhook secret (see the file's comment). */
export function polarWebhookKey(secret: string): Buffer {
  return secret.startsWith("whsec_") ? Buffer.from(secret.slice("whsec_".length), "base64") : Buffer.from(secret, "utf8");
}

/** The `webhook-signature` of a delivery: "v1,<base64 HMAC-SHA256 of id.timestamp.body>". */
export function signPolarWebhook(secret: string, id: string, timestamp: number | string, rawBody: string | Buffer): string {
  const mac = createHmac("sha256", polarWebhookKey(secret)).update(`${id}.${timestamp}.`).update(rawBody).digest("base64");
  return `v1,${mac}`;
}

/** Cents as Polar writes them (an integer) → "250.00"; WebhookRejected("malformed") otherwise. */
function fromMinor(value: unknown, field: string): string {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0)
    throw new WebhookRejected("malformed", `${field} is not an amount in cents`);
  return formatCents(BigInt(value));
}

export function polarProvider(config: PolarConfig, log: Log): PaymentProvider {
  const call = (path: string, body: Record<string, unknown>) =>
    callGateway({
      provider: "polar",
      method: "POST",
      url: `${config.baseUrl}${path}`,
      headers: { authorization: `Bearer ${config.accessToken}`, "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(body),
      timeoutMs: config.timeoutMs,
      log,
    });
  return {
    name: "polar",
    online: true,
    refundReadsEvents: true,
    async start(payment, ctx) {
      const failed = (failureReason: string) => failedStart(`unsent-${payment.id}`, failureReason);
      if (payment.currency !== config.currency) return failed(`Polar collects ${config.currency} only.`);
      let checkout: Record<string, unknown>;
      try {
        checkout = await call("/v1/checkouts/", {
          products: [config.productId],
          amount: minorUnits(toCents(payment.amount)),
          ...(ctx.payer?.email ? { customer_email: ctx.payer.email } : {}),
          ...(ctx.payer ? { customer_name: `${ctx.payer.firstName} ${ctx.payer.lastName}`.trim() } : {}),
          metadata: { roster_payment_id: payment.id, roster_tenant_id: payment.tenantId },
          // The price is the course's: a discount code would make the order another amount (refused).
          allow_discount_codes: false,
          ...(config.successUrl ? { success_url: config.successUrl } : {}),
        });
      } catch (error) {
        const reason = refusalReason(error, "Declined by Polar.");
        if (reason) return failed(reason);
        throw error;
      }
      if (typeof checkout.id !== "string" || typeof checkout.url !== "string") {
        throw new GatewayError("polar", "answer", 201, "Polar's checkout has no id or url");
      }
      return {
        providerReference: checkout.id,
        status: "PENDING",
        nextAction: { type: "REDIRECT", url: checkout.url, message: `Pay ${payment.amount} ${payment.currency} on Polar's checkout page.` },
      };
    },
    async refund(payment, amount, refundId, context): Promise<RefundResult> {
      const paid = context?.events.find((event) => event.type === "order.paid");
      const orderId = paid ? fieldAt(paid, "data.id") : undefined;
      if (typeof orderId !== "string") {
        return {
          status: "FAILED",
          providerReference: null,
          failureReason: "Polar's order for this payment is unknown (no order.paid event).",
        };
      }
      let answer: Record<string, unknown>;
      try {
        answer = await call("/v1/refunds/", {
          order_id: orderId,
          amount: minorUnits(toCents(amount)),
          reason: "customer_request",
          comment: `Roster refund ${refundId}`,
          metadata: { roster_refund_id: refundId, roster_payment_id: payment.id },
        });
      } catch (error) {
        const reason = refusalReason(error, "Refund declined by Polar.");
        if (reason) return { status: "FAILED", providerReference: null, failureReason: reason };
        throw error;
      }
      const status = String(answer.status ?? "");
      const reference = typeof answer.id === "string" ? answer.id : null;
      // "pending": accepted, paid out by Polar's processor shortly.
      return status === "succeeded" || status === "pending"
        ? { status: "REFUNDED", providerReference: reference }
        : { status: "FAILED", providerReference: reference, failureReason: `Polar refund ${status || "failed"}` };
    },
    verifyWebhook(rawBody, headers): VerifiedWebhookEvent | null {
      const id = headerValue(headers, "webhook-id");
      const timestamp = headerValue(headers, "webhook-timestamp");
      const signatures = headerValue(headers, "webhook-signature");
      if (!id || !timestamp || !signatures) {
        throw new WebhookRejected("signature", "webhook-id, webhook-timestamp and webhook-signature are required");
      }
      if (!/^\d{1,12}$/.test(timestamp)) throw new WebhookRejected("signature", "webhook-timestamp is not unix seconds");
      if (Math.abs(Date.now() - Number(timestamp) * 1000) > config.toleranceMs) {
        throw new WebhookRejected("signature", "the signature timestamp is outside the allowed window");
      }
      const expected = Buffer.from(signPolarWebhook(config.webhookSecret, id, timestamp, rawBody).slice(3), "base64");
      const matches = signatures
        .split(" ")
        .filter((entry) => entry.startsWith("v1,"))
        .some((entry) => {
          const given = Buffer.from(entry.slice(3), "base64");
          return given.length === expected.length && timingSafeEqual(given, expected);
        });
      if (!matches) throw new WebhookRejected("signature", "no signature matches");

      const body = parseJsonObject(rawBody);
      const type = requiredString(body, "type");
      const data = body.data as Record<string, unknown> | undefined;
      if (!data || typeof data !== "object") throw new WebhookRejected("malformed", "data is missing");
      const at = new Date(String(data.modified_at ?? data.created_at ?? ""));
      const occurredAt = Number.isNaN(at.getTime()) ? new Date(Number(timestamp) * 1000) : at;
      if (type === "order.paid") {
        return {
          eventId: id,
          providerReference: requiredString(data, "checkout_id"),
          status: "SUCCEEDED",
          amount: fromMinor(data.net_amount ?? data.amount, "data.net_amount"),
          currency: currencyCode(data.currency, "data.currency"),
          occurredAt,
          payload: body,
        };
      }
      if (type === "checkout.updated" && (data.status === "failed" || data.status === "expired")) {
        return {
          eventId: id,
          providerReference: requiredString(data, "id"),
          status: "FAILED",
          currency: data.currency == null ? null : currencyCode(data.currency, "data.currency"),
          occurredAt,
          reason: data.status === "expired" ? "The Polar checkout expired." : "The Polar checkout failed.",
          payload: body,
        };
      }
      return null;
    },
  };
}
