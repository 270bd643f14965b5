/** The audit log: who changed what, before and after. Written in the change's own transaction; read by tenant admins. */
import { and, eq, gte, lte } from "drizzle-orm";
import { auditLog } from "../../drizzle/schema";
import { requireRole } from "../auth/guards";
import type { Context } from "../context";
import { badInput } from "../errors";
import { newestFirst, page } from "../db/page";

export interface AuditEntry {
  action: string;
  entity: string;
  entityId?: string | null;
  before?: unknown;
  after?: unknown;
  /** Tenant of the change when it differs from the request's (platform operations). */
  tenantId?: string;
}

/** JSON-safe copy of a row (dates as ISO strings; secrets never logged). */
function snapshot(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  return JSON.parse(JSON.stringify(value, (key, v) => (/hash|password|token/i.test(key) ? undefined : v)));
}

export async function audit(ctx: Context, entry: AuditEntry): Promise<void> {
  const tenantId = entry.tenantId ?? ctx.tenant?.id;
  if (!tenantId) return; // account-level changes without a tenant are not tenant audit events
  await ctx.db.insert(auditLog).values({
    tenantId,
    actorId: ctx.viewer.kind === "user" ? ctx.viewer.userId : null,
    action: entry.action,
    entity: entry.entity,
    entityId: entry.entityId ?? null,
    before: snapshot(entry.before),
    after: snapshot(entry.after),
    requestId: ctx.requestId,
  });
}

export interface AuditFilter {
  entity?: string | null;
  entityId?: string | null;
  actorId?: string | null;
  action?: string | null;
  from?: Date | null;
  to?: Date | null;
}

/** Tenant admins: the audit log, newest first. */
export async function listAudit(ctx: Context, args: { filter?: AuditFilter | null; first?: number | null; after?: string | null }) {
  requireRole(ctx, "ADMIN");
  const f = args.filter ?? {};
  if (f.from && f.to && f.to < f.from) throw badInput("filter.to", "before filter.from");
  const where = and(
    ctx.scope.inTenant(auditLog),
    f.entity ? eq(auditLog.entity, f.entity) : undefined,
    f.entityId ? eq(auditLog.entityId, f.entityId) : undefined,
    f.actorId ? eq(auditLog.actorId, f.actorId) : undefined,
    f.action ? eq(auditLog.action, f.action) : undefined,
    f.from ? gte(auditLog.createdAt, f.from) : undefined,
    f.to ? lte(auditLog.createdAt, f.to) : undefined,
  );
  return page(ctx, { from: auditLog, where, order: newestFirst(auditLog.createdAt, auditLog.id), first: args.first, after: args.after });
}
