/**
 * Invitations: how an account joins a tenant with its owner's consent.
 *
 * addMember never attaches an existing account to a tenant: it invites it, and
 * the account's owner accepts or declines (myInvitations). The answer is the same
 * whether or not the phone or email already had an account — an unknown one gets
 * a new account with the temporary password, invited the same way — so the call
 * cannot tell who has an account. Until the owner accepts, the inviting tenant sees
 * only what its inviter typed: the account id never leaves this module.
 *
 * Who may offer what: admins any role; staff the non-staff roles (INSTRUCTOR,
 * PARENT, STUDENT, MEMBER), and only those invitations may staff revoke.
 */
import { and, eq, getTableColumns, gt, inArray, lte, or, sql, type SQL } from "drizzle-orm";
import { invitations, membershipRoleEnum, memberships, users, type Invitation } from "../../drizzle/schema";
import type { InvitationStatus } from "../../drizzle/tables/enums-types";
import { requireRole, requireTenant, requireUser } from "../auth/guards";
import { PASSWORD_MAX, PASSWORD_MIN } from "../auth/passwords";
import type { Role, UserViewer } from "../auth/viewer";
import { atomic, type Context } from "../context";
import type { Db } from "../db/client";
import { asSystem } from "../db/scope";
import { AppError, notFound, wrongState } from "../errors";
import { emit } from "../domain-events/domain-events";
import { mapPage } from "../pagination";
import { newestFirst, page } from "../db/page";
import { normalizeEmail, normalizePhone } from "../validation";
import { audit } from "./audit";
import { grantMembership, type AddMemberInput } from "./members";

/** How long an invitation stays open. */
export const INVITATION_TTL_MS = 14 * 24 * 60 * 60 * 1000;
/** Roles staff may offer; ADMIN and STAFF only an admin may. */
export const STAFF_OFFERABLE_ROLES: readonly Role[] = ["INSTRUCTOR", "PARENT", "STUDENT", "MEMBER"];
const NAME_MAX = 100;

/** An invitation as the inviting tenant and the invitee see it: what the inviter typed, never the account. */
export type InvitationView = Omit<Invitation, "userId" | "invitedBy" | "addressedTo">;

/** The status as of now: an open invitation past its date reads EXPIRED. */
function effectiveStatus(row: Pick<Invitation, "status" | "expiresAt">, now = new Date()): InvitationStatus {
  return row.status === "PENDING" && row.expiresAt <= now ? "EXPIRED" : row.status;
}

export function present(row: Invitation): InvitationView {
  const { userId: _account, invitedBy: _inviter, addressedTo: _key, ...shown } = row;
  return { ...shown, status: effectiveStatus(row) };
}

/** SQL for "status as of now is `status`". */
function statusIs(status: InvitationStatus) {
  if (status === "PENDING") return and(eq(invitations.status, "PENDING"), gt(invitations.expiresAt, sql`now()`));
  if (status === "EXPIRED") {
    return or(eq(invitations.status, "EXPIRED"), and(eq(invitations.status, "PENDING"), lte(invitations.expiresAt, sql`now()`)));
  }
  return eq(invitations.status, status);
}

/** The roles offered, once each, in the enum's order; staff roles need an admin. */
function checkOffer(viewer: UserViewer, roles: readonly Role[]): Role[] {
  const offered = membershipRoleEnum.enumValues.filter((role) => roles.includes(role));
  if (offered.length === 0) throw new AppError("BAD_USER_INPUT", "invitation.rolesRequired", {}, { field: "roles" });
  if (!viewer.roles.includes("ADMIN")) {
    const refused = offered.filter((role) => !STAFF_OFFERABLE_ROLES.includes(role));
    if (refused.length)
      throw new AppError("FORBIDDEN", "invitation.staffRolesAdminOnly", { roles: refused.join(", ") }, { field: "roles" });
  }
  return offered;
}

/** A name as typed: trimmed, bounded, no control characters (NUL cannot be stored anyway). */
function cleanName(field: string, raw: string | null | undefined, required: boolean): string {
  const value = (raw ?? "").trim();
  // eslint-disable-next-line no-control-regex
  if (value.length > NAME_MAX || /[\u0000-\u001f\u007f]/.test(value)) {
    throw new AppError("BAD_USER_INPUT", "invitation.textInvalid", { field, max: NAME_MAX }, { field });
  }
  if (required && !value) throw new AppError("BAD_USER_INPUT", "invitation.nameRequired", {}, { field });
  return value;
}

/**
 * The account with this phone (first) or email, or a new one with the temporary
 * password. Runs as system: the account may belong to no tenant the inviter sees.
 */
async function findOrCreateAccount(
  system: Db,
  login: { phone: string | null; email: string | null },
  fresh: { firstName: string; lastName: string; passwordHash: string; language: Context["language"] },
): Promise<string> {
  const find = async () => {
    const rows = await system
      .select({ id: users.id, phone: users.phoneNumber1 })
      .from(users)
      .where(
        or(
          login.phone ? eq(users.phoneNumber1, login.phone) : undefined,
          login.email ? sql`lower(${users.email}) = ${login.email}` : undefined,
        ),
      );
    return (rows.find((row) => login.phone !== null && row.phone === login.phone) ?? rows[0])?.id;
  };
  const existing = await find();
  if (existing) return existing;
  const [created] = await system
    .insert(users)
    .values({ phoneNumber1: login.phone, email: login.email, ...fresh, preferredLanguage: fresh.language })
    .onConflictDoNothing()
    .returning({ id: users.id });
  // Nothing inserted: someone registered the phone or email a moment ago.
  return created?.id ?? (await find())!;
}

/**
 * Staff: invites the person with this phone or email to the current tenant with
 * `roles`. Inviting the same way (same phone and email typed) while an invitation
 * is open renews it (roles added, date pushed back). Answers with what the inviter
 * typed, whoever the login belongs to.
 */
export async function invite(ctx: Context, input: AddMemberInput): Promise<InvitationView> {
  const viewer = requireRole(ctx, "STAFF");
  const tenant = requireTenant(ctx);
  const roles = checkOffer(viewer, input.roles);
  const phone = input.phoneNumber ? normalizePhone(input.phoneNumber) : null;
  const email = input.email ? normalizeEmail(input.email) : null;
  if (!phone && !email) throw new AppError("BAD_USER_INPUT", "auth.registrationNeedsLogin", {}, { field: "phoneNumber" });
  const firstName = cleanName("firstName", input.firstName, true);
  const lastName = cleanName("lastName", input.lastName, false);
  // Always required and always hashed, used or not: otherwise whether it is asked
  // for, or how long the answer takes, would tell whether the login has an account.
  const password = input.temporaryPassword ?? "";
  if (password.length < PASSWORD_MIN || password.length > PASSWORD_MAX) {
    throw new AppError("BAD_USER_INPUT", "auth.weakPassword", {}, { field: "temporaryPassword" });
  }
  const passwordHash = await ctx.app.passwords.hash(password);
  const inviter = await ctx.loaders.user.load(viewer.userId);
  const invitedByName = `${inviter?.firstName ?? ""} ${inviter?.lastName ?? ""}`.trim();

  return atomic(ctx, (ctx) =>
    asSystem(ctx.db, async (system) => {
      const userId = await findOrCreateAccount(
        system,
        { phone, email },
        { firstName, lastName, passwordHash, language: tenant.defaultLanguage },
      );
      const now = new Date();
      // An open invitation past its date no longer holds the one open place.
      await system
        .update(invitations)
        .set({ status: "EXPIRED", respondedAt: now })
        .where(
          and(
            ctx.scope.inTenant(invitations),
            eq(invitations.userId, userId),
            eq(invitations.status, "PENDING"),
            lte(invitations.expiresAt, now),
          ),
        );
      const typed = { phoneNumber: phone, email, firstName, lastName, invitedBy: viewer.userId, invitedByName };
      const expiresAt = new Date(now.getTime() + INVITATION_TTL_MS);
      const [saved] = await system
        .insert(invitations)
        .values({ tenantId: tenant.id, userId, roles, expiresAt, ...typed })
        .onConflictDoUpdate({
          target: [invitations.tenantId, invitations.userId, invitations.addressedTo],
          targetWhere: sql`status = 'PENDING'`,
          set: {
            ...typed,
            roles: sql`ARRAY(SELECT DISTINCT unnest(${invitations.roles} || excluded.roles) ORDER BY 1)::membership_role[]`,
            expiresAt,
            updatedAt: now,
          },
        })
        .returning({ ...getTableColumns(invitations), created: sql<boolean>`(xmax = 0)` });
      const { created, ...row } = saved!;
      const inTenant = { ...ctx, db: system };
      if (created) await emit(inTenant, { type: "invitation.created", tenantId: tenant.id, tenantName: tenant.name, invitation: row });
      await audit(inTenant, {
        action: created ? "invitation.create" : "invitation.renew",
        entity: "invitation",
        entityId: row.id,
        after: present(row),
      });
      return present(row);
    }),
  );
}

/** Staff: the tenant's invitations, newest first, optionally in one status. */
export async function listInvitations(
  ctx: Context,
  args: { status?: InvitationStatus | null; first?: number | null; after?: string | null },
) {
  requireRole(ctx, "STAFF");
  return pageOf(ctx, and(ctx.scope.inTenant(invitations), args.status ? statusIs(args.status) : undefined), args);
}

/** The signed-in account's open invitations in every tenant, newest first. */
export async function myInvitations(ctx: Context, args: { first?: number | null; after?: string | null }) {
  const viewer = requireUser(ctx);
  // Rows of other tenants are readable here through the invitations_own policy.
  return pageOf(ctx, and(eq(invitations.userId, viewer.userId), statusIs("PENDING")), args);
}

async function pageOf(ctx: Context, where: SQL | undefined, args: { first?: number | null; after?: string | null }) {
  const rows = await page(ctx, {
    from: invitations,
    where,
    order: newestFirst(invitations.createdAt, invitations.id),
    first: args.first,
    after: args.after,
  });
  return mapPage(rows, present);
}

/** Why an invitation addressed to the viewer can no longer be answered. */
function closed(row: Invitation, status: InvitationStatus): AppError {
  switch (status) {
    case "EXPIRED":
      return new AppError("CONFLICT", "invitation.expired", { date: row.expiresAt.toISOString().slice(0, 10) }, { status });
    case "DECLINED":
      return new AppError("CONFLICT", "invitation.declined", {}, { status });
    case "REVOKED":
      return new AppError("CONFLICT", "invitation.revoked", {}, { status });
    default:
      return new AppError("CONFLICT", "invitation.alreadyAccepted", {}, { status });
  }
}

/**
 * Locks one of the viewer's own invitations. Runs as system (the invitation
 * belongs to a tenant the viewer is not in yet); the user filter is the guard,
 * and someone else's invitation is NOT_FOUND like one that does not exist.
 */
async function lockOwn(system: Db, viewer: UserViewer, id: string): Promise<Invitation> {
  const [row] = await system
    .select()
    .from(invitations)
    .where(and(eq(invitations.id, id), eq(invitations.userId, viewer.userId)))
    .for("update");
  if (!row) throw notFound("Invitation", id);
  return row;
}

/** The invitee joins the tenant with the roles offered. Accepting again answers the same membership. */
export async function acceptInvitation(ctx: Context, id: string) {
  const viewer = requireUser(ctx);
  return atomic(ctx, (ctx) =>
    asSystem(ctx.db, async (system) => {
      const row = await lockOwn(system, viewer, id);
      const status = effectiveStatus(row);
      if (status === "ACCEPTED") {
        const [membership] = await system
          .select()
          .from(memberships)
          .where(and(eq(memberships.tenantId, row.tenantId), eq(memberships.userId, viewer.userId)));
        if (membership) return membership;
      }
      if (status !== "PENDING") throw closed(row, status);
      const [after] = await system
        .update(invitations)
        .set({ status: "ACCEPTED", respondedAt: new Date() })
        .where(and(eq(invitations.tenantId, row.tenantId), eq(invitations.id, id)))
        .returning();
      const membership = await grantMembership(system, row.tenantId, viewer.userId, row.roles);
      await audit(
        { ...ctx, db: system },
        {
          tenantId: row.tenantId,
          action: "invitation.accept",
          entity: "invitation",
          entityId: id,
          before: present(row),
          after: { ...present(after!), membershipId: membership.id },
        },
      );
      return membership;
    }),
  );
}

/** The invitee says no. Declining again answers the same. */
export async function declineInvitation(ctx: Context, id: string): Promise<InvitationView> {
  const viewer = requireUser(ctx);
  return atomic(ctx, (ctx) =>
    asSystem(ctx.db, async (system) => {
      const row = await lockOwn(system, viewer, id);
      const status = effectiveStatus(row);
      if (status === "DECLINED") return present(row);
      if (status !== "PENDING") throw closed(row, status);
      const [after] = await system
        .update(invitations)
        .set({ status: "DECLINED", respondedAt: new Date() })
        .where(and(eq(invitations.tenantId, row.tenantId), eq(invitations.id, id)))
        .returning();
      await audit(
        { ...ctx, db: system },
        {
          tenantId: row.tenantId,
          action: "invitation.decline",
          entity: "invitation",
          entityId: id,
          before: present(row),
          after: present(after!),
        },
      );
      return present(after!);
    }),
  );
}

/** Staff: withdraws an open invitation (one offering staff roles: admins only). Revoking again answers the same. */
export async function revokeInvitation(ctx: Context, id: string): Promise<InvitationView> {
  const viewer = requireRole(ctx, "STAFF");
  return atomic(ctx, async (ctx) => {
    const [row] = await ctx.db
      .select()
      .from(invitations)
      .where(and(ctx.scope.inTenant(invitations), eq(invitations.id, id)))
      .for("update");
    if (!row) throw notFound("Invitation", id);
    checkOffer(viewer, row.roles);
    const status = effectiveStatus(row);
    if (status === "REVOKED") return present(row);
    if (status !== "PENDING") throw wrongState("Invitation", status, "PENDING");
    const [after] = await ctx.db
      .update(invitations)
      .set({ status: "REVOKED", respondedAt: new Date() })
      .where(and(ctx.scope.inTenant(invitations), eq(invitations.id, id)))
      .returning();
    await audit(ctx, { action: "invitation.revoke", entity: "invitation", entityId: id, before: present(row), after: present(after!) });
    return present(after!);
  });
}

/** One person of a bulk invitation, as the inviter typed them (phone and email already normalised). */
export interface InviteeRow {
  phone: string | null;
  email: string | null;
  firstName: string;
  lastName: string;
}

/**
 * Staff, for an import: invites many people at once with `roles`, the same way `invite` does one
 * (accounts found or created with `passwordHash`, an open invitation renewed, the same answer for
 * a login with or without an account), in a fixed number of statements whatever their number. The
 * caller has checked the rows (names, one login each, no duplicates). Answers how many were invited.
 */
export async function inviteMany(ctx: Context, rows: readonly InviteeRow[], roles: readonly Role[], passwordHash: string): Promise<number> {
  const viewer = requireRole(ctx, "STAFF");
  const tenant = requireTenant(ctx);
  const offered = checkOffer(viewer, roles);
  if (rows.length === 0) return 0;
  const inviter = await ctx.loaders.user.load(viewer.userId);
  const invitedByName = `${inviter?.firstName ?? ""} ${inviter?.lastName ?? ""}`.trim();
  return asSystem(ctx.db, async (system) => {
    const phones = rows.flatMap((row) => (row.phone ? [row.phone] : []));
    const emails = rows.flatMap((row) => (row.email ? [row.email] : []));
    const find = () =>
      system
        .select({ id: users.id, phone: users.phoneNumber1, email: sql<string | null>`lower(${users.email})` })
        .from(users)
        .where(
          or(
            phones.length ? inArray(users.phoneNumber1, phones) : undefined,
            emails.length ? inArray(sql`lower(${users.email})`, emails) : undefined,
          ),
        );
    const accountOf = (found: Awaited<ReturnType<typeof find>>, row: InviteeRow) =>
      found.find((account) => row.phone !== null && account.phone === row.phone)?.id ??
      found.find((account) => row.email !== null && account.email === row.email)?.id;
    let found = await find();
    const missing = rows.filter((row) => !accountOf(found, row));
    if (missing.length) {
      await system
        .insert(users)
        .values(
          missing.map((row) => ({
            phoneNumber1: row.phone,
            email: row.email,
            firstName: row.firstName,
            lastName: row.lastName,
            passwordHash,
            preferredLanguage: tenant.defaultLanguage,
          })),
        )
        .onConflictDoNothing();
      found = await find();
    }
    const now = new Date();
    const expiresAt = new Date(now.getTime() + INVITATION_TTL_MS);
    const userIds = rows.map((row) => accountOf(found, row)!);
    await system
      .update(invitations)
      .set({ status: "EXPIRED", respondedAt: now })
      .where(
        and(
          ctx.scope.inTenant(invitations),
          inArray(invitations.userId, userIds),
          eq(invitations.status, "PENDING"),
          lte(invitations.expiresAt, now),
        ),
      );
    const saved = await system
      .insert(invitations)
      .values(
        rows.map((row, index) => ({
          tenantId: tenant.id,
          userId: userIds[index]!,
          roles: offered,
          expiresAt,
          phoneNumber: row.phone,
          email: row.email,
          firstName: row.firstName,
          lastName: row.lastName,
          invitedBy: viewer.userId,
          invitedByName,
        })),
      )
      .onConflictDoUpdate({
        target: [invitations.tenantId, invitations.userId, invitations.addressedTo],
        targetWhere: sql`status = 'PENDING'`,
        set: {
          roles: sql`ARRAY(SELECT DISTINCT unnest(${invitations.roles} || excluded.roles) ORDER BY 1)::membership_role[]`,
          expiresAt,
          updatedAt: now,
        },
      })
      .returning({ ...getTableColumns(invitations), created: sql<boolean>`(xmax = 0)` });
    const created = saved.filter((row) => row.created).map(({ created: _created, ...row }) => row);
    const inTenant = { ...ctx, db: system };
    if (created.length)
      await emit(inTenant, { type: "invitations.created", tenantId: tenant.id, tenantName: tenant.name, invitations: created });
    await audit(inTenant, { action: "invitation.import", entity: "invitation", after: { invited: saved.length, created: created.length } });
    return saved.length;
  });
}
