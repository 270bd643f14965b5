/**
 * Outgoing messages (verification codes, notices) by SMS, WhatsApp or email.
 *
 * A `MessageChannel` sends one message through one provider (server/messaging/channels.ts:
 * SMTP, Beem, Twilio, WhatsApp Cloud, a generic webhook). Which adapter serves which channel is
 * configured by env (server/config.ts `messaging`); a channel with none goes to the outbox, which
 * keeps messages in memory and logs them (development, tests: `app.messages.last(to)`).
 * Messages are not sent from here directly: services queue them (./outbox.ts) and the delivery
 * worker (./worker.ts) sends them after commit, with retries.
 */
import type { Language, VerificationChannel } from "../../drizzle/tables/enums-types";
import type { Log } from "../log";

/** What a message says and to whom: already in the recipient's language. */
export interface MessageContent {
  channel: VerificationChannel;
  /** E.164 phone number or email address. */
  to: string;
  /** Notification kind or code purpose, e.g. "enrollment.approved", "code.verify": picks the channel template. */
  kind: string;
  language: Language;
  /** Subject / title and body text, in `language`. */
  subject: string;
  text: string;
}

/** One message as a channel adapter gets it. */
export interface ChannelMessage extends MessageContent {
  /** The delivery row's id: the idempotency key where the provider takes one. */
  deliveryId: string;
  /** Values the channel templates may place (e.g. WhatsApp template parameters, the code). */
  params: Record<string, string>;
}

/** What a provider answered when it accepted a message. */
export interface SendResult {
  /** The provider's id of the message (status webhooks name it). */
  providerMessageId?: string | null;
}

/** One provider for one or more channels. */
export interface MessageChannel {
  readonly name: string;
  /** Sends, or throws: DeliveryError(permanent) when retrying cannot help, anything else is retried. */
  send(message: ChannelMessage, signal: AbortSignal): Promise<SendResult>;
}

/** A provider's refusal; `permanent` (a bad number, a refused address) is not retried. */
export class DeliveryError extends Error {
  override name = "DeliveryError";
  constructor(
    message: string,
    readonly permanent = false,
  ) {
    super(message);
  }
}

/** Throws the right DeliveryError for a provider's non-2xx HTTP answer (4xx but 408/429 is permanent). */
export async function httpFailure(provider: string, response: Response): Promise<never> {
  const detail = (await response.text().catch(() => "")).slice(0, 300);
  const permanent = response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429;
  throw new DeliveryError(`${provider} answered ${response.status}${detail ? `: ${detail}` : ""}`, permanent);
}

/** An outbox entry: the message, and when it was "sent". */
export interface OutboxEntry extends ChannelMessage {
  at: Date;
}

/** Keeps the last messages in memory and logs them: what development and tests read. */
export class OutboxProvider implements MessageChannel {
  readonly name = "outbox";
  readonly sent: OutboxEntry[] = [];
  constructor(
    private readonly log: Log,
    private readonly keep = 500,
  ) {}
  async send(message: ChannelMessage): Promise<SendResult> {
    this.sent.push({ ...message, at: new Date() });
    if (this.sent.length > this.keep) this.sent.shift();
    this.log.info({ channel: message.channel, to: message.to, subject: message.subject, text: message.text }, "message (outbox)");
    return { providerMessageId: `outbox-${message.deliveryId}` };
  }
  /** The newest message sent to `to`, if any. */
  last(to: string) {
    return [...this.sent].reverse().find((message) => message.to === to);
  }
}

/**
 * Posts each message as JSON to a gateway (an SMS/WhatsApp/email relay) with a bearer token.
 * The delivery id goes as `Idempotency-Key` (and in the body): a gateway that keeps it never sends twice.
 */
export class WebhookProvider implements MessageChannel {
  readonly name = "webhook";
  constructor(
    private readonly url: string,
    private readonly token: string | undefined,
  ) {}
  async send(message: ChannelMessage, signal: AbortSignal): Promise<SendResult> {
    const response = await fetch(this.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "idempotency-key": message.deliveryId,
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
      },
      body: JSON.stringify({
        id: message.deliveryId,
        channel: message.channel,
        to: message.to,
        subject: message.subject,
        text: message.text,
        kind: message.kind,
        language: message.language,
      }),
      signal,
    });
    if (!response.ok) await httpFailure("message gateway", response);
    return {};
  }
}
