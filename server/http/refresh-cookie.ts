/**
 * Cookie mode for browser clients (opt-in with `cookie: true` on login or
 * verifyAccount): the refresh token travels in an HttpOnly, SameSite=Strict cookie
 * scoped to /graphql, where scripts can never read it, instead of in the answer.
 * `refreshToken` without an argument and `logout` then use the cookie.
 *
 * CSRF: the cookie is read only by those auth mutations (every other operation
 * authenticates with the Bearer access token alone), SameSite=Strict keeps it off
 * cross-site requests, Apollo's CSRF prevention refuses simple (form-like) requests,
 * and a request that uses the cookie must carry an Origin that is this server's own
 * or one of CORS_ORIGINS (never "*").
 */
import type { Request, Response } from "express";
import type { Config } from "../config";

export const REFRESH_COOKIE = "roster_refresh";
/** The cookie is sent only to the GraphQL endpoint, where refreshToken and logout run. */
export const REFRESH_COOKIE_PATH = "/graphql";

/** The refresh cookie of one HTTP request, as the auth service sees it. */
export interface RefreshCookieJar {
  /** The refresh token the browser sent, if any. */
  token: string | undefined;
  /** Whether the request's Origin may use the cookie (same origin, or one of CORS_ORIGINS). */
  originAllowed: boolean;
  set(token: string, expiresAt: Date): void;
  clear(): void;
}

/** One cookie's value from a Cookie header (refresh tokens are URL-safe: no decoding). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const at = part.indexOf("=");
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim() || undefined;
  }
  return undefined;
}

/** Whether an Origin header names this server (as the browser reached it) or a configured origin. */
export function originAllowed(req: Request, config: Pick<Config, "http">): boolean {
  const origin = req.header("origin");
  if (!origin) return false;
  if (origin === `${req.protocol}://${req.get("host")}`) return true;
  return config.http.corsOrigins.some((allowed) => allowed !== "*" && allowed === origin);
}

export function refreshCookieJar(req: Request, res: Response, config: Pick<Config, "http" | "nodeEnv">): RefreshCookieJar {
  const options = { httpOnly: true, secure: config.nodeEnv === "production", sameSite: "strict" as const, path: REFRESH_COOKIE_PATH };
  return {
    token: readCookie(req.header("cookie"), REFRESH_COOKIE),
    originAllowed: originAllowed(req, config),
    set(token, expiresAt) {
      if (res.headersSent) return;
      res.cookie(REFRESH_COOKIE, token, { ...options, maxAge: Math.max(0, expiresAt.getTime() - Date.now()) });
    },
    clear() {
      if (!res.headersSent) res.clearCookie(REFRESH_COOKIE, options);
    },
  };
}
