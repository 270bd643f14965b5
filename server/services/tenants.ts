/** Tenants: created by platform admins, configured by their own admins. */
import { and, asc, eq, ilike, or } from "drizzle-orm";
import { memberships, tenants, type Tenant } from "../../drizzle/schema";
import { requirePlatformAdmin, requireRole, requireUser } from "../auth/guards";
import { atomic, forgetTenant, type Context } from "../context";
import { asSystem } from "../db/scope";
import { AppError, notFound } from "../errors";
import type { Language } from "../i18n";
import type { Page } from "../pagination";
import { by, page } from "../db/page";
import { isTimeZone } from "../validation";
import { accessChanged } from "../realtime/access";
import { audit } from "./audit";
import { upsertMember, type AddMemberInput } from "./members";

export interface TenantSettings {
  name?: string | null;
  timeZone?: string | null;
  currency?: string | null;
  defaultLanguage?: Language | null;
}

function checkSettings(settings: TenantSettings) {
  if (settings.timeZone != null && !isTimeZone(settings.timeZone)) {
    throw new AppError("BAD_USER_INPUT", "input.timeZone", { value: settings.timeZone }, { field: "timeZone" });
  }
}

/** Platform admin: creates a tenant and its first admin (an existing account or a new one). */
export async function createTenant(
  ctx: Context,
  input: TenantSettings & { slug: string; name: string; admin: Omit<AddMemberInput, "roles"> },
) {
  requirePlatformAdmin(ctx);
  checkSettings(input);
  const slug = input.slug.trim().toLowerCase();
  // Platform operations act across tenants, so they run with row-level security lifted.
  return atomic(ctx, (ctx) =>
    asSystem(ctx.db, async (system) => {
      const [tenant] = await system
        .insert(tenants)
        .values({
          slug,
          name: input.name.trim(),
          timeZone: input.timeZone ?? undefined,
          currency: input.currency?.toUpperCase() ?? undefined,
          defaultLanguage: input.defaultLanguage ?? undefined,
        })
        .onConflictDoNothing({ target: tenants.slug })
        .returning();
      if (!tenant) throw new AppError("CONFLICT", "tenant.slugTaken", { slug }, { field: "slug" });
      const inTenant = { ...ctx, db: system };
      await upsertMember(inTenant, tenant.id, { ...input.admin, roles: ["ADMIN"] });
      await audit(inTenant, { action: "tenant.create", entity: "tenant", entityId: tenant.id, after: tenant, tenantId: tenant.id });
      // The slug may have been looked up (and cached as unknown) before it existed.
      ctx.afterCommit.push(() => forgetTenant(ctx.app, tenant));
      return tenant;
    }),
  );
}

/** Tenant admin: renames the tenant or changes its time zone, currency, language. */
export async function updateTenant(ctx: Context, settings: TenantSettings) {
  const viewer = requireRole(ctx, "ADMIN");
  checkSettings(settings);
  return atomic(ctx, async (ctx) => {
    const [before] = await ctx.db.select().from(tenants).where(eq(tenants.id, viewer.tenantId)).for("update");
    const [after] = await ctx.db
      .update(tenants)
      .set({
        ...(settings.name != null && { name: settings.name.trim() }),
        ...(settings.timeZone != null && { timeZone: settings.timeZone }),
        ...(settings.currency != null && { currency: settings.currency.toUpperCase() }),
        ...(settings.defaultLanguage != null && { defaultLanguage: settings.defaultLanguage }),
      })
      .where(eq(tenants.id, viewer.tenantId))
      .returning();
    await audit(ctx, { action: "tenant.update", entity: "tenant", entityId: viewer.tenantId, before, after });
    ctx.afterCommit.push(() => forgetTenant(ctx.app, after!));
    return after!;
  });
}

/**
 * Platform admin: suspends a tenant (`active` false) or reactivates it. While
 * suspended, every request in the tenant answers TENANT_SUSPENDED (server/context.ts)
 * except the platform admins'; its open sockets close; scheduled jobs skip it
 * (listJobTenants); payment webhooks for it are answered 503 so the gateway
 * retries them after reactivation. Nothing is deleted. Audited in the tenant.
 */
export async function setTenantActive(ctx: Context, tenantId: string, active: boolean, reason?: string | null) {
  requirePlatformAdmin(ctx);
  return atomic(ctx, (ctx) =>
    asSystem(ctx.db, async (system) => {
      const [before] = await system.select().from(tenants).where(eq(tenants.id, tenantId)).for("update");
      if (!before) throw notFound("Tenant", tenantId);
      if (before.isActive === active) {
        throw new AppError("CONFLICT", "tenant.alreadyInState", { state: active ? "active" : "suspended" }, { reason: "SAME_STATE" });
      }
      const [after] = await system
        .update(tenants)
        .set({ isActive: active, updatedAt: new Date() })
        .where(eq(tenants.id, tenantId))
        .returning();
      await audit(
        { ...ctx, db: system },
        {
          action: active ? "tenant.reactivate" : "tenant.suspend",
          entity: "tenant",
          entityId: tenantId,
          before,
          after: { ...after, reason: reason?.trim() || null },
          tenantId,
        },
      );
      // Forgotten before the sockets are told, so those reconnecting read the new state.
      ctx.afterCommit.push(() => forgetTenant(ctx.app, after!));
      if (!active) accessChanged(ctx, { suspendedTenantId: tenantId });
      return after!;
    }),
  );
}

/** The caller's memberships in every tenant (for a tenant picker and switchTenant). */
export async function myMemberships(ctx: Context) {
  const viewer = requireUser(ctx);
  return ctx.db
    .select()
    .from(memberships)
    .where(and(eq(memberships.userId, viewer.userId), eq(memberships.isActive, true)))
    .orderBy(asc(memberships.createdAt));
}

/** Platform admin: every tenant, filtered by text, in slug order. */
export async function listTenants(
  ctx: Context,
  args: { search?: string | null; first?: number | null; after?: string | null },
): Promise<Page<Tenant>> {
  requirePlatformAdmin(ctx);
  const where = args.search ? or(ilike(tenants.name, `%${args.search}%`), ilike(tenants.slug, `%${args.search}%`)) : undefined;
  return page(ctx, { from: tenants, where, order: by("ASC", tenants.slug), first: args.first, after: args.after });
}
