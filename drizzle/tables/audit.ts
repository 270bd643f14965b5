import { index, jsonb, pgTable, primaryKey, text, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, tenantIsolation } from "./columns";
import { tenantId } from "./tenants";
import { users } from "./users";

/** Who changed what, before and after, and when. Written in the same transaction as the change. */
export const auditLog = pgTable(
  "audit_log",
  {
    tenantId: tenantId(),
    id: id(),
    actorId: uuid().references(() => users.id, { onDelete: "set null" }),
    action: text().notNull(),
    entity: text().notNull(),
    entityId: text(),
    before: jsonb(),
    after: jsonb(),
    requestId: text(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index("audit_log_entity_idx").on(t.tenantId, t.entity, t.entityId),
    index("audit_log_created_idx").on(t.tenantId, t.createdAt),
    index("audit_log_actor_idx").on(t.actorId),
    tenantIsolation(),
  ],
);

export type AuditLogEntry = typeof auditLog.$inferSelect;
