import { sql } from "drizzle-orm";
import { boolean, check, date, index, integer, numeric, pgTable, primaryKey, text, timestamp, unique, uuid } from "drizzle-orm/pg-core";
import { createdAt, exactlyOneParticipant, id, tenantFk, tenantIsolation, updatedAt } from "./columns";
import { courses, lectures } from "./courses";
import { attendanceSourceEnum, attendanceStatusEnum, excuseStatusEnum, syncOutcomeEnum } from "./enums";
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
    /** PRESENT, ABSENT, LATE (minutesLate) or EXCUSED (reason). */
    status: attendanceStatusEnum().notNull(),
    /** Whether the participant was there: PRESENT or LATE (derived from status). */
    present: boolean().notNull().generatedAlwaysAs(sql`status IN ('PRESENT', 'LATE')`),
    /** Minutes after the lecture's start, for LATE only. */
    minutesLate: integer(),
    /** Why, for EXCUSED only. */
    reason: text(),
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
    // A rating (1.00–10.00) only for who was there; check-ins and devices may leave it out.
    check(
      "lecture_attendance_rating",
      sql`${t.rating} IS NULL OR (${t.status} IN ('PRESENT', 'LATE') AND ${t.rating} BETWEEN 1.00 AND 10.00)`,
    ),
    check(
      "lecture_attendance_minutes_late",
      sql`(${t.status} = 'LATE' AND ${t.minutesLate} BETWEEN 1 AND 1440) OR (${t.status} <> 'LATE' AND ${t.minutesLate} IS NULL)`,
    ),
    check("lecture_attendance_reason", sql`${t.reason} IS NULL OR (${t.status} = 'EXCUSED' AND length(${t.reason}) <= 1000)`),
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

/**
 * An absence excuse for one lecture, submitted ahead of it by whoever acts for the
 * participant; staff accept it (the mark becomes EXCUSED) or reject it. One per lecture
 * and participant: resubmitting while PENDING replaces the reason.
 */
export const absenceExcuses = pgTable(
  "absence_excuses",
  {
    tenantId: tenantId(),
    id: id(),
    lectureId: uuid().notNull(),
    studentId: uuid(),
    childId: uuid(),
    reason: text().notNull(),
    status: excuseStatusEnum().notNull().default("PENDING"),
    submittedBy: uuid()
      .notNull()
      .references(() => users.id),
    decidedBy: uuid().references(() => users.id),
    decidedAt: timestamp({ withTimezone: true, precision: 3 }),
    decisionNote: text(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    tenantFk("absence_excuses_lecture_fk", t.tenantId, t.lectureId, lectures).onDelete("cascade"),
    tenantFk("absence_excuses_student_fk", t.tenantId, t.studentId, students).onDelete("cascade"),
    tenantFk("absence_excuses_child_fk", t.tenantId, t.childId, children).onDelete("cascade"),
    unique("absence_excuses_student_key").on(t.tenantId, t.lectureId, t.studentId),
    unique("absence_excuses_child_key").on(t.tenantId, t.lectureId, t.childId),
    index("absence_excuses_student_idx").on(t.tenantId, t.studentId),
    index("absence_excuses_child_idx").on(t.tenantId, t.childId),
    index("absence_excuses_status_idx").on(t.tenantId, t.status),
    index("absence_excuses_submitted_by_idx").on(t.submittedBy),
    index("absence_excuses_decided_by_idx").on(t.decidedBy),
    check("absence_excuses_one_participant", exactlyOneParticipant),
    check("absence_excuses_reason", sql`length(${t.reason}) BETWEEN 1 AND 1000`),
    check("absence_excuses_decided", sql`(${t.status} = 'PENDING') = (${t.decidedAt} IS NULL)`),
    tenantIsolation(),
  ],
);

/**
 * A tenant's attendance settings (issue 13). No row means the defaults: LATE counts as
 * present (weight 1.00), a check-in up to 10 minutes after the start is PRESENT,
 * self check-in off.
 */
export const attendanceSettings = pgTable(
  "attendance_settings",
  {
    tenantId: tenantId(),
    /** What a LATE mark counts for in rates: 1.00 = as present, 0.50 = half, 0 = as absent. */
    lateWeight: numeric({ precision: 3, scale: 2 }).notNull().default("1.00"),
    /** Minutes after a lecture's start within which a check-in is still PRESENT. */
    lateGraceMinutes: integer().notNull().default(10),
    /** Whether students may check themselves in with a lecture's rotating code. */
    selfCheckIn: boolean().notNull().default(false),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId] }),
    check("attendance_settings_late_weight", sql`${t.lateWeight} BETWEEN 0 AND 1`),
    check("attendance_settings_grace", sql`${t.lateGraceMinutes} BETWEEN 0 AND 120`),
    tenantIsolation(),
  ],
);

/**
 * The version of a participant's check-in QR code: a code carries the version it was
 * signed with, and revoking bumps it (older codes stop working). No row: version 1.
 */
export const checkInTokens = pgTable(
  "check_in_tokens",
  {
    tenantId: tenantId(),
    id: id(),
    studentId: uuid(),
    childId: uuid(),
    version: integer().notNull().default(1),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    tenantFk("check_in_tokens_student_fk", t.tenantId, t.studentId, students).onDelete("cascade"),
    tenantFk("check_in_tokens_child_fk", t.tenantId, t.childId, children).onDelete("cascade"),
    unique("check_in_tokens_student_key").on(t.tenantId, t.studentId),
    unique("check_in_tokens_child_key").on(t.tenantId, t.childId),
    check("check_in_tokens_one_participant", exactlyOneParticipant),
    check("check_in_tokens_version", sql`${t.version} >= 1`),
    tenantIsolation(),
  ],
);

/**
 * Marks synced from offline registers, by the client's id: a replayed mark answers what
 * it answered the first time. OVERRIDDEN: a later or a staff mark won.
 */
export const attendanceSyncMarks = pgTable(
  "attendance_sync_marks",
  {
    tenantId: tenantId(),
    clientMarkId: uuid().notNull(),
    lectureId: uuid().notNull(),
    studentId: uuid(),
    childId: uuid(),
    status: attendanceStatusEnum().notNull(),
    markedAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    deviceId: uuid(),
    userId: uuid().references(() => users.id, { onDelete: "set null" }),
    outcome: syncOutcomeEnum().notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.clientMarkId] }),
    tenantFk("attendance_sync_marks_lecture_fk", t.tenantId, t.lectureId, lectures).onDelete("cascade"),
    tenantFk("attendance_sync_marks_student_fk", t.tenantId, t.studentId, students).onDelete("cascade"),
    tenantFk("attendance_sync_marks_child_fk", t.tenantId, t.childId, children).onDelete("cascade"),
    tenantFk("attendance_sync_marks_device_fk", t.tenantId, t.deviceId, devices).onDelete("cascade"),
    index("attendance_sync_marks_lecture_idx").on(t.tenantId, t.lectureId),
    index("attendance_sync_marks_student_idx").on(t.tenantId, t.studentId),
    index("attendance_sync_marks_child_idx").on(t.tenantId, t.childId),
    index("attendance_sync_marks_device_idx").on(t.tenantId, t.deviceId),
    index("attendance_sync_marks_user_idx").on(t.userId),
    check("attendance_sync_marks_one_participant", exactlyOneParticipant),
    tenantIsolation(),
  ],
);

export type Device = typeof devices.$inferSelect;
export type AbsenceExcuse = typeof absenceExcuses.$inferSelect;
export type AttendanceSettings = typeof attendanceSettings.$inferSelect;
export type AttendanceSyncMark = typeof attendanceSyncMarks.$inferSelect;
export type LectureAttendance = typeof lectureAttendance.$inferSelect;
export type InstructorRating = typeof instructorRatings.$inferSelect;
export type InstructorAttendance = typeof instructorAttendance.$inferSelect;
