/**
 * Relations for Drizzle's relational queries. Tenant-owned relations join on
 * (tenant_id, id), matching the composite foreign keys.
 */
import { relations } from "drizzle-orm";
import { authSessions, refreshTokens } from "./tables/auth";
import { courseSchedules, courseTags, courses, examResults, exams, lectures, seasons, tags } from "./tables/courses";
import { enrollmentRequests, enrollments } from "./tables/enrollments";
import { children, instructors, memberships, parents, students } from "./tables/memberships";
import { payments, refundRequests } from "./tables/payments";
import { lectureAttendance } from "./tables/attendance";
import { eventRegistrations, events } from "./tables/events";
import { tenants } from "./tables/tenants";
import { users } from "./tables/users";

export const tenantsRelations = relations(tenants, ({ many }) => ({ memberships: many(memberships) }));

export const usersRelations = relations(users, ({ many }) => ({
  memberships: many(memberships),
  sessions: many(authSessions),
}));

export const membershipsRelations = relations(memberships, ({ one }) => ({
  tenant: one(tenants, { fields: [memberships.tenantId], references: [tenants.id] }),
  user: one(users, { fields: [memberships.userId], references: [users.id] }),
}));

export const authSessionsRelations = relations(authSessions, ({ one, many }) => ({
  user: one(users, { fields: [authSessions.userId], references: [users.id] }),
  refreshTokens: many(refreshTokens),
}));

export const refreshTokensRelations = relations(refreshTokens, ({ one }) => ({
  session: one(authSessions, { fields: [refreshTokens.sessionId], references: [authSessions.id] }),
}));

export const parentsRelations = relations(parents, ({ one, many }) => ({
  user: one(users, { fields: [parents.userId], references: [users.id] }),
  children: many(children),
}));

export const childrenRelations = relations(children, ({ one }) => ({
  parent: one(parents, { fields: [children.tenantId, children.parentId], references: [parents.tenantId, parents.id] }),
}));

export const studentsRelations = relations(students, ({ one }) => ({
  user: one(users, { fields: [students.userId], references: [users.id] }),
}));

export const instructorsRelations = relations(instructors, ({ one, many }) => ({
  user: one(users, { fields: [instructors.userId], references: [users.id] }),
  courses: many(courses),
}));

export const seasonsRelations = relations(seasons, ({ many }) => ({ courses: many(courses) }));

export const coursesRelations = relations(courses, ({ one, many }) => ({
  season: one(seasons, { fields: [courses.tenantId, courses.seasonId], references: [seasons.tenantId, seasons.id] }),
  instructor: one(instructors, {
    fields: [courses.tenantId, courses.instructorId],
    references: [instructors.tenantId, instructors.id],
  }),
  tags: many(courseTags),
  schedule: many(courseSchedules),
  lectures: many(lectures),
  exams: many(exams),
  enrollments: many(enrollments),
}));

export const courseTagsRelations = relations(courseTags, ({ one }) => ({
  course: one(courses, { fields: [courseTags.tenantId, courseTags.courseId], references: [courses.tenantId, courses.id] }),
  tag: one(tags, { fields: [courseTags.tenantId, courseTags.tagId], references: [tags.tenantId, tags.id] }),
}));

export const courseSchedulesRelations = relations(courseSchedules, ({ one }) => ({
  course: one(courses, {
    fields: [courseSchedules.tenantId, courseSchedules.courseId],
    references: [courses.tenantId, courses.id],
  }),
}));

export const lecturesRelations = relations(lectures, ({ one, many }) => ({
  course: one(courses, { fields: [lectures.tenantId, lectures.courseId], references: [courses.tenantId, courses.id] }),
  attendance: many(lectureAttendance),
}));

export const examsRelations = relations(exams, ({ one, many }) => ({
  course: one(courses, { fields: [exams.tenantId, exams.courseId], references: [courses.tenantId, courses.id] }),
  results: many(examResults),
}));

export const examResultsRelations = relations(examResults, ({ one }) => ({
  exam: one(exams, { fields: [examResults.tenantId, examResults.examId], references: [exams.tenantId, exams.id] }),
}));

export const enrollmentRequestsRelations = relations(enrollmentRequests, ({ one }) => ({
  course: one(courses, {
    fields: [enrollmentRequests.tenantId, enrollmentRequests.courseId],
    references: [courses.tenantId, courses.id],
  }),
}));

export const enrollmentsRelations = relations(enrollments, ({ one, many }) => ({
  course: one(courses, { fields: [enrollments.tenantId, enrollments.courseId], references: [courses.tenantId, courses.id] }),
  payments: many(payments),
}));

export const paymentsRelations = relations(payments, ({ one, many }) => ({
  enrollment: one(enrollments, {
    fields: [payments.tenantId, payments.enrollmentId],
    references: [enrollments.tenantId, enrollments.id],
  }),
  refunds: many(refundRequests),
}));

export const refundRequestsRelations = relations(refundRequests, ({ one }) => ({
  payment: one(payments, {
    fields: [refundRequests.tenantId, refundRequests.paymentId],
    references: [payments.tenantId, payments.id],
  }),
}));

export const lectureAttendanceRelations = relations(lectureAttendance, ({ one }) => ({
  lecture: one(lectures, {
    fields: [lectureAttendance.tenantId, lectureAttendance.lectureId],
    references: [lectures.tenantId, lectures.id],
  }),
}));

export const eventsRelations = relations(events, ({ many }) => ({ registrations: many(eventRegistrations) }));

export const eventRegistrationsRelations = relations(eventRegistrations, ({ one }) => ({
  event: one(events, {
    fields: [eventRegistrations.tenantId, eventRegistrations.eventId],
    references: [events.tenantId, events.id],
  }),
}));
