import { index, jsonb, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, tenantIsolation } from "./columns";
import { tenantId } from "./tenants";
import { users } from "./users";

/** A message to one user inside one tenant, created by a domain event. */
export const notifications = pgTable(
  "notifications",
  {
    tenantId: tenantId(),
    id: id(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: text().notNull(),
    title: text().notNull(),
    body: text().notNull(),
    data: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    readAt: timestamp({ withTimezone: true, precision: 3 }),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index("notifications_user_idx").on(t.tenantId, t.userId, t.createdAt),
    index("notifications_user_fk_idx").on(t.userId),
    tenantIsolation(),
  ],
);

export type Notification = typeof notifications.$inferSelect;
