/** The messaging variables (server/config.ts `messaging`): defaults, and mistakes named at start-up. */
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../server/config";

function rejection(env: Record<string, string>) {
  try {
    loadConfig(env);
  } catch (error) {
    return error as Error;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe("messaging configuration", () => {
  it("defaults to the outbox for every channel, with the documented retry schedule", () => {
    const { messaging } = loadConfig({});
    expect(messaging).toMatchObject({ smtp: undefined, beem: undefined, twilio: undefined, whatsapp: undefined, smsProvider: undefined });
    expect(messaging).toMatchObject({
      maxAttempts: 10,
      retryBaseMs: 30_000,
      retryMaxMs: 3_600_000,
      pollMs: 5000,
      sendTimeoutMs: 10_000,
      worker: true,
    });
  });

  it("reads each provider, and picks the SMS gateway that is configured", () => {
    const { messaging } = loadConfig({
      SMTP_URL: "smtps://u:p@mail.example.org:465",
      SMTP_FROM: "Roster <no-reply@example.org>",
      TWILIO_ACCOUNT_SID: "AC1",
      TWILIO_AUTH_TOKEN: "t",
      TWILIO_FROM: "MG123",
      WHATSAPP_TOKEN: "w",
      WHATSAPP_PHONE_NUMBER_ID: "42",
      MESSAGE_RETRY_BASE: "10s",
    });
    expect(messaging.smtp).toEqual({ url: "smtps://u:p@mail.example.org:465", from: "Roster <no-reply@example.org>" });
    expect(messaging.smsProvider).toBe("twilio");
    expect(messaging.twilio).toMatchObject({ baseUrl: "https://api.twilio.com", statusCallbackUrl: undefined });
    expect(messaging.whatsapp).toMatchObject({
      baseUrl: "https://graph.facebook.com/v21.0",
      codeTemplate: "verification_code",
      alertTemplate: "roster_alert",
    });
    expect(messaging.retryBaseMs).toBe(10_000);
  });

  it.each([
    [{ SMTP_URL: "http://mail.example.org" }, /^SMTP_URL: /],
    [{ SMTP_URL: "smtp://mail.example.org" }, /^SMTP_FROM: required/],
    [{ SMTP_URL: "smtp://mail.example.org", SMTP_FROM: "nobody" }, /^SMTP_FROM: /],
    [{ BEEM_API_KEY: "k" }, /^BEEM_SECRET_KEY, BEEM_SENDER_ID: required/],
    [{ TWILIO_AUTH_TOKEN: "t" }, /^TWILIO_ACCOUNT_SID, TWILIO_FROM: required/],
    [{ WHATSAPP_TOKEN: "t" }, /^WHATSAPP_PHONE_NUMBER_ID: required/],
    [{ SMS_PROVIDER: "beem" }, /^SMS_PROVIDER: beem needs/],
    [{ SMS_PROVIDER: "nexmo" }, /^SMS_PROVIDER: /],
    [{ MESSAGE_MAX_ATTEMPTS: "0" }, /^MESSAGE_MAX_ATTEMPTS: /],
    [{ MESSAGE_RETRY_BASE: "soon" }, /^MESSAGE_RETRY_BASE: /],
    [{ MESSAGE_RETRY_BASE: "2h", MESSAGE_RETRY_MAX: "1h" }, /^MESSAGE_RETRY_MAX: /],
    [{ WHATSAPP_BASE_URL: "graph" }, /^WHATSAPP_BASE_URL: /],
  ])("rejects %j naming the variable", (env, message) => {
    const error = rejection(env as Record<string, string>);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(message);
  });
});
