/**
 * Course waitlists (issue 13): a family's place in line for a full course, for one participant or
 * for siblings who must be placed together (all or none). When places free up, the first entry
 * in line that fits is OFFERED them for the course's offerHoldHours; the places stay held
 * (courses.held_places, kept by a trigger) until the offer is accepted, declined or expires.
 */
import { sql } from "drizzle-orm";
import { check, index, integer, pgTable, primaryKey, timestamp, unique, uuid } from "drizzle-orm/pg-core";
import { createdAt, exactlyOneParticipant, id, tenantFk, tenantIsolation, updatedAt } from "./columns";
import { courses } from "./courses";
import { courseWaitlistStatusEnum } from "./enums";
import { children, students } from "./memberships";
import { tenantId } from "./tenants";
import { users } from "./users";

export const courseWaitlistEntries = pgTable(
  "course_waitlist_entries",
  {
    tenantId: tenantId(),
    id: id(),
    courseId: uuid().notNull(),
    requestedBy: uuid()
      .notNull()
      .references(() => users.id),
    /** Participants placed together (siblings): the places an offer needs. */
    size: integer().notNull(),
    status: courseWaitlistStatusEnum().notNull().default("WAITING"),
    /** Position in line: earliest first (the id breaks ties). */
    joinedAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    offeredAt: timestamp({ withTimezone: true, precision: 3 }),
    offerExpiresAt: timestamp({ withTimezone: true, precision: 3 }),
    /** When it left the line: accepted, declined, expired or cancelled. */
    closedAt: timestamp({ withTimezone: true, precision: 3 }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    tenantFk("course_waitlist_entries_course_fk", t.tenantId, t.courseId, courses).onDelete("cascade"),
    index("course_waitlist_entries_line_idx").on(t.tenantId, t.courseId, t.status, t.joinedAt),
    index("course_waitlist_entries_expiry_idx").on(t.tenantId, t.status, t.offerExpiresAt),
    index("course_waitlist_entries_requested_by_idx").on(t.requestedBy),
    check("course_waitlist_entries_size", sql`${t.size} BETWEEN 1 AND 10`),
    check(
      "course_waitlist_entries_offer",
      sql`${t.status} <> 'OFFERED' OR (${t.offeredAt} IS NOT NULL AND ${t.offerExpiresAt} > ${t.offeredAt})`,
    ),
    tenantIsolation(),
  ],
);

export const courseWaitlistParticipants = pgTable(
  "course_waitlist_participants",
  {
    tenantId: tenantId(),
    id: id(),
    entryId: uuid().notNull(),
    courseId: uuid().notNull(),
    studentId: uuid(),
    childId: uuid(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    tenantFk("course_waitlist_participants_entry_fk", t.tenantId, t.entryId, courseWaitlistEntries).onDelete("cascade"),
    tenantFk("course_waitlist_participants_course_fk", t.tenantId, t.courseId, courses).onDelete("cascade"),
    tenantFk("course_waitlist_participants_student_fk", t.tenantId, t.studentId, students).onDelete("cascade"),
    tenantFk("course_waitlist_participants_child_fk", t.tenantId, t.childId, children).onDelete("cascade"),
    unique("course_waitlist_participants_student_key").on(t.tenantId, t.entryId, t.studentId),
    unique("course_waitlist_participants_child_key").on(t.tenantId, t.entryId, t.childId),
    index("course_waitlist_participants_course_student_idx").on(t.tenantId, t.courseId, t.studentId),
    index("course_waitlist_participants_course_child_idx").on(t.tenantId, t.courseId, t.childId),
    check("course_waitlist_participants_one_participant", exactlyOneParticipant),
    tenantIsolation(),
  ],
);

export type CourseWaitlistEntry = typeof courseWaitlistEntries.$inferSelect;
export type CourseWaitlistParticipant = typeof courseWaitlistParticipants.$inferSelect;
