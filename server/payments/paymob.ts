/**
 * Paymob (Egypt: cards, mobile wallets such as Vodafone Cash, kiosks, instalments), for
 * the Egyptian demo centre. Enabled when PAYMOB_SECRET_KEY, PAYMOB_PUBLIC_KEY,
 * PAYMOB_HMAC_SECRET and PAYMOB_INTEGRATION_IDS are set.
 *
 * Endpoints targeted (https://developers.paymob.com, base PAYMOB_BASE_URL, default
 * https://accept.paymob.com), with `Authorization: Token <secret key>`:
 *  - POST /v1/intention/ (the Intention API) { amount (piastres), currency, payment_methods
 *    (integration ids), items, billing_data, special_reference, notification_url, extras }
 *    → { id, client_secret, intention_order_id, … }; the payer pays on the unified checkout
 *    `/unifiedcheckout/?publicKey=<public key>&clientSecret=<client secret>`.
 *  - POST /api/acceptance/void_refund/refund { transaction_id, amount_cents } → the refund
 *    transaction { id, success, … }.
 *
 * The transaction-processed callback (POST /webhooks/payments/paymob, set as
 * `notification_url` when PAYMENT_WEBHOOK_BASE_URL is set, else in the integration's
 * dashboard settings) is `{ type: "TRANSACTION", obj: {…} }` with `?hmac=<hex>` in the
 * URL: HMAC-SHA512 with the HMAC secret over the values, concatenated in this order, of
 * obj.amount_cents, created_at, currency, error_occured, has_parent_transaction, id,
 * integration_id, is_3d_secure, is_auth, is_capture, is_refunded, is_standalone_payment,
 * is_voided, order.id, owner, pending, source_data.pan, source_data.sub_type,
 * source_data.type, success (booleans as "true"/"false").
 * The HMAC covers no delivery time, so replays are bounded by the event id (transaction
 * id and outcome) and the payment's state machine, as for ClickPesa. The payment is found
 * by the intention's order id (obj.order.id); amount (amount_cents) and currency are compared.
 * Pending transactions, refunds and voids (ours, or the original transaction flagged
 * refunded afterwards) are acknowledged and ignored; so is a saved-card (TOKEN) callback,
 * once its own HMAC (card_subtype, created_at, email, id, masked_pan, merchant_id,
 * order_id, token) checks out. Any other type is checked as a transaction.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { Log } from "../log";
import { callGateway, failedStart, fieldAt, GatewayError, minorUnits, refusalReason } from "./gateway-http";
import { formatCents, toCents } from "./money";
import {
  currencyCode,
  parseJsonObject,
  WebhookRejected,
  type PaymentProvider,
  type RefundResult,
  type VerifiedWebhookEvent,
} from "./provider";

export interface PaymobConfig {
  secretKey: string;
  publicKey: string;
  hmacSecret: string;
  integrationIds: number[];
  baseUrl: string;
  /** The currency of the Paymob account (EGP in Egypt). */
  currency: string;
  /** Our public POST /webhooks/payments/paymob, or null (set in Paymob's dashboard instead). */
  webhookUrl: string | null;
  timeoutMs: number;
}

/** The transaction fields the callback HMAC covers, in Paymob's order. */
export const PAYMOB_HMAC_FIELDS = [
  "amount_cents",
  "created_at",
  "currency",
  "error_occured",
  "has_parent_transaction",
  "id",
  "integration_id",
  "is_3d_secure",
  "is_auth",
  "is_capture",
  "is_refunded",
  "is_standalone_payment",
  "is_voided",
  "order.id",
  "owner",
  "pending",
  "source_data.pan",
  "source_data.sub_type",
  "source_data.type",
  "success",
] as const;

const text = (value: unknown) => (value == null ? "" : String(value));

/** The fields a saved-card (TOKEN) callback's HMAC covers, in Paymob's order. */
export const PAYMOB_TOKEN_HMAC_FIELDS = [
  "card_subtype",
  "created_at",
  "email",
  "id",
  "masked_pan",
  "merchant_id",
  "order_id",
  "token",
] as const;

/** The callback's HMAC (hex) of a transaction object (or, with `fields`, of another callback's object). */
export function paymobHmac(
  hmacSecret: string,
  transaction: Record<string, unknown>,
  fields: readonly string[] = PAYMOB_HMAC_FIELDS,
): string {
  const concatenated = fields.map((field) => text(fieldAt(transaction, field))).join("");
  return createHmac("sha512", hmacSecret).update(concatenated).digest("hex");
}

export function paymobProvider(config: PaymobConfig, log: Log): PaymentProvider {
  const call = (path: string, body: Record<string, unknown>) =>
    callGateway({
      provider: "paymob",
      method: "POST",
      url: `${config.baseUrl}${path}`,
      headers: { authorization: `Token ${config.secretKey}`, "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(body),
      timeoutMs: config.timeoutMs,
      log,
    });
  return {
    name: "paymob",
    online: true,
    refundReadsEvents: true,
    async start(payment, ctx) {
      const failed = (failureReason: string) => failedStart(`unsent-${payment.id}`, failureReason);
      if (payment.currency !== config.currency) return failed(`Paymob collects ${config.currency} only.`);
      const cents = minorUnits(toCents(payment.amount));
      const payer = ctx.payer;
      let intention: Record<string, unknown>;
      try {
        intention = await call("/v1/intention/", {
          amount: cents,
          currency: payment.currency,
          payment_methods: config.integrationIds,
          items: [
            { name: ctx.description.slice(0, 50) || "Course", amount: cents, description: ctx.description.slice(0, 255), quantity: 1 },
          ],
          // Paymob requires these; "NA" is its documented filler for what is unknown.
          billing_data: {
            first_name: payer?.firstName || "NA",
            last_name: payer?.lastName || "NA",
            email: payer?.email ?? "NA",
            phone_number: ctx.phoneNumber ?? "NA",
          },
          special_reference: payment.id,
          ...(config.webhookUrl ? { notification_url: config.webhookUrl } : {}),
          extras: { roster_payment_id: payment.id },
        });
      } catch (error) {
        const reason = refusalReason(error, "Declined by Paymob.");
        if (reason) return failed(reason);
        throw error;
      }
      const order = intention.intention_order_id;
      if (typeof intention.client_secret !== "string" || (typeof order !== "number" && typeof order !== "string")) {
        throw new GatewayError("paymob", "answer", 201, "Paymob's intention has no client_secret or intention_order_id");
      }
      const url = `${config.baseUrl}/unifiedcheckout/?publicKey=${encodeURIComponent(config.publicKey)}&clientSecret=${encodeURIComponent(intention.client_secret)}`;
      return {
        providerReference: String(order),
        status: "PENDING",
        nextAction: {
          type: "REDIRECT",
          url,
          message: `Pay ${payment.amount} ${payment.currency} by card, wallet or kiosk on Paymob's checkout.`,
        },
      };
    },
    async refund(_payment, amount, _refundId, context): Promise<RefundResult> {
      // The successful transaction this payment was confirmed by.
      const paid = context?.events
        .map((event) => event.obj as Record<string, unknown> | undefined)
        .find((obj) => obj && obj.success === true && obj.pending !== true && obj.is_refund !== true && obj.is_void !== true);
      if (!paid || paid.id == null) {
        return {
          status: "FAILED",
          providerReference: null,
          failureReason: "Paymob's transaction for this payment is unknown (no successful callback).",
        };
      }
      let answer: Record<string, unknown>;
      try {
        answer = await call("/api/acceptance/void_refund/refund", { transaction_id: paid.id, amount_cents: minorUnits(toCents(amount)) });
      } catch (error) {
        const reason = refusalReason(error, "Refund declined by Paymob.");
        if (reason) return { status: "FAILED", providerReference: null, failureReason: reason };
        throw error;
      }
      const reference = answer.id == null ? null : String(answer.id);
      if (answer.success === true) return { status: "REFUNDED", providerReference: reference };
      const message = fieldAt(answer, "data.message");
      return {
        status: "FAILED",
        providerReference: reference,
        failureReason: typeof message === "string" ? message : "Refund declined by Paymob.",
      };
    },
    verifyWebhook(rawBody, _headers, query): VerifiedWebhookEvent | null {
      const given = query?.get("hmac");
      if (!given || !/^[0-9a-f]{128}$/i.test(given)) throw new WebhookRejected("signature", "the hmac query parameter is missing");
      const body = parseJsonObject(rawBody);
      const obj = body.obj as Record<string, unknown> | undefined;
      if (!obj || typeof obj !== "object" || Array.isArray(obj)) throw new WebhookRejected("malformed", "obj is missing");
      // A saved-card callback is signed over its own fields; it is checked, then ignored.
      const fields = body.type === "TOKEN" ? PAYMOB_TOKEN_HMAC_FIELDS : PAYMOB_HMAC_FIELDS;
      const expected = Buffer.from(paymobHmac(config.hmacSecret, obj, fields), "hex");
      if (!timingSafeEqual(Buffer.from(given.toLowerCase(), "hex"), expected))
        throw new WebhookRejected("signature", "the hmac does not match");

      if (body.type !== "TRANSACTION") return null;
      if (obj.pending === true || obj.is_refund === true || obj.is_void === true || obj.is_refunded === true || obj.is_voided === true) {
        return null;
      }
      const order = fieldAt(obj, "order.id") ?? obj.order;
      if ((typeof order !== "number" && typeof order !== "string") || obj.id == null) {
        throw new WebhookRejected("malformed", "obj.id or obj.order.id is missing");
      }
      const cents = obj.amount_cents;
      if (typeof cents !== "number" || !Number.isSafeInteger(cents) || cents < 0)
        throw new WebhookRejected("malformed", "obj.amount_cents is not an amount");
      const at = new Date(text(obj.created_at));
      const message = fieldAt(obj, "data.message");
      const succeeded = obj.success === true;
      return {
        eventId: `${text(obj.id)}:${succeeded ? "success" : "failure"}`,
        providerReference: String(order),
        status: succeeded ? "SUCCEEDED" : "FAILED",
        amount: formatCents(BigInt(cents)),
        currency: currencyCode(obj.currency, "obj.currency"),
        occurredAt: Number.isNaN(at.getTime()) ? new Date() : at,
        reason: typeof message === "string" ? message : null,
        payload: body,
      };
    },
  };
}
