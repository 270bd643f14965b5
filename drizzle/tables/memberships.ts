import { sql } from "drizzle-orm";
import { boolean, date, index, pgPolicy, pgTable, primaryKey, text, timestamp, unique, uuid } from "drizzle-orm/pg-core";
import { appRole, createdAt, id, tenantFk, tenantIsolation, updatedAt } from "./columns";
import { genderEnum, membershipRoleEnum } from "./enums";
import { tenantId } from "./tenants";
import { users } from "./users";

/** A user's place in one tenant, with that tenant's roles. */
export const memberships = pgTable(
  "memberships",
  {
    tenantId: tenantId(),
    id: id(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    roles: membershipRoleEnum().array().notNull().default(sql`'{}'`),
    isActive: boolean().notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    unique("memberships_tenant_user_key").on(t.tenantId, t.userId),
    index("memberships_user_idx").on(t.userId),
    tenantIsolation(),
    // A user lists their own memberships in every tenant (myTenants, switchTenant).
    pgPolicy("memberships_own", { for: "select", to: appRole, using: sql`user_id = app_user_id()` }),
  ],
);

/** Profile columns shared by the student, parent and instructor profiles. */
const profileColumns = () => ({
  tenantId: tenantId(),
  id: id(),
  userId: uuid()
    .notNull()
    .references(() => users.id, { onDelete: "cascade" }),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const students = pgTable("students", { ...profileColumns(), school: text(), grade: text() }, (t) => [
  primaryKey({ columns: [t.tenantId, t.id] }),
  unique("students_tenant_user_key").on(t.tenantId, t.userId),
  index("students_user_idx").on(t.userId),
  tenantIsolation(),
]);

export const parents = pgTable("parents", { ...profileColumns() }, (t) => [
  primaryKey({ columns: [t.tenantId, t.id] }),
  unique("parents_tenant_user_key").on(t.tenantId, t.userId),
  index("parents_user_idx").on(t.userId),
  tenantIsolation(),
]);

export const instructors = pgTable("instructors", { ...profileColumns(), bio: text(), specialty: text() }, (t) => [
  primaryKey({ columns: [t.tenantId, t.id] }),
  unique("instructors_tenant_user_key").on(t.tenantId, t.userId),
  index("instructors_user_idx").on(t.userId),
  tenantIsolation(),
]);

/** A parent's child: a participant without a login of its own. */
export const children = pgTable(
  "children",
  {
    tenantId: tenantId(),
    id: id(),
    parentId: uuid().notNull(),
    firstName: text().notNull(),
    lastName: text().notNull().default(""),
    dateOfBirth: date({ mode: "string" }),
    gender: genderEnum().notNull().default("UNSPECIFIED"),
    notes: text(),
    /** Set by archiveChild: left out of myChildren, no new enrolment requests; history kept. */
    archivedAt: timestamp({ withTimezone: true, precision: 3 }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    tenantFk("children_parent_fk", t.tenantId, t.parentId, parents).onDelete("cascade"),
    index("children_parent_idx").on(t.tenantId, t.parentId),
    tenantIsolation(),
  ],
);

export type Membership = typeof memberships.$inferSelect;
export type Student = typeof students.$inferSelect;
export type Parent = typeof parents.$inferSelect;
export type Instructor = typeof instructors.$inferSelect;
export type Child = typeof children.$inferSelect;
