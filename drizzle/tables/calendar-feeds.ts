import { sql } from "drizzle-orm";
import { check, index, pgEnum, pgTable, primaryKey, text, timestamp, unique, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, tenantFk, tenantIsolation } from "./columns";
import { courses } from "./courses";
import { tenantId } from "./tenants";
import { users } from "./users";

/** What a calendar feed shows: its owner's lectures and events (PERSON) or one course's lectures (COURSE). */
export const calendarFeedScopeEnum = pgEnum("calendar_feed_scope", ["PERSON", "COURSE"]);

/**
 * A secret iCal URL (`GET /calendar/<token>.ics`, server/http/calendar.ts). The token
 * is shown once, when the feed is created; only its SHA-256 is kept. Revoking sets
 * `revokedAt`, after which the URL answers 404.
 */
export const calendarFeeds = pgTable(
  "calendar_feeds",
  {
    tenantId: tenantId(),
    id: id(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    scope: calendarFeedScopeEnum().notNull(),
    /** The course of a COURSE feed; null for a PERSON feed. */
    courseId: uuid(),
    tokenHash: text().notNull(),
    lastFetchedAt: timestamp({ withTimezone: true, precision: 3 }),
    revokedAt: timestamp({ withTimezone: true, precision: 3 }),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    tenantFk("calendar_feeds_course_fk", t.tenantId, t.courseId, courses).onDelete("cascade"),
    unique("calendar_feeds_token_hash_key").on(t.tenantId, t.tokenHash),
    index("calendar_feeds_user_idx").on(t.tenantId, t.userId),
    index("calendar_feeds_user_fk_idx").on(t.userId),
    index("calendar_feeds_course_idx").on(t.tenantId, t.courseId),
    check("calendar_feeds_course_scope", sql`(${t.scope} = 'COURSE') = (${t.courseId} IS NOT NULL)`),
    tenantIsolation(),
  ],
);

export type CalendarFeed = typeof calendarFeeds.$inferSelect;
export type CalendarFeedScope = (typeof calendarFeedScopeEnum.enumValues)[number];
