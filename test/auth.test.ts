import { createLocalJWKSet, jwtVerify, SignJWT } from "jose";
import { generateKeyPair, type JWK } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { authSessions, notifications } from "../drizzle/schema";
import type { OutboxProvider } from "../server/messaging";
import {
  ChangePasswordDocument,
  LoginDocument,
  LogoutDocument,
  MeDocument,
  MySessionsDocument,
  ProfileUpdatedDocument,
  RefreshTokenDocument,
  RegisterDocument,
  RequestVerificationCodeDocument,
  RevokeSessionDocument,
  SwitchTenantDocument,
  UpdateProfileDocument,
  VerifyAccountDocument,
  VerifyTokenDocument,
} from "./sdk/graphql";
import { print } from "graphql";
import { codes, data, type GraphQLClient } from "./helpers/client";
import { PASSWORD, uniquePhone, type TestTenant } from "./helpers/fixtures";
import { startTestServer, useTestServer, subscribed, type TestServer } from "./helpers/server";

let tenant: TestTenant;

const t = useTestServer();
beforeAll(async () => {
  tenant = await t.fixtures.tenant();
});

describe("register and login", () => {
  it("registers with a phone number into a tenant, then signs in and reads me", async () => {
    const phone = uniquePhone();
    const anonymous = t.client({ tenant: tenant.slug });
    const registered = data(
      await anonymous.request(RegisterDocument, {
        input: { phoneNumber: phone, password: PASSWORD, firstName: "Mona", lastName: "Ali", role: "PARENT" },
      }),
    );
    expect(registered.register).toEqual({ verificationRequired: false, channel: null });

    const login = data(await anonymous.request(LoginDocument, { input: { identifier: phone, password: PASSWORD } }));
    expect(login.login.tenant?.slug).toBe(tenant.slug);
    expect(login.login.refreshToken).toMatch(/^rrt_/);
    const me = data(await t.client({ token: login.login.accessToken }).request(MeDocument));
    expect(me.me).toMatchObject({ firstName: "Mona", phoneNumber1: phone, isVerified: false });
    expect(me.me.membership?.roles).toEqual(["PARENT"]);
  });

  it("registers with an email and signs in with it, in any letter case", async () => {
    const email = `Mixed.${Date.now()}@Example.com`;
    data(await t.client().request(RegisterDocument, { input: { email, password: PASSWORD, firstName: "Eve" } }));
    const login = data(await t.client().request(LoginDocument, { input: { identifier: email.toUpperCase(), password: PASSWORD } }));
    expect(login.login.tenant).toBeNull();
  });

  it("answers a taken phone number exactly like a free one, and keeps the first password", async () => {
    const user = await t.fixtures.user();
    const again = await t.client().request(RegisterDocument, {
      input: { phoneNumber: user.phone, password: "another-password", firstName: "Mallory" },
    });
    expect(data(again).register).toEqual({ verificationRequired: false, channel: null });
    expect(codes(await t.client().request(LoginDocument, { input: { identifier: user.phone, password: "another-password" } }))).toEqual([
      "UNAUTHENTICATED",
    ]);
    data(await t.client().request(LoginDocument, { input: { identifier: user.phone, password: user.password } }));
  });

  it("gives the same error for an unknown account and a wrong password", async () => {
    const user = await t.fixtures.user();
    const wrong = await t.client().request(LoginDocument, { input: { identifier: user.phone, password: "wrong-password" } });
    const unknown = await t.client().request(LoginDocument, { input: { identifier: uniquePhone(), password: "wrong-password" } });
    expect(codes(wrong)).toEqual(["UNAUTHENTICATED"]);
    expect(unknown.errors?.[0]).toEqual({ ...wrong.errors?.[0] });
  });

  it("rejects bad registration input with BAD_USER_INPUT", async () => {
    const client = t.client({ tenant: tenant.slug });
    const shortPassword = await client.request(RegisterDocument, {
      input: { phoneNumber: uniquePhone(), password: "short", firstName: "A" },
    });
    expect(codes(shortPassword)).toEqual(["BAD_USER_INPUT"]);
    const invalidPhone = await client.request(RegisterDocument, { input: { phoneNumber: "+20100", password: PASSWORD, firstName: "A" } });
    expect(codes(invalidPhone)).toEqual(["BAD_USER_INPUT"]);
    const noLogin = await client.request(RegisterDocument, { input: { password: PASSWORD, firstName: "A" } });
    expect(codes(noLogin)).toEqual(["BAD_USER_INPUT"]);
    const admin = await client.request(RegisterDocument, {
      input: { phoneNumber: uniquePhone(), password: PASSWORD, firstName: "A", role: "ADMIN" },
    });
    expect(codes(admin)).toEqual(["BAD_USER_INPUT"]);
    const loginFormat = await client.request(LoginDocument, { input: { identifier: "01001234567", password: PASSWORD } });
    expect(codes(loginFormat)).toEqual(["BAD_USER_INPUT"]);
  });

  it("signs in only into a tenant the user belongs to", async () => {
    const other = await t.fixtures.tenant();
    const user = await t.fixtures.user({ tenant, roles: ["STUDENT"] });
    const result = await t.client({ tenant: other.slug }).request(LoginDocument, { input: { identifier: user.phone, password: PASSWORD } });
    expect(codes(result)).toEqual(["FORBIDDEN"]);
  });
});

describe("tokens", () => {
  it("rotates refresh tokens and revokes the whole session when a spent one is reused", async () => {
    const { refreshToken } = await t.fixtures.member(tenant, ["STUDENT"]);
    const first = data(await t.client().request(RefreshTokenDocument, { refreshToken }));
    expect(first.refreshToken.refreshToken).not.toBe(refreshToken);
    expect(first.refreshToken.tenant?.id).toBe(tenant.id);
    const rotatedClient = t.client({ token: first.refreshToken.accessToken });
    data(await rotatedClient.request(MeDocument));

    const reuse = await t.client().request(RefreshTokenDocument, { refreshToken });
    expect(codes(reuse)).toEqual(["UNAUTHENTICATED"]);
    expect(reuse.errors?.[0]?.message).toMatch(/already used/);
    // Everything of the session is dead: the newest access token and refresh token too.
    expect(codes(await rotatedClient.request(MeDocument))).toEqual(["UNAUTHENTICATED"]);
    expect(codes(await t.client().request(RefreshTokenDocument, { refreshToken: first.refreshToken.refreshToken! }))).toEqual([
      "UNAUTHENTICATED",
    ]);
    const [session] = await t.deps.database.db.select().from(authSessions).where(eq(authSessions.id, first.refreshToken.sessionId));
    expect(session?.revokedReason).toBe("refresh-token-reuse");
  });

  it("refuses unknown refresh tokens", async () => {
    expect(codes(await t.client().request(RefreshTokenDocument, { refreshToken: "rrt_nope" }))).toEqual(["UNAUTHENTICATED"]);
  });

  it("refuses expired, tampered and foreign-key tokens with 401, saying why", async () => {
    const { token, user } = await t.fixtures.member(tenant, ["STUDENT"]);
    const key = t.deps.signingKey;
    const claims = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString());
    const expired = await new SignJWT({ sid: claims.sid, tid: claims.tid })
      .setProtectedHeader({ alg: key.algorithm, kid: key.kid, typ: "at+jwt" })
      .setSubject(user.id)
      .setIssuer(claims.iss)
      .setAudience(claims.aud)
      .setIssuedAt(Math.floor(Date.now() / 1000) - 3600)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(key.privateKey);
    const expiredResult = await t.client({ token: expired }).request(MeDocument);
    expect([expiredResult.status, codes(expiredResult)]).toEqual([401, ["UNAUTHENTICATED"]]);
    expect(expiredResult.headers.get("www-authenticate")).toBe('Bearer error="invalid_token"');
    expect(expiredResult.errors?.[0]?.message).toMatch(/expired/);

    const [header, , signature] = token.split(".");
    const forgedPayload = Buffer.from(JSON.stringify({ ...claims, sub: "00000000-0000-0000-0000-000000000000" })).toString("base64url");
    const tampered = await t.client({ token: `${header}.${forgedPayload}.${signature}` }).request(MeDocument);
    expect(codes(tampered)).toEqual(["UNAUTHENTICATED"]);
    expect(tampered.errors?.[0]?.message).toMatch(/invalid/);

    const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519" });
    const foreign = await new SignJWT({ sid: claims.sid })
      .setProtectedHeader({ alg: "EdDSA", kid: key.kid, typ: "at+jwt" })
      .setSubject(user.id)
      .setIssuer(claims.iss)
      .setAudience(claims.aud)
      .setExpirationTime("5m")
      .sign(privateKey);
    expect(codes(await t.client({ token: foreign }).request(MeDocument))).toEqual(["UNAUTHENTICATED"]);
    const unsigned = `${Buffer.from(JSON.stringify({ alg: "none", typ: "at+jwt" })).toString("base64url")}.${forgedPayload}.`;
    expect(codes(await t.client({ token: unsigned }).request(MeDocument))).toEqual(["UNAUTHENTICATED"]);
    // A bad token is refused even for operations anyone may run (never silently anonymous);
    // without the header, the same sign-in works.
    const login = { input: { identifier: user.phone, password: user.password } };
    const withBadToken = await t.client({ token: expired }).request(LoginDocument, login);
    expect([withBadToken.status, codes(withBadToken)]).toEqual([401, ["UNAUTHENTICATED"]]);
    data(await t.client().request(LoginDocument, login));
  });

  it("checks the kid against the JWKS: an unknown or missing kid is refused", async () => {
    const { token, user } = await t.fixtures.member(tenant, ["STUDENT"]);
    const key = t.deps.signingKey;
    const claims = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString());
    const signed = (header: Record<string, unknown>) =>
      new SignJWT({ sid: claims.sid, tid: claims.tid })
        .setProtectedHeader({ alg: key.algorithm, typ: "at+jwt", ...header })
        .setSubject(user.id)
        .setIssuer(claims.iss)
        .setAudience(claims.aud)
        .setExpirationTime("5m")
        .sign(key.privateKey);
    // Signed with the right key: only the kid is wrong or missing.
    for (const header of [{ kid: "another-key" }, {}, { kid: "" }]) {
      const result = await t.client({ token: await signed(header) }).request(MeDocument);
      expect([JSON.stringify(header), result.status, codes(result)]).toEqual([JSON.stringify(header), 401, ["UNAUTHENTICATED"]]);
    }
    expect(data(await t.client({ token: await signed({ kid: key.kid }) }).request(MeDocument)).me.id).toBe(user.id);
  });

  it("refuses a signed-out session's token and an unknown device token on public operations too", async () => {
    const { token, client } = await t.fixtures.member(tenant, ["STUDENT"]);
    const catalogue = { query: "{ courses { totalCount } }" };
    expect(data(await t.client({ tenant: tenant.slug, token }).raw(catalogue))).toBeTruthy();
    data(await client.request(LogoutDocument, {}));
    const revoked = await t.client({ tenant: tenant.slug, token }).raw(catalogue);
    expect([revoked.status, codes(revoked)]).toEqual([401, ["UNAUTHENTICATED"]]);
    expect(revoked.errors?.[0]?.message).toMatch(/signed out/);
    for (const authorization of ["Device dev_nope", `Device rdv_${tenant.id}_not-the-secret`]) {
      const device = await t.client({ tenant: tenant.slug }).raw(catalogue, { headers: { authorization } });
      expect([authorization, device.status, codes(device)]).toEqual([authorization, 401, ["UNAUTHENTICATED"]]);
    }
    // No header at all: anonymous, as before.
    expect(data(await t.client({ tenant: tenant.slug }).raw(catalogue))).toBeTruthy();
  });

  it("verifies tokens: valid, then revoked after logout", async () => {
    const { token, client, user } = await t.fixtures.member(tenant, ["STUDENT"]);
    const valid = data(await t.client().request(VerifyTokenDocument, { token }));
    expect(valid.verifyToken).toMatchObject({ valid: true, userId: user.id, tenantId: tenant.id });
    expect(data(await client.request(LogoutDocument, {})).logout).toBe(true);
    expect(data(await t.client().request(VerifyTokenDocument, { token })).verifyToken).toMatchObject({ valid: false, reason: "REVOKED" });
    expect(codes(await client.request(MeDocument))).toEqual(["UNAUTHENTICATED"]);
    expect(data(await t.client().request(VerifyTokenDocument, { token: "garbage" })).verifyToken.reason).toBe("INVALID");
  });

  it("logs out by refresh token too, and that refresh token is dead", async () => {
    const { refreshToken } = await t.fixtures.member(tenant, ["STUDENT"]);
    expect(data(await t.client().request(LogoutDocument, { refreshToken })).logout).toBe(true);
    expect(codes(await t.client().request(RefreshTokenDocument, { refreshToken }))).toEqual(["UNAUTHENTICATED"]);
    expect(codes(await t.client().request(LogoutDocument, {}))).toEqual(["UNAUTHENTICATED"]);
  });

  it("publishes the signing key as JWKS, which verifies issued tokens", async () => {
    const { token } = await t.fixtures.member(tenant, ["STUDENT"]);
    const jwks = (await (await fetch(`${t.url}/.well-known/jwks.json`)).json()) as { keys: JWK[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).not.toHaveProperty("d");
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), { issuer: "roster", audience: "roster-api" });
    expect(payload.tid).toBe(tenant.id);
  });
});

describe("devices (sessions)", () => {
  it("lists the caller's devices and signs one out", async () => {
    const user = await t.fixtures.user({ tenant, roles: ["PARENT"] });
    const phone = await t.fixtures.login(user, tenant);
    const laptop = await t.fixtures.login(user, tenant);
    const sessions = data(await phone.client.request(MySessionsDocument)).mySessions;
    expect(sessions.map((s) => s.id).sort()).toEqual([phone.sessionId, laptop.sessionId].sort());
    expect(sessions.find((s) => s.current)?.id).toBe(phone.sessionId);

    expect(data(await phone.client.request(RevokeSessionDocument, { sessionId: laptop.sessionId })).revokeSession).toBe(true);
    expect(codes(await laptop.client.request(MeDocument))).toEqual(["UNAUTHENTICATED"]);
    data(await phone.client.request(MeDocument));
  });

  it("cannot revoke someone else's session", async () => {
    const mine = await t.fixtures.member(tenant, ["PARENT"]);
    const theirs = await t.fixtures.member(tenant, ["PARENT"]);
    expect(codes(await mine.client.request(RevokeSessionDocument, { sessionId: theirs.sessionId }))).toEqual(["NOT_FOUND"]);
    data(await theirs.client.request(MeDocument));
  });

  it("requires a signed-in user", async () => {
    expect(codes(await t.client().request(MySessionsDocument))).toEqual(["UNAUTHENTICATED"]);
  });
});

describe("password and profile", () => {
  it("changes the password, signs other devices out, notifies, and publishes profileUpdated", async () => {
    const user = await t.fixtures.user({ tenant, roles: ["PARENT"] });
    const current = await t.fixtures.login(user, tenant);
    const other = await t.fixtures.login(user, tenant);
    const ws = t.ws({ token: current.token });
    const sub = await subscribed(t, () => ws.subscribe(ProfileUpdatedDocument));

    const wrong = await current.client.request(ChangePasswordDocument, {
      input: { currentPassword: "nope-nope", newPassword: "new-password-1" },
    });
    expect(codes(wrong)).toEqual(["BAD_USER_INPUT"]);
    const weak = await current.client.request(ChangePasswordDocument, { input: { currentPassword: PASSWORD, newPassword: "short" } });
    expect(codes(weak)).toEqual(["BAD_USER_INPUT"]);

    data(await current.client.request(ChangePasswordDocument, { input: { currentPassword: PASSWORD, newPassword: "new-password-1" } }));
    const event = await sub.next();
    expect(event.data?.profileUpdated).toMatchObject({ userId: user.id, passwordUpdated: true, user: { id: user.id } });

    expect(codes(await other.client.request(MeDocument))).toEqual(["UNAUTHENTICATED"]);
    data(await current.client.request(MeDocument));
    expect(codes(await t.client().request(LoginDocument, { input: { identifier: user.phone, password: PASSWORD } }))).toEqual([
      "UNAUTHENTICATED",
    ]);
    data(await t.client().request(LoginDocument, { input: { identifier: user.phone, password: "new-password-1" } }));
    const rows = await t.deps.database.db.select().from(notifications).where(eq(notifications.userId, user.id));
    expect(rows.map((row) => row.kind)).toEqual(["PASSWORD_CHANGED"]);
    await ws.close();
  });

  it("updates the profile and tells the user's other connections which fields changed", async () => {
    const signedIn = await t.fixtures.member(tenant, ["PARENT"]);
    const ws = t.ws({ token: signedIn.token });
    const sub = await subscribed(t, () => ws.subscribe(ProfileUpdatedDocument));
    const updated = data(
      await signedIn.client.request(UpdateProfileDocument, {
        input: { firstName: "Nour", dateOfBirth: "1990-05-01", preferredLanguage: "fr", phoneNumber2: "+201112345678" },
      }),
    );
    expect(updated.updateProfile).toMatchObject({ firstName: "Nour", dateOfBirth: "1990-05-01", preferredLanguage: "fr" });
    const event = await sub.next();
    expect(event.data?.profileUpdated.passwordUpdated).toBe(false);
    expect(event.data?.profileUpdated.changedFields.sort()).toEqual(["dateOfBirth", "firstName", "phoneNumber2", "preferredLanguage"]);
    // Errors now come in French, the new preferred language.
    const bad = await signedIn.client.request(UpdateProfileDocument, { input: { phoneNumber2: "+2012" } });
    expect(codes(bad)).toEqual(["BAD_USER_INPUT"]);
    await ws.close();
  });

  it("refuses to change the email here, taken or free alike (requestContactChange verifies it)", async () => {
    const other = await t.fixtures.user();
    const { client, user } = await t.fixtures.member(tenant, ["PARENT"]);
    const taken = await client.request(UpdateProfileDocument, { input: { email: other.email } });
    const free = await client.request(UpdateProfileDocument, { input: { email: `free-${Date.now()}@test.example` } });
    expect(codes(taken)).toEqual(["BAD_USER_INPUT"]);
    expect(free.errors?.[0]?.message).toBe(taken.errors?.[0]?.message);
    // The current address is accepted (no change).
    data(await client.request(UpdateProfileDocument, { input: { email: user.email, firstName: "Same" } }));
  });

  it("does not let a subscriber hear another user's profile changes", async () => {
    const listener = await t.fixtures.member(tenant, ["PARENT"]);
    const actor = await t.fixtures.member(tenant, ["PARENT"]);
    const ws = t.ws({ token: listener.token });
    const sub = await subscribed(t, () => ws.subscribe(ProfileUpdatedDocument));
    data(await actor.client.request(UpdateProfileDocument, { input: { firstName: "Other" } }));
    expect(await sub.quiet(400)).toBe(true);
    await ws.close();
  });
});

describe("tenant switching", () => {
  it("switches the session to another membership and back", async () => {
    const second = await t.fixtures.tenant();
    const user = await t.fixtures.user({ tenant, roles: ["INSTRUCTOR"] });
    await t.fixtures.user(); // noise
    const { grantMembership } = await import("../server/services/members");
    await grantMembership(t.deps.database.db, second.id, user.id, ["PARENT"]);
    const signedIn = await t.fixtures.login(user, tenant);

    const switched = data(await signedIn.client.request(SwitchTenantDocument, { tenantId: second.id })).switchTenant;
    expect(switched.tenant?.slug).toBe(second.slug);
    expect(switched.refreshToken).toBeNull();
    const me = data(await t.client({ token: switched.accessToken }).request(MeDocument)).me;
    expect(me.membership?.roles).toEqual(["PARENT"]);
    // The session's refresh token now renews into the new tenant.
    const renewed = data(await t.client().request(RefreshTokenDocument, { refreshToken: signedIn.refreshToken })).refreshToken;
    expect(renewed.tenant?.id).toBe(second.id);

    const stranger = await t.fixtures.tenant();
    expect(codes(await signedIn.client.request(SwitchTenantDocument, { tenantId: stranger.id }))).toEqual(["FORBIDDEN"]);
  });

  it("refuses a token whose tenant differs from X-Tenant", async () => {
    const other = await t.fixtures.tenant();
    const { token } = await t.fixtures.member(tenant, ["PARENT"]);
    const result = await t.client({ token, tenant: other.slug }).request(MeDocument);
    expect(result.status).toBe(403);
    expect(codes(result)).toEqual(["FORBIDDEN"]);
  });
});

describe("verification codes", () => {
  let v: TestServer;
  beforeAll(async () => {
    v = await startTestServer({ ENABLE_PHONE_NUMBER_VERIFICATION: "true", ENABLE_EMAIL_VERIFICATION: "true" });
  });
  afterAll(() => v?.close());
  const outbox = () => v.deps.messages as OutboxProvider;
  const codeIn = (text: string | undefined) => /\b(\d{6})\b/.exec(text ?? "")?.[1];

  it("sends a code, refuses login until verified, then verifies and signs in", async () => {
    const phone = uniquePhone();
    const registered = data(
      await v.client().request(RegisterDocument, { input: { phoneNumber: phone, password: PASSWORD, firstName: "Sara" } }),
    );
    expect(registered.register).toEqual({ verificationRequired: true, channel: "SMS" });
    const code = codeIn(outbox().last(phone)?.text);
    expect(code).toMatch(/^\d{6}$/);

    const early = await v.client().request(LoginDocument, { input: { identifier: phone, password: PASSWORD } });
    expect(codes(early)).toEqual(["FORBIDDEN"]);
    expect(early.errors?.[0]?.extensions?.reason).toBe("VERIFICATION_REQUIRED");

    const wrongCode = code === "000000" ? "111111" : "000000";
    expect(codes(await v.client().request(VerifyAccountDocument, { input: { identifier: phone, code: wrongCode } }))).toEqual([
      "BAD_USER_INPUT",
    ]);
    const verified = data(await v.client().request(VerifyAccountDocument, { input: { identifier: phone, code: code! } }));
    expect(verified.verifyAccount.accessToken).toBeTruthy();
    expect(data(await v.client({ token: verified.verifyAccount.accessToken }).request(MeDocument)).me.isVerified).toBe(true);
    // A code works once.
    expect(codes(await v.client().request(VerifyAccountDocument, { input: { identifier: phone, code: code! } }))).toEqual([
      "BAD_USER_INPUT",
    ]);
    data(await v.client().request(LoginDocument, { input: { identifier: phone, password: PASSWORD } }));
  });

  it("burns a code after five wrong attempts", async () => {
    const email = `v${Date.now()}@test.example`;
    data(await v.client().request(RegisterDocument, { input: { email, password: PASSWORD, firstName: "Ali" } }));
    const code = codeIn(outbox().last(email)?.text)!;
    const wrong = code === "000000" ? "111111" : "000000";
    for (let i = 0; i < 5; i++) {
      expect(codes(await v.client().request(VerifyAccountDocument, { input: { identifier: email, code: wrong } }))).toEqual([
        "BAD_USER_INPUT",
      ]);
    }
    expect(codes(await v.client().request(VerifyAccountDocument, { input: { identifier: email, code } }))).toEqual(["BAD_USER_INPUT"]);
    // A new code can be asked for, and works.
    expect(data(await v.client().request(RequestVerificationCodeDocument, { identifier: email })).requestVerificationCode).toBe(true);
    const fresh = codeIn(outbox().last(email)?.text)!;
    data(await v.client().request(VerifyAccountDocument, { input: { identifier: email, code: fresh } }));
  });

  it("sends a phone's code by WhatsApp when asked; never by email", async () => {
    const phone = uniquePhone();
    const registered = data(
      await v
        .client()
        .request(RegisterDocument, { input: { phoneNumber: phone, password: PASSWORD, firstName: "W", verificationChannel: "WHATSAPP" } }),
    );
    expect(registered.register).toEqual({ verificationRequired: true, channel: "WHATSAPP" });
    expect(outbox().last(phone)?.channel).toBe("WHATSAPP");
    data(await v.client().request(RequestVerificationCodeDocument, { identifier: phone, channel: "SMS" }));
    expect(outbox().last(phone)?.channel).toBe("SMS");
    expect(codes(await v.client().request(RequestVerificationCodeDocument, { identifier: phone, channel: "EMAIL" }))).toEqual([
      "BAD_USER_INPUT",
    ]);
  });

  it("tells the owner, not the caller, when someone registers their number again", async () => {
    const phone = uniquePhone();
    data(await v.client().request(RegisterDocument, { input: { phoneNumber: phone, password: PASSWORD, firstName: "First" } }));
    const again = data(
      await v.client().request(RegisterDocument, { input: { phoneNumber: phone, password: PASSWORD, firstName: "Second" } }),
    );
    expect(again.register).toEqual({ verificationRequired: true, channel: "SMS" });
    expect(outbox().last(phone)?.text).toMatch(/already have one/);
    // Asking for a code for an unknown number answers the same as for a known one.
    expect(data(await v.client().request(RequestVerificationCodeDocument, { identifier: uniquePhone() })).requestVerificationCode).toBe(
      true,
    );
  });
});

describe("login rate limit", () => {
  let r: TestServer;
  beforeAll(async () => {
    r = await startTestServer({ RATE_LIMIT_LOGIN_PER_15_MIN: "3" });
  });
  afterAll(() => r?.close());

  const loginFrom = (client: GraphQLClient, address: string, identifier: string, password: string) =>
    client.raw(
      { query: print(LoginDocument), variables: { input: { identifier, password } } },
      { headers: { "x-forwarded-for": address } },
    );

  it("counts the phone number and the email of one account together", async () => {
    const user = await r.fixtures.user();
    for (const identifier of [user.phone, user.email, user.phone]) {
      expect(codes(await r.client().request(LoginDocument, { input: { identifier, password: "wrong-pass" } }))).toEqual([
        "UNAUTHENTICATED",
      ]);
    }
    for (const identifier of [user.email, user.phone]) {
      const limited = await r.client().request(LoginDocument, { input: { identifier, password: user.password } });
      expect(codes(limited)).toEqual(["RATE_LIMITED"]);
      expect(limited.errors?.[0]?.extensions?.retryAfter).toBeGreaterThan(0);
    }
  });

  it("answers an unknown login exactly like a known one (no enumeration)", async () => {
    const known = await r.fixtures.user();
    const attempts = async (identifier: string) => {
      const seen = [];
      for (let i = 0; i < 5; i++) {
        const result = await r.client().request(LoginDocument, { input: { identifier, password: "wrong-pass" } });
        seen.push([result.status, codes(result), result.errors?.[0]?.message.replace(/\d+ seconds/, "N seconds")]);
      }
      return seen;
    };
    const knownAnswers = await attempts(known.phone);
    expect(knownAnswers.map(([, code]) => code)).toEqual([
      ["UNAUTHENTICATED"],
      ["UNAUTHENTICATED"],
      ["UNAUTHENTICATED"],
      ["RATE_LIMITED"],
      ["RATE_LIMITED"],
    ]);
    expect(await attempts(uniquePhone())).toEqual(knownAnswers);
    expect(await attempts(`nobody-${Date.now()}@test.example`)).toEqual(knownAnswers);
  });

  it("limits failed sign-ins per client address across accounts; successes do not count", async () => {
    const proxied = await startTestServer({
      TRUST_PROXY: "true",
      RATE_LIMIT_LOGIN_PER_15_MIN: "100",
      RATE_LIMIT_LOGIN_PER_IP_PER_15_MIN: "4",
    });
    try {
      const users = await Promise.all(Array.from({ length: 6 }, () => proxied.fixtures.user()));
      // One wrong password on each of four accounts from one address …
      for (const user of users.slice(0, 4)) {
        expect(codes(await loginFrom(proxied.client(), "203.0.113.7", user.phone, "wrong-pass"))).toEqual(["UNAUTHENTICATED"]);
      }
      // … and that address may try no further account, even with the right password.
      const limited = await loginFrom(proxied.client(), "203.0.113.7", users[4]!.phone, users[4]!.password);
      expect(codes(limited)).toEqual(["RATE_LIMITED"]);
      expect(limited.errors?.[0]?.extensions?.retryAfter).toBeGreaterThan(0);
      // Another address is not affected.
      data(await loginFrom(proxied.client(), "203.0.113.8", users[4]!.phone, users[4]!.password));
      // Successful sign-ins give their point back: many of them never reach the limit.
      for (const user of [...users, ...users]) data(await loginFrom(proxied.client(), "203.0.113.9", user.phone, user.password));
    } finally {
      await proxied.close();
    }
  });

  it("answers RATE_LIMITED after too many attempts for one login, with a retry time", async () => {
    const user = await r.fixtures.user();
    for (let i = 0; i < 3; i++) {
      expect(codes(await r.client().request(LoginDocument, { input: { identifier: user.phone, password: "wrong-pass" } }))).toEqual([
        "UNAUTHENTICATED",
      ]);
    }
    const limited = await r.client().request(LoginDocument, { input: { identifier: user.phone, password: user.password } });
    expect(codes(limited)).toEqual(["RATE_LIMITED"]);
    expect(limited.errors?.[0]?.extensions?.retryAfter).toBeGreaterThan(0);
    // Another login from the same address is not affected.
    const other = await r.fixtures.user();
    data(await r.client().request(LoginDocument, { input: { identifier: other.phone, password: other.password } }));
  });
});
