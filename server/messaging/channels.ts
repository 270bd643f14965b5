/**
 * The channel adapters: SMTP (nodemailer), SMS through Beem Africa or a Twilio-compatible API,
 * WhatsApp through the WhatsApp Cloud API, each configured by env (server/config.ts `messaging`).
 * Every base URL is configurable, so tests point them at local servers.
 */
import nodemailer, { type Transporter } from "nodemailer";
import type { VerificationChannel } from "../../drizzle/tables/enums-types";
import type { Config } from "../config";
import type { Log } from "../log";
import { DeliveryError, httpFailure, OutboxProvider, WebhookProvider, type ChannelMessage, type MessageChannel, type SendResult } from ".";
import { renderEmail } from "./templates";

type Messaging = Config["messaging"];

/** Codes (kind "code.*") are sent as they are; other messages lead with their title. */
const smsText = (message: ChannelMessage) => (message.kind.startsWith("code.") ? message.text : `${message.subject}\n${message.text}`);
const digits = (phone: string) => phone.replace(/^\+/, "");
/** WhatsApp refuses template parameters with new lines, tabs or more than four spaces in a row. */
const templateText = (text: string) =>
  text
    .replace(/[\n\t]+/g, " ")
    .replace(/ {4,}/g, "   ")
    .trim();

/** Email over SMTP. The delivery id is the Message-ID: a duplicate after a crash carries the same one. */
export class SmtpChannel implements MessageChannel {
  readonly name = "smtp";
  private readonly transport: Transporter;
  constructor(
    config: NonNullable<Messaging["smtp"]>,
    timeoutMs: number,
    private readonly from = config.from,
  ) {
    this.transport = nodemailer.createTransport(config.url, {
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
    } as object);
  }
  async send(message: ChannelMessage): Promise<SendResult> {
    const email = renderEmail(message);
    try {
      const info = await this.transport.sendMail({
        from: this.from,
        to: message.to,
        subject: email.subject,
        text: email.text,
        html: email.html,
        messageId: `<${message.deliveryId}@roster.messages>`,
        headers: { "Content-Language": message.language, "X-Roster-Delivery": message.deliveryId },
      });
      return { providerMessageId: info.messageId };
    } catch (error) {
      const code = (error as { responseCode?: number }).responseCode;
      // 5xx: the server refused for good (no such mailbox); 4xx and connection errors are worth a retry.
      throw new DeliveryError(`smtp: ${(error as Error).message}`, code !== undefined && code >= 500);
    }
  }
  close() {
    this.transport.close();
  }
}

/** SMS through Beem Africa (POST /v1/send, HTTP Basic with the API key and secret). */
export class BeemChannel implements MessageChannel {
  readonly name = "beem";
  constructor(private readonly config: NonNullable<Messaging["beem"]>) {}
  async send(message: ChannelMessage, signal: AbortSignal): Promise<SendResult> {
    const response = await fetch(`${this.config.baseUrl}/v1/send`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Basic ${Buffer.from(`${this.config.apiKey}:${this.config.secretKey}`).toString("base64")}`,
      },
      body: JSON.stringify({
        source_addr: this.config.senderId,
        schedule_time: "",
        encoding: 0,
        message: smsText(message),
        recipients: [{ recipient_id: 1, dest_addr: digits(message.to) }],
      }),
      signal,
    });
    if (!response.ok) await httpFailure("beem", response);
    const body = (await response.json().catch(() => ({}))) as { successful?: boolean; request_id?: number | string; message?: string };
    if (body.successful === false) throw new DeliveryError(`beem refused: ${body.message ?? "unknown reason"}`);
    return { providerMessageId: body.request_id === undefined ? null : String(body.request_id) };
  }
}

/** SMS through Twilio or a Twilio-compatible API (POST /2010-04-01/Accounts/{sid}/Messages.json, form-encoded). */
export class TwilioChannel implements MessageChannel {
  readonly name = "twilio";
  constructor(private readonly config: NonNullable<Messaging["twilio"]>) {}
  async send(message: ChannelMessage, signal: AbortSignal): Promise<SendResult> {
    const form = new URLSearchParams({ To: message.to, Body: smsText(message) });
    // A messaging service (MG…) picks the sender itself.
    form.set(this.config.from.startsWith("MG") ? "MessagingServiceSid" : "From", this.config.from);
    if (this.config.statusCallbackUrl) form.set("StatusCallback", this.config.statusCallbackUrl);
    const response = await fetch(`${this.config.baseUrl}/2010-04-01/Accounts/${encodeURIComponent(this.config.accountSid)}/Messages.json`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `Basic ${Buffer.from(`${this.config.accountSid}:${this.config.authToken}`).toString("base64")}`,
        // Twilio itself documents no idempotency for this call; compatible gateways that keep the key dedupe.
        "idempotency-key": message.deliveryId,
      },
      body: form,
      signal,
    });
    if (!response.ok) await httpFailure("twilio", response);
    const body = (await response.json().catch(() => ({}))) as { sid?: string };
    return { providerMessageId: body.sid ?? null };
  }
}

/**
 * WhatsApp through the Cloud API (POST /{phone-number-id}/messages, bearer token). Business-initiated
 * messages must be templates: codes use WHATSAPP_CODE_TEMPLATE (an authentication template: the code
 * in the body and in the copy-code button), everything else WHATSAPP_ALERT_TEMPLATE (title, text).
 */
export class WhatsAppChannel implements MessageChannel {
  readonly name = "whatsapp";
  constructor(private readonly config: NonNullable<Messaging["whatsapp"]>) {}
  async send(message: ChannelMessage, signal: AbortSignal): Promise<SendResult> {
    const code = message.params.code;
    const template =
      message.kind.startsWith("code.") && code
        ? {
            name: this.config.codeTemplate,
            language: { code: message.language },
            components: [
              { type: "body", parameters: [{ type: "text", text: code }] },
              { type: "button", sub_type: "url", index: "0", parameters: [{ type: "text", text: code }] },
            ],
          }
        : {
            name: this.config.alertTemplate,
            language: { code: message.language },
            components: [
              {
                type: "body",
                parameters: [
                  { type: "text", text: templateText(message.subject) },
                  { type: "text", text: templateText(message.text) },
                ],
              },
            ],
          };
    const response = await fetch(`${this.config.baseUrl}/${encodeURIComponent(this.config.phoneNumberId)}/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${this.config.token}` },
      body: JSON.stringify({
        messaging_product: "whatsapp",
        recipient_type: "individual",
        to: digits(message.to),
        type: "template",
        template,
      }),
      signal,
    });
    if (!response.ok) await httpFailure("whatsapp", response);
    const body = (await response.json().catch(() => ({}))) as { messages?: { id?: string }[] };
    return { providerMessageId: body.messages?.[0]?.id ?? null };
  }
}

/** The adapters of this instance, and which one serves each channel. */
export interface MessageChannels {
  /** Development/test outbox: every message of a channel without an adapter (and what tests read). */
  outbox: OutboxProvider;
  for(channel: VerificationChannel): MessageChannel;
  close(): void;
}

export function createChannels(messaging: Messaging, log: Log, outbox = new OutboxProvider(log)): MessageChannels {
  const fallback: MessageChannel = messaging.webhookUrl ? new WebhookProvider(messaging.webhookUrl, messaging.webhookToken) : outbox;
  const smtp = messaging.smtp ? new SmtpChannel(messaging.smtp, messaging.sendTimeoutMs) : undefined;
  const sms =
    messaging.smsProvider === "beem" && messaging.beem
      ? new BeemChannel(messaging.beem)
      : messaging.smsProvider === "twilio" && messaging.twilio
        ? new TwilioChannel(messaging.twilio)
        : undefined;
  const whatsapp = messaging.whatsapp ? new WhatsAppChannel(messaging.whatsapp) : undefined;
  const routes: Record<VerificationChannel, MessageChannel> = {
    EMAIL: smtp ?? fallback,
    SMS: sms ?? fallback,
    WHATSAPP: whatsapp ?? fallback,
  };
  return {
    outbox,
    for: (channel) => routes[channel],
    close: () => smtp?.close(),
  };
}
