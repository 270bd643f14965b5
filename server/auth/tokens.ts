/** Access tokens (short-lived JWTs) and opaque refresh tokens. */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { errors as joseErrors, jwtVerify, SignJWT, type JWTHeaderParameters } from "jose";
import type { Config } from "../config";
import type { MessageKey } from "../i18n";
import type { SigningKey } from "./keys";

/** What an access token says about its bearer. */
export interface AccessClaims {
  userId: string;
  sessionId: string;
  tenantId: string | null;
  expiresAt: Date;
}

export class TokenError extends Error {
  constructor(readonly messageKey: MessageKey) {
    super(messageKey);
  }
}

export interface TokenService {
  issueAccess(claims: Omit<AccessClaims, "expiresAt">): Promise<{ token: string; expiresAt: Date }>;
  verifyAccess(token: string): Promise<AccessClaims>;
  newOpaqueToken(prefix: string): string;
  refreshTtlMs: number;
}

/** SHA-256 of an opaque token: what the database keeps instead of the token. */
export const hashToken = (token: string) => createHash("sha256").update(token).digest("base64url");

export function createTokenService(key: SigningKey, config: Config["auth"]): TokenService {
  // The keys of the published JWKS by kid (one today; a rotation would add the next one here).
  const verificationKeys = new Map([[key.kid, key.publicKey]]);
  /** The key named by the token's kid; a token without a kid, or naming a key not in the JWKS, is refused. */
  const keyOf = (header: JWTHeaderParameters | { kid?: string }) => {
    const found = typeof header.kid === "string" ? verificationKeys.get(header.kid) : undefined;
    if (!found) throw new TokenError("auth.tokenInvalid");
    return found;
  };
  // Clients send the same access token with every request for its 15 minutes: a
  // signature checked once is remembered (by the whole token) until the token expires.
  const verified = new Map<string, AccessClaims>();
  const VERIFIED_MAX = 10_000;
  return {
    refreshTtlMs: config.refreshTokenTtlMs,
    async issueAccess({ userId, sessionId, tenantId }) {
      const expiresAt = new Date(Math.floor((Date.now() + config.accessTokenTtlMs) / 1000) * 1000);
      const jwt = new SignJWT({ sid: sessionId, ...(tenantId ? { tid: tenantId } : {}) })
        .setProtectedHeader({ alg: key.algorithm, kid: key.kid, typ: "at+jwt" })
        .setSubject(userId)
        .setIssuer(config.issuer)
        .setAudience(config.audience)
        .setIssuedAt()
        .setJti(randomUUID())
        .setExpirationTime(Math.floor(expiresAt.getTime() / 1000));
      return { token: await jwt.sign(key.privateKey), expiresAt };
    },
    async verifyAccess(token) {
      const known = verified.get(token);
      if (known) {
        if (known.expiresAt.getTime() > Date.now()) return known;
        verified.delete(token);
        throw new TokenError("auth.tokenExpired");
      }
      try {
        const { payload } = await jwtVerify(token, keyOf, {
          issuer: config.issuer,
          audience: config.audience,
          algorithms: [key.algorithm],
          typ: "at+jwt",
        });
        if (typeof payload.sub !== "string" || typeof payload.sid !== "string") throw new TokenError("auth.tokenInvalid");
        const claims: AccessClaims = {
          userId: payload.sub,
          sessionId: payload.sid,
          tenantId: typeof payload.tid === "string" ? payload.tid : null,
          expiresAt: new Date((payload.exp ?? 0) * 1000),
        };
        // Oldest first out: a Map keeps insertion order.
        if (verified.size >= VERIFIED_MAX) verified.delete(verified.keys().next().value!);
        verified.set(token, Object.freeze(claims));
        return claims;
      } catch (error) {
        if (error instanceof TokenError) throw error;
        if (error instanceof joseErrors.JWTExpired) throw new TokenError("auth.tokenExpired");
        throw new TokenError("auth.tokenInvalid");
      }
    },
    newOpaqueToken: (prefix) => `${prefix}_${randomBytes(32).toString("base64url")}`,
  };
}
