import { sql } from "drizzle-orm";
import { boolean, check, date, index, integer, numeric, pgTable, primaryKey, text, timestamp, unique, uuid } from "drizzle-orm/pg-core";
import { createdAt, exactlyOneParticipant, id, tenantFk, tenantIsolation, updatedAt } from "./columns";
import { courses, lectures } from "./courses";
import { attendanceSourceEnum } from "./enums";
import { children, instructors, students } from "./memberships";
import { tenantId } from "./tenants";
import { users } from "./users";

/** A registered attendance device (a centre's tablet) with its own token. */
export const devices = pgTable(
  "devices",
  {
    tenantId: tenantId(),
    id: id(),
    name: text().notNull(),
    /** SHA-256 of the device token; the token is shown once, at registration. */
    tokenHash: text().notNull(),
    createdBy: uuid()
      .notNull()
      .references(() => users.id),
    lastSeenAt: timestamp({ withTimezone: true, precision: 3 }),
    revokedAt: timestamp({ withTimezone: true, precision: 3 }),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    unique("devices_token_hash_key").on(t.tenantId, t.tokenHash),
    index("devices_token_hash_idx").on(t.tokenHash),
    index("devices_created_by_idx").on(t.createdBy),
    tenantIsolation(),
  ],
);

/** One participant's mark for one lecture. */
export const lectureAttendance = pgTable(
  "lecture_attendance",
  {
    tenantId: tenantId(),
    id: id(),
    lectureId: uuid().notNull(),
    studentId: uuid(),
    childId: uuid(),
    present: boolean().notNull(),
    rating: numeric({ precision: 4, scale: 2 }),
    notes: text(),
    source: attendanceSourceEnum().notNull().default("MANUAL"),
    markedBy: uuid().references(() => users.id),
    markedByDeviceId: uuid(),
    markedAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    tenantFk("lecture_attendance_lecture_fk", t.tenantId, t.lectureId, lectures).onDelete("cascade"),
    tenantFk("lecture_attendance_student_fk", t.tenantId, t.studentId, students).onDelete("cascade"),
    tenantFk("lecture_attendance_child_fk", t.tenantId, t.childId, children).onDelete("cascade"),
    tenantFk("lecture_attendance_device_fk", t.tenantId, t.markedByDeviceId, devices).onDelete("restrict"),
    unique("lecture_attendance_student_key").on(t.tenantId, t.lectureId, t.studentId),
    unique("lecture_attendance_child_key").on(t.tenantId, t.lectureId, t.childId),
    index("lecture_attendance_student_idx").on(t.tenantId, t.studentId),
    index("lecture_attendance_child_idx").on(t.tenantId, t.childId),
    index("lecture_attendance_device_idx").on(t.tenantId, t.markedByDeviceId),
    index("lecture_attendance_marked_by_idx").on(t.markedBy),
    check("lecture_attendance_one_participant", exactlyOneParticipant),
    // Present → a rating 1.00–10.00; absent → no rating.
    check(
      "lecture_attendance_rating",
      sql`(${t.present} AND ${t.rating} BETWEEN 1.00 AND 10.00) OR (NOT ${t.present} AND ${t.rating} IS NULL)`,
    ),
    tenantIsolation(),
  ],
);

/** A student's (or parent's) rating of a course's instructor, once per course and rater. */
export const instructorRatings = pgTable(
  "instructor_ratings",
  {
    tenantId: tenantId(),
    id: id(),
    courseId: uuid().notNull(),
    instructorId: uuid().notNull(),
    raterId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    rating: numeric({ precision: 4, scale: 2 }).notNull(),
    comment: text(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    tenantFk("instructor_ratings_course_fk", t.tenantId, t.courseId, courses).onDelete("cascade"),
    tenantFk("instructor_ratings_instructor_fk", t.tenantId, t.instructorId, instructors).onDelete("cascade"),
    unique("instructor_ratings_once_key").on(t.tenantId, t.courseId, t.raterId),
    index("instructor_ratings_instructor_idx").on(t.tenantId, t.instructorId),
    index("instructor_ratings_rater_idx").on(t.raterId),
    check("instructor_ratings_range", sql`${t.rating} BETWEEN 1.00 AND 10.00`),
    tenantIsolation(),
  ],
);

/** Weekly summary of an instructor's lectures (generated Sunday 00:05). */
export const instructorAttendance = pgTable(
  "instructor_attendance",
  {
    tenantId: tenantId(),
    id: id(),
    instructorId: uuid().notNull(),
    weekStart: date({ mode: "string" }).notNull(),
    lecturesScheduled: integer().notNull().default(0),
    lecturesTaken: integer().notNull().default(0),
    lecturesCancelled: integer().notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    tenantFk("instructor_attendance_instructor_fk", t.tenantId, t.instructorId, instructors).onDelete("cascade"),
    unique("instructor_attendance_week_key").on(t.tenantId, t.instructorId, t.weekStart),
    tenantIsolation(),
  ],
);

export type Device = typeof devices.$inferSelect;
export type LectureAttendance = typeof lectureAttendance.$inferSelect;
export type InstructorRating = typeof instructorRatings.$inferSelect;
export type InstructorAttendance = typeof instructorAttendance.$inferSelect;
