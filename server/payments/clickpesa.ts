/**
 * ClickPesa (Tanzania: M-Pesa, Tigo Pesa, Airtel Money …), from the NTC seed.
 * Enabled when CLICKPESA_CLIENT_ID, CLICKPESA_API_KEY and CLICKPESA_CHECKSUM_KEY are set.
 *
 * Endpoints targeted (https://docs.clickpesa.com, base CLICKPESA_BASE_URL,
 * default https://api.clickpesa.com/third-parties):
 *  - POST /generate-token (headers client-id, api-key) → { success, token: "Bearer …" }, valid 1 hour;
 *  - POST /payments/initiate-ussd-push-request { amount, currency, orderReference, phoneNumber, checksum }
 *    → { id, status: PROCESSING | SUCCESS | FAILED | SETTLED, channel, orderReference, … };
 *  - POST /payouts/create-mobile-money-payout { amount, phoneNumber, currency, orderReference, checksum }
 *    for refunds: ClickPesa has no refund call for collections, so the money goes back as a payout
 *    to the wallet that paid.
 *
 * Checksum (their "payload checksum", also used to sign webhooks): drop the `checksum`
 * and `checksumMethod` fields, sort object keys recursively, serialise as compact JSON,
 * HMAC-SHA256 with the checksum key, hex. The webhook carries it in the body's
 * `checksum` field. ClickPesa webhooks have no timestamp to bound replays; a replayed
 * delivery is harmless anyway: its event id was seen already, and a payment never
 * goes back from SUCCEEDED.
 *
 * Not exercised against the real API in tests (a local stand-in server plays it);
 * the webhook checksum is tested against recorded payloads in test/fixtures/clickpesa.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { canonicalJson } from "../canonical-json";
import type { Log } from "../log";
import { formatCents, toCents } from "./money";
import { currencyCode, parseJsonObject, requiredString, WebhookRejected, type PaymentProvider, type RefundResult } from "./provider";

export interface ClickPesaConfig {
  clientId: string;
  apiKey: string;
  checksumKey: string;
  baseUrl: string;
}

/** ClickPesa's checksum of a payload (its `checksum` / `checksumMethod` fields excluded). */
export function clickpesaChecksum(checksumKey: string, payload: Record<string, unknown>): string {
  const { checksum: _checksum, checksumMethod: _method, ...rest } = payload;
  return createHmac("sha256", checksumKey).update(canonicalJson(rest)).digest("hex");
}

/** An order reference ClickPesa accepts (letters and digits): our payment or refund id without dashes. */
const orderReference = (id: string, prefix = "") => `${prefix}${id.replaceAll("-", "").toUpperCase()}`;

/** E.164 "+255712345678" → "255712345678", the form ClickPesa wants. */
const wallet = (phone: string) => phone.replace(/^\+/, "");

const TIMEOUT_MS = 15_000;

/** The ClickPesa provider (its API token is fetched on first use and renewed hourly). */
export function clickpesaProvider(config: ClickPesaConfig, log: Log): PaymentProvider {
  let token: { value: string; expiresAt: number } | undefined;

  async function authorization(): Promise<string> {
    if (token && token.expiresAt > Date.now()) return token.value;
    const response = await fetch(`${config.baseUrl}/generate-token`, {
      method: "POST",
      headers: { "client-id": config.clientId, "api-key": config.apiKey },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const body = (await response.json().catch(() => ({}))) as { success?: boolean; token?: string };
    if (!response.ok || !body.token) throw new Error(`ClickPesa generate-token answered ${response.status}`);
    // Valid one hour; renew five minutes early so a token never expires mid-request.
    token = { value: body.token.startsWith("Bearer ") ? body.token : `Bearer ${body.token}`, expiresAt: Date.now() + 55 * 60_000 };
    return token.value;
  }

  async function post(path: string, payload: Record<string, unknown>) {
    const body = { ...payload, checksum: clickpesaChecksum(config.checksumKey, payload) };
    const response = await fetch(`${config.baseUrl}${path}`, {
      method: "POST",
      headers: { authorization: await authorization(), "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const answer = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (!response.ok) {
      log.warn({ path, status: response.status, answer }, "ClickPesa refused a request");
      throw new Error(`ClickPesa ${path} answered ${response.status}: ${String(answer.message ?? "")}`.trim());
    }
    return answer;
  }

  return {
    name: "clickpesa",
    online: true,
    async start(payment, ctx) {
      const reference = orderReference(payment.id);
      if (payment.currency !== "TZS") {
        return { providerReference: reference, status: "FAILED", nextAction: null, failureReason: "ClickPesa collects TZS only." };
      }
      if (!ctx.phoneNumber) {
        return {
          providerReference: reference,
          status: "FAILED",
          nextAction: null,
          failureReason: "A mobile money phone number is needed.",
        };
      }
      const answer = await post("/payments/initiate-ussd-push-request", {
        amount: formatCents(toCents(payment.amount)),
        currency: payment.currency,
        orderReference: reference,
        phoneNumber: wallet(ctx.phoneNumber),
      });
      if (answer.status === "FAILED") {
        return {
          providerReference: reference,
          status: "FAILED",
          nextAction: null,
          failureReason: String(answer.message ?? "Declined by ClickPesa."),
        };
      }
      // Success is recorded from the signed webhook only: one path, always authenticated.
      return {
        providerReference: reference,
        status: "PENDING",
        nextAction: {
          type: "USSD_PUSH",
          phoneNumber: ctx.phoneNumber,
          channel: answer.channel ?? null,
          message: `Approve the payment of ${payment.amount} ${payment.currency} with your mobile money PIN on ${ctx.phoneNumber}.`,
        },
      };
    },
    async refund(payment, amount, refundId): Promise<RefundResult> {
      const phone = (payment.nextAction as { phoneNumber?: unknown } | null)?.phoneNumber;
      if (typeof phone !== "string") return { status: "FAILED", providerReference: null, failureReason: "The paying wallet is unknown." };
      const reference = orderReference(refundId, "RF");
      const answer = await post("/payouts/create-mobile-money-payout", {
        // Their payout API takes a JSON number; a 2-decimal amount prints back exactly.
        amount: Number(formatCents(toCents(amount))),
        currency: payment.currency,
        orderReference: reference,
        phoneNumber: wallet(phone),
      });
      const ok = answer.status === "AUTHORIZED" || answer.status === "SUCCESS";
      return ok
        ? { status: "REFUNDED", providerReference: reference }
        : { status: "FAILED", providerReference: reference, failureReason: `ClickPesa payout ${String(answer.status ?? "failed")}` };
    },
    verifyWebhook(rawBody) {
      const body = parseJsonObject(rawBody);
      const given = body.checksum;
      if (typeof given !== "string" || !/^[0-9a-f]{64}$/i.test(given)) throw new WebhookRejected("signature", "checksum is missing");
      const expected = Buffer.from(clickpesaChecksum(config.checksumKey, body), "hex");
      if (!timingSafeEqual(Buffer.from(given, "hex"), expected)) throw new WebhookRejected("signature", "the checksum does not match");

      const event = requiredString(body, "event");
      // Payout events (our refunds) and deposits are authentic but not about a collection.
      if (event !== "PAYMENT RECEIVED" && event !== "PAYMENT FAILED") return null;
      const data = body.data as Record<string, unknown> | undefined;
      if (!data || typeof data !== "object") throw new WebhookRejected("malformed", "data is missing");
      const at = new Date(String(data.updatedAt ?? data.createdAt ?? ""));
      return {
        eventId: `${event}:${requiredString(data, "id")}`,
        providerReference: requiredString(data, "orderReference"),
        status: event === "PAYMENT RECEIVED" ? "SUCCEEDED" : "FAILED",
        // collectedAmount is net of ClickPesa's fee, so it is kept in the payload, not compared.
        amount: null,
        // The currency is compared: a payment in another currency was never this one.
        currency: data.collectedCurrency == null ? null : currencyCode(data.collectedCurrency, "data.collectedCurrency"),
        occurredAt: Number.isNaN(at.getTime()) ? new Date() : at,
        reason: typeof data.message === "string" ? data.message : null,
        payload: body,
      };
    },
  };
}
