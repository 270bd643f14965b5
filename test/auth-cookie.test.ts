/**
 * Cookie mode (browser sessions): the refresh token in an HttpOnly, SameSite=Strict
 * cookie scoped to /graphql; refresh and logout through it; the Origin check (CSRF).
 */
import { generateKeyPairSync } from "node:crypto";
import { print, type DocumentNode } from "graphql";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authSessions } from "../drizzle/schema";
import {
  LoginDocument,
  LogoutDocument,
  MeDocument,
  RefreshFromCookieDocument,
  RefreshTokenDocument,
  VerifyAccountDocument,
} from "./sdk/graphql";
import { codes, data, type Result } from "./helpers/client";
import type { TestUser } from "./helpers/fixtures";
import { startTestServer, type TestServer } from "./helpers/server";

const TRUSTED = "https://admin.example";

let t: TestServer;
let user: TestUser;

beforeAll(async () => {
  // "*" lets any origin read answers (CORS) but never use the cookie.
  t = await startTestServer({ CORS_ORIGINS: `${TRUSTED},*` });
  const tenant = await t.fixtures.tenant();
  user = await t.fixtures.user({ tenant, roles: ["ADMIN"] });
});
afterAll(() => t?.close());

/** Posts a typed operation with the headers a browser would send (empty ones left out). */
async function post<T, V>(
  document: TypedDocumentNode<T, V>,
  variables: V,
  headers: Record<string, string | undefined> = {},
  server: TestServer = t,
): Promise<Result<T>> {
  const defined = Object.fromEntries(Object.entries(headers).filter(([, value]) => value)) as Record<string, string>;
  return server.client().raw({ query: print(document as DocumentNode), variables }, { headers: defined });
}

interface SetCookie {
  name: string;
  value: string;
  attributes: Record<string, string | true>;
}

function setCookies(result: Result<unknown>): SetCookie[] {
  return result.headers.getSetCookie().map((line) => {
    const [pair, ...rest] = line.split(";");
    const at = pair!.indexOf("=");
    const attributes: SetCookie["attributes"] = {};
    for (const attribute of rest) {
      const [key, value] = attribute.trim().split("=");
      attributes[key!.toLowerCase()] = value ?? true;
    }
    return { name: pair!.slice(0, at), value: pair!.slice(at + 1), attributes };
  });
}

/** The refresh cookie a response set (fails when none). */
function refreshCookie(result: Result<unknown>): SetCookie {
  const cookie = setCookies(result).find((entry) => entry.name === "roster_refresh");
  if (!cookie) throw new Error(`no refresh cookie in ${JSON.stringify(result.headers.getSetCookie())}`);
  return cookie;
}

const cleared = (cookie: SetCookie) => cookie.value === "" && new Date(String(cookie.attributes.expires)).getTime() <= Date.now();

async function cookieLogin(origin: string | undefined = t.url, server = t, who = user) {
  const result = await post(LoginDocument, { input: { identifier: who.email, password: who.password, cookie: true } }, { origin }, server);
  return { result, cookie: result.status === 200 && !result.errors ? refreshCookie(result).value : undefined };
}

const sessionRow = async (sessionId: string) =>
  (await t.deps.database.db.select().from(authSessions).where(eq(authSessions.id, sessionId)))[0]!;

describe("cookie mode: login", () => {
  it("sets the refresh token as an HttpOnly, SameSite=Strict cookie on /graphql and leaves it out of the answer", async () => {
    const { result, cookie } = await cookieLogin();
    const login = data(result).login;
    expect(login.refreshToken).toBeNull();
    expect(login.refreshTokenExpiresAt).not.toBeNull();
    expect(cookie).toMatch(/^rrt_/);
    const set = refreshCookie(result);
    expect(set.attributes).toMatchObject({ httponly: true, samesite: "Strict", path: "/graphql" });
    expect(set.attributes.secure).toBeUndefined(); // Secure in production only (see below)
    const maxAge = Number(set.attributes["max-age"]);
    expect(maxAge).toBeGreaterThan(13 * 86_400);
    expect(maxAge).toBeLessThanOrEqual(14 * 86_400);
    // The access token works as usual.
    expect(data(await t.client({ token: login.accessToken }).request(MeDocument)).me.email).toBe(user.email);
  });

  it("accepts a configured origin (CORS_ORIGINS) as well as the server's own", async () => {
    const { result } = await cookieLogin(TRUSTED);
    expect(data(result).login.refreshToken).toBeNull();
    expect(refreshCookie(result).value).toMatch(/^rrt_/);
  });

  it("refuses another origin, no origin, and '*' before checking the password: no cookie, no session", async () => {
    const before = (await t.deps.database.db.select().from(authSessions).where(eq(authSessions.userId, user.id))).length;
    for (const origin of ["https://evil.example", undefined, "*", "null"]) {
      const { result } = await cookieLogin(origin ?? "");
      expect(codes(result)).toEqual(["FORBIDDEN"]);
      expect(result.errors![0]!.message).toBe("This origin may not use the sign-in cookie.");
      expect(result.headers.getSetCookie()).toEqual([]);
    }
    const after = (await t.deps.database.db.select().from(authSessions).where(eq(authSessions.userId, user.id))).length;
    expect(after).toBe(before);
  });

  it("answers in the caller's language", async () => {
    const result = await post(
      LoginDocument,
      { input: { identifier: user.email, password: user.password, cookie: true } },
      { origin: "https://evil.example", "accept-language": "ar" },
    );
    expect(result.errors![0]!.message).toBe("لا يُسمح لهذا المصدر باستخدام ملف تعريف ارتباط تسجيل الدخول.");
  });

  it("is HTTP only: over WebSocket cookie: true is BAD_USER_INPUT", async () => {
    const ws = t.ws({ token: (await t.fixtures.login(user)).token });
    try {
      const result = await ws.execute(LoginDocument, { input: { identifier: user.email, password: user.password, cookie: true } });
      expect(result.errors?.map((error) => error.extensions?.code)).toEqual(["BAD_USER_INPUT"]);
    } finally {
      await ws.close();
    }
  });

  it("a wrong password sets no cookie", async () => {
    const result = await post(
      LoginDocument,
      { input: { identifier: user.email, password: "wrong password", cookie: true } },
      { origin: t.url },
    );
    expect(codes(result)).toEqual(["UNAUTHENTICATED"]);
    expect(result.headers.getSetCookie()).toEqual([]);
  });

  it("verifyAccount takes cookie: true too (and checks the origin first)", async () => {
    const result = await post(
      VerifyAccountDocument,
      { input: { identifier: user.email, code: "000000", cookie: true } },
      { origin: "https://evil.example" },
    );
    expect(codes(result)).toEqual(["FORBIDDEN"]);
  });
});

describe("cookie mode: refresh", () => {
  it("rotates the cookie: new tokens, a new cookie, the refresh token never in the answer", async () => {
    const { cookie } = await cookieLogin();
    const result = await post(RefreshFromCookieDocument, {}, { origin: t.url, cookie: `other=1; roster_refresh=${cookie}` });
    const refreshed = data(result).refreshToken;
    expect(refreshed.refreshToken).toBeNull();
    const next = refreshCookie(result);
    expect(next.value).toMatch(/^rrt_/);
    expect(next.value).not.toBe(cookie);
    expect(next.attributes).toMatchObject({ httponly: true, samesite: "Strict", path: "/graphql" });
    expect(data(await t.client({ token: refreshed.accessToken }).request(MeDocument)).me.email).toBe(user.email);
  });

  it("a spent cookie replayed signs the whole session out and clears the cookie", async () => {
    const { result: login, cookie: first } = await cookieLogin();
    const second = refreshCookie(await post(RefreshFromCookieDocument, {}, { origin: t.url, cookie: `roster_refresh=${first}` })).value;
    const replay = await post(RefreshFromCookieDocument, {}, { origin: t.url, cookie: `roster_refresh=${first}` });
    expect(codes(replay)).toEqual(["UNAUTHENTICATED"]);
    expect(replay.errors![0]!.message).toMatch(/already used/);
    expect(cleared(refreshCookie(replay))).toBe(true);
    expect((await sessionRow(data(login).login.sessionId)).revokedReason).toBe("refresh-token-reuse");
    // The thief's newer cookie is dead too.
    expect(codes(await post(RefreshFromCookieDocument, {}, { origin: t.url, cookie: `roster_refresh=${second}` }))).toEqual([
      "UNAUTHENTICATED",
    ]);
  });

  it("refuses a request without an allowed Origin and leaves the cookie usable", async () => {
    const { cookie } = await cookieLogin();
    for (const origin of [undefined, "https://evil.example", `${t.url}.evil.example`]) {
      const refused = await post(RefreshFromCookieDocument, {}, { origin, cookie: `roster_refresh=${cookie}` });
      expect(codes(refused)).toEqual(["FORBIDDEN"]);
      expect(refused.headers.getSetCookie()).toEqual([]);
    }
    expect(
      data(await post(RefreshFromCookieDocument, {}, { origin: TRUSTED, cookie: `roster_refresh=${cookie}` })).refreshToken.accessToken,
    ).toBeTruthy();
  });

  it("refuses a simple (form-like) request before anything runs: Apollo's CSRF prevention", async () => {
    const { cookie } = await cookieLogin();
    const response = await fetch(`${t.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "text/plain", origin: t.url, cookie: `roster_refresh=${cookie}` },
      body: JSON.stringify({ query: print(RefreshFromCookieDocument) }),
    });
    expect(response.status).toBe(400);
    expect(response.headers.getSetCookie()).toEqual([]);
    // The cookie was not spent.
    expect(
      data(await post(RefreshFromCookieDocument, {}, { origin: t.url, cookie: `roster_refresh=${cookie}` })).refreshToken.accessToken,
    ).toBeTruthy();
  });

  it("without a token or a cookie is UNAUTHENTICATED; a forged cookie is UNAUTHENTICATED and cleared", async () => {
    expect(codes(await post(RefreshFromCookieDocument, {}, { origin: t.url }))).toEqual(["UNAUTHENTICATED"]);
    const forged = await post(RefreshFromCookieDocument, {}, { origin: t.url, cookie: "roster_refresh=rrt_forged" });
    expect(codes(forged)).toEqual(["UNAUTHENTICATED"]);
    expect(cleared(refreshCookie(forged))).toBe(true);
  });

  it("a refresh token given as an argument works as before, without touching cookies", async () => {
    const signedIn = await t.fixtures.login(user);
    const result = await post(RefreshTokenDocument, { refreshToken: signedIn.refreshToken }, {});
    expect(data(result).refreshToken.refreshToken).toMatch(/^rrt_/);
    expect(result.headers.getSetCookie()).toEqual([]);
  });
});

describe("cookie mode: logout", () => {
  it("signs the cookie's session out and clears the cookie", async () => {
    const { result, cookie } = await cookieLogin();
    const sessionId = data(result).login.sessionId;
    const logout = await post(LogoutDocument, {}, { origin: t.url, cookie: `roster_refresh=${cookie}` });
    expect(data(logout).logout).toBe(true);
    expect(cleared(refreshCookie(logout))).toBe(true);
    expect((await sessionRow(sessionId)).revokedReason).toBe("logout");
    expect(codes(await post(RefreshFromCookieDocument, {}, { origin: t.url, cookie: `roster_refresh=${cookie}` }))).toEqual([
      "UNAUTHENTICATED",
    ]);
  });

  it("signed in with the access token, clears the cookie along with the session", async () => {
    const { result, cookie } = await cookieLogin();
    const login = data(result).login;
    const logout = await post(
      LogoutDocument,
      {},
      { origin: t.url, cookie: `roster_refresh=${cookie}`, authorization: `Bearer ${login.accessToken}` },
    );
    expect(data(logout).logout).toBe(true);
    expect(cleared(refreshCookie(logout))).toBe(true);
    expect((await sessionRow(login.sessionId)).revokedAt).not.toBeNull();
  });

  it("from another origin is FORBIDDEN and the session stays", async () => {
    const { result, cookie } = await cookieLogin();
    const refused = await post(LogoutDocument, {}, { origin: "https://evil.example", cookie: `roster_refresh=${cookie}` });
    expect(codes(refused)).toEqual(["FORBIDDEN"]);
    expect((await sessionRow(data(result).login.sessionId)).revokedAt).toBeNull();
  });
});

describe("cookie mode in production", () => {
  it("marks the cookie Secure", async () => {
    const production = await startTestServer({
      NODE_ENV: "production",
      JWT_PRIVATE_KEY: generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
      PAYMENTS_SANDBOX: "false",
      SEED_DEMO: "false",
      JOBS_ENABLED: "false",
      EXPOSE_DIAGNOSTICS: "false",
    });
    try {
      const tenant = await production.fixtures.tenant();
      const admin = await production.fixtures.user({ tenant, roles: ["ADMIN"] });
      const { result } = await cookieLogin(production.url, production, admin);
      expect(data(result).login.refreshToken).toBeNull();
      expect(refreshCookie(result).attributes).toMatchObject({ secure: true, httponly: true, samesite: "Strict", path: "/graphql" });
    } finally {
      await production.close();
    }
  });
});
