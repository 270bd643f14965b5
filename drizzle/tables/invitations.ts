import { sql } from "drizzle-orm";
import { check, index, pgPolicy, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { appRole, createdAt, id, tenantIsolation, updatedAt } from "./columns";
import { invitationStatusEnum, membershipRoleEnum } from "./enums";
import { tenantId } from "./tenants";
import { users } from "./users";

/**
 * An offer to join a tenant with roles, made to an account found by the phone
 * or email the inviter typed. Nothing of the account reaches the tenant until
 * its owner accepts: the tenant sees only the columns the inviter typed.
 */
export const invitations = pgTable(
  "invitations",
  {
    tenantId: tenantId(),
    id: id(),
    /** The invited account. Never shown to the inviting tenant (it would tell that the account exists). */
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** What the inviter typed, normalised. */
    phoneNumber: text(),
    email: text(),
    /** The typed phone and email as one key: an invitation is renewed only when asked for the same way. */
    addressedTo: text().notNull().generatedAlwaysAs(sql`coalesce(phone_number, '') || ' ' || coalesce(email, '')`),
    firstName: text().notNull(),
    lastName: text().notNull().default(""),
    roles: membershipRoleEnum().array().notNull(),
    status: invitationStatusEnum().notNull().default("PENDING"),
    invitedBy: uuid().references(() => users.id, { onDelete: "set null" }),
    /** The inviter's name when they invited: what the invitee is shown (they share no tenant yet). */
    invitedByName: text().notNull(),
    expiresAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    /** When it was accepted, declined, revoked or marked expired. */
    respondedAt: timestamp({ withTimezone: true, precision: 3 }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    // One open invitation per person, tenant and typed login: inviting the same way again renews it.
    // Not one per person and tenant: then inviting by phone after inviting by email would
    // renew the email's invitation, telling the tenant that both belong to one person.
    uniqueIndex("invitations_pending_key").on(t.tenantId, t.userId, t.addressedTo).where(sql`status = 'PENDING'`),
    index("invitations_tenant_created_idx").on(t.tenantId, t.createdAt),
    index("invitations_user_created_idx").on(t.userId, t.createdAt),
    index("invitations_invited_by_idx").on(t.invitedBy),
    check("invitations_has_login", sql`num_nonnulls(${t.phoneNumber}, ${t.email}) >= 1`),
    check("invitations_has_roles", sql`cardinality(${t.roles}) >= 1`),
    tenantIsolation(),
    // The invitee lists their own invitations from any tenant (myInvitations).
    pgPolicy("invitations_own", { for: "select", to: appRole, using: sql`user_id = app_user_id()` }),
  ],
);

export type Invitation = typeof invitations.$inferSelect;
