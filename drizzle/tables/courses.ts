import { sql } from "drizzle-orm";
import {
  boolean,
  char,
  check,
  date,
  index,
  integer,
  numeric,
  pgTable,
  primaryKey,
  smallint,
  text,
  time,
  timestamp,
  unique,
  uuid,
} from "drizzle-orm/pg-core";
import { createdAt, exactlyOneParticipant, id, money, tenantFk, tenantIsolation, updatedAt } from "./columns";
import { lectureStatusEnum, seasonKindEnum } from "./enums";
import { children, instructors, students } from "./memberships";
import { tenantId } from "./tenants";

/** An academic period: summer camp, school term, Ramadan … */
export const seasons = pgTable(
  "seasons",
  {
    tenantId: tenantId(),
    id: id(),
    name: text().notNull(),
    kind: seasonKindEnum().notNull().default("OTHER"),
    startsOn: date({ mode: "string" }).notNull(),
    endsOn: date({ mode: "string" }).notNull(),
    isActive: boolean().notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), check("seasons_dates", sql`${t.endsOn} >= ${t.startsOn}`), tenantIsolation()],
);

export const tags = pgTable(
  "tags",
  {
    tenantId: tenantId(),
    id: id(),
    name: text().notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), unique("tags_name_key").on(t.tenantId, t.name), tenantIsolation()],
);

export const courses = pgTable(
  "courses",
  {
    tenantId: tenantId(),
    id: id(),
    seasonId: uuid(),
    instructorId: uuid(),
    name: text().notNull(),
    description: text().notNull().default(""),
    startsOn: date({ mode: "string" }).notNull(),
    endsOn: date({ mode: "string" }).notNull(),
    price: money().notNull().default("0"),
    currency: char({ length: 3 }).notNull(),
    capacity: integer().notNull(),
    /** Maintained by a trigger on enrollments: ACTIVE enrolments of the course. */
    activeEnrollments: integer().notNull().default(0),
    /** Maintained by a trigger on course_waitlist_entries: places held by OFFERED waitlist entries. */
    heldPlaces: integer().notNull().default(0),
    /** How long a waitlist offer is held for the family it goes to, in hours. */
    offerHoldHours: integer().notNull().default(48),
    isPublished: boolean().notNull().default(false),
    /** Set by archiveCourse: hidden from default lists, no new enrolments, lectures or marks; history kept. */
    archivedAt: timestamp({ withTimezone: true, precision: 3 }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    tenantFk("courses_season_fk", t.tenantId, t.seasonId, seasons).onDelete("restrict"),
    tenantFk("courses_instructor_fk", t.tenantId, t.instructorId, instructors).onDelete("restrict"),
    index("courses_season_idx").on(t.tenantId, t.seasonId),
    index("courses_instructor_idx").on(t.tenantId, t.instructorId),
    index("courses_starts_on_idx").on(t.tenantId, t.startsOn),
    check("courses_dates", sql`${t.endsOn} >= ${t.startsOn}`),
    check("courses_price_non_negative", sql`${t.price} >= 0`),
    check("courses_capacity_positive", sql`${t.capacity} > 0`),
    // The last line of defence against overbooking, even under concurrent approvals.
    check("courses_capacity_not_exceeded", sql`${t.activeEnrollments} BETWEEN 0 AND ${t.capacity}`),
    // Places offered from the waitlist are held: enrolments and held offers together never exceed capacity.
    check("courses_places_not_exceeded", sql`${t.heldPlaces} >= 0 AND ${t.activeEnrollments} + ${t.heldPlaces} <= ${t.capacity}`),
    check("courses_offer_hold_hours", sql`${t.offerHoldHours} BETWEEN 1 AND 720`),
    check("courses_currency_format", sql`${t.currency} ~ '^[A-Z]{3}$'`),
    tenantIsolation(),
  ],
);

export const courseTags = pgTable(
  "course_tags",
  {
    tenantId: tenantId(),
    courseId: uuid().notNull(),
    tagId: uuid().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.courseId, t.tagId] }),
    tenantFk("course_tags_course_fk", t.tenantId, t.courseId, courses).onDelete("cascade"),
    tenantFk("course_tags_tag_fk", t.tenantId, t.tagId, tags).onDelete("cascade"),
    index("course_tags_tag_idx").on(t.tenantId, t.tagId),
    tenantIsolation(),
  ],
);

/** A weekly slot of a course. Weekday follows the centre's week: Saturday=0 … Friday=6. */
export const courseSchedules = pgTable(
  "course_schedules",
  {
    tenantId: tenantId(),
    id: id(),
    courseId: uuid().notNull(),
    weekday: smallint().notNull(),
    startTime: time().notNull(),
    durationMinutes: integer().notNull().default(60),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    tenantFk("course_schedules_course_fk", t.tenantId, t.courseId, courses).onDelete("cascade"),
    unique("course_schedules_slot_key").on(t.tenantId, t.courseId, t.weekday, t.startTime),
    check("course_schedules_weekday", sql`${t.weekday} BETWEEN 0 AND 6`),
    check("course_schedules_duration", sql`${t.durationMinutes} BETWEEN 1 AND 1440`),
    tenantIsolation(),
  ],
);

export const lectures = pgTable(
  "lectures",
  {
    tenantId: tenantId(),
    id: id(),
    courseId: uuid().notNull(),
    date: date({ mode: "string" }).notNull(),
    startTime: time().notNull(),
    durationMinutes: integer().notNull().default(60),
    title: text(),
    status: lectureStatusEnum().notNull().default("SCHEDULED"),
    attendanceTaken: boolean().notNull().default(false),
    cancelledReason: text(),
    /** iCal SEQUENCE: bumped by a trigger when the date, time, length, title or status changes (calendar feeds). */
    calendarSequence: integer().notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    tenantFk("lectures_course_fk", t.tenantId, t.courseId, courses).onDelete("cascade"),
    // One lecture per course per slot: generating lectures twice creates nothing new.
    unique("lectures_slot_key").on(t.tenantId, t.courseId, t.date, t.startTime),
    index("lectures_date_idx").on(t.tenantId, t.date),
    check("lectures_duration", sql`${t.durationMinutes} BETWEEN 1 AND 1440`),
    tenantIsolation(),
  ],
);

export const exams = pgTable(
  "exams",
  {
    tenantId: tenantId(),
    id: id(),
    courseId: uuid().notNull(),
    title: text().notNull(),
    date: date({ mode: "string" }).notNull(),
    maxScore: numeric({ precision: 6, scale: 2 }).notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    tenantFk("exams_course_fk", t.tenantId, t.courseId, courses).onDelete("cascade"),
    index("exams_course_idx").on(t.tenantId, t.courseId),
    check("exams_max_score_positive", sql`${t.maxScore} > 0`),
    tenantIsolation(),
  ],
);

export const examResults = pgTable(
  "exam_results",
  {
    tenantId: tenantId(),
    id: id(),
    examId: uuid().notNull(),
    studentId: uuid(),
    childId: uuid(),
    score: numeric({ precision: 6, scale: 2 }).notNull(),
    notes: text(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    tenantFk("exam_results_exam_fk", t.tenantId, t.examId, exams).onDelete("cascade"),
    tenantFk("exam_results_student_fk", t.tenantId, t.studentId, students).onDelete("cascade"),
    tenantFk("exam_results_child_fk", t.tenantId, t.childId, children).onDelete("cascade"),
    unique("exam_results_student_key").on(t.tenantId, t.examId, t.studentId),
    unique("exam_results_child_key").on(t.tenantId, t.examId, t.childId),
    index("exam_results_student_idx").on(t.tenantId, t.studentId),
    index("exam_results_child_idx").on(t.tenantId, t.childId),
    check("exam_results_one_participant", exactlyOneParticipant),
    check("exam_results_score_non_negative", sql`${t.score} >= 0`),
    tenantIsolation(),
  ],
);

export type Season = typeof seasons.$inferSelect;
export type Tag = typeof tags.$inferSelect;
export type Course = typeof courses.$inferSelect;
export type CourseSchedule = typeof courseSchedules.$inferSelect;
export type Lecture = typeof lectures.$inferSelect;
export type Exam = typeof exams.$inferSelect;
export type ExamResult = typeof examResults.$inferSelect;
