/**
 * The durable message outbox (issue 11). CONTRACT between the delivery work (this module: table,
 * worker, channel adapters) and the notification work (server/messaging/dispatch.ts decides who gets
 * what on which channel). Rows are written in the caller's transaction; sending happens after commit.
 */
import type { Language, VerificationChannel } from "../../drizzle/tables/enums-types";
import type { Context } from "../context";

/** One message to one address on one channel, already in the recipient's language. */
export interface DeliveryRequest {
  tenantId: string | null;
  /** The account it is for (null for an address not yet tied to an account, e.g. a new phone number). */
  userId: string | null;
  channel: VerificationChannel;
  /** E.164 phone number or email address. */
  to: string;
  /** Notification kind or code purpose, e.g. "enrollment.approved", "code.verify": picks the channel template. */
  kind: string;
  language: Language;
  /** Subject / title and body text, in `language`. */
  subject: string;
  text: string;
  /** Values the channel templates may place (e.g. WhatsApp template parameters, the code). */
  params?: Record<string, string>;
  /** The in-app notification it mirrors, if any. */
  notificationId?: string | null;
  /** Codes and alerts skip quiet hours and go first. */
  urgent?: boolean;
  /** Not to be sent before this time (quiet hours end). */
  notBefore?: Date | null;
}

/** Queues deliveries in the caller's transaction. (Stub: the delivery work replaces the body.) */
export async function queueDeliveries(_ctx: Context, _deliveries: DeliveryRequest[]): Promise<void> {}
