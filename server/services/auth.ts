/**
 * Accounts and sessions: register, verify, login, refresh-token rotation with
 * reuse detection, logout, devices, password and profile changes, tenant switch.
 *
 * Failures never tell whether a phone number or email has an account: login
 * answers "incorrect login or password" either way (after the same argon2 work),
 * and register answers the same payload whether or not the account was created.
 */
import { createHash, randomInt } from "node:crypto";
import { and, desc, eq, gt, isNull, ne, sql } from "drizzle-orm";
import { authSessions, memberships, refreshTokens, users, verificationCodes, type User } from "../../drizzle/schema";
import type { VerificationChannel } from "../../drizzle/tables/enums-types";
import { requireUser } from "../auth/guards";
import { isSelf } from "../auth/policies";
import { passwordProblem } from "../auth/passwords";
import { hashToken } from "../auth/tokens";
import type { Role } from "../auth/viewer";
import { atomic, type Context } from "../context";
import type { Db } from "../db/client";
import { asSystem } from "../db/scope";
import { AppError, badInput, fromDatabaseError, notFound } from "../errors";
import { accessChanged } from "../realtime/access";
import { emit } from "../domain-events/domain-events";
import { translate, type Language } from "../i18n";
import type { RefreshCookieJar } from "../http/refresh-cookie";
import { queueDeliveries } from "../messaging/outbox";
import { consume } from "../rate-limits";
import { currentRequest } from "../request-store";
import { normalizeEmail, normalizePhone, parseLoginIdentifier, type LoginIdentifier } from "../validation";
import { grantMembership, SELF_SERVICE_ROLES } from "./members";

export interface AuthResult {
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string | null;
  refreshTokenExpiresAt: Date | null;
  sessionId: string;
  userId: string;
  tenantId: string | null;
}

/** A name as typed, trimmed; a NUL byte (which PostgreSQL cannot store) is BAD_USER_INPUT naming the field. */
function nameText(field: string, value: string): string {
  if (value.includes("\u0000")) throw badInput(field, "must not contain a NUL character");
  return value.trim();
}

function checkPassword(password: string, field = "password") {
  const problem = passwordProblem(password);
  if (problem) throw new AppError("BAD_USER_INPUT", problem, {}, { field });
}

const byIdentifier = (identifier: LoginIdentifier) =>
  identifier.kind === "phone" ? eq(users.phoneNumber1, identifier.value) : sql`lower(${users.email}) = ${identifier.value}`;

/** Whether an identifier must be verified before its owner may sign in. */
function verificationRequired(ctx: Context, kind: LoginIdentifier["kind"]): boolean {
  return kind === "phone" ? ctx.app.config.auth.phoneVerification : ctx.app.config.auth.emailVerification;
}

function isVerified(user: Pick<User, "phoneVerifiedAt" | "emailVerifiedAt">, kind: LoginIdentifier["kind"]) {
  return kind === "phone" ? user.phoneVerifiedAt !== null : user.emailVerifiedAt !== null;
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

/** The tenant a new session starts in: the one named by X-Tenant, else the oldest active membership. */
async function initialTenant(ctx: Context, system: Db, userId: string): Promise<string | null> {
  const rows = await system
    .select({ tenantId: memberships.tenantId })
    .from(memberships)
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

/** Where a code for this identifier goes: email to emails; SMS or WhatsApp to phones. */
function channelFor(kind: LoginIdentifier["kind"], wanted: VerificationChannel | null | undefined): VerificationChannel {
  if (kind === "email") return "EMAIL";
  if (wanted === "EMAIL")
    throw new AppError(
      "BAD_USER_INPUT",
      "input.invalid",
      { field: "verificationChannel", reason: "SMS or WHATSAPP for a phone number" },
      { field: "verificationChannel" },
    );
  return wanted ?? "SMS";
}

/**
 * Creates an account (and, with X-Tenant, a membership with a self-service role).
 * Answers the same whether or not the phone or email was taken; when a code must
 * be verified first, the code goes to the new account's phone or email.
 */
export async function register(ctx: Context, input: RegisterInput) {
  const phone = input.phoneNumber ? normalizePhone(input.phoneNumber) : null;
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

async function sendCode(
  ctx: Context,
  system: Db,
  userId: string,
  channel: VerificationChannel,
  destination: string,
  purpose: string,
  language: Language,
) {
  await consume(ctx.app.rateLimits.messages, destination);
  const code = String(randomInt(0, 1_000_000)).padStart(6, "0");
  const ttl = ctx.app.config.auth.verificationCodeTtlMs;
  // A new code replaces the ones before it.
  await system
    .update(verificationCodes)
    .set({ consumedAt: new Date() })
    .where(and(eq(verificationCodes.userId, userId), eq(verificationCodes.purpose, purpose), isNull(verificationCodes.consumedAt)));
  await system.insert(verificationCodes).values({
    userId,
    channel,
    destination,
    purpose,
    codeHash: codeHash(userId, code),
    expiresAt: new Date(Date.now() + ttl),
  });
  const text = translate(language, purpose === "reset" ? "message.resetCode" : "message.verificationCode", {
    code,
    minutes: Math.round(ttl / 60_000),
  });
  // Through the durable outbox, in this transaction: sent after commit on the destination's real channel.
  await queueDeliveries({ ...ctx, db: system }, [
    {
      tenantId: null,
      userId,
      channel,
      to: destination,
      kind: `code.${purpose}`,
      language,
      subject: translate(language, "message.verificationSubject"),
      text,
      params: { code },
      urgent: true,
    },
  ]);
}

const codeHash = (userId: string, code: string) => createHash("sha256").update(`${userId}:${code}`).digest("hex");

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
      // Keep the tenant only while the membership is active.
      let tenantId = row.session.tenantId;
      if (tenantId) {
        const [member] = await system
          .select({ id: memberships.id })
          .from(memberships)
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

// ---------------------------------------------------------------- password, profile, tenant

export async function changePassword(
  ctx: Context,
  input: { currentPassword: string; newPassword: string; signOutOtherDevices?: boolean | null },
) {
  const viewer = requireUser(ctx);
  checkPassword(input.newPassword, "newPassword");
  await consume(ctx.app.rateLimits.login, `password:${viewer.userId}`);
  const [user] = await ctx.db.select({ hash: users.passwordHash }).from(users).where(eq(users.id, viewer.userId));
  if (!user || !(await ctx.app.passwords.verify(user.hash, input.currentPassword))) {
    throw new AppError("BAD_USER_INPUT", "auth.wrongPassword", {}, { field: "currentPassword" });
  }
  const passwordHash = await ctx.app.passwords.hash(input.newPassword);
  return atomic(ctx, async (ctx) => {
    await ctx.db.update(users).set({ passwordHash, passwordChangedAt: new Date() }).where(eq(users.id, viewer.userId));
    if (input.signOutOtherDevices ?? true) {
      const ended = await ctx.db
        .update(authSessions)
        .set({ revokedAt: new Date(), revokedReason: "password-changed" })
        .where(and(eq(authSessions.userId, viewer.userId), ne(authSessions.id, viewer.sessionId), isNull(authSessions.revokedAt)))
        .returning({ id: authSessions.id });
      for (const session of ended) accessChanged(ctx, { sessionId: session.id });
    }
    await emit(ctx, { type: "user.passwordChanged", userId: viewer.userId });
    return true;
  });
}

export interface ProfileInput {
  firstName?: string | null;
  lastName?: string | null;
  email?: string | null;
  phoneNumber2?: string | null;
  dateOfBirth?: string | null;
  gender?: User["gender"] | null;
  identityNumber?: string | null;
  preferredLanguage?: Language | null;
}

/** Whether the user is a platform admin, as the viewer may learn it: the user themself only (false for others). */
export function platformAdminAsSeen(ctx: Context, user: { id: string; isPlatformAdmin: boolean }): boolean {
  return isSelf(ctx, user.id) && user.isPlatformAdmin;
}

/** Is this the session making the request? */
export function isCurrentSession(ctx: Context, session: { id: string }): boolean {
  return ctx.viewer.kind === "user" && ctx.viewer.sessionId === session.id;
}

/** Updates the caller's own profile; `null` clears an optional field, absent leaves it. */
export async function updateProfile(ctx: Context, input: ProfileInput) {
  const viewer = requireUser(ctx);
  const changes: Partial<typeof users.$inferInsert> = {};
  if (input.firstName != null) changes.firstName = nameText("firstName", input.firstName);
  if (input.lastName !== undefined) changes.lastName = input.lastName ? nameText("lastName", input.lastName) : "";
  if (input.email !== undefined) changes.email = input.email === null ? null : normalizeEmail(input.email);
  if (input.phoneNumber2 !== undefined) changes.phoneNumber2 = input.phoneNumber2 === null ? null : normalizePhone(input.phoneNumber2);
  if (input.dateOfBirth !== undefined) changes.dateOfBirth = input.dateOfBirth;
  if (input.gender != null) changes.gender = input.gender;
  if (input.identityNumber !== undefined)
    changes.identityNumber = input.identityNumber ? nameText("identityNumber", input.identityNumber) || null : null;
  if (input.preferredLanguage != null) changes.preferredLanguage = input.preferredLanguage;
  return atomic(ctx, async (ctx) => {
    const [before] = await ctx.db.select().from(users).where(eq(users.id, viewer.userId)).for("update");
    if (!before) throw notFound("User", viewer.userId);
    // The email is a login: it changes through requestContactChange and a code to the new address only.
    if (changes.email !== undefined) {
      if (changes.email !== before.email) throw new AppError("BAD_USER_INPUT", "auth.contactThroughCode", {}, { field: "email" });
      delete changes.email;
    }
    const changedFields = Object.keys(changes).filter((key) => changes[key as keyof typeof changes] !== before[key as keyof User]);
    if (changedFields.length === 0) return before;
    const [after] = await ctx.db.update(users).set(changes).where(eq(users.id, viewer.userId)).returning();
    ctx.loaders.user.clear(viewer.userId).prime(viewer.userId, after!);
    await emit(ctx, { type: "user.profileUpdated", userId: viewer.userId, changedFields });
    return after!;
  });
}

/** Makes another of the caller's memberships the active tenant of this session. */
export async function switchTenant(ctx: Context, tenantId: string) {
  const viewer = requireUser(ctx);
  return atomic(ctx, async (ctx) => {
    const [member] = await ctx.db
      .select({ id: memberships.id })
      .from(memberships)
      .where(and(eq(memberships.userId, viewer.userId), eq(memberships.tenantId, tenantId), eq(memberships.isActive, true)));
    if (!member) throw new AppError("FORBIDDEN", "tenant.notMember");
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

// ---------------------------------------------------------------- password reset

/**
 * Takes the newest live code of `purpose` for `userId` (and `destination`, when
 * given): a wrong code spends an attempt (the code dies after its maxAttempts),
 * the right one is consumed. Answers the code row when it matched.
 */
async function takeCode(system: Db, userId: string, purpose: string, given: string, destination?: string) {
  const [code] = await system
    .select()
    .from(verificationCodes)
    .where(
      and(
        eq(verificationCodes.userId, userId),
        eq(verificationCodes.purpose, purpose),
        destination === undefined ? undefined : eq(verificationCodes.destination, destination),
        isNull(verificationCodes.consumedAt),
        gt(verificationCodes.expiresAt, new Date()),
      ),
    )
    .orderBy(desc(verificationCodes.createdAt))
    .limit(1)
    .for("update");
  if (!code) return null;
  if (code.codeHash !== codeHash(userId, given.trim())) {
    const attempts = code.attempts + 1;
    await system
      .update(verificationCodes)
      .set({ attempts, consumedAt: attempts >= code.maxAttempts ? new Date() : null })
      .where(eq(verificationCodes.id, code.id));
    return null;
  }
  await system.update(verificationCodes).set({ consumedAt: new Date() }).where(eq(verificationCodes.id, code.id));
  return code;
}

/** A code from RATE_LIMIT_MESSAGES_PER_HOUR is dropped silently where answering it would tell that the account exists. */
const quietlyLimited = (error: unknown) => {
  if (error instanceof AppError && error.code === "RATE_LIMITED") return;
  throw error;
};

/**
 * Step 1 of a forgotten password: a code to the phone number or email given, when
 * it is an account's and verified (or its kind is not verified at all here:
 * ENABLE_*_VERIFICATION off, then the login itself is the address). Answers true
 * whether or not there is such an account, after the same statements, and counts
 * the request per destination and per client address either way.
 */
export async function requestPasswordReset(ctx: Context, rawIdentifier: string, wanted?: VerificationChannel | null) {
  const identifier = parseLoginIdentifier(rawIdentifier);
  const channel = channelFor(identifier.kind, wanted);
  const { passwordReset, passwordResetPerAddress } = ctx.app.rateLimits;
  await consume(passwordResetPerAddress, `request:${ctx.ip}`);
  await consume(passwordReset, identifier.value);
  await atomic(ctx, (ctx) =>
    asSystem(ctx.db, async (system) => {
      const [user] = await system.select().from(users).where(byIdentifier(identifier));
      const reachable = user?.isActive && (isVerified(user, identifier.kind) || !verificationRequired(ctx, identifier.kind));
      if (reachable) {
        await sendCode(ctx, system, user.id, channel, identifier.value, "reset", user.preferredLanguage).catch(quietlyLimited);
      } else {
        // The same kind of work as sendCode (its message counter too), so the answer takes about as long.
        await consume(ctx.app.rateLimits.messages, identifier.value).catch(quietlyLimited);
        await system
          .update(verificationCodes)
          .set({ consumedAt: new Date() })
          .where(
            and(
              eq(verificationCodes.destination, identifier.value),
              eq(verificationCodes.purpose, "reset"),
              isNull(verificationCodes.consumedAt),
            ),
          );
        codeHash(identifier.value, String(randomInt(0, 1_000_000)));
      }
    }),
  );
  return true;
}

/**
 * Step 2: the code and a new password (the registration policy). Sets it, marks
 * the address verified (the code proved it), and signs the account out
 * everywhere: every session is revoked (their refresh tokens stop working) and
 * open subscriptions close. The caller then signs in with the new password.
 */
export async function resetPassword(ctx: Context, input: { identifier: string; code: string; newPassword: string }) {
  const identifier = parseLoginIdentifier(input.identifier);
  checkPassword(input.newPassword, "newPassword");
  await consume(ctx.app.rateLimits.passwordResetPerAddress, `check:${ctx.ip}`);
  await consume(ctx.app.rateLimits.login, `reset:${identifier.value}`);
  // Hashed first, known account or not: the answer takes as long either way.
  const passwordHash = await ctx.app.passwords.hash(input.newPassword);
  const done = await atomic(ctx, (ctx) =>
    asSystem(ctx.db, async (system) => {
      const [user] = await system.select().from(users).where(byIdentifier(identifier));
      if (!user?.isActive) return false;
      if (!(await takeCode(system, user.id, "reset", input.code, identifier.value))) return false;
      const now = new Date();
      await system
        .update(users)
        .set({
          passwordHash,
          passwordChangedAt: now,
          isVerified: true,
          ...(identifier.kind === "phone"
            ? { phoneVerifiedAt: user.phoneVerifiedAt ?? now }
            : { emailVerifiedAt: user.emailVerifiedAt ?? now }),
        })
        .where(eq(users.id, user.id));
      // Other reset codes of the account die with this one.
      await system
        .update(verificationCodes)
        .set({ consumedAt: now })
        .where(and(eq(verificationCodes.userId, user.id), eq(verificationCodes.purpose, "reset"), isNull(verificationCodes.consumedAt)));
      await system
        .update(authSessions)
        .set({ revokedAt: now, revokedReason: "password-reset" })
        .where(and(eq(authSessions.userId, user.id), isNull(authSessions.revokedAt)));
      accessChanged(ctx, { userId: user.id });
      ctx.app.log.info({ userId: user.id }, "password reset; every session revoked");
      return true;
    }),
  );
  // Wrong codes are committed (the attempt counter), then reported.
  if (!done) throw new AppError("BAD_USER_INPUT", "auth.verificationInvalid", {}, { field: "code" });
  return true;
}

// ---------------------------------------------------------------- phone number and email changes

/**
 * Step 1 of moving the account's login phone number or email: the current
 * password (not just a session: a borrowed unlocked phone or a stolen access
 * token must not be enough to take the account over), then a code to the NEW
 * address. An address that belongs to another account gets no code; its owner
 * is told instead, and the caller gets the same answer.
 */
export async function requestContactChange(
  ctx: Context,
  input: { phoneNumber?: string | null; email?: string | null; currentPassword: string; channel?: VerificationChannel | null },
) {
  const viewer = requireUser(ctx);
  if (Boolean(input.phoneNumber) === Boolean(input.email)) {
    throw new AppError(
      "BAD_USER_INPUT",
      "input.invalid",
      { field: "phoneNumber", reason: "give either phoneNumber or email" },
      { field: "phoneNumber" },
    );
  }
  const kind: LoginIdentifier["kind"] = input.phoneNumber ? "phone" : "email";
  const destination = input.phoneNumber ? normalizePhone(input.phoneNumber) : normalizeEmail(input.email!);
  const channel = channelFor(kind, input.channel);
  await consume(ctx.app.rateLimits.login, `password:${viewer.userId}`);
  const [me] = await ctx.db.select().from(users).where(eq(users.id, viewer.userId));
  if (!me || !(await ctx.app.passwords.verify(me.passwordHash, input.currentPassword))) {
    throw new AppError("BAD_USER_INPUT", "auth.wrongPassword", {}, { field: "currentPassword" });
  }
  const language = me.preferredLanguage;
  await atomic(ctx, (ctx) =>
    asSystem(ctx.db, async (system) => {
      const [owner] = await system
        .select({ id: users.id, language: users.preferredLanguage })
        .from(users)
        .where(byIdentifier({ kind, value: destination }));
      if (owner && owner.id !== viewer.userId) {
        // Counted like a code, and the same statements as one.
        await consume(ctx.app.rateLimits.messages, destination).catch(quietlyLimited);
        await system
          .update(verificationCodes)
          .set({ consumedAt: new Date() })
          .where(
            and(
              eq(verificationCodes.userId, viewer.userId),
              eq(verificationCodes.purpose, "contact"),
              isNull(verificationCodes.consumedAt),
            ),
          );
        await queueDeliveries({ ...ctx, db: system }, [
          {
            tenantId: null,
            userId: owner.id,
            channel,
            to: destination,
            kind: "account.contactTaken",
            language: owner.language,
            subject: translate(owner.language, "message.accountNoticeSubject"),
            text: translate(owner.language, "message.contactTaken"),
            urgent: true,
          },
        ]);
        return;
      }
      await sendCode(ctx, system, viewer.userId, channel, destination, "contact", language);
    }),
  );
  return { channel, destination };
}

/**
 * Step 2: the code sent to the new address. The address replaces the phone
 * number or email (now verified); the old address is told. If the address was
 * taken by another account meanwhile, CONFLICT (only the address's owner can
 * hold the code).
 */
export async function confirmContactChange(ctx: Context, code: string) {
  const viewer = requireUser(ctx);
  await consume(ctx.app.rateLimits.login, `contact:${viewer.userId}`);
  const outcome = await atomic(ctx, (ctx) =>
    asSystem(ctx.db, async (system) => {
      const [before] = await system.select().from(users).where(eq(users.id, viewer.userId)).for("update");
      if (!before) throw notFound("User", viewer.userId);
      const taken = await takeCode(system, viewer.userId, "contact", code);
      if (!taken) return { kind: "invalid" as const };
      const now = new Date();
      const isEmail = taken.channel === "EMAIL";
      const previous = isEmail ? before.email : before.phoneNumber1;
      const changes = isEmail
        ? { email: taken.destination, emailVerifiedAt: now, isVerified: true }
        : { phoneNumber1: taken.destination, phoneVerifiedAt: now, isVerified: true };
      const [holder] = await system
        .select({ id: users.id })
        .from(users)
        .where(and(byIdentifier({ kind: isEmail ? "email" : "phone", value: taken.destination }), ne(users.id, viewer.userId)));
      if (holder) return { kind: "taken" as const };
      const [after] = await system.update(users).set(changes).where(eq(users.id, viewer.userId)).returning();
      ctx.loaders.user.clear(viewer.userId).prime(viewer.userId, after!);
      if (previous && previous !== taken.destination) {
        // The old address is told, through the outbox like every message.
        await queueDeliveries({ ...ctx, db: system }, [
          {
            tenantId: null,
            userId: viewer.userId,
            channel: isEmail ? "EMAIL" : "SMS",
            to: previous,
            kind: "account.contactChanged",
            language: before.preferredLanguage,
            subject: translate(before.preferredLanguage, "message.accountNoticeSubject"),
            text: translate(before.preferredLanguage, "message.contactChanged", { destination: taken.destination }),
            urgent: true,
          },
        ]);
      }
      await emit(ctx, { type: "user.profileUpdated", userId: viewer.userId, changedFields: [isEmail ? "email" : "phoneNumber1"] });
      return { kind: "ok" as const, user: after! };
    }),
  ).catch((error) => {
    // Taken by a concurrent registration between the check and the update.
    if (fromDatabaseError(error)?.code === "CONFLICT") return { kind: "taken" as const };
    throw error;
  });
  if (outcome.kind === "invalid") throw new AppError("BAD_USER_INPUT", "auth.verificationInvalid", {}, { field: "code" });
  if (outcome.kind === "taken") throw new AppError("CONFLICT", "auth.contactTaken", {}, { field: "code" });
  return outcome.user;
}
