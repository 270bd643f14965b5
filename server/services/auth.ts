import { and, desc, eq, gt, isNull } from "drizzle-orm";
import type { CountryCode } from "libphonenumber-js/max";
import { authSessions, memberships, refreshTokens, tenants, users, verificationCodes } from "../../drizzle/schema";
import type { VerificationChannel } from "../../drizzle/tables/enums-types";
import { requireUser } from "../auth/guards";
import { hashToken } from "../auth/tokens";
import type { Role } from "../auth/viewer";
import { atomic, type Context } from "../context";
import type { Db } from "../db/client";
import { asSystem } from "../db/scope";
import { AppError, fromDatabaseError, notFound } from "../errors";
import { accessChanged } from "../realtime/access";
import { translate, type Language } from "../i18n";
import type { RefreshCookieJar } from "../http/refresh-cookie";
import { queueDeliveries } from "../messaging/outbox";
import { consume } from "../rate-limits";
import { currentRequest } from "../request-store";
import { countryOf } from "../geo/geolocation";
import { normalizeEmail, normalizePhone, parseLoginIdentifier } from "../validation";
import { grantMembership, SELF_SERVICE_ROLES } from "./members";
import {
  byIdentifier,
  channelFor,
  checkPassword,
  codeHash,
  isVerified,
  nameText,
  sendCode,
  verificationRequired,
} from "./verification-codes";

export interface AuthResult {
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string | null;
  refreshTokenExpiresAt: Date | null;
  sessionId: string;
  userId: string;
  tenantId: string | null;
}

// ---------------------------------------------------------------- sessions

/** Starts a session (one device) and returns its first tokens. Runs as system. */
async function startSession(ctx: Context, system: Db, userId: string, tenantId: string | null, deviceName?: string | null) {
  const now = Date.now();
  const expiresAt = new Date(now + ctx.app.tokens.refreshTtlMs);
  const [session] = await system
    .insert(authSessions)
    .values({
      userId,
      tenantId,
      deviceName: deviceName?.slice(0, 120) ?? null,
      userAgent: ctx.userAgent?.slice(0, 500) ?? null,
      ipAddress: ctx.ip,
      expiresAt,
    })
    .returning({ id: authSessions.id });
  const refreshToken = ctx.app.tokens.newOpaqueToken("rrt");
  await system.insert(refreshTokens).values({ sessionId: session!.id, tokenHash: hashToken(refreshToken), expiresAt });
  return issue(ctx, { sessionId: session!.id, userId, tenantId, refreshToken, refreshTokenExpiresAt: expiresAt });
}

async function issue(
  ctx: Context,
  args: { sessionId: string; userId: string; tenantId: string | null; refreshToken: string | null; refreshTokenExpiresAt: Date | null },
): Promise<AuthResult> {
  const access = await ctx.app.tokens.issueAccess({ userId: args.userId, sessionId: args.sessionId, tenantId: args.tenantId });
  return {
    accessToken: access.token,
    accessTokenExpiresAt: access.expiresAt,
    refreshToken: args.refreshToken,
    refreshTokenExpiresAt: args.refreshTokenExpiresAt,
    sessionId: args.sessionId,
    userId: args.userId,
    tenantId: args.tenantId,
  };
}

/** The tenant a new session starts in: the one named by X-Tenant, else the oldest active membership of an active tenant. */
async function initialTenant(ctx: Context, system: Db, userId: string): Promise<string | null> {
  const rows = await system
    .select({ tenantId: memberships.tenantId })
    .from(memberships)
    .innerJoin(tenants, and(eq(tenants.id, memberships.tenantId), eq(tenants.isActive, true)))
    .where(and(eq(memberships.userId, userId), eq(memberships.isActive, true)))
    .orderBy(memberships.createdAt);
  if (ctx.tenant) {
    if (!rows.some((row) => row.tenantId === ctx.tenant!.id)) throw new AppError("FORBIDDEN", "tenant.notMember");
    return ctx.tenant.id;
  }
  return rows[0]?.tenantId ?? null;
}

// ---------------------------------------------------------------- cookie mode

/**
 * The request's refresh cookie (server/http/refresh-cookie.ts): HTTP only, and only
 * from this server's own origin or a configured one (CSRF).
 */
function refreshCookie(): RefreshCookieJar {
  const jar = currentRequest()?.refreshCookie;
  if (!jar) throw new AppError("BAD_USER_INPUT", "auth.cookieNeedsHttp", {}, { field: "cookie" });
  if (!jar.originAllowed) throw new AppError("FORBIDDEN", "auth.cookieOrigin");
  return jar;
}

/** Cookie mode: the refresh token goes into the cookie once committed, never into the answer. */
function intoCookie(ctx: Context, result: AuthResult, jar: RefreshCookieJar): AuthResult {
  const { refreshToken, refreshTokenExpiresAt } = result;
  if (refreshToken && refreshTokenExpiresAt) ctx.afterCommit.push(async () => jar.set(refreshToken, refreshTokenExpiresAt));
  return { ...result, refreshToken: null };
}

// ---------------------------------------------------------------- register & verify

export interface RegisterInput {
  phoneNumber?: string | null;
  email?: string | null;
  password: string;
  firstName: string;
  lastName?: string | null;
  preferredLanguage?: Language | null;
  role?: Role | null;
  /** For a phone number: SMS (default) or WHATSAPP. */
  verificationChannel?: VerificationChannel | null;
}

/**
 * The phone number of a registration in E.164. An international number ("+255…")
 * is read as it is; a local one ("0754 …") in the caller's country, geolocated from
 * their address (X-Forwarded-For only with TRUST_PROXY); with no country known
 * (a private address, one not in the database) it must be international.
 * The database is opened only for a local number.
 */
async function registrationPhone(ctx: Context, raw: string): Promise<string> {
  if (raw.trim().startsWith("+")) return normalizePhone(raw);
  const country = await countryOf(ctx.ip, ctx.app.config.geolocation.databaseDir);
  return normalizePhone(raw, (country ?? undefined) as CountryCode | undefined);
}

/**
 * Creates an account (and, with X-Tenant, a membership with a self-service role).
 * Answers the same whether or not the phone or email was taken; when a code must
 * be verified first, the code goes to the new account's phone or email.
 */
export async function register(ctx: Context, input: RegisterInput) {
  const phone = input.phoneNumber ? await registrationPhone(ctx, input.phoneNumber) : null;
  const email = input.email ? normalizeEmail(input.email) : null;
  if (!phone && !email) throw new AppError("BAD_USER_INPUT", "auth.registrationNeedsLogin", {}, { field: "phoneNumber" });
  checkPassword(input.password);
  const role = input.role ?? "MEMBER";
  if (!SELF_SERVICE_ROLES.includes(role)) throw new AppError("BAD_USER_INPUT", "input.roles", { roles: role }, { field: "role" });
  await consume(ctx.app.rateLimits.login, `register:${ctx.ip}`);

  const channel = channelFor(phone ? "phone" : "email", input.verificationChannel);
  const destination = (phone ?? email)!;
  const needsCode = verificationRequired(ctx, phone ? "phone" : "email");
  const firstName = nameText("firstName", input.firstName);
  const lastName = input.lastName ? nameText("lastName", input.lastName) : "";
  const passwordHash = await ctx.app.passwords.hash(input.password);
  const language = input.preferredLanguage ?? ctx.language;

  const created = await atomic(ctx, (ctx) =>
    asSystem(ctx.db, async (system) => {
      const [user] = await system
        .insert(users)
        .values({
          phoneNumber1: phone,
          email,
          passwordHash,
          firstName,
          lastName,
          preferredLanguage: language,
        })
        .onConflictDoNothing()
        .returning({ id: users.id });
      if (!user) return null;
      if (ctx.tenant) await grantMembership(system, ctx.tenant.id, user.id, [role]);
      if (needsCode) await sendCode(ctx, system, user.id, channel, destination, "verify", language);
      return user.id;
    }),
  ).catch((error) => {
    // A concurrent registration of the same phone or email: same answer as "taken".
    if (fromDatabaseError(error)?.code === "CONFLICT") return null;
    throw error;
  });

  if (!created && needsCode) {
    // Tell the real owner, not the caller.
    await queueDeliveries(ctx, [
      {
        tenantId: null,
        userId: null,
        channel,
        to: destination,
        kind: "code.alreadyRegistered",
        language,
        subject: translate(language, "message.alreadyRegisteredSubject"),
        text: translate(language, "message.alreadyRegistered"),
        urgent: true,
      },
    ]).catch((error) => ctx.app.log.error({ err: error }, "queueing the already-registered message failed"));
  }
  return { verificationRequired: needsCode, channel: needsCode ? channel : null };
}

/** Sends a new verification code to an unverified phone or email; answers true either way. */
export async function requestVerificationCode(ctx: Context, rawIdentifier: string, wanted?: VerificationChannel | null) {
  const identifier = parseLoginIdentifier(rawIdentifier);
  const channel = channelFor(identifier.kind, wanted);
  await atomic(ctx, (ctx) =>
    asSystem(ctx.db, async (system) => {
      const [user] = await system.select().from(users).where(byIdentifier(identifier));
      if (!user || isVerified(user, identifier.kind)) return;
      await sendCode(ctx, system, user.id, channel, identifier.value, "verify", user.preferredLanguage);
    }),
  );
  return true;
}

/** Checks a code sent to a phone or email, marks it verified and signs the user in. */
export async function verifyAccount(
  ctx: Context,
  input: { identifier: string; code: string; deviceName?: string | null; cookie?: boolean | null },
) {
  const identifier = parseLoginIdentifier(input.identifier);
  const jar = input.cookie ? refreshCookie() : undefined;
  await consume(ctx.app.rateLimits.login, `verify:${ctx.ip}:${identifier.value}`);
  const outcome = await atomic(ctx, (ctx) =>
    asSystem(ctx.db, async (system) => {
      const [user] = await system.select().from(users).where(byIdentifier(identifier));
      if (!user) return { ok: false as const };
      const [code] = await system
        .select()
        .from(verificationCodes)
        .where(
          and(
            eq(verificationCodes.userId, user.id),
            eq(verificationCodes.purpose, "verify"),
            eq(verificationCodes.destination, identifier.value),
            isNull(verificationCodes.consumedAt),
            gt(verificationCodes.expiresAt, new Date()),
          ),
        )
        .orderBy(desc(verificationCodes.createdAt))
        .limit(1)
        .for("update");
      if (!code) return { ok: false as const };
      if (code.codeHash !== codeHash(user.id, input.code.trim())) {
        const attempts = code.attempts + 1;
        await system
          .update(verificationCodes)
          .set({ attempts, consumedAt: attempts >= code.maxAttempts ? new Date() : null })
          .where(eq(verificationCodes.id, code.id));
        return { ok: false as const };
      }
      const now = new Date();
      await system.update(verificationCodes).set({ consumedAt: now }).where(eq(verificationCodes.id, code.id));
      await system
        .update(users)
        .set(identifier.kind === "phone" ? { phoneVerifiedAt: now, isVerified: true } : { emailVerifiedAt: now, isVerified: true })
        .where(eq(users.id, user.id));
      return {
        ok: true as const,
        result: await startSession(ctx, system, user.id, await initialTenant(ctx, system, user.id), input.deviceName),
      };
    }),
  );
  // Wrong codes are committed (the attempt counter), then reported.
  if (!outcome.ok) throw new AppError("BAD_USER_INPUT", "auth.verificationInvalid", {}, { field: "code" });
  return jar ? intoCookie(ctx, outcome.result, jar) : outcome.result;
}

// ---------------------------------------------------------------- login, refresh, logout

/**
 * Signs in. Two counters stand in front of the password check: one per account
 * (its phone number and email share it; an identifier without an account is
 * counted by itself, so known and unknown logins behave alike) and one per client
 * address across accounts (RATE_LIMIT_LOGIN_PER_IP_PER_15_MIN), against trying one
 * password on many accounts. A success clears the account's counter and gives its
 * point back to the address: both count failures.
 */
export async function login(
  ctx: Context,
  input: { identifier: string; password: string; deviceName?: string | null; cookie?: boolean | null },
) {
  const identifier = parseLoginIdentifier(input.identifier);
  const jar = input.cookie ? refreshCookie() : undefined;
  const { login: perAccount, loginPerAddress: perAddress } = ctx.app.rateLimits;
  const addressKey = `address:${ctx.ip}`;
  await consume(perAddress, addressKey);
  let accountKey = "";
  const result = await atomic(ctx, (ctx) =>
    asSystem(ctx.db, async (system) => {
      const [user] = await system.select().from(users).where(byIdentifier(identifier));
      accountKey = user ? `account:${user.id}` : `login:${identifier.value}`;
      await consume(perAccount, accountKey);
      if (!user) {
        await ctx.app.passwords.burn(input.password);
        throw new AppError("UNAUTHENTICATED", "auth.invalidCredentials");
      }
      if (!(await ctx.app.passwords.verify(user.passwordHash, input.password)) || !user.isActive) {
        throw new AppError("UNAUTHENTICATED", "auth.invalidCredentials");
      }
      if (verificationRequired(ctx, identifier.kind) && !isVerified(user, identifier.kind)) {
        throw new AppError("FORBIDDEN", "auth.verificationRequired", {}, { reason: "VERIFICATION_REQUIRED" });
      }
      return startSession(ctx, system, user.id, await initialTenant(ctx, system, user.id), input.deviceName);
    }),
  );
  await Promise.all([perAccount.delete(accountKey).catch(() => {}), perAddress.reward(addressKey, 1).catch(() => {})]);
  return jar ? intoCookie(ctx, result, jar) : result;
}

/**
 * Rotates a refresh token: the presented one is spent and a new one issued.
 * Presenting a spent token again means it leaked: the whole session is revoked.
 * Without a token, the refresh cookie's is used and the new one replaces it (cookie mode).
 */
export async function refresh(ctx: Context, given?: string | null) {
  const jar = given ? undefined : refreshCookie();
  const token = given ?? jar?.token;
  if (!token) throw new AppError("UNAUTHENTICATED", "auth.refreshInvalid");
  const outcome = await atomic(ctx, (ctx) =>
    asSystem(ctx.db, async (system) => {
      const [row] = await system
        .select({ token: refreshTokens, session: authSessions })
        .from(refreshTokens)
        .innerJoin(authSessions, eq(authSessions.id, refreshTokens.sessionId))
        .where(eq(refreshTokens.tokenHash, hashToken(token)))
        .for("update");
      const now = new Date();
      if (!row || row.session.revokedAt || row.session.expiresAt <= now || row.token.expiresAt <= now) {
        return { kind: "invalid" as const };
      }
      if (row.token.usedAt) {
        await system
          .update(authSessions)
          .set({ revokedAt: now, revokedReason: "refresh-token-reuse" })
          .where(eq(authSessions.id, row.session.id));
        accessChanged(ctx, { sessionId: row.session.id });
        ctx.app.log.warn({ sessionId: row.session.id, userId: row.session.userId }, "refresh token reused; session revoked");
        return { kind: "reused" as const };
      }
      const next = ctx.app.tokens.newOpaqueToken("rrt");
      const [created] = await system
        .insert(refreshTokens)
        .values({ sessionId: row.session.id, tokenHash: hashToken(next), expiresAt: row.session.expiresAt })
        .returning({ id: refreshTokens.id });
      await system.update(refreshTokens).set({ usedAt: now, replacedBy: created!.id }).where(eq(refreshTokens.id, row.token.id));
      // Keep the tenant only while the membership is active and the tenant not suspended.
      let tenantId = row.session.tenantId;
      if (tenantId) {
        const [member] = await system
          .select({ id: memberships.id })
          .from(memberships)
          .innerJoin(tenants, and(eq(tenants.id, memberships.tenantId), eq(tenants.isActive, true)))
          .where(and(eq(memberships.tenantId, tenantId), eq(memberships.userId, row.session.userId), eq(memberships.isActive, true)));
        if (!member) tenantId = null;
      }
      await system.update(authSessions).set({ lastUsedAt: now, ipAddress: ctx.ip, tenantId }).where(eq(authSessions.id, row.session.id));
      return {
        kind: "ok" as const,
        result: await issue(ctx, {
          sessionId: row.session.id,
          userId: row.session.userId,
          tenantId,
          refreshToken: next,
          refreshTokenExpiresAt: row.session.expiresAt,
        }),
      };
    }),
  );
  if (outcome.kind !== "ok") {
    jar?.clear();
    throw new AppError("UNAUTHENTICATED", outcome.kind === "reused" ? "auth.refreshReused" : "auth.refreshInvalid");
  }
  return jar ? intoCookie(ctx, outcome.result, jar) : outcome.result;
}

/** Ends a session: the caller's own, or the one a refresh token (or the refresh cookie) belongs to; clears the cookie. */
export async function logout(ctx: Context, given?: string | null) {
  const jar = !given && currentRequest()?.refreshCookie?.token ? refreshCookie() : undefined;
  const refreshToken = given ?? jar?.token;
  const done = await atomic(ctx, async (ctx) => {
    if (ctx.viewer.kind === "user") {
      await revokeSessionById(ctx, ctx.db, ctx.viewer.sessionId, "logout");
      return true;
    }
    if (!refreshToken) throw new AppError("UNAUTHENTICATED", "auth.required");
    return asSystem(ctx.db, async (system) => {
      const [row] = await system
        .select({ sessionId: refreshTokens.sessionId })
        .from(refreshTokens)
        .where(eq(refreshTokens.tokenHash, hashToken(refreshToken)));
      if (!row) throw new AppError("UNAUTHENTICATED", "auth.refreshInvalid");
      await revokeSessionById(ctx, system, row.sessionId, "logout");
      return true;
    });
  }).catch((error) => {
    jar?.clear(); // a dead cookie goes too
    throw error;
  });
  if (jar) ctx.afterCommit.push(async () => jar.clear());
  return done;
}

async function revokeSessionById(ctx: Context, db: Db, sessionId: string, reason: string) {
  await db
    .update(authSessions)
    .set({ revokedAt: new Date(), revokedReason: reason })
    .where(and(eq(authSessions.id, sessionId), isNull(authSessions.revokedAt)));
  accessChanged(ctx, { sessionId });
}

/** Checks an access token without using it: valid, whose, until when. */
export async function verifyToken(ctx: Context, token: string) {
  let claims;
  try {
    claims = await ctx.app.tokens.verifyAccess(token);
  } catch (error) {
    return { valid: false, reason: (error as { messageKey?: string }).messageKey === "auth.tokenExpired" ? "EXPIRED" : "INVALID" };
  }
  const live = await asSystem(ctx.db, async (system) => {
    const [session] = await system
      .select({ revokedAt: authSessions.revokedAt, expiresAt: authSessions.expiresAt })
      .from(authSessions)
      .where(and(eq(authSessions.id, claims.sessionId), eq(authSessions.userId, claims.userId)));
    return Boolean(session && !session.revokedAt && session.expiresAt > new Date());
  });
  if (!live) return { valid: false, reason: "REVOKED" };
  return { valid: true, reason: null, userId: claims.userId, tenantId: claims.tenantId, expiresAt: claims.expiresAt };
}

// ---------------------------------------------------------------- devices (sessions)

/** The caller's live sessions, newest use first. */
export async function mySessions(ctx: Context) {
  const viewer = requireUser(ctx);
  return ctx.db
    .select()
    .from(authSessions)
    .where(and(eq(authSessions.userId, viewer.userId), isNull(authSessions.revokedAt), gt(authSessions.expiresAt, new Date())))
    .orderBy(desc(authSessions.lastUsedAt));
}

/** Signs one of the caller's devices out. */
export async function revokeSession(ctx: Context, sessionId: string) {
  const viewer = requireUser(ctx);
  return atomic(ctx, async (ctx) => {
    const [row] = await ctx.db
      .update(authSessions)
      .set({ revokedAt: new Date(), revokedReason: "revoked-by-user" })
      .where(and(eq(authSessions.id, sessionId), eq(authSessions.userId, viewer.userId), isNull(authSessions.revokedAt)))
      .returning({ id: authSessions.id });
    if (!row) throw notFound("Session", sessionId);
    accessChanged(ctx, { sessionId });
    return true;
  });
}

// ---------------------------------------------------------------- tenant, current session

/** Is this the session making the request? */
export function isCurrentSession(ctx: Context, session: { id: string }): boolean {
  return ctx.viewer.kind === "user" && ctx.viewer.sessionId === session.id;
}

/** Makes another of the caller's memberships the active tenant of this session. */
export async function switchTenant(ctx: Context, tenantId: string) {
  const viewer = requireUser(ctx);
  return atomic(ctx, async (ctx) => {
    const [member] = await ctx.db
      .select({ id: memberships.id, tenantActive: tenants.isActive, slug: tenants.slug })
      .from(memberships)
      .innerJoin(tenants, eq(tenants.id, memberships.tenantId))
      .where(and(eq(memberships.userId, viewer.userId), eq(memberships.tenantId, tenantId), eq(memberships.isActive, true)));
    if (!member) throw new AppError("FORBIDDEN", "tenant.notMember");
    if (!member.tenantActive && !viewer.isPlatformAdmin) {
      throw new AppError("TENANT_SUSPENDED", "tenant.suspended", { slug: member.slug }, { tenant: member.slug });
    }
    await ctx.db.update(authSessions).set({ tenantId }).where(eq(authSessions.id, viewer.sessionId));
    // The session's refresh token stays valid and now renews tokens for this tenant.
    return issue(ctx, {
      sessionId: viewer.sessionId,
      userId: viewer.userId,
      tenantId,
      refreshToken: null,
      refreshTokenExpiresAt: null,
    });
  });
}

/** The account a token payload was just issued for (readable before the request is signed in). */
export async function userOfPayload(ctx: Context, userId: string) {
  if (ctx.viewer.kind === "user" && ctx.viewer.userId === userId) return ctx.loaders.user.load(userId);
  return asSystem(ctx.db, async (system) => {
    const [user] = await system.select().from(users).where(eq(users.id, userId));
    return user ?? null;
  });
}
