/**
 * `sandbox`: a fake gateway for tests and demos, deterministic by amount.
 *
 * The rule: an amount whose cents are .13 (e.g. "100.13") fails, everything else
 * succeeds.
 *  - start: a .13 amount is declined at once (FAILED); any other amount is PENDING
 *    and `nextAction` carries the exact event the gateway would send to confirm it.
 *  - refund: a .13 refund amount fails; any other is refunded at once.
 *  - confirmation: the gateway's webhook, POST /webhooks/payments/sandbox, with the
 *    header `X-Roster-Signature: t=<unix seconds>,v1=<hex>` where v1 is
 *    HMAC-SHA256(SANDBOX_WEBHOOK_SECRET, `${t}.${rawBody}`). A missing or wrong
 *    signature, or a t more than PAYMENT_WEBHOOK_TOLERANCE (5 minutes) away from
 *    now, is refused. `signSandboxWebhook` signs a body the same way
 *    (scripts/sandbox-webhook.ts uses it to play the gateway in development).
 */
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { centsPart, toCents } from "./money";
import { currencyCode, headerValue, parseJsonObject, requiredString, WebhookRejected, type PaymentProvider } from "./provider";

export const SANDBOX_SIGNATURE_HEADER = "X-Roster-Signature";

/** The body the sandbox gateway posts to the webhook. */
export interface SandboxEvent {
  id: string;
  type: "payment.succeeded" | "payment.failed";
  /** Unix seconds. */
  created: number;
  data: { reference: string; amount: string; currency: string; reason?: string };
}

/** Does the sandbox fail this amount? (cents .13) */
export const sandboxFails = (amount: string) => centsPart(toCents(amount)) === 13n;

/** An event the sandbox gateway would send about a payment. */
export function sandboxEvent(input: {
  reference: string;
  amount: string;
  currency: string;
  status: "SUCCEEDED" | "FAILED";
  eventId?: string;
  reason?: string;
  occurredAt?: Date;
}): SandboxEvent {
  return {
    id: input.eventId ?? `evt_${randomUUID().replaceAll("-", "")}`,
    type: input.status === "SUCCEEDED" ? "payment.succeeded" : "payment.failed",
    created: Math.floor((input.occurredAt ?? new Date()).getTime() / 1000),
    data: {
      reference: input.reference,
      amount: input.amount,
      currency: input.currency,
      ...(input.reason ? { reason: input.reason } : {}),
    },
  };
}

const hmac = (secret: string, timestamp: number | string, rawBody: string | Buffer) =>
  createHmac("sha256", secret).update(`${timestamp}.`).update(rawBody).digest();

/** The X-Roster-Signature value for `rawBody` signed at `timestamp` (unix seconds). */
export function signSandboxWebhook(secret: string, rawBody: string | Buffer, timestamp = Math.floor(Date.now() / 1000)): string {
  return `t=${timestamp},v1=${hmac(secret, timestamp, rawBody).toString("hex")}`;
}

/** The sandbox provider; `refunds` lists what it paid back (tests count them). */
export function sandboxProvider(options: { webhookSecret: string; toleranceMs: number; now?: () => number }) {
  const now = options.now ?? Date.now;
  /** Every refund the fake gateway paid out (tests count them). */
  const refunds: { paymentId: string; amount: string; refundId: string }[] = [];

  const provider: PaymentProvider & { refunds: typeof refunds } = {
    name: "sandbox",
    online: true,
    refunds,
    async start(payment) {
      const providerReference = `sbx_${payment.id.replaceAll("-", "")}`;
      if (sandboxFails(payment.amount)) {
        return {
          providerReference,
          status: "FAILED",
          nextAction: null,
          failureReason: "Declined by the sandbox: amounts ending in .13 always fail.",
        };
      }
      const confirm = sandboxEvent({
        reference: providerReference,
        amount: payment.amount,
        currency: payment.currency,
        status: "SUCCEEDED",
      });
      return {
        providerReference,
        status: "PENDING",
        nextAction: {
          type: "SANDBOX_CONFIRMATION",
          message: "Sandbox payment: confirm it by posting this event, signed, to the webhook (scripts/sandbox-webhook.ts does it).",
          webhookPath: "/webhooks/payments/sandbox",
          event: confirm,
        },
      };
    },
    async refund(payment, amount, refundId) {
      if (sandboxFails(amount)) {
        return {
          status: "FAILED",
          providerReference: null,
          failureReason: "Refund declined by the sandbox: amounts ending in .13 always fail.",
        };
      }
      refunds.push({ paymentId: payment.id, amount, refundId });
      return { status: "REFUNDED", providerReference: `sbx_rf_${refundId.replaceAll("-", "")}` };
    },
    verifyWebhook(rawBody, headers) {
      const header = headerValue(headers, SANDBOX_SIGNATURE_HEADER);
      if (!header) throw new WebhookRejected("signature", `${SANDBOX_SIGNATURE_HEADER} is missing`);
      const parts = header.split(",").map((part) => part.trim().split("=", 2) as [string, string | undefined]);
      const timestamp = parts.find(([key]) => key === "t")?.[1];
      // Several v1 values may be sent while a secret is being rotated; one must match.
      const signatures = parts.filter(([key, value]) => key === "v1" && value && /^[0-9a-f]{64}$/i.test(value)).map(([, value]) => value!);
      if (!timestamp || !/^\d{1,12}$/.test(timestamp) || signatures.length === 0) {
        throw new WebhookRejected("signature", `${SANDBOX_SIGNATURE_HEADER} must be "t=<unix seconds>,v1=<hex>"`);
      }
      // Outside the window a captured delivery could be replayed at will; inside it, the event id catches repeats.
      if (Math.abs(now() - Number(timestamp) * 1000) > options.toleranceMs) {
        throw new WebhookRejected("signature", "the signature timestamp is outside the allowed window");
      }
      const expected = hmac(options.webhookSecret, timestamp, rawBody);
      if (!signatures.some((signature) => timingSafeEqual(Buffer.from(signature, "hex"), expected))) {
        throw new WebhookRejected("signature", "the signature does not match");
      }

      const body = parseJsonObject(rawBody);
      const data = body.data as Record<string, unknown> | undefined;
      if (!data || typeof data !== "object") throw new WebhookRejected("malformed", "data is missing");
      const type = requiredString(body, "type");
      if (type !== "payment.succeeded" && type !== "payment.failed") throw new WebhookRejected("malformed", `unknown event type ${type}`);
      const amount = requiredString(data, "amount");
      try {
        toCents(amount);
      } catch {
        throw new WebhookRejected("malformed", "data.amount is not an amount");
      }
      const created = body.created;
      if (typeof created !== "number" || !Number.isInteger(created)) throw new WebhookRejected("malformed", "created is not unix seconds");
      return {
        eventId: requiredString(body, "id"),
        providerReference: requiredString(data, "reference"),
        status: type === "payment.succeeded" ? "SUCCEEDED" : "FAILED",
        amount,
        currency: currencyCode(data.currency, "data.currency"),
        occurredAt: new Date(created * 1000),
        reason: typeof data.reason === "string" ? data.reason : null,
        payload: body,
      };
    },
  };
  return provider;
}

export type SandboxProvider = ReturnType<typeof sandboxProvider>;
