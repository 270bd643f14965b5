/**
 * A tenant's data as JSON lines, for its admins and the platform's: one line per
 * row, read in batches (keyset by id), so memory stays bounded whatever the size.
 * Secrets never leave: columns named like a hash, token, secret or password are
 * dropped, and tables holding only credentials or internal bookkeeping are left out.
 */
import { and, asc, eq, getTableColumns, gt, inArray, type SQL } from "drizzle-orm";
import { PgTable, getTableConfig, type PgColumn } from "drizzle-orm/pg-core";
import * as schema from "../../drizzle/schema";
import { memberships, tenants, users } from "../../drizzle/schema";
import { requireUser } from "../auth/guards";
import type { Context } from "../context";
import { asSystem } from "../db/scope";
import { forbidden, notFound } from "../errors";

/** Rows read per statement. */
export const EXPORT_BATCH = 500;
/** Tables never exported: credentials, replay caches, raw gateway payloads, delivery bookkeeping. */
const LEFT_OUT = new Set([
  "authSessions",
  "refreshTokens",
  "verificationCodes",
  "idempotencyKeys",
  "paymentWebhookEvents",
  "notificationsSent",
]);
const SECRET_COLUMN = /hash|token|secret|password/i;

export type ExportLine =
  | { type: "header"; format: "roster.tenant-export"; version: 1; exportedAt: string; tenant: Record<string, unknown> }
  | { type: "row"; table: string; row: Record<string, unknown> }
  | { type: "end"; counts: Record<string, number> };

/** The tenant to export, if the viewer may: platform admins, and that tenant's own admins. */
export async function authorizeExport(ctx: Context, tenantId: string) {
  const viewer = requireUser(ctx);
  const own = viewer.tenantId === tenantId && viewer.roles.includes("ADMIN");
  if (!viewer.isPlatformAdmin && !own) {
    // Another tenant's admin learns nothing about whether the id exists.
    throw forbidden();
  }
  const [tenant] = await asSystem(ctx.db, (system) => system.select().from(tenants).where(eq(tenants.id, tenantId)));
  if (!tenant) throw notFound("Tenant", tenantId);
  return tenant;
}

interface ExportTable {
  name: string;
  table: PgTable;
  tenantId: PgColumn;
  /** Keyset column (id), or the primary key's columns for the few tables without one (read by offset). */
  id?: PgColumn;
  order: PgColumn[];
  columns: Record<string, PgColumn>;
}

let cached: ExportTable[] | undefined;
/** Every tenant-owned table of the schema, with the columns that may leave. */
function exportTables(): ExportTable[] {
  if (cached) return cached;
  cached = [];
  for (const [name, value] of Object.entries(schema)) {
    if (!(value instanceof PgTable) || LEFT_OUT.has(name)) continue;
    const all = getTableColumns(value) as Record<string, PgColumn>;
    if (!all.tenantId) continue;
    const columns = Object.fromEntries(Object.entries(all).filter(([key]) => !SECRET_COLUMN.test(key)));
    const primary = getTableConfig(value).primaryKeys[0]?.columns ?? [];
    cached.push({ name, table: value, tenantId: all.tenantId, id: all.id, order: all.id ? [all.id] : primary, columns });
  }
  cached.sort((a, b) => a.name.localeCompare(b.name));
  return cached;
}

/** Profile columns of the members' accounts (no credentials, no platform flags). */
const USER_COLUMNS = {
  id: users.id,
  firstName: users.firstName,
  lastName: users.lastName,
  phoneNumber1: users.phoneNumber1,
  email: users.email,
  preferredLanguage: users.preferredLanguage,
  createdAt: users.createdAt,
};

/**
 * The export's lines, read lazily: the caller writes each before the next batch is
 * read. Reads run as the system with the tenant named explicitly (the platform
 * admin looks at another tenant on purpose), each batch one statement.
 */
export async function* exportTenant(ctx: Context, tenant: typeof tenants.$inferSelect): AsyncGenerator<ExportLine> {
  const counts: Record<string, number> = {};
  yield { type: "header", format: "roster.tenant-export", version: 1, exportedAt: new Date().toISOString(), tenant };
  const batch = <T>(fn: Parameters<typeof asSystem<T>>[1]) => asSystem(ctx.db, fn);

  // The members' accounts, by id.
  let after: string | undefined;
  counts.users = 0;
  for (;;) {
    const rows = await batch((system) =>
      system
        .select(USER_COLUMNS)
        .from(users)
        .where(
          and(
            inArray(users.id, system.select({ id: memberships.userId }).from(memberships).where(eq(memberships.tenantId, tenant.id))),
            after ? gt(users.id, after) : undefined,
          ),
        )
        .orderBy(asc(users.id))
        .limit(EXPORT_BATCH),
    );
    for (const row of rows) yield { type: "row", table: "users", row };
    counts.users += rows.length;
    if (rows.length < EXPORT_BATCH) break;
    after = rows.at(-1)!.id;
  }

  for (const table of exportTables()) {
    counts[table.name] = 0;
    let last: string | undefined;
    for (let offset = 0; ; offset += EXPORT_BATCH) {
      const where: SQL | undefined = and(eq(table.tenantId, tenant.id), table.id && last ? gt(table.id, last) : undefined);
      const rows = (await batch((system) => {
        const query = system
          .select(table.columns)
          .from(table.table)
          .where(where)
          .orderBy(...table.order.map((column) => asc(column)))
          .limit(EXPORT_BATCH);
        return table.id ? query : query.offset(offset);
      })) as Record<string, unknown>[];
      for (const row of rows) yield { type: "row", table: table.name, row };
      counts[table.name] += rows.length;
      if (rows.length < EXPORT_BATCH) break;
      if (table.id) last = rows.at(-1)!.id as string;
    }
  }
  yield { type: "end", counts };
}
