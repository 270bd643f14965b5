/**
 * Delivery status reports from providers (POST /webhooks/messages/:provider), verified and parsed:
 * Twilio's status callback (form body, X-Twilio-Signature: HMAC-SHA1 with the auth token over the
 * callback URL and the sorted parameters) and WhatsApp Cloud's statuses (JSON, X-Hub-Signature-256:
 * HMAC-SHA256 with the app secret over the raw body). Neither signs a timestamp: a replayed report
 * is harmless because a status only moves forward (SENT → DELIVERED or FAILED), so applying it
 * twice changes nothing.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { Config } from "../config";

/** A status report the webhook cannot take: a bad signature (401) or a malformed body (400). */
export class StatusRejected extends Error {
  override name = "StatusRejected";
  constructor(
    readonly reason: "signature" | "malformed",
    message: string,
  ) {
    super(message);
  }
}

/** One report: the provider's message id and what became of it. */
export interface StatusReport {
  providerMessageId: string;
  status: "SENT" | "DELIVERED" | "FAILED";
  error: string | null;
}

type Headers = Record<string, string | string[] | undefined>;
const header = (headers: Headers, name: string) => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

const sameText = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** Twilio's signature of a form POST to `url`. */
export function twilioSignature(authToken: string, url: string, params: URLSearchParams): string {
  const keys = [...new Set(params.keys())].sort();
  const data =
    url +
    keys
      .map((key) =>
        params
          .getAll(key)
          .map((value) => key + value)
          .join(""),
      )
      .join("");
  return createHmac("sha1", authToken).update(data, "utf8").digest("base64");
}

const TWILIO_STATUS: Record<string, StatusReport["status"] | undefined> = {
  sent: "SENT",
  delivered: "DELIVERED",
  read: "DELIVERED",
  undelivered: "FAILED",
  failed: "FAILED",
};

export function parseTwilioStatus(config: NonNullable<Config["messaging"]["twilio"]>, rawBody: Buffer, headers: Headers): StatusReport[] {
  if (!config.statusCallbackUrl) throw new StatusRejected("signature", "no TWILIO_STATUS_CALLBACK_URL is configured");
  const params = new URLSearchParams(rawBody.toString("utf8"));
  const given = header(headers, "x-twilio-signature");
  if (!given || !sameText(given, twilioSignature(config.authToken, config.statusCallbackUrl, params))) {
    throw new StatusRejected("signature", "X-Twilio-Signature does not match");
  }
  const sid = params.get("MessageSid") ?? params.get("SmsSid");
  const reported = params.get("MessageStatus") ?? params.get("SmsStatus");
  if (!sid || !reported) throw new StatusRejected("malformed", "MessageSid and MessageStatus are required");
  const status = TWILIO_STATUS[reported];
  if (!status) return [];
  const code = params.get("ErrorCode");
  return [{ providerMessageId: sid, status, error: status === "FAILED" ? `twilio ${reported}${code ? ` (error ${code})` : ""}` : null }];
}

const WHATSAPP_STATUS: Record<string, StatusReport["status"] | undefined> = {
  sent: "SENT",
  delivered: "DELIVERED",
  read: "DELIVERED",
  failed: "FAILED",
};

interface WhatsAppBody {
  entry?: { changes?: { value?: { statuses?: { id?: string; status?: string; errors?: { code?: number; title?: string }[] }[] } }[] }[];
}

export function parseWhatsAppStatus(appSecret: string | undefined, rawBody: Buffer, headers: Headers): StatusReport[] {
  if (!appSecret) throw new StatusRejected("signature", "no WHATSAPP_APP_SECRET is configured");
  const given = header(headers, "x-hub-signature-256") ?? "";
  const expected = `sha256=${createHmac("sha256", appSecret).update(rawBody).digest("hex")}`;
  if (!sameText(given, expected)) throw new StatusRejected("signature", "X-Hub-Signature-256 does not match");
  let body: WhatsAppBody;
  try {
    body = JSON.parse(rawBody.toString("utf8")) as WhatsAppBody;
  } catch {
    throw new StatusRejected("malformed", "the body is not JSON");
  }
  if (!body || typeof body !== "object" || !Array.isArray(body.entry)) throw new StatusRejected("malformed", "entry[] is required");
  const reports: StatusReport[] = [];
  for (const entry of body.entry) {
    for (const change of entry.changes ?? []) {
      for (const item of change.value?.statuses ?? []) {
        const status = item.status ? WHATSAPP_STATUS[item.status] : undefined;
        if (!item.id || !status) continue;
        const first = item.errors?.[0];
        reports.push({
          providerMessageId: item.id,
          status,
          error: status === "FAILED" ? `whatsapp failed${first ? `: ${first.code ?? ""} ${first.title ?? ""}`.trimEnd() : ""}` : null,
        });
      }
    }
  }
  return reports;
}
