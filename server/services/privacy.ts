/**
 * Who may read a person's private details — the one place this is decided.
 *
 * Private: a person's phone numbers, email, date of birth, gender, national id,
 * password-change time and their student/parent profiles; a child's date of birth
 * and notes. They are readable by
 * - the person themself;
 * - staff of the request's tenant, while the person is an ACTIVE member of it
 *   (an invited account is not a member until it accepts; a deactivated member's
 *   details stop being shown; staff of another tenant see nothing);
 * - for a child (children have no account): the child's guardian, i.e. the parent
 *   whose profile the child belongs to, and staff of the child's tenant. In the
 *   specification a parent sees their children's data; no account is another
 *   account's guardian.
 * Platform admins get no exception: they are staff only where they are members.
 *
 * The schema marks private fields with `@Authorized("PERSON")` / `@Authorized("CHILD")`
 * (schema/shared/privacy.ts); they read as null for everyone else.
 */
import { isStaff } from "../auth/viewer";
import type { Context } from "../context";

/** The privacy rules a GraphQL field can name. */
export type PrivacyRule = "PERSON" | "CHILD";

/** May the viewer read the private details of the person with account `userId`? */
export async function mayReadPerson(ctx: Context, userId: string): Promise<boolean> {
  const viewer = ctx.viewer;
  if (viewer.kind !== "user") return false;
  if (viewer.userId === userId) return true;
  // Staff roles are those of the request's tenant; the loader reads memberships of that tenant.
  if (!viewer.tenantId || !isStaff(viewer)) return false;
  const membership = await ctx.loaders.membershipByUser.load(userId);
  return membership?.tenantId === viewer.tenantId && membership.isActive;
}

/** May the viewer read a child's private details (the child's guardian, or staff of its tenant)? */
export async function mayReadChild(ctx: Context, child: { tenantId: string; parentId: string }): Promise<boolean> {
  const viewer = ctx.viewer;
  if (viewer.kind !== "user") return false;
  if (viewer.tenantId === child.tenantId && isStaff(viewer)) return true;
  const parent = await ctx.loaders.parent.load(child.parentId);
  return parent?.userId === viewer.userId;
}

/** May the viewer list a parent's children (the parent themself, or staff of the parent's tenant)? */
export function mayListChildren(ctx: Context, parent: { tenantId: string; userId: string }): boolean {
  const viewer = ctx.viewer;
  if (viewer.kind !== "user") return false;
  return viewer.userId === parent.userId || (viewer.tenantId === parent.tenantId && isStaff(viewer));
}

/** Whether the viewer may read a field guarded by `rule` on `root` (the field's parent object). */
export function mayRead(ctx: Context, rule: PrivacyRule, root: unknown): Promise<boolean> {
  switch (rule) {
    case "PERSON":
      return mayReadPerson(ctx, (root as { id: string }).id);
    case "CHILD":
      return mayReadChild(ctx, root as { tenantId: string; parentId: string });
  }
}
