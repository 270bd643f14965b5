/**
 * Verification codes and logins: which channel an address takes, codes sent (hashed, through the
 * outbox) and taken (attempt limit, expiry), and the identity checks register, reset and contact changes share.
 */
import { createHash, randomInt } from "node:crypto";
import { and, desc, eq, gt, isNull, sql } from "drizzle-orm";
import { users, verificationCodes, type User } from "../../drizzle/schema";
import type { VerificationChannel } from "../../drizzle/tables/enums-types";
import { passwordProblem } from "../auth/passwords";
import type { Context } from "../context";
import type { Db } from "../db/client";
import { AppError, badInput } from "../errors";
import { translate, type Language } from "../i18n";
import { queueDeliveries } from "../messaging/outbox";
import { consume } from "../rate-limits";
import type { LoginIdentifier } from "../validation";

/** A name as typed, trimmed; a NUL byte (which PostgreSQL cannot store) is BAD_USER_INPUT naming the field. */
export function nameText(field: string, value: string): string {
  if (value.includes("\u0000")) throw badInput(field, "must not contain a NUL character");
  return value.trim();
}

export function checkPassword(password: string, field = "password") {
  const problem = passwordProblem(password);
  if (problem) throw new AppError("BAD_USER_INPUT", problem, {}, { field });
}

export const byIdentifier = (identifier: LoginIdentifier) =>
  identifier.kind === "phone" ? eq(users.phoneNumber1, identifier.value) : sql`lower(${users.email}) = ${identifier.value}`;

/** Whether an identifier must be verified before its owner may sign in. */
export function verificationRequired(ctx: Context, kind: LoginIdentifier["kind"]): boolean {
  return kind === "phone" ? ctx.app.config.auth.phoneVerification : ctx.app.config.auth.emailVerification;
}

export function isVerified(user: Pick<User, "phoneVerifiedAt" | "emailVerifiedAt">, kind: LoginIdentifier["kind"]) {
  return kind === "phone" ? user.phoneVerifiedAt !== null : user.emailVerifiedAt !== null;
}

/** Where a code for this identifier goes: email to emails; SMS or WhatsApp to phones. */
export function channelFor(kind: LoginIdentifier["kind"], wanted: VerificationChannel | null | undefined): VerificationChannel {
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

export async function sendCode(
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

export const codeHash = (userId: string, code: string) => createHash("sha256").update(`${userId}:${code}`).digest("hex");
/**
 * Takes the newest live code of `purpose` for `userId` (and `destination`, when
 * given): a wrong code spends an attempt (the code dies after its maxAttempts),
 * the right one is consumed. Answers the code row when it matched.
 */
export async function takeCode(system: Db, userId: string, purpose: string, given: string, destination?: string) {
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
export const quietlyLimited = (error: unknown) => {
  if (error instanceof AppError && error.code === "RATE_LIMITED") return;
  throw error;
};
