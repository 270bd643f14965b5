/** Memberships and the profiles that roles bring (student, parent, instructor). */
import { and, count, eq, getTableColumns, ilike, or, sql } from "drizzle-orm";
import { instructors, memberships, parents, students, users, type Membership } from "../../drizzle/schema";
import type { Role } from "../auth/viewer";
import { requireRole } from "../auth/guards";
import { atomic, type Context } from "../context";
import type { Db } from "../db/client";
import { asSystem } from "../db/scope";
import { AppError, notFound } from "../errors";
import { normalizeEmail, normalizePhone } from "../validation";
import { PASSWORD_MAX, PASSWORD_MIN } from "../auth/passwords";
import { audit } from "./audit";
import { accessChanged } from "../realtime/access";
import { oldestFirst, page } from "../db/page";

/** Roles a person may take by registering themselves. */
export const SELF_SERVICE_ROLES: readonly Role[] = ["PARENT", "STUDENT", "MEMBER"];
/** Roles a tenant admin may give (platform admins also give ADMIN when creating a tenant). */
export const ASSIGNABLE_ROLES: readonly Role[] = ["ADMIN", "STAFF", "INSTRUCTOR", "PARENT", "STUDENT", "MEMBER"];

/** Creates the profile rows that `roles` need, if missing (idempotent). */
export async function ensureProfiles(db: Db, tenantId: string, userId: string, roles: readonly Role[]): Promise<void> {
  const row = { tenantId, userId };
  if (roles.includes("STUDENT")) await db.insert(students).values(row).onConflictDoNothing();
  if (roles.includes("PARENT")) await db.insert(parents).values(row).onConflictDoNothing();
  if (roles.includes("INSTRUCTOR")) await db.insert(instructors).values(row).onConflictDoNothing();
}

/**
 * Adds `roles` to a user's membership of a tenant, creating the membership if
 * needed. A deactivated membership comes back with `roles` only: roles it had
 * before it was deactivated are not given back by whoever re-adds the person.
 */
export async function grantMembership(db: Db, tenantId: string, userId: string, roles: readonly Role[]): Promise<Membership> {
  const [membership] = await db
    .insert(memberships)
    .values({ tenantId, userId, roles: [...roles] })
    .onConflictDoUpdate({
      target: [memberships.tenantId, memberships.userId],
      set: {
        roles: sql`CASE WHEN ${memberships.isActive}
          THEN ARRAY(SELECT DISTINCT unnest(${memberships.roles} || excluded.roles) ORDER BY 1)::membership_role[]
          ELSE excluded.roles END`,
        isActive: true,
        updatedAt: new Date(),
      },
    })
    .returning();
  await ensureProfiles(db, tenantId, userId, roles);
  return membership!;
}

export interface AddMemberInput {
  phoneNumber?: string | null;
  email?: string | null;
  firstName: string;
  lastName?: string | null;
  roles: Role[];
  /** The password of the account if none exists yet for the phone or email. */
  temporaryPassword?: string | null;
}

/**
 * Finds the account with this phone or email, or creates it with the temporary
 * password, and grants it `roles` in the tenant at once. Platform administration
 * only (a new tenant's first admin); tenants invite people instead (invitations.ts).
 * No permission check: callers guard.
 */
export async function upsertMember(ctx: Context, tenantId: string, input: AddMemberInput): Promise<Membership> {
  const phone = input.phoneNumber ? normalizePhone(input.phoneNumber) : null;
  const email = input.email ? normalizeEmail(input.email) : null;
  if (!phone && !email) throw new AppError("BAD_USER_INPUT", "auth.registrationNeedsLogin", {}, { field: "phoneNumber" });
  const userId = await asSystem(ctx.db, async (system) => {
    const [existing] = await system
      .select({ id: users.id })
      .from(users)
      .where(phone ? eq(users.phoneNumber1, phone) : sql`lower(${users.email}) = ${email}`);
    if (existing) return existing.id;
    if (!input.temporaryPassword || input.temporaryPassword.length < PASSWORD_MIN || input.temporaryPassword.length > PASSWORD_MAX) {
      throw new AppError("BAD_USER_INPUT", "auth.weakPassword", {}, { field: "temporaryPassword" });
    }
    const [created] = await system
      .insert(users)
      .values({
        phoneNumber1: phone,
        email,
        firstName: input.firstName.trim(),
        lastName: input.lastName?.trim() ?? "",
        passwordHash: await ctx.app.passwords.hash(input.temporaryPassword),
        preferredLanguage: ctx.tenant?.defaultLanguage ?? "ar",
      })
      .returning({ id: users.id });
    return created!.id;
  });
  return grantMembership(ctx.db, tenantId, userId, input.roles);
}

/** Replaces a member's roles (tenant admins only). */
export async function setMemberRoles(ctx: Context, membershipId: string, roles: Role[]) {
  const viewer = requireRole(ctx, "ADMIN");
  const refused = roles.filter((role) => !ASSIGNABLE_ROLES.includes(role));
  if (refused.length) throw new AppError("BAD_USER_INPUT", "input.roles", { roles: refused.join(", ") }, { field: "roles" });
  return atomic(ctx, async (ctx) => {
    const [before] = await ctx.db
      .select()
      .from(memberships)
      .where(and(ctx.scope.inTenant(memberships), eq(memberships.id, membershipId)))
      .for("update");
    if (!before) throw notFound("Membership", membershipId);
    if (before.isActive && before.roles.includes("ADMIN") && !roles.includes("ADMIN")) await keepAnAdmin(ctx, membershipId);
    const [after] = await ctx.db
      .update(memberships)
      .set({ roles: [...new Set(roles)], updatedAt: new Date() })
      .where(and(ctx.scope.inTenant(memberships), eq(memberships.id, membershipId)))
      .returning();
    await ensureProfiles(ctx.db, viewer.tenantId, after!.userId, roles);
    await audit(ctx, { action: "member.setRoles", entity: "membership", entityId: membershipId, before, after });
    // Their open sockets were authorised with the old roles.
    accessChanged(ctx, { userId: after!.userId, tenantId: viewer.tenantId });
    return after!;
  });
}

/**
 * CONFLICT unless the tenant keeps another active admin once `membershipId` stops
 * being one. Every active admin's row is locked: two admins demoting (or
 * deactivating) each other at once run one after the other, and the second sees
 * the first's change, so a tenant is never left without an admin.
 */
async function keepAnAdmin(ctx: Context, membershipId: string): Promise<void> {
  const admins = await ctx.db
    .select({ id: memberships.id })
    .from(memberships)
    .where(and(ctx.scope.inTenant(memberships), eq(memberships.isActive, true), sql`'ADMIN'::membership_role = ANY(${memberships.roles})`))
    .orderBy(memberships.id)
    .for("update");
  if (!admins.some((admin) => admin.id !== membershipId)) {
    throw new AppError("CONFLICT", "member.lastAdmin", {}, { reason: "LAST_ADMIN" });
  }
}

/**
 * Tenant admins: deactivates or reactivates a membership. A deactivated member
 * keeps their rows (history, payments, attendance) but cannot act in the tenant:
 * their tokens for it stop working at once (the viewer reads the membership with
 * every request), they cannot sign in to it or switch to it, their refresh tokens
 * renew without it, and their open sockets close. Reactivating gives back the
 * same roles. Audited; the last active admin cannot be deactivated (CONFLICT).
 */
export async function setMemberActive(ctx: Context, membershipId: string, active: boolean) {
  const viewer = requireRole(ctx, "ADMIN");
  return atomic(ctx, async (ctx) => {
    const [before] = await ctx.db
      .select()
      .from(memberships)
      .where(and(ctx.scope.inTenant(memberships), eq(memberships.id, membershipId)))
      .for("update");
    if (!before) throw notFound("Membership", membershipId);
    if (before.isActive === active) {
      throw new AppError("CONFLICT", "member.alreadyInState", { state: active ? "active" : "deactivated" }, { reason: "SAME_STATE" });
    }
    if (!active && before.roles.includes("ADMIN")) await keepAnAdmin(ctx, membershipId);
    const [after] = await ctx.db
      .update(memberships)
      .set({ isActive: active, updatedAt: new Date() })
      .where(and(ctx.scope.inTenant(memberships), eq(memberships.id, membershipId)))
      .returning();
    await audit(ctx, {
      action: active ? "member.reactivate" : "member.deactivate",
      entity: "membership",
      entityId: membershipId,
      before,
      after,
    });
    if (!active) accessChanged(ctx, { userId: after!.userId, tenantId: viewer.tenantId });
    // The membership loader may hold the row as it was (a member reading their own).
    ctx.loaders.membershipByUser.clear(after!.userId);
    return after!;
  });
}

/** Staff: the tenant's members, optionally with a role or matching a name, phone or email. */
export async function listMembers(
  ctx: Context,
  args: { role?: Role | null; search?: string | null; first?: number | null; after?: string | null },
) {
  requireRole(ctx, "STAFF");
  const text = args.search?.trim();
  const where = and(
    ctx.scope.inTenant(memberships),
    args.role ? sql`${args.role}::membership_role = ANY(${memberships.roles})` : undefined,
    text
      ? or(
          ilike(users.firstName, `%${text}%`),
          ilike(users.lastName, `%${text}%`),
          ilike(users.email, `%${text}%`),
          ilike(users.phoneNumber1, `%${text}%`),
        )
      : undefined,
  );
  const rows = await page(ctx, {
    query: ctx.db.select(getTableColumns(memberships)).from(memberships).innerJoin(users, eq(users.id, memberships.userId)).$dynamic(),
    count: ctx.db.select({ value: count() }).from(memberships).innerJoin(users, eq(users.id, memberships.userId)).$dynamic(),
    where,
    order: oldestFirst(memberships.createdAt, memberships.id),
    first: args.first,
    after: args.after,
  });
  // The privacy policy asks for each member's membership here; it is this row.
  for (const row of rows.nodes) ctx.loaders.membershipByUser.prime(row.userId, row);
  return rows;
}
