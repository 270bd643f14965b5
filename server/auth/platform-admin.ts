/**
 * The first platform admin of a deployment (`npm run admin:create`, scripts/admin-create.ts).
 * Runs as the database owner, outside any request: there is nobody to sign in yet.
 *
 * Idempotent: an account that already has the email or phone number is made a
 * platform admin (and active) and keeps its password unless `resetPassword`; a
 * new account is created with both addresses verified (the operator vouches for
 * them). The password follows the registration policy (server/auth/passwords.ts).
 */
import { and, eq, isNull, or, sql } from "drizzle-orm";
import { authSessions, users } from "../../drizzle/schema";
import type { Database } from "../db/client";
import { normalizeEmail, normalizePhone } from "../validation";
import { passwordProblem, type PasswordHasher } from "./passwords";

export interface PlatformAdminInput {
  email?: string | null;
  phone?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  /** Set this password on an existing account too (its sessions are signed out). */
  resetPassword?: boolean;
}

export type PlatformAdminOutcome =
  | { kind: "created"; userId: string; email: string | null; phone: string | null }
  | { kind: "updated"; userId: string; email: string | null; phone: string | null; wasAdmin: boolean; passwordChanged: boolean };

/** A mistake of the operator's, told in one line (exit 1). */
export class PlatformAdminError extends Error {
  override name = "PlatformAdminError";
}

/** Whether a password is acceptable for an admin: the registration policy, and not a public demo password. */
export function adminPasswordProblem(password: string, publicPasswords: readonly string[] = []): string | null {
  if (passwordProblem(password)) return "the password must be 8 to 128 characters long";
  if (publicPasswords.includes(password)) return "that password is public (the demo seed's); choose another";
  return null;
}

export function normalizeAdminAddresses(input: PlatformAdminInput) {
  const parse = <T>(what: string, raw: string, fn: (raw: string) => T): T => {
    try {
      return fn(raw);
    } catch {
      throw new PlatformAdminError(
        `${what} "${raw}" is not valid${what === "--phone" ? " (international format, e.g. +201001234567)" : ""}`,
      );
    }
  };
  const email = input.email ? parse("--email", input.email, normalizeEmail) : null;
  const phone = input.phone ? parse("--phone", input.phone, normalizePhone) : null;
  if (!email && !phone) throw new PlatformAdminError("give --email or --phone (or both)");
  return { email, phone };
}

/** The account that has this email or phone number, if any (two different ones are refused). */
export async function findAdminCandidate(database: Database, input: PlatformAdminInput) {
  const { email, phone } = normalizeAdminAddresses(input);
  const rows = await database.db
    .select({ id: users.id, email: users.email, phone: users.phoneNumber1, isPlatformAdmin: users.isPlatformAdmin })
    .from(users)
    .where(or(email ? sql`lower(${users.email}) = ${email}` : undefined, phone ? eq(users.phoneNumber1, phone) : undefined));
  if (rows.length > 1) {
    throw new PlatformAdminError(`${email} and ${phone} belong to two different accounts; give one of them`);
  }
  return { email, phone, existing: rows[0] };
}

/** Creates the platform admin or makes the existing account one. `password` is needed to create or to reset. */
export async function ensurePlatformAdmin(
  database: Database,
  passwords: PasswordHasher,
  input: PlatformAdminInput,
  password: string | undefined,
): Promise<PlatformAdminOutcome> {
  const { email, phone, existing } = await findAdminCandidate(database, input);
  const needsPassword = !existing || input.resetPassword;
  if (needsPassword && password === undefined) throw new PlatformAdminError("a password is needed");
  const passwordHash = needsPassword ? await passwords.hash(password!) : undefined;
  const now = new Date();
  return database.db.transaction(async (db) => {
    if (existing) {
      await db
        .update(users)
        .set({ isPlatformAdmin: true, isActive: true, ...(passwordHash ? { passwordHash, passwordChangedAt: now } : {}) })
        .where(eq(users.id, existing.id));
      if (passwordHash) {
        await db
          .update(authSessions)
          .set({ revokedAt: now, revokedReason: "password-reset-by-operator" })
          .where(and(eq(authSessions.userId, existing.id), isNull(authSessions.revokedAt)));
      }
      return {
        kind: "updated",
        userId: existing.id,
        email: existing.email,
        phone: existing.phone,
        wasAdmin: existing.isPlatformAdmin,
        passwordChanged: Boolean(passwordHash),
      };
    }
    const [created] = await db
      .insert(users)
      .values({
        email,
        phoneNumber1: phone,
        passwordHash: passwordHash!,
        firstName: input.firstName?.trim() || "Platform",
        lastName: input.lastName?.trim() ?? "Admin",
        isPlatformAdmin: true,
        isVerified: true,
        emailVerifiedAt: email ? now : null,
        phoneVerifiedAt: phone ? now : null,
      })
      .returning({ id: users.id });
    return { kind: "created", userId: created!.id, email, phone };
  });
}
