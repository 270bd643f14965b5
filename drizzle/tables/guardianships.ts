import { boolean, index, pgTable, primaryKey, unique, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, tenantFk, tenantIsolation, updatedAt } from "./columns";
import { guardianRelationEnum } from "./enums";
import { children, parents } from "./memberships";
import { tenantId } from "./tenants";

/**
 * Who answers for a child: one row per guardian (a parent profile), with what that guardian may do.
 * The child's `parent_id` is its primary guardian, who has a row here too (a trigger adds it when the
 * child is inserted; migration 0007 backfilled the children that existed before).
 */
export const guardianships = pgTable(
  "guardianships",
  {
    tenantId: tenantId(),
    id: id(),
    childId: uuid().notNull(),
    parentId: uuid().notNull(),
    relation: guardianRelationEnum().notNull().default("OTHER"),
    /** May request enrolments for the child. */
    canEnroll: boolean().notNull().default(true),
    /** Receives the child's notices (absences, reminders, fees due, enrolment decisions). */
    receivesAlerts: boolean().notNull().default(true),
    /** May collect the child (shown to staff at the door). */
    canPickUp: boolean().notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    unique("guardianships_child_parent_key").on(t.tenantId, t.childId, t.parentId),
    tenantFk("guardianships_child_fk", t.tenantId, t.childId, children).onDelete("cascade"),
    tenantFk("guardianships_parent_fk", t.tenantId, t.parentId, parents).onDelete("cascade"),
    index("guardianships_parent_idx").on(t.tenantId, t.parentId),
    tenantIsolation(),
  ],
);

export type Guardianship = typeof guardianships.$inferSelect;
