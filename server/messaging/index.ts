/**
 * Outgoing messages (verification codes, notices) by SMS, WhatsApp or email.
 * Providers are an interface: the default keeps messages in an outbox and logs
 * them (development, tests); MESSAGE_WEBHOOK_URL posts them to a gateway.
 */
import type { VerificationChannel } from "../../drizzle/tables/enums-types";
import type { Log } from "../log";

export interface OutgoingMessage {
  channel: VerificationChannel;
  to: string;
  text: string;
}

export interface MessageProvider {
  readonly name: string;
  send(message: OutgoingMessage): Promise<void>;
}

/** Keeps the last messages in memory and logs them: what development and tests read. */
export class OutboxProvider implements MessageProvider {
  readonly name = "outbox";
  readonly sent: (OutgoingMessage & { at: Date })[] = [];
  constructor(
    private readonly log: Log,
    private readonly keep = 500,
  ) {}
  async send(message: OutgoingMessage) {
    this.sent.push({ ...message, at: new Date() });
    if (this.sent.length > this.keep) this.sent.shift();
    this.log.info({ channel: message.channel, to: message.to, text: message.text }, "message (outbox)");
  }
  /** The newest message sent to `to`, if any. */
  last(to: string) {
    return [...this.sent].reverse().find((message) => message.to === to);
  }
}

/** Posts each message as JSON to a gateway (an SMS/WhatsApp/email relay) with a bearer token. */
export class WebhookProvider implements MessageProvider {
  readonly name = "webhook";
  constructor(
    private readonly url: string,
    private readonly token: string | undefined,
  ) {}
  async send(message: OutgoingMessage) {
    const response = await fetch(this.url, {
      method: "POST",
      headers: { "content-type": "application/json", ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
      body: JSON.stringify(message),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) throw new Error(`message gateway answered ${response.status}`);
  }
}
