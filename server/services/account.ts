/**
 * The account of the signed-in person: password (change, reset by code), profile, and moving the
 * login phone number or email to a verified new address. Sessions and sign-in are in ./auth.
 */
import { randomInt } from "node:crypto";
import { and, eq, isNull, ne } from "drizzle-orm";
import { authSessions, users, verificationCodes, type User } from "../../drizzle/schema";
import type { VerificationChannel } from "../../drizzle/tables/enums-types";
import { requireUser } from "../auth/guards";
import { isSelf } from "../auth/policies";
import { atomic, type Context } from "../context";
import { asSystem } from "../db/scope";
import { AppError, fromDatabaseError, notFound } from "../errors";
import { accessChanged } from "../realtime/access";
import { emit } from "../domain-events/domain-events";
import { translate, type Language } from "../i18n";
import { queueDeliveries } from "../messaging/outbox";
import { consume } from "../rate-limits";
import { normalizeEmail, normalizePhone, parseLoginIdentifier, type LoginIdentifier } from "../validation";
import {
  byIdentifier,
  channelFor,
  checkPassword,
  codeHash,
  isVerified,
  nameText,
  quietlyLimited,
  sendCode,
  takeCode,
  verificationRequired,
} from "./verification-codes";

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
