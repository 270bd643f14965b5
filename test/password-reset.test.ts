import { print } from "graphql";
import { and, eq, isNull } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { authSessions, users, verificationCodes } from "../drizzle/schema";
import type { OutboxProvider } from "../server/messaging";
import {
  LoginDocument,
  MeDocument,
  ProfileUpdatedDocument,
  RefreshTokenDocument,
  RequestPasswordResetDocument,
  ResetPasswordDocument,
} from "./sdk/graphql";
import { codes, data } from "./helpers/client";
import { uniquePhone } from "./helpers/fixtures";
import { subscribed, useTestServer } from "./helpers/server";

const NEW_PASSWORD = "a-brand-new-secret";

const t = useTestServer({
  TRUST_PROXY: "true",
  RATE_LIMIT_PASSWORD_RESET_PER_HOUR: "3",
  RATE_LIMIT_PASSWORD_RESET_PER_IP_PER_HOUR: "6",
});
const outbox = () => t.deps.messages as OutboxProvider;
const codeIn = (text: string | undefined) => /\b(\d{6})\b/.exec(text ?? "")?.[1];
const wrongFor = (code: string) => (code === "000000" ? "111111" : "000000");

/** Each test calls from an address of its own, so the per-address limit of one test does not reach the next. */
let addresses = 0;
const newAddress = () => `198.51.100.${++addresses}`;

function from(address: string) {
  const client = t.client();
  return {
    requestReset: (identifier: string, channel?: "SMS" | "WHATSAPP") =>
      client.raw(
        { query: print(RequestPasswordResetDocument), variables: { identifier, channel } },
        { headers: { "x-forwarded-for": address } },
      ),
    reset: (identifier: string, code: string, newPassword = NEW_PASSWORD) =>
      client.raw(
        { query: print(ResetPasswordDocument), variables: { input: { identifier, code, newPassword } } },
        { headers: { "x-forwarded-for": address } },
      ),
  };
}

/** The answer without what differs per request (nothing should). */
const shape = (result: { status: number; data: unknown; errors?: unknown }) => ({
  status: result.status,
  data: result.data,
  errors: result.errors,
});

describe("password reset", () => {
  it("sends a code to the phone, sets the new password with it, and the old password stops working", async () => {
    const user = await t.fixtures.user();
    const caller = from(newAddress());
    expect(shape(await caller.requestReset(user.phone))).toEqual({ status: 200, data: { requestPasswordReset: true }, errors: undefined });
    const sent = outbox().last(user.phone)!;
    expect(sent.channel).toBe("SMS");
    expect(sent.text).toMatch(/reset code/);
    const code = codeIn(sent.text)!;

    expect(data(await caller.reset(user.phone, code)).resetPassword).toBe(true);
    expect(codes(await t.client().request(LoginDocument, { input: { identifier: user.phone, password: user.password } }))).toEqual([
      "UNAUTHENTICATED",
    ]);
    data(await t.client().request(LoginDocument, { input: { identifier: user.email, password: NEW_PASSWORD } }));
    // A code works once.
    expect(codes(await caller.reset(user.phone, code, "yet-another-secret"))).toEqual(["BAD_USER_INPUT"]);
  });

  it("sends to the email, or by WhatsApp when asked for a phone", async () => {
    const user = await t.fixtures.user({ language: "fr" });
    const caller = from(newAddress());
    data(await caller.requestReset(user.email));
    expect(outbox().last(user.email)).toMatchObject({ channel: "EMAIL", text: expect.stringMatching(/réinitialisation/) });
    data(await caller.requestReset(user.phone, "WHATSAPP"));
    expect(outbox().last(user.phone)?.channel).toBe("WHATSAPP");
  });

  it("answers an unknown phone or email exactly like a known one, and sends nothing", async () => {
    const known = await t.fixtures.user();
    const caller = from(newAddress());
    const before = outbox().sent.length;
    const knownAnswer = shape(await caller.requestReset(known.phone));
    expect(outbox().sent.length).toBe(before + 1);
    const unknownPhone = uniquePhone();
    const unknownEmail = `nobody-${Date.now()}@test.example`;
    expect(shape(await caller.requestReset(unknownPhone))).toEqual(knownAnswer);
    expect(shape(await caller.requestReset(unknownEmail))).toEqual(knownAnswer);
    expect(outbox().last(unknownPhone)).toBeUndefined();
    expect(outbox().last(unknownEmail)).toBeUndefined();
    expect(outbox().sent.length).toBe(before + 1);
    // A code for an unknown account is just a wrong code.
    const wrongKnown = await caller.reset(known.phone, "123456");
    const wrongUnknown = await caller.reset(unknownPhone, "123456");
    expect(shape(wrongUnknown)).toEqual(shape(wrongKnown));
  });

  it("does not send to an unverified address when verification is on", async () => {
    const strict = await (await import("./helpers/server")).startTestServer({ ENABLE_EMAIL_VERIFICATION: "true" });
    try {
      const user = await strict.fixtures.user({ verified: false });
      const verified = await strict.fixtures.user();
      data(await strict.client().request(RequestPasswordResetDocument, { identifier: user.email }));
      data(await strict.client().request(RequestPasswordResetDocument, { identifier: verified.email }));
      const sent = (strict.deps.messages as OutboxProvider).sent.map((message) => message.to);
      expect(sent).toContain(verified.email);
      expect(sent).not.toContain(user.email);
    } finally {
      await strict.close();
    }
  });

  it("refuses a wrong code and an expired one; enforces the password policy", async () => {
    const user = await t.fixtures.user();
    const caller = from(newAddress());
    data(await caller.requestReset(user.phone));
    const code = codeIn(outbox().last(user.phone)?.text)!;
    const wrong = await caller.reset(user.phone, wrongFor(code));
    expect(codes(wrong)).toEqual(["BAD_USER_INPUT"]);
    expect(wrong.errors?.[0]?.extensions?.field).toBe("code");
    const weak = await caller.reset(user.phone, code, "short");
    expect(codes(weak)).toEqual(["BAD_USER_INPUT"]);
    expect(weak.errors?.[0]?.extensions?.field).toBe("newPassword");

    // Past its expiry the right code is refused too.
    await t.deps.database.db
      .update(verificationCodes)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(and(eq(verificationCodes.userId, user.id), eq(verificationCodes.purpose, "reset"), isNull(verificationCodes.consumedAt)));
    expect(codes(await caller.reset(user.phone, code))).toEqual(["BAD_USER_INPUT"]);
    data(await t.client().request(LoginDocument, { input: { identifier: user.phone, password: user.password } }));
  });

  it("spends a code after five wrong attempts", async () => {
    const user = await t.fixtures.user();
    const caller = from(newAddress());
    data(await caller.requestReset(user.email));
    const code = codeIn(outbox().last(user.email)?.text)!;
    for (let i = 0; i < 5; i++) expect(codes(await caller.reset(user.email, wrongFor(code)))).toEqual(["BAD_USER_INPUT"]);
    expect(codes(await caller.reset(user.email, code))).toEqual(["BAD_USER_INPUT"]);
    const [row] = await t.deps.database.db
      .select()
      .from(verificationCodes)
      .where(and(eq(verificationCodes.userId, user.id), eq(verificationCodes.purpose, "reset")));
    expect(row).toMatchObject({ attempts: 5 });
    expect(row!.consumedAt).not.toBeNull();
  });

  it("limits requests per destination, known or not, with the same answers", async () => {
    const known = await t.fixtures.user();
    const unknown = uniquePhone();
    const answers = async (identifier: string) => {
      const seen = [];
      // A new address each time: only the destination's counter (3 an hour here) is reached.
      for (let i = 0; i < 5; i++) {
        const result = await from(newAddress()).requestReset(identifier);
        seen.push([result.status, codes(result), result.errors?.[0]?.message.replace(/\d+ seconds/, "N seconds")]);
      }
      return seen;
    };
    const knownAnswers = await answers(known.phone);
    expect(knownAnswers.map(([, code]) => code)).toEqual([[], [], [], ["RATE_LIMITED"], ["RATE_LIMITED"]]);
    expect(await answers(unknown)).toEqual(knownAnswers);
    expect(outbox().sent.filter((message) => message.to === known.phone)).toHaveLength(3);
  });

  it("limits requests and code checks per client address, across accounts", async () => {
    const people = await Promise.all(Array.from({ length: 7 }, () => t.fixtures.user()));
    const caller = from(newAddress());
    for (const person of people.slice(0, 6)) data(await caller.requestReset(person.email));
    const limited = await caller.requestReset(people[6]!.email);
    expect(codes(limited)).toEqual(["RATE_LIMITED"]);
    expect(limited.errors?.[0]?.extensions?.retryAfter).toBeGreaterThan(0);
    // Guessing codes from that address is limited as well.
    const guessing = from(newAddress());
    const seen = [];
    for (let i = 0; i < 7; i++) seen.push(codes(await guessing.reset(people[i]!.phone, "123456"))[0]);
    expect(seen).toEqual([
      "BAD_USER_INPUT",
      "BAD_USER_INPUT",
      "BAD_USER_INPUT",
      "BAD_USER_INPUT",
      "BAD_USER_INPUT",
      "BAD_USER_INPUT",
      "RATE_LIMITED",
    ]);
    // Another address is not affected.
    data(await from(newAddress()).requestReset(people[6]!.email));
  });

  it("signs the account out everywhere: refresh tokens fail and open subscriptions close", async () => {
    const user = await t.fixtures.user();
    const phone = await t.fixtures.login(user);
    const laptop = await t.fixtures.login(user);
    const ws = t.ws({ token: laptop.token });
    await subscribed(t, () => ws.subscribe(ProfileUpdatedDocument));
    const caller = from(newAddress());
    data(await caller.requestReset(user.phone));
    data(await caller.reset(user.phone, codeIn(outbox().last(user.phone)?.text)!));

    expect((await ws.firstClose).code).toBe(4401);
    for (const session of [phone, laptop]) {
      expect(codes(await t.client().request(RefreshTokenDocument, { refreshToken: session.refreshToken }))).toEqual(["UNAUTHENTICATED"]);
      expect(codes(await session.client.request(MeDocument))).toEqual(["UNAUTHENTICATED"]);
    }
    const live = await t.deps.database.db
      .select({ id: authSessions.id })
      .from(authSessions)
      .where(and(eq(authSessions.userId, user.id), isNull(authSessions.revokedAt)));
    expect(live).toEqual([]);
    const [row] = await t.deps.database.db.select({ changed: users.passwordChangedAt }).from(users).where(eq(users.id, user.id));
    expect(row!.changed).not.toBeNull();
    await ws.close();
  });
});
