/**
 * The payment-provider interface. A provider starts a payment (what the payer
 * must do next), refunds one, and verifies the webhooks its gateway sends.
 * Providers never touch the database: the payments service records what they say.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { Payment } from "../../drizzle/schema";

/** The payment as the service is about to record it (the row does not exist yet). */
export type PaymentToStart = Pick<Payment, "id" | "tenantId" | "enrollmentId" | "amount" | "currency">;

export interface StartContext {
  /** The payer's phone number (E.164), for gateways that push a USSD prompt. */
  phoneNumber: string | null;
  /** What is paid for, for gateways that show it to the payer. */
  description: string;
  /** A reference the payer or staff already hold (a receipt number): manual payments. */
  reference?: string | null;
  /** Who pays, for gateways whose checkout asks for a name or an email (Selcom, Paymob, Polar). */
  payer?: { firstName: string; lastName: string; email: string | null } | null;
}

/**
 * What a refund may need besides the payment: the payloads of the webhook events
 * recorded for it (newest first, at most 20), for gateways that refund by their own
 * transaction or order id, which only their confirming webhook carries (Polar, Paymob).
 */
export interface RefundContext {
  events: Record<string, unknown>[];
}

export interface StartResult {
  /** The gateway's reference: what its webhooks name the payment by. */
  providerReference: string;
  status: "PENDING" | "SUCCEEDED" | "FAILED";
  /** What the client needs next: a checkout URL, a USSD prompt to approve, instructions. */
  nextAction: Record<string, unknown> | null;
  failureReason?: string | null;
}

export interface RefundResult {
  status: "REFUNDED" | "FAILED";
  providerReference: string | null;
  failureReason?: string | null;
}

/** A webhook whose signature checked out, reduced to what the service needs. */
export interface VerifiedWebhookEvent {
  /** The gateway's event id: the same delivery twice is processed once. */
  eventId: string;
  providerReference: string;
  status: "SUCCEEDED" | "FAILED";
  /** Amount the gateway says it collected, when it reports the gross amount (compared to the payment). */
  amount?: string | null;
  /** Currency the gateway says it collected in (ISO 4217, upper case), when it says; compared to the payment's. */
  currency?: string | null;
  occurredAt: Date;
  /** The gateway's words on a failure. */
  reason?: string | null;
  /** The parsed body, kept in payment_webhook_events. */
  payload: Record<string, unknown>;
}

/** Why a webhook delivery is refused: 401 for a bad signature or stale timestamp, 400 for a malformed body. */
export class WebhookRejected extends Error {
  override name = "WebhookRejected";
  constructor(
    readonly reason: "signature" | "malformed",
    message: string,
  ) {
    super(message);
  }
}

export interface PaymentProvider {
  readonly name: string;
  /** Families may start payments with it (manual payments are recorded by staff only). */
  readonly online: boolean;
  start(payment: PaymentToStart, ctx: StartContext): Promise<StartResult>;
  /**
   * Gives `amount` of `payment` back. `refundId` (the refund request) is sent as the
   * gateway's idempotency key / order reference where it takes one, so a retried
   * refund is never paid out twice by the gateway either.
   */
  refund(payment: Payment, amount: string, refundId: string, context?: RefundContext): Promise<RefundResult>;
  /** The refund needs `context.events` (read only for these providers: one statement). */
  readonly refundReadsEvents?: boolean;
  /**
   * Checks a webhook delivery's signature over the raw bytes and reads it: a
   * verified event, null for an authentic event that is not about a payment
   * (acknowledged and ignored), or WebhookRejected. Absent: the provider takes no webhooks.
   * `query` is the delivery URL's query string (Paymob sends its HMAC there).
   */
  verifyWebhook?(rawBody: Buffer, headers: IncomingHttpHeaders, query?: URLSearchParams): VerifiedWebhookEvent | null;
}

/** A header's single value (Node joins nothing; arrays mean the header was repeated). */
export const headerValue = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
};

/** The JSON object in a raw body, or WebhookRejected("malformed"). */
export function parseJsonObject(rawBody: Buffer): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody.toString("utf8"));
  } catch {
    throw new WebhookRejected("malformed", "the body is not JSON");
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed))
    throw new WebhookRejected("malformed", "the body is not a JSON object");
  if (!storable(parsed))
    throw new WebhookRejected("malformed", "the body has text PostgreSQL cannot store (a NUL character or a lone surrogate)");
  return parsed as Record<string, unknown>;
}

/** With the u flag a surrogate pair is one code point, so only a lone half matches. */
const LONE_SURROGATE = /\p{Cs}/u;

/** True when every string (keys included) could be stored: no NUL, no lone UTF-16 surrogate (jsonb refuses both). */
function storable(value: unknown, depth = 0): boolean {
  if (typeof value === "string") return !value.includes("\u0000") && !LONE_SURROGATE.test(value);
  if (!value || typeof value !== "object") return true;
  if (depth > 64) return false;
  if (Array.isArray(value)) return value.every((item) => storable(item, depth + 1));
  return Object.entries(value).every(([key, item]) => storable(key) && storable(item, depth + 1));
}

/** An ISO 4217 code as gateways write it ("egp" or "EGP"), upper-cased; WebhookRejected("malformed") otherwise. */
export function currencyCode(value: unknown, field: string): string {
  if (typeof value !== "string" || !/^[A-Za-z]{3}$/.test(value)) throw new WebhookRejected("malformed", `${field} is not a currency code`);
  return value.toUpperCase();
}

/** A required non-empty string field of a webhook payload. */
export function requiredString(object: Record<string, unknown>, field: string): string {
  const value = object[field];
  if (typeof value !== "string" || !value.trim()) throw new WebhookRejected("malformed", `${field} is missing`);
  return value;
}
