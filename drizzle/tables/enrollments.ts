import { sql } from "drizzle-orm";
import { check, index, pgTable, primaryKey, text, timestamp, unique, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, exactlyOneParticipant, id, tenantFk, tenantIsolation, updatedAt } from "./columns";
import { courses } from "./courses";
import { enrollmentRequestStatusEnum, enrollmentStatusEnum } from "./enums";
import { children, students } from "./memberships";
import { tenantId } from "./tenants";
import { users } from "./users";

/** Participant columns: exactly one of a student or a child (CHECK). */
const participant = () => ({ studentId: uuid(), childId: uuid() });

export const enrollmentRequests = pgTable(
  "enrollment_requests",
  {
    tenantId: tenantId(),
    id: id(),
    courseId: uuid().notNull(),
    ...participant(),
    requestedBy: uuid()
      .notNull()
      .references(() => users.id),
    status: enrollmentRequestStatusEnum().notNull().default("PENDING"),
    note: text(),
    decisionReason: text(),
    decidedBy: uuid().references(() => users.id),
    decidedAt: timestamp({ withTimezone: true, precision: 3 }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    tenantFk("enrollment_requests_course_fk", t.tenantId, t.courseId, courses).onDelete("cascade"),
    tenantFk("enrollment_requests_student_fk", t.tenantId, t.studentId, students).onDelete("cascade"),
    tenantFk("enrollment_requests_child_fk", t.tenantId, t.childId, children).onDelete("cascade"),
    index("enrollment_requests_course_idx").on(t.tenantId, t.courseId, t.status),
    index("enrollment_requests_student_idx").on(t.tenantId, t.studentId),
    index("enrollment_requests_child_idx").on(t.tenantId, t.childId),
    index("enrollment_requests_requested_by_idx").on(t.requestedBy),
    index("enrollment_requests_decided_by_idx").on(t.decidedBy),
    // At most one open request per participant and course.
    uniqueIndex("enrollment_requests_pending_student_key").on(t.tenantId, t.courseId, t.studentId).where(sql`status = 'PENDING'`),
    uniqueIndex("enrollment_requests_pending_child_key").on(t.tenantId, t.courseId, t.childId).where(sql`status = 'PENDING'`),
    check("enrollment_requests_one_participant", exactlyOneParticipant),
    tenantIsolation(),
  ],
);

export const enrollments = pgTable(
  "enrollments",
  {
    tenantId: tenantId(),
    id: id(),
    courseId: uuid().notNull(),
    ...participant(),
    requestId: uuid(),
    status: enrollmentStatusEnum().notNull().default("ACTIVE"),
    enrolledAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    endedAt: timestamp({ withTimezone: true, precision: 3 }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    tenantFk("enrollments_course_fk", t.tenantId, t.courseId, courses).onDelete("cascade"),
    tenantFk("enrollments_student_fk", t.tenantId, t.studentId, students).onDelete("cascade"),
    tenantFk("enrollments_child_fk", t.tenantId, t.childId, children).onDelete("cascade"),
    tenantFk("enrollments_request_fk", t.tenantId, t.requestId, enrollmentRequests).onDelete("restrict"),
    // One enrolment per course per participant.
    unique("enrollments_course_student_key").on(t.tenantId, t.courseId, t.studentId),
    unique("enrollments_course_child_key").on(t.tenantId, t.courseId, t.childId),
    index("enrollments_course_status_idx").on(t.tenantId, t.courseId, t.status),
    index("enrollments_student_idx").on(t.tenantId, t.studentId),
    index("enrollments_child_idx").on(t.tenantId, t.childId),
    index("enrollments_request_idx").on(t.tenantId, t.requestId),
    check("enrollments_one_participant", exactlyOneParticipant),
    tenantIsolation(),
  ],
);

export type EnrollmentRequest = typeof enrollmentRequests.$inferSelect;
export type Enrollment = typeof enrollments.$inferSelect;
