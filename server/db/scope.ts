/**
 * Row-level-security scopes. Every request runs in one transaction as the
 * non-owner role `roster_app`, with the tenant and user set transaction-locally
 * (`set_config(..., true)`), so PgBouncer in transaction mode is safe and a
 * query that forgets its tenant filter still sees only its tenant.
 */
import { eq, sql, type SQL } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import type { Db } from "./client";

export interface Scope {
  tenantId: string | null;
  userId: string | null;
}

/** Runs `fn` in a transaction scoped to a tenant and user, as `roster_app`. */
export function inScope<T>(db: Db, scope: Scope, fn: (tx: Db) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await enterScope(tx, scope);
    return fn(tx);
  });
}

/** The statement setting a scope, to open a transaction with (see Database.transaction). */
export const scopeStatement = (scope: Scope) => ({
  text: "select set_config('app.tenant_id', $1, true), set_config('app.user_id', $2, true), set_config('role', 'roster_app', true)",
  params: [scope.tenantId ?? "", scope.userId ?? ""],
});

/** Sets the scope inside an open transaction (role last, so the settings are made as owner). */
export async function enterScope(tx: Db, scope: Scope): Promise<void> {
  await tx.execute(
    sql`select set_config('app.tenant_id', ${scope.tenantId ?? ""}, true),
               set_config('app.user_id', ${scope.userId ?? ""}, true),
               set_config('role', 'roster_app', true)`,
  );
}

/**
 * Runs `fn` inside the current transaction with row-level security lifted, in a
 * savepoint. For the few operations that must look across tenants or users by
 * design: login by phone or email, refresh-token rotation, webhook lookup by
 * gateway reference, platform administration, scheduled jobs. If `fn` throws,
 * rolling back the savepoint restores the role too.
 */
export async function asSystem<T>(tx: Db, fn: (system: Db) => Promise<T>): Promise<T> {
  return tx.transaction(async (savepoint) => {
    const [{ previous }] = rowsOf<{ previous: string }>(
      await savepoint.execute(sql`select current_setting('role') as previous, set_config('role', 'none', true)`),
    ) as [{ previous: string }];
    const result = await fn(savepoint);
    // Back to the caller's role (roster_app, or none when nested in another asSystem).
    await savepoint.execute(sql`select set_config('role', ${previous}, true)`);
    return result;
  });
}

/** Rows of a raw `execute` result, whichever driver produced it. */
export function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

/**
 * The request's data access (`ctx.scope`): its tenant, and the predicates every
 * tenant query starts from. Services and loaders say `ctx.scope.inTenant(table)`
 * rather than comparing tenant ids by hand; row-level security repeats the rule.
 */
export interface TenantScope {
  /** The request's tenant, or null (a platform request, or anonymous without X-Tenant). */
  readonly tenantId: string | null;
  /** `table.tenant_id = <the request's tenant>`; without a tenant, a predicate matching nothing. */
  inTenant(table: { tenantId: AnyPgColumn }): SQL;
  /** A predicate that matches no row (an empty scope: nobody's participants, no tenant). */
  none(): SQL;
}

/** A predicate that matches no row. */
export const none = (): SQL => sql`false`;

/** The data access of a request acting in `tenantId` (null: none). */
export function tenantScope(tenantId: string | null): TenantScope {
  return {
    tenantId,
    inTenant: (table) => (tenantId ? eq(table.tenantId, tenantId) : none()),
    none,
  };
}
