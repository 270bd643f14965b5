/**
 * Column and policy helpers shared by every table.
 *
 * Tenant-owned tables use a composite primary key (tenant_id, id) and composite
 * foreign keys (tenant_id, x_id) → (tenant_id, id): a row can only ever point at a
 * row of its own tenant, and every unique constraint carries the distribution
 * column, so the model shards by tenant on Citus as it is.
 */
import { sql } from "drizzle-orm";
import { type AnyPgColumn, foreignKey, numeric, pgPolicy, pgRole, timestamp, uuid } from "drizzle-orm/pg-core";

/** Role every API request runs as (`SET LOCAL ROLE`); subject to row-level security. */
export const appRole = pgRole("roster_app").existing();
/** Read-only role for reporting; sees what the tenant policies let it see. */
export const readonlyRole = pgRole("roster_readonly").existing();

/** Random UUID primary-key column. */
export const id = () => uuid().notNull().default(sql`gen_random_uuid()`);

export const createdAt = () => timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow();
export const updatedAt = () =>
  timestamp({ withTimezone: true, precision: 3 })
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date());

/** Money: exact decimal, two places, never a float. */
export const money = () => numeric({ precision: 12, scale: 2 });

/** The isolation policy every tenant-owned table carries. */
export const tenantIsolation = () =>
  pgPolicy("tenant_isolation", {
    as: "permissive",
    for: "all",
    to: [appRole, readonlyRole],
    using: sql`tenant_id = app_tenant_id()`,
    withCheck: sql`tenant_id = app_tenant_id()`,
  });

/** CHECK expression: exactly one of the two participant columns is set. */
export const exactlyOneParticipant = sql`num_nonnulls(student_id, child_id) = 1`;

/** Composite foreign key (tenant_id, column) → target (tenant_id, id): never crosses tenants. */
export const tenantFk = (
  name: string,
  tenantColumn: AnyPgColumn,
  column: AnyPgColumn,
  target: { tenantId: AnyPgColumn; id: AnyPgColumn },
) => foreignKey({ name, columns: [tenantColumn, column], foreignColumns: [target.tenantId, target.id] });
