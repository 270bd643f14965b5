/**
 * A child's guardians (guardianships): the primary guardian (children.parent_id) and others, each
 * with their own permissions: canEnroll (request and end enrolments), receivesAlerts (absences,
 * reminders, fees due, enrolment decisions), canPickUp (shown to staff). Any guardian reads the
 * child's private details and acts for it otherwise (pay, excuse, rate).
 *
 * Managed by staff and by the primary guardian; a guardian may also remove themself. Only a
 * member of the tenant can be added (staff invite the person first): an account outside the
 * tenant never learns that a child was attached to it, and nobody adds a stranger's account.
 */
import { and, asc, eq, ne, sql } from "drizzle-orm";
import { children, guardianships, memberships, parents, users, type Guardianship } from "../../drizzle/schema";
import type { GuardianRelation } from "../../drizzle/tables/enums-types";
import { requireMember } from "../auth/guards";
import { isSelf } from "../auth/policies";
import { isStaff } from "../auth/viewer";
import { atomic, type Context } from "../context";
import { AppError, forbidden, notFound, onConstraint } from "../errors";
import { normalizeEmail, normalizePhone } from "../validation";
import { audit } from "./audit";
import { findParticipant, type Participant } from "./participants";

onConstraint("guardianships_child_parent_key", () => new AppError("CONFLICT", "guardian.already"));

/** At most this many guardians per child (Child.guardians answers them all). */
export const MAX_GUARDIANS = 10;

export interface GuardianPermissions {
  canEnroll?: boolean | null;
  receivesAlerts?: boolean | null;
  canPickUp?: boolean | null;
}

export interface AddGuardianInput extends GuardianPermissions {
  childId: string;
  phoneNumber?: string | null;
  email?: string | null;
  relation: GuardianRelation;
}

export interface UpdateGuardianInput extends GuardianPermissions {
  relation?: GuardianRelation | null;
}

/** A guardianship as the API shows it: with the guardian's account and whether it is the primary. */
export type GuardianRow = Guardianship & { userId: string; isPrimary: boolean };

/** The child, if the viewer may manage its guardians (staff, or its primary guardian); NOT_FOUND / FORBIDDEN otherwise. */
async function childToManage(ctx: Context, childId: string): Promise<Participant & { kind: "child" }> {
  const viewer = requireMember(ctx);
  const child = await findParticipant(ctx, childId);
  if (child?.kind !== "child") throw notFound("Child", childId);
  if (isStaff(viewer) || isSelf(ctx, child.userId)) return child;
  throw forbidden();
}

/** A guardianship of the tenant, with its account; NOT_FOUND if there is none. */
async function guardianship(ctx: Context, id: string): Promise<GuardianRow> {
  const [row] = await ctx.db
    .select({ guardianship: guardianships, userId: parents.userId, primaryId: children.parentId })
    .from(guardianships)
    .innerJoin(parents, and(eq(parents.tenantId, guardianships.tenantId), eq(parents.id, guardianships.parentId)))
    .innerJoin(children, and(eq(children.tenantId, guardianships.tenantId), eq(children.id, guardianships.childId)))
    .where(and(ctx.scope.inTenant(guardianships), eq(guardianships.id, id)));
  if (!row) throw notFound("Guardian", id);
  return { ...row.guardianship, userId: row.userId, isPrimary: row.primaryId === row.guardianship.parentId };
}

const permissions = (input: GuardianPermissions) => ({
  ...(input.canEnroll != null && { canEnroll: input.canEnroll }),
  ...(input.receivesAlerts != null && { receivesAlerts: input.receivesAlerts }),
  ...(input.canPickUp != null && { canPickUp: input.canPickUp }),
});

/** Staff or the primary guardian add a member of the tenant (by phone or email) as a guardian of the child. */
export async function addGuardian(ctx: Context, input: AddGuardianInput): Promise<GuardianRow> {
  if (!input.phoneNumber === !input.email) throw new AppError("BAD_USER_INPUT", "guardian.contactRequired", {}, { field: "phoneNumber" });
  const phone = input.phoneNumber ? normalizePhone(input.phoneNumber) : null;
  const email = input.email ? normalizeEmail(input.email) : null;
  return atomic(ctx, async (ctx) => {
    const child = await childToManage(ctx, input.childId);
    if (child.guardians.length >= MAX_GUARDIANS) throw new AppError("CONFLICT", "guardian.tooMany", { max: MAX_GUARDIANS });
    // Members of this tenant only (users' row-level security shows no one else either).
    const [member] = await ctx.db
      .select({ userId: users.id })
      .from(users)
      .innerJoin(memberships, and(ctx.scope.inTenant(memberships), eq(memberships.userId, users.id), eq(memberships.isActive, true)))
      .where(phone ? eq(users.phoneNumber1, phone) : sql`lower(${users.email}) = ${email}`);
    if (!member) throw new AppError("NOT_FOUND", "guardian.notMember", {}, { field: phone ? "phoneNumber" : "email" });
    // Their parent profile in the tenant, made if they have none (a guardianship points at a profile).
    await ctx.db.insert(parents).values({ tenantId: child.row.tenantId, userId: member.userId }).onConflictDoNothing();
    const [profile] = await ctx.db
      .select()
      .from(parents)
      .where(and(ctx.scope.inTenant(parents), eq(parents.userId, member.userId)));
    const [row] = await ctx.db
      .insert(guardianships)
      .values({ tenantId: child.row.tenantId, childId: child.id, parentId: profile!.id, relation: input.relation, ...permissions(input) })
      .returning();
    await audit(ctx, { action: "guardian.add", entity: "guardianship", entityId: row!.id, after: row });
    ctx.loaders.guardiansOfChild.clear(child.id);
    return { ...row!, userId: member.userId, isPrimary: false };
  });
}

/** Staff or the primary guardian change a guardian's relation or permissions. */
export async function updateGuardian(ctx: Context, id: string, input: UpdateGuardianInput): Promise<GuardianRow> {
  return atomic(ctx, async (ctx) => {
    const before = await guardianship(ctx, id);
    await childToManage(ctx, before.childId);
    const [after] = await ctx.db
      .update(guardianships)
      .set({ ...(input.relation != null && { relation: input.relation }), ...permissions(input) })
      .where(and(ctx.scope.inTenant(guardianships), eq(guardianships.id, id)))
      .returning();
    await audit(ctx, { action: "guardian.update", entity: "guardianship", entityId: id, before, after });
    ctx.loaders.guardiansOfChild.clear(before.childId);
    return { ...after!, userId: before.userId, isPrimary: before.isPrimary };
  });
}

/**
 * Staff or the primary guardian remove a guardian; a guardian may remove themself. The last guardian
 * stays (CONFLICT). Removing the primary makes the longest-standing other guardian primary.
 */
export async function removeGuardian(ctx: Context, id: string) {
  const viewer = requireMember(ctx);
  return atomic(ctx, async (ctx) => {
    const target = await guardianship(ctx, id);
    // The child's row is locked: two removals at once cannot leave it without a guardian.
    const [child] = await ctx.db
      .select()
      .from(children)
      .where(and(ctx.scope.inTenant(children), eq(children.id, target.childId)))
      .for("update");
    if (target.userId !== viewer.userId) await childToManage(ctx, target.childId);
    const [next] = await ctx.db
      .select()
      .from(guardianships)
      .where(and(ctx.scope.inTenant(guardianships), eq(guardianships.childId, target.childId), ne(guardianships.id, id)))
      .orderBy(asc(guardianships.createdAt), asc(guardianships.id))
      .limit(1);
    if (!next) throw new AppError("CONFLICT", "guardian.last");
    let after = child!;
    if (target.isPrimary) {
      [after] = await ctx.db
        .update(children)
        .set({ parentId: next.parentId })
        .where(and(ctx.scope.inTenant(children), eq(children.id, target.childId)))
        .returning();
    }
    await ctx.db.delete(guardianships).where(and(ctx.scope.inTenant(guardianships), eq(guardianships.id, id)));
    await audit(ctx, { action: "guardian.remove", entity: "guardianship", entityId: id, before: target });
    ctx.loaders.guardiansOfChild.clear(target.childId);
    return after!;
  });
}

/** A child's guardians, the primary first: for whoever may read the child's private details (guardians, staff). */
export async function guardiansOf(ctx: Context, child: { id: string }): Promise<GuardianRow[]> {
  return ctx.loaders.guardiansOfChild.load(child.id);
}
