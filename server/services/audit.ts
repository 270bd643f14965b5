/** The audit log: who changed what, before and after. Written in the change's own transaction. */
import { auditLog } from "../../drizzle/schema";
import type { Context } from "../context";

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
  return JSON.parse(
    JSON.stringify(value, (key, v) => (/hash|password|token/i.test(key) ? undefined : v)),
  );
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
