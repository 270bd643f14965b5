import { sql } from "drizzle-orm";
import { boolean, char, check, pgPolicy, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { appRole, createdAt, id, readonlyRole, updatedAt } from "./columns";
import { languageEnum } from "./enums";

/** An organisation: a course centre, a league, an events club. */
export const tenants = pgTable(
  "tenants",
  {
    id: id().primaryKey(),
    slug: text().notNull(),
    name: text().notNull(),
    timeZone: text().notNull().default("Africa/Cairo"),
    currency: char({ length: 3 }).notNull().default("EGP"),
    defaultLanguage: languageEnum().notNull().default("ar"),
    isActive: boolean().notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("tenants_slug_key").on(t.slug),
    check("tenants_slug_format", sql`${t.slug} ~ '^[a-z0-9][a-z0-9-]{1,62}$'`),
    check("tenants_currency_format", sql`${t.currency} ~ '^[A-Z]{3}$'`),
    // The directory of organisations is public (anonymous requests name one by slug).
    pgPolicy("tenants_read", { for: "select", to: [appRole, readonlyRole], using: sql`true` }),
    // A tenant's admins may edit its settings; creating tenants is a platform operation.
    pgPolicy("tenants_update_own", {
      for: "update",
      to: appRole,
      using: sql`id = app_tenant_id()`,
      withCheck: sql`id = app_tenant_id()`,
    }),
  ],
);

/** Composite reference helper target for tenant-owned tables. */
export const tenantId = () =>
  uuid()
    .notNull()
    .references(() => tenants.id, { onDelete: "cascade" });

export type Tenant = typeof tenants.$inferSelect;
export type NewTenant = typeof tenants.$inferInsert;
