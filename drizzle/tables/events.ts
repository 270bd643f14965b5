import { sql } from "drizzle-orm";
import { boolean, check, index, integer, pgTable, primaryKey, text, timestamp, unique, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, tenantFk, tenantIsolation, updatedAt } from "./columns";
import { eventStatusEnum, registrationStatusEnum } from "./enums";
import { tenantId } from "./tenants";
import { users } from "./users";

export const events = pgTable(
  "events",
  {
    tenantId: tenantId(),
    id: id(),
    title: text().notNull(),
    description: text().notNull().default(""),
    startsAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    endsAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    location: text().notNull().default(""),
    maxParticipants: integer().notNull(),
    /** Maintained by a trigger on event_registrations: CONFIRMED registrations. */
    confirmedCount: integer().notNull().default(0),
    waitlistEnabled: boolean().notNull().default(false),
    status: eventStatusEnum().notNull().default("DRAFT"),
    createdBy: uuid()
      .notNull()
      .references(() => users.id),
    /** iCal SEQUENCE: bumped by a trigger when the times, title, place or status of a published event change (calendar feeds). */
    calendarSequence: integer().notNull().default(0),
    /** Set by archiveEvent: hidden from default lists, no new registrations; registrations kept. */
    archivedAt: timestamp({ withTimezone: true, precision: 3 }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index("events_starts_at_idx").on(t.tenantId, t.startsAt),
    index("events_status_idx").on(t.tenantId, t.status),
    index("events_created_by_idx").on(t.createdBy),
    check("events_ends_after_start", sql`${t.endsAt} > ${t.startsAt}`),
    check("events_max_participants_positive", sql`${t.maxParticipants} > 0`),
    check("events_capacity_not_exceeded", sql`${t.confirmedCount} BETWEEN 0 AND ${t.maxParticipants}`),
    tenantIsolation(),
  ],
);

export const eventRegistrations = pgTable(
  "event_registrations",
  {
    tenantId: tenantId(),
    id: id(),
    eventId: uuid().notNull(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    status: registrationStatusEnum().notNull().default("CONFIRMED"),
    registeredAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    cancelledAt: timestamp({ withTimezone: true, precision: 3 }),
    promotedAt: timestamp({ withTimezone: true, precision: 3 }),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    tenantFk("event_registrations_event_fk", t.tenantId, t.eventId, events).onDelete("cascade"),
    unique("event_registrations_once_key").on(t.tenantId, t.eventId, t.userId),
    index("event_registrations_waitlist_idx").on(t.tenantId, t.eventId, t.status, t.registeredAt),
    index("event_registrations_user_idx").on(t.userId),
    tenantIsolation(),
  ],
);

export type Event = typeof events.$inferSelect;
export type EventRegistration = typeof eventRegistrations.$inferSelect;
