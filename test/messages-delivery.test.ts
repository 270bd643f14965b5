/**
 * Message delivery (issue 11): codes and notices go out through the durable outbox to real local
 * servers playing the providers — an SMTP server (smtp-server, mail parsed with mailparser), and one
 * HTTP server playing Beem, Twilio and WhatsApp Cloud — with retries, dead letters, status webhooks,
 * and the tenant admins' read of deliveries.
 */
import { createHmac, randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { eq, inArray } from "drizzle-orm";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { messageDeliveries, type MessageDelivery } from "../drizzle/schema";
import { createLog } from "../server/log";
import { OutboxProvider } from "../server/messaging";
import { createChannels } from "../server/messaging/channels";
import { DeliveryWorker, retryDelayMs } from "../server/messaging/worker";
import { MessageDeliveriesDocument, RegisterDocument, RequestVerificationCodeDocument, VerifyAccountDocument } from "./sdk/graphql";
import { codes, data } from "./helpers/client";
import { PASSWORD, uniquePhone } from "./helpers/fixtures";
import { startTestServer, type TestServer } from "./helpers/server";

// ------------------------------------------------------------------ the providers, played locally

/** Mail the SMTP server accepted, parsed; and the logins it saw. */
const mails: ParsedMail[] = [];
const smtpLogins: string[] = [];
const smtp = new SMTPServer({
  authOptional: false,
  allowInsecureAuth: true,
  disabledCommands: ["STARTTLS"],
  logger: false,
  onAuth(auth, _session, callback) {
    smtpLogins.push(`${auth.username}:${auth.password}`);
    if (auth.username === "roster" && auth.password === "smtp-secret") return callback(null, { user: "roster" });
    callback(new Error("Invalid username or password"));
  },
  onRcptTo(address, _session, callback) {
    if (address.address.startsWith("bounce")) {
      return callback(Object.assign(new Error("5.1.1 No such mailbox"), { responseCode: 550 }));
    }
    callback();
  },
  onData(stream, _session, callback) {
    simpleParser(stream)
      .then((mail) => {
        mails.push(mail);
        callback();
      })
      .catch(callback);
  },
});
await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
const smtpPort = (smtp.server.address() as AddressInfo).port;

interface GatewayRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
  raw: string;
  json?: any;
  form?: URLSearchParams;
}
const requests: GatewayRequest[] = [];
/** How the gateway treats a destination (phone digits): down, hanging, refusing it for good. */
const behaviour = new Map<string, "fail500" | "hang" | "bad400" | "downForAnHour">();
/** The provider-down test's clock: the gateway answers 503 before `recoversAt`. */
const fakeTime = { now: 0, recoversAt: 0 };
const hanging: http.ServerResponse[] = [];

const gateway = http.createServer((req, res) => {
  let raw = "";
  req.on("data", (chunk) => (raw += chunk));
  req.on("end", () => {
    const entry: GatewayRequest = { path: req.url!, headers: req.headers, raw };
    if (String(req.headers["content-type"]).includes("json")) entry.json = JSON.parse(raw);
    else entry.form = new URLSearchParams(raw);
    requests.push(entry);
    const to = String(entry.json?.recipients?.[0]?.dest_addr ?? entry.json?.to ?? entry.form?.get("To") ?? "").replace(/^\+/, "");
    const mode = behaviour.get(to);
    res.setHeader("content-type", "application/json");
    if (mode === "hang") return void hanging.push(res);
    if (mode === "fail500") return void res.writeHead(500).end(JSON.stringify({ error: "internal" }));
    if (mode === "bad400") return void res.writeHead(400).end(JSON.stringify({ message: "invalid destination" }));
    if (mode === "downForAnHour" && fakeTime.now < fakeTime.recoversAt)
      return void res.writeHead(503).end(JSON.stringify({ error: "maintenance" }));
    if (req.url === "/v1/send") {
      return void res.end(
        JSON.stringify({
          successful: true,
          request_id: Math.floor(Math.random() * 1e9),
          code: 100,
          message: "Message Submitted Successfully",
          valid: 1,
          invalid: 0,
          duplicates: 0,
        }),
      );
    }
    if (req.url!.startsWith("/2010-04-01/")) {
      return void res.writeHead(201).end(JSON.stringify({ sid: `SM${randomUUID().replace(/-/g, "")}`, status: "queued" }));
    }
    if (req.url === "/1234567890/messages") {
      return void res.end(
        JSON.stringify({
          messaging_product: "whatsapp",
          contacts: [{ input: entry.json.to, wa_id: entry.json.to }],
          messages: [{ id: `wamid.${randomUUID()}` }],
        }),
      );
    }
    res.writeHead(404).end("{}");
  });
});
await new Promise<void>((resolve) => gateway.listen(0, "127.0.0.1", resolve));
const gatewayUrl = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;

const WA_SECRET = "whatsapp-app-secret-for-tests";
const TWILIO_TOKEN = "twilio-auth-token-for-tests";
const TWILIO_CALLBACK = "https://roster.example/webhooks/messages/twilio";

/** Server A: email over SMTP, SMS through Beem, WhatsApp Cloud; quick retries. */
const envA = {
  ENABLE_PHONE_NUMBER_VERIFICATION: "true",
  ENABLE_EMAIL_VERIFICATION: "true",
  SMTP_URL: `smtp://roster:smtp-secret@127.0.0.1:${smtpPort}`,
  SMTP_FROM: "Roster <no-reply@roster.test>",
  BEEM_API_KEY: "beem-key",
  BEEM_SECRET_KEY: "beem-secret",
  BEEM_SENDER_ID: "ROSTER",
  BEEM_BASE_URL: gatewayUrl,
  WHATSAPP_TOKEN: "wa-token",
  WHATSAPP_PHONE_NUMBER_ID: "1234567890",
  WHATSAPP_BASE_URL: gatewayUrl,
  WHATSAPP_APP_SECRET: WA_SECRET,
  WHATSAPP_VERIFY_TOKEN: "wa-verify-token",
  MESSAGE_MAX_ATTEMPTS: "3",
  MESSAGE_RETRY_BASE: "50ms",
  MESSAGE_RETRY_MAX: "200ms",
  MESSAGE_POLL_INTERVAL: "100ms",
  MESSAGE_SEND_TIMEOUT: "2s",
};

let a: TestServer;
let b: TestServer;
beforeAll(async () => {
  [a, b] = await Promise.all([
    startTestServer(envA),
    // Server B: SMS through a Twilio-compatible API, with status callbacks.
    startTestServer({
      ENABLE_PHONE_NUMBER_VERIFICATION: "true",
      SMS_PROVIDER: "twilio",
      TWILIO_ACCOUNT_SID: "AC0123456789",
      TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
      TWILIO_FROM: "+15005550006",
      TWILIO_BASE_URL: gatewayUrl,
      TWILIO_STATUS_CALLBACK_URL: TWILIO_CALLBACK,
    }),
  ]);
});
afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
  for (const res of hanging) res.destroy();
  gateway.closeAllConnections();
  await Promise.all([new Promise((resolve) => gateway.close(resolve)), new Promise((resolve) => smtp.close(() => resolve(undefined)))]);
});

// ------------------------------------------------------------------ helpers

const codeIn = (text: string | undefined) => /\b(\d{6})\b/.exec(text ?? "")?.[1];
const digits = (phone: string) => phone.replace(/^\+/, "");
const sentTo = (phone: string) =>
  requests.filter(
    (r) =>
      [r.json?.recipients?.[0]?.dest_addr, r.json?.to, r.form?.get("To")].includes(phone) ||
      [r.json?.recipients?.[0]?.dest_addr, r.json?.to].includes(digits(phone)),
  );
const deliveriesTo = (t: TestServer, destination: string): Promise<MessageDelivery[]> =>
  t.deps.database.db.select().from(messageDeliveries).where(eq(messageDeliveries.destination, destination));
const register = (t: TestServer, input: Record<string, unknown>) =>
  t.client().request(RegisterDocument, { input: { password: PASSWORD, firstName: "Test", ...input } as never });
/** The first gateway request for a phone, once it came (sends run after commit). */
const firstRequest = (phone: string): Promise<GatewayRequest> =>
  vi.waitFor(
    () => {
      const [request] = sentTo(phone);
      expect(request).toBeDefined();
      return request!;
    },
    { timeout: 10_000, interval: 25 },
  );
/** The deliveries to an address once none is QUEUED or SENDING any more. */
const settled = (t: TestServer, destination: string) =>
  vi.waitFor(
    async () => {
      const rows = await deliveriesTo(t, destination);
      expect(rows.length > 0 && rows.every((row) => row.status !== "QUEUED" && row.status !== "SENDING")).toBe(true);
      return rows;
    },
    { timeout: 10_000, interval: 25 },
  );
const uniqueEmail = (prefix = "m") => `${prefix}${randomUUID().slice(0, 8)}@school.test`;

/** A worker on its own clock (far in the future, so the servers' own workers never see its rows). */
function fakeClockWorker(
  t: TestServer,
  messaging: Partial<TestServer["deps"]["config"]["messaging"]> = {},
  options: { random?: () => number; outbox?: OutboxProvider; batch?: number } = {},
) {
  const config = { messaging: { ...t.deps.config.messaging, ...messaging } };
  const log = createLog(t.deps.config);
  const channels = createChannels(config.messaging, log, options.outbox ?? new OutboxProvider(log));
  const clock = { now: new Date(Date.now() + 10 * 86_400_000) };
  const worker = new DeliveryWorker(
    { database: t.deps.database, log, config, channels },
    { now: () => clock.now, random: options.random, batch: options.batch },
  );
  return { worker, clock, channels };
}

async function insertDeliveries(t: TestServer, count: number, values: Partial<typeof messageDeliveries.$inferInsert>) {
  return t.deps.database.db
    .insert(messageDeliveries)
    .values(
      Array.from({ length: count }, (_, i) => ({
        channel: "SMS" as const,
        destination: uniquePhone(),
        kind: "test.notice",
        language: "en" as const,
        subject: `Notice ${i}`,
        body: `Body ${i}`,
        ...values,
      })),
    )
    .returning();
}

// ------------------------------------------------------------------ channels

describe("email over SMTP", () => {
  it.each([
    ["ar", "رمز Roster الخاص بك", "rtl"],
    ["en", "Your Roster code", "ltr"],
    ["fr", "Votre code Roster", "ltr"],
  ] as const)("sends the code in %s (subject, dir, text and HTML) and the code verifies", async (language, subject, dir) => {
    const email = uniqueEmail(language);
    expect(data(await register(a, { email, preferredLanguage: language })).register).toEqual({
      verificationRequired: true,
      channel: "EMAIL",
    });
    const mail = await vi.waitFor(
      () => {
        const found = mails.find((m) => m.to && !Array.isArray(m.to) && m.to.value[0]?.address === email);
        expect(found).toBeDefined();
        return found!;
      },
      { timeout: 10_000, interval: 50 },
    );
    expect(mail.subject).toBe(subject);
    expect(mail.from?.value[0]?.address).toBe("no-reply@roster.test");
    expect(mail.html).toContain(`<html lang="${language}" dir="${dir}">`);
    const code = codeIn(mail.text);
    expect(code).toMatch(/^\d{6}$/);
    expect(mail.html).toContain(code);
    expect(mail.headers.get("content-language")).toBe(language);
    // The delivery id is the Message-ID.
    const row = await vi.waitFor(
      async () => {
        const [found] = await deliveriesTo(a, email);
        expect(found?.status).toBe("SENT");
        return found!;
      },
      { timeout: 10_000, interval: 50 },
    );
    expect(mail.messageId).toBe(`<${row!.id}@roster.messages>`);
    expect(row).toMatchObject({
      status: "SENT",
      provider: "smtp",
      attempts: 1,
      tenantId: null,
      kind: "code.verify",
      urgent: true,
      lastError: null,
    });
    expect(smtpLogins).toContain("roster:smtp-secret");
    data(await a.client().request(VerifyAccountDocument, { input: { identifier: email, code: code! } }));
    // Nothing went to the development outbox.
    expect(a.deps.messages.last(email)).toBeUndefined();
  });

  it("marks a mailbox the server refuses (550) FAILED at once, without retrying", async () => {
    const email = uniqueEmail("bounce");
    data(await register(a, { email }));
    const row = await vi.waitFor(
      async () => {
        const [found] = await deliveriesTo(a, email);
        expect(found?.status).toBe("FAILED");
        return found!;
      },
      { timeout: 10_000, interval: 50 },
    );
    expect(row.attempts).toBe(1);
    expect(row.lastError).toMatch(/550|No such mailbox/);
  });
});

describe("SMS and WhatsApp gateways", () => {
  it("sends a code by Beem: Basic auth, sender id, digits-only number, the code", async () => {
    const phone = uniquePhone();
    data(await register(a, { phoneNumber: phone, preferredLanguage: "fr" }));
    const request = await firstRequest(phone);
    expect(request?.path).toBe("/v1/send");
    expect(request?.headers.authorization).toBe(`Basic ${Buffer.from("beem-key:beem-secret").toString("base64")}`);
    expect(request?.json).toMatchObject({
      source_addr: "ROSTER",
      encoding: 0,
      recipients: [{ recipient_id: 1, dest_addr: digits(phone) }],
    });
    expect(request?.json.message).toMatch(/^Votre code Roster est \d{6}\./);
    const [row] = await settled(a, phone);
    expect(row).toMatchObject({ status: "SENT", provider: "beem", channel: "SMS", attempts: 1 });
    expect(row!.providerMessageId).toMatch(/^\d+$/);
    data(await a.client().request(VerifyAccountDocument, { input: { identifier: phone, code: codeIn(request?.json.message)! } }));
  });

  it("sends a code by WhatsApp Cloud as the authentication template, in the recipient's language", async () => {
    const phone = uniquePhone();
    data(await register(a, { phoneNumber: phone, verificationChannel: "WHATSAPP", preferredLanguage: "ar" }));
    const request = await firstRequest(phone);
    expect(request?.path).toBe("/1234567890/messages");
    expect(request?.headers.authorization).toBe("Bearer wa-token");
    const code = request?.json.template.components[0].parameters[0].text;
    expect(code).toMatch(/^\d{6}$/);
    expect(request?.json).toEqual({
      messaging_product: "whatsapp",
      recipient_type: "individual",
      to: digits(phone),
      type: "template",
      template: {
        name: "verification_code",
        language: { code: "ar" },
        components: [
          { type: "body", parameters: [{ type: "text", text: code }] },
          { type: "button", sub_type: "url", index: "0", parameters: [{ type: "text", text: code }] },
        ],
      },
    });
    const [row] = await settled(a, phone);
    expect(row).toMatchObject({ status: "SENT", provider: "whatsapp", channel: "WHATSAPP" });
    expect(row!.providerMessageId).toMatch(/^wamid\./);
    data(await a.client().request(VerifyAccountDocument, { input: { identifier: phone, code } }));
  });

  it("sends a code through a Twilio-compatible API: form body, Basic auth, status callback", async () => {
    const phone = uniquePhone();
    data(await register(b, { phoneNumber: phone, preferredLanguage: "en" }));
    const request = await firstRequest(phone);
    expect(request?.path).toBe("/2010-04-01/Accounts/AC0123456789/Messages.json");
    expect(request?.headers.authorization).toBe(`Basic ${Buffer.from(`AC0123456789:${TWILIO_TOKEN}`).toString("base64")}`);
    expect(request?.form?.get("From")).toBe("+15005550006");
    expect(request?.form?.get("To")).toBe(phone);
    expect(request?.form?.get("StatusCallback")).toBe(TWILIO_CALLBACK);
    expect(request?.form?.get("Body")).toMatch(/^Your Roster code is \d{6}\./);
    const [row] = await settled(b, phone);
    expect(request?.headers["idempotency-key"]).toBe(row!.id);
    expect(row).toMatchObject({ status: "SENT", provider: "twilio" });
    expect(row!.providerMessageId).toMatch(/^SM/);
  });

  it("sends other messages by WhatsApp as the alert template (title, text on one line) and by SMS as title then text", async () => {
    const { worker, clock } = fakeClockWorker(a);
    const phone = uniquePhone();
    await insertDeliveries(a, 1, {
      channel: "WHATSAPP",
      destination: phone,
      kind: "enrollment.approved",
      language: "fr",
      subject: "Inscription acceptée",
      body: "Sara est inscrite.\nCours : Robotique",
      nextAttemptAt: clock.now,
    });
    await insertDeliveries(a, 1, {
      channel: "SMS",
      destination: phone,
      kind: "enrollment.approved",
      subject: "Approved",
      body: "Sara is enrolled.",
      nextAttemptAt: clock.now,
    });
    expect(await worker.runOnce()).toBe(2);
    const whatsapp = sentTo(phone).find((r) => r.path === "/1234567890/messages");
    expect(whatsapp?.json.template).toEqual({
      name: "roster_alert",
      language: { code: "fr" },
      components: [
        {
          type: "body",
          parameters: [
            { type: "text", text: "Inscription acceptée" },
            { type: "text", text: "Sara est inscrite. Cours : Robotique" },
          ],
        },
      ],
    });
    expect(sentTo(phone).find((r) => r.path === "/v1/send")?.json.message).toBe("Approved\nSara is enrolled.");
  });

  it("routes the 'already registered' notice through the outbox to the owner's channel", async () => {
    const phone = uniquePhone();
    data(await register(a, { phoneNumber: phone }));
    data(await register(a, { phoneNumber: phone, firstName: "Intruder" }));
    const rows = await settled(a, phone);
    expect(rows.map((row) => row.kind).sort()).toEqual(["code.alreadyRegistered", "code.verify"]);
    expect(sentTo(phone).at(-1)?.json.message).toMatch(/already have one/);
  });
});

// ------------------------------------------------------------------ failures

describe("retries and dead letters", () => {
  it("retries a 5xx with backoff and gives up after MESSAGE_MAX_ATTEMPTS (DEAD)", async () => {
    const phone = uniquePhone();
    behaviour.set(digits(phone), "fail500");
    data(await register(a, { phoneNumber: phone }));
    const row = await vi.waitFor(
      async () => {
        const [found] = await deliveriesTo(a, phone);
        expect(found?.status).toBe("DEAD");
        return found!;
      },
      { timeout: 10_000, interval: 50 },
    );
    expect(row.attempts).toBe(3);
    expect(row.lastError).toMatch(/beem answered 500/);
    expect(sentTo(phone)).toHaveLength(3);
    // The code still exists: asking again sends a new one, on a recovered gateway.
    behaviour.delete(digits(phone));
    data(await a.client().request(RequestVerificationCodeDocument, { identifier: phone }));
    expect((await deliveriesTo(a, phone)).map((d) => d.status).sort()).toEqual(["DEAD", "SENT"]);
  });

  it("counts a provider that does not answer in MESSAGE_SEND_TIMEOUT as a failed attempt", async () => {
    const phone = uniquePhone();
    behaviour.set(digits(phone), "hang");
    data(await register(a, { phoneNumber: phone, verificationChannel: "WHATSAPP" }));
    const row = await vi.waitFor(
      async () => {
        const [found] = await deliveriesTo(a, phone);
        expect(found?.status).toBe("DEAD");
        return found!;
      },
      { timeout: 20_000, interval: 100 },
    );
    expect(row.lastError).toMatch(/timed out/);
    expect(row.attempts).toBe(3);
  });

  it("marks a number the gateway refuses (400) FAILED without retrying", async () => {
    const phone = uniquePhone();
    behaviour.set(digits(phone), "bad400");
    data(await register(a, { phoneNumber: phone }));
    const [row] = await settled(a, phone);
    expect(row).toMatchObject({ status: "FAILED", attempts: 1 });
    expect(row!.lastError).toMatch(/beem answered 400/);
  });

  it("retries a refused connection", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    const { worker, clock } = fakeClockWorker(a, { beem: { ...a.deps.config.messaging.beem!, baseUrl: deadUrl }, maxAttempts: 2 });
    const [row] = await insertDeliveries(a, 1, { nextAttemptAt: clock.now });
    await worker.runOnce();
    let [after] = await a.deps.database.db.select().from(messageDeliveries).where(eq(messageDeliveries.id, row!.id));
    expect(after).toMatchObject({ status: "QUEUED", attempts: 1 });
    expect(after!.lastError).toMatch(/ECONNREFUSED/);
    clock.now = after!.nextAttemptAt;
    await worker.runOnce();
    [after] = await a.deps.database.db.select().from(messageDeliveries).where(eq(messageDeliveries.id, row!.id));
    expect(after).toMatchObject({ status: "DEAD", attempts: 2 });
  });

  it("holds a delivery back until notBefore", async () => {
    const { worker, clock } = fakeClockWorker(a);
    const [row] = await insertDeliveries(a, 1, { nextAttemptAt: new Date(clock.now.getTime() + 60_000) });
    expect(await worker.runOnce()).toBe(0);
    clock.now = new Date(clock.now.getTime() + 60_000);
    expect(await worker.runOnce()).toBe(1);
    const [after] = await a.deps.database.db.select().from(messageDeliveries).where(eq(messageDeliveries.id, row!.id));
    expect(after!.status).toBe("SENT");
  });
});

describe("a provider down for an hour (default schedule, fake clock)", () => {
  const defaults = { maxAttempts: 10, retryBaseMs: 30_000, retryMaxMs: 3_600_000 };

  /** Runs the worker at each next attempt until the row is finished; the attempts' times in seconds. */
  async function replay(t: TestServer, phone: string, random: () => number) {
    const { worker, clock } = fakeClockWorker(t, defaults, { random });
    const start = clock.now.getTime();
    fakeTime.recoversAt = start + 60 * 60_000;
    const [row] = await insertDeliveries(t, 1, { destination: phone, nextAttemptAt: clock.now });
    const attempts: { attempt: number; atSeconds: number; status: string }[] = [];
    for (let i = 0; i < 20; i++) {
      fakeTime.now = clock.now.getTime();
      await worker.runOnce();
      const [after] = await t.deps.database.db.select().from(messageDeliveries).where(eq(messageDeliveries.id, row!.id));
      attempts.push({ attempt: after!.attempts, atSeconds: (clock.now.getTime() - start) / 1000, status: after!.status });
      if (after!.status !== "QUEUED") break;
      clock.now = after!.nextAttemptAt;
    }
    return attempts;
  }

  it("retries at 30 s, 1, 2, 4, 8, 16, 32 min… and sends on the first attempt after recovery (63.5 min)", async () => {
    const phone = uniquePhone();
    behaviour.set(digits(phone), "downForAnHour");
    const attempts = await replay(a, phone, () => 0.5); // jitter factor exactly 1
    console.log("provider down for an hour:", JSON.stringify(attempts));
    expect(attempts.map((x) => x.atSeconds)).toEqual([0, 30, 90, 210, 450, 930, 1890, 3810]);
    expect(attempts.at(-1)).toEqual({ attempt: 8, atSeconds: 3810, status: "SENT" });
    expect(sentTo(phone)).toHaveLength(8);
  });

  it("with jitter, each delay stays within ±20% of the schedule", async () => {
    const phone = uniquePhone();
    behaviour.set(digits(phone), "downForAnHour");
    const attempts = await replay(a, phone, Math.random);
    expect(attempts.at(-1)?.status).toBe("SENT");
    for (let i = 1; i < attempts.length; i++) {
      const delay = attempts[i]!.atSeconds - attempts[i - 1]!.atSeconds;
      const plain = Math.min(3600, 30 * 2 ** (i - 1));
      expect(delay).toBeGreaterThanOrEqual(plain * 0.8 - 0.001);
      expect(delay).toBeLessThanOrEqual(plain * 1.2 + 0.001);
    }
    for (let n = 1; n <= 10; n++) {
      expect(retryDelayMs(defaults, n, () => 0)).toBe(Math.round(Math.min(3_600_000, 30_000 * 2 ** (n - 1)) * 0.8));
    }
  });

  it("a provider that never recovers: DEAD after 10 attempts, 3 h 3 min 30 s after queueing", async () => {
    const phone = uniquePhone();
    behaviour.set(digits(phone), "fail500");
    const attempts = await replay(a, phone, () => 0.5);
    console.log("provider never recovers:", JSON.stringify(attempts));
    expect(attempts.at(-1)).toEqual({ attempt: 10, atSeconds: 11_010, status: "DEAD" });
  });
});

describe("claims across workers", () => {
  it("two workers on the same rows send each one exactly once", async () => {
    const log = createLog(a.deps.config);
    const first = new OutboxProvider(log);
    const second = new OutboxProvider(log);
    const plain = {
      smtp: undefined,
      beem: undefined,
      twilio: undefined,
      whatsapp: undefined,
      smsProvider: undefined,
      webhookUrl: undefined,
    };
    const one = fakeClockWorker(a, plain, { outbox: first, batch: 5 });
    const two = fakeClockWorker(a, plain, { outbox: second, batch: 5 });
    two.clock.now = one.clock.now;
    const rows = await insertDeliveries(a, 40, { nextAttemptAt: one.clock.now });
    const counts = await Promise.all([one.worker.runOnce(), two.worker.runOnce(), one.worker.runOnce(), two.worker.runOnce()]);
    const ids = [...first.sent, ...second.sent].map((m) => m.deliveryId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual(rows.map((r) => r.id).sort());
    expect(counts.reduce((x, y) => x + y, 0)).toBe(40);
    const after = await a.deps.database.db
      .select()
      .from(messageDeliveries)
      .where(
        inArray(
          messageDeliveries.id,
          rows.map((r) => r.id),
        ),
      );
    expect(after.every((r) => r.status === "SENT" && r.attempts === 1)).toBe(true);
  });

  it("takes over a row whose sender died (lease expired), and stops with the app", async () => {
    const { worker, clock } = fakeClockWorker(a);
    const [row] = await insertDeliveries(a, 1, {
      status: "SENDING",
      attempts: 1,
      nextAttemptAt: clock.now,
      lockedUntil: new Date(clock.now.getTime() - 1),
    });
    expect(await worker.runOnce()).toBe(1);
    const [after] = await a.deps.database.db.select().from(messageDeliveries).where(eq(messageDeliveries.id, row!.id));
    expect(after).toMatchObject({ status: "SENT", attempts: 2 });
    await worker.stop();
    await insertDeliveries(a, 1, { nextAttemptAt: clock.now });
    expect(await worker.runOnce()).toBe(0);
    expect(await worker.sendNow([row!.id])).toBe(0);
  });
});

// ------------------------------------------------------------------ status webhooks

describe("provider status webhooks", () => {
  const post = (t: TestServer, provider: string, body: string, headers: Record<string, string>) =>
    fetch(`${t.url}/webhooks/messages/${provider}`, { method: "POST", body, headers });

  it("WhatsApp: answers Meta's verification challenge only with the verify token", async () => {
    const ok = await fetch(
      `${a.url}/webhooks/messages/whatsapp?hub.mode=subscribe&hub.verify_token=wa-verify-token&hub.challenge=1158201444`,
    );
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe("1158201444");
    const bad = await fetch(`${a.url}/webhooks/messages/whatsapp?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1`);
    expect(bad.status).toBe(403);
  });

  it("WhatsApp: a signed status moves SENT to DELIVERED; a bad signature is 401; a replay changes nothing", async () => {
    const phone = uniquePhone();
    data(await register(a, { phoneNumber: phone, verificationChannel: "WHATSAPP" }));
    const [row] = await settled(a, phone);
    const body = JSON.stringify({
      object: "whatsapp_business_account",
      entry: [
        {
          id: "WABA",
          changes: [
            {
              field: "messages",
              value: {
                messaging_product: "whatsapp",
                statuses: [{ id: row!.providerMessageId, status: "delivered", timestamp: "1700000000", recipient_id: digits(phone) }],
              },
            },
          ],
        },
      ],
    });
    const sign = (secret: string) => `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
    const bad = await post(a, "whatsapp", body, { "content-type": "application/json", "x-hub-signature-256": sign("wrong-secret") });
    expect(bad.status).toBe(401);
    expect((await deliveriesTo(a, phone))[0]!.status).toBe("SENT");
    const unsigned = await post(a, "whatsapp", body, { "content-type": "application/json" });
    expect(unsigned.status).toBe(401);

    const ok = await post(a, "whatsapp", body, { "content-type": "application/json", "x-hub-signature-256": sign(WA_SECRET) });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ applied: 1, ignored: 0 });
    const [delivered] = await deliveriesTo(a, phone);
    expect(delivered!.status).toBe("DELIVERED");
    expect(delivered!.deliveredAt).toBeInstanceOf(Date);
    const replay = await post(a, "whatsapp", body, { "content-type": "application/json", "x-hub-signature-256": sign(WA_SECRET) });
    expect(await replay.json()).toEqual({ applied: 0, ignored: 1 });

    const malformed = "not json";
    const refused = await post(a, "whatsapp", malformed, {
      "x-hub-signature-256": `sha256=${createHmac("sha256", WA_SECRET).update(malformed).digest("hex")}`,
    });
    expect(refused.status).toBe(400);
  });

  it("Twilio: a signed status callback marks FAILED (undelivered) with the error code; a bad signature is 401", async () => {
    const phone = uniquePhone();
    data(await register(b, { phoneNumber: phone }));
    const [row] = await settled(b, phone);
    const params = new URLSearchParams({
      AccountSid: "AC0123456789",
      MessageSid: row!.providerMessageId!,
      MessageStatus: "undelivered",
      ErrorCode: "30003",
      To: phone,
    });
    // Twilio's scheme: HMAC-SHA1 of the URL followed by each parameter name and value, sorted by name.
    const signed =
      TWILIO_CALLBACK +
      [...params.keys()]
        .sort()
        .map((key) => key + params.get(key))
        .join("");
    const signature = createHmac("sha1", TWILIO_TOKEN).update(signed).digest("base64");
    const form = { "content-type": "application/x-www-form-urlencoded" };
    expect((await post(b, "twilio", params.toString(), { ...form, "x-twilio-signature": `AAAA${signature.slice(4)}` })).status).toBe(401);
    const ok = await post(b, "twilio", params.toString(), { ...form, "x-twilio-signature": signature });
    expect(ok.status).toBe(200);
    const [failed] = await deliveriesTo(b, phone);
    expect(failed).toMatchObject({ status: "FAILED" });
    expect(failed!.lastError).toMatch(/30003/);
    // A provider that is not configured on this instance takes nothing.
    expect((await post(b, "whatsapp", "{}", { "content-type": "application/json" })).status).toBe(401);
  });
});

// ------------------------------------------------------------------ the admins' read

describe("messageDeliveries", () => {
  it("lists the tenant's deliveries to its admins only, masked, filtered by status, newest first", async () => {
    const tenant = await a.fixtures.tenant();
    const other = await a.fixtures.tenant();
    const admin = await a.fixtures.member(tenant, ["ADMIN"]);
    const staff = await a.fixtures.member(tenant, ["STAFF"]);
    const parent = await a.fixtures.member(tenant, ["PARENT"]);
    await insertDeliveries(a, 1, {
      tenantId: tenant.id,
      destination: "+255712345621",
      status: "SENT",
      provider: "beem",
      attempts: 1,
      sentAt: new Date(),
      createdAt: new Date(Date.now() - 3000),
    });
    await insertDeliveries(a, 1, {
      tenantId: tenant.id,
      destination: "amina@school.test",
      channel: "EMAIL",
      status: "DEAD",
      attempts: 10,
      lastError: "smtp: connect ECONNREFUSED",
      createdAt: new Date(Date.now() - 2000),
    });
    await insertDeliveries(a, 1, {
      tenantId: tenant.id,
      status: "QUEUED",
      nextAttemptAt: new Date(Date.now() + 86_400_000),
      createdAt: new Date(Date.now() - 1000),
    });
    await insertDeliveries(a, 2, { tenantId: other.id });

    const all = data(await admin.client.request(MessageDeliveriesDocument, { first: 2 })).messageDeliveries;
    expect(all.totalCount).toBe(3);
    expect(all.nodes.map((n) => n.status)).toEqual(["QUEUED", "DEAD"]);
    expect(all.nodes[0]!.nextAttemptAt).toBeTruthy();
    expect(all.nodes[1]).toMatchObject({
      channel: "EMAIL",
      maskedDestination: "a•••@school.test",
      attempts: 10,
      lastError: "smtp: connect ECONNREFUSED",
      nextAttemptAt: null,
    });
    const rest = data(await admin.client.request(MessageDeliveriesDocument, { first: 2, after: all.pageInfo.endCursor })).messageDeliveries;
    expect(rest.nodes).toHaveLength(1);
    expect(rest.nodes[0]).toMatchObject({ status: "SENT", provider: "beem", maskedDestination: "+255•••••••21" });
    expect(rest.pageInfo.hasNextPage).toBe(false);

    const dead = data(await admin.client.request(MessageDeliveriesDocument, { status: "DEAD" })).messageDeliveries;
    expect(dead.nodes.map((n) => n.status)).toEqual(["DEAD"]);

    expect(codes(await staff.client.request(MessageDeliveriesDocument, {}))).toEqual(["FORBIDDEN"]);
    expect(codes(await parent.client.request(MessageDeliveriesDocument, {}))).toEqual(["FORBIDDEN"]);
    expect(codes(await a.client().request(MessageDeliveriesDocument, {}))).toEqual(["UNAUTHENTICATED"]);
    expect(codes(await admin.client.request(MessageDeliveriesDocument, { first: 101 }))).toEqual(["BAD_USER_INPUT"]);
    expect(codes(await admin.client.request(MessageDeliveriesDocument, { after: "bm9wZQ" }))).toEqual(["BAD_USER_INPUT"]);
  });
});
