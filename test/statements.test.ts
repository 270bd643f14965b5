/**
 * No statement per row: every connection, read with its relations, costs the same
 * SQL statements for a page of 2 as for a page of 6 or more. (Bulk writes are
 * checked beside their domain: markAttendance in attendance, recordExamResults in
 * enrollments, beside the exam tests.) Each check runs the small page first so per-request caches cannot hide
 * a statement per row in the large one.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import {
  AuditLogWideDocument,
  CreateLectureDocument,
  EnrollmentRequestsWideDocument,
  InstructorsWideDocument,
  LecturesWideDocument,
  MembersWideDocument,
  NotificationsWideDocument,
  RecordManualPaymentDocument,
  RefundRequestsWideDocument,
  RequestRefundDocument,
  StudentsWideDocument,
  TenantsWideDocument,
} from "./sdk/graphql";
import { data, expectFlatStatements, type GraphQLClient } from "./helpers/client";
import { createSchool, type Family, type School } from "./helpers/school";
import { useTestServer } from "./helpers/server";

const t = useTestServer();
const ROWS = 6;
let school: School;
let family: Family;
let staff: GraphQLClient;

beforeAll(async () => {
  school = await createSchool(t);
  staff = school.admin.client;
  family = await school.family(ROWS);
  const courses: string[] = [];
  for (let i = 0; i < ROWS; i++) {
    await t.fixtures.member(school.tenant, ["INSTRUCTOR"]);
    await school.student();
    courses.push(await school.createCourse());
    data(await staff.request(CreateLectureDocument, { courseId: courses[i]!, input: { date: `2099-02-0${i + 1}`, startTime: "10:00" } }));
  }
  for (const [i, childId] of family.childIds.entries()) {
    const enrollmentId = await school.enroll(courses[i]!, childId, family.parent);
    const payment = data(
      await staff.request(RecordManualPaymentDocument, { input: { enrollmentId, amount: "100.00", idempotencyKey: randomUUID() } }),
    ).recordManualPayment;
    data(
      await family.parent.client.request(RequestRefundDocument, {
        input: { paymentId: payment.id, amount: "10.00", reason: "moving away", idempotencyKey: randomUUID() },
      }),
    );
  }
});

describe("every connection costs the same statements for 2 rows as for many", () => {
  it("lectures with course, season, instructor and tags", async () => {
    const [small, large] = [
      await staff.request(LecturesWideDocument, { first: 2 }),
      await staff.request(LecturesWideDocument, { first: 50 }),
    ];
    expect(data(large).lectures.nodes.length).toBeGreaterThanOrEqual(ROWS);
    expectFlatStatements(small, large);
  });

  it("instructors with their user and membership", async () => {
    const [small, large] = [
      await staff.request(InstructorsWideDocument, { first: 2 }),
      await staff.request(InstructorsWideDocument, { first: 50 }),
    ];
    expect(data(large).instructors.nodes.length).toBeGreaterThan(ROWS);
    expect(data(large).instructors.nodes.every((node) => node.user.membership?.roles.includes("INSTRUCTOR"))).toBe(true);
    expectFlatStatements(small, large);
  });

  it("students with their user and profile", async () => {
    const [small, large] = [
      await staff.request(StudentsWideDocument, { first: 2 }),
      await staff.request(StudentsWideDocument, { first: 50 }),
    ];
    expect(data(large).students.nodes.length).toBe(ROWS);
    expectFlatStatements(small, large);
  });

  it("enrolment requests with course, participant and requester", async () => {
    const [small, large] = [
      await staff.request(EnrollmentRequestsWideDocument, { first: 2 }),
      await staff.request(EnrollmentRequestsWideDocument, { first: 50 }),
    ];
    const nodes = data(large).enrollmentRequests.nodes;
    expect(nodes).toHaveLength(ROWS);
    expect(nodes.every((node) => node.participant.__typename === "Child" && node.requestedBy.firstName)).toBe(true);
    expectFlatStatements(small, large);
  });

  it("refund requests with payment, enrolment, participant and course", async () => {
    const [small, large] = [
      await staff.request(RefundRequestsWideDocument, { first: 2 }),
      await staff.request(RefundRequestsWideDocument, { first: 50 }),
    ];
    const nodes = data(large).refundRequests.nodes;
    expect(nodes).toHaveLength(ROWS);
    expect(new Set(nodes.map((node) => node.payment.enrollment.course.name)).size).toBe(ROWS);
    expectFlatStatements(small, large);
  });

  it("a family's notifications", async () => {
    const parent = family.parent.client;
    const [small, large] = [
      await parent.request(NotificationsWideDocument, { first: 2 }),
      await parent.request(NotificationsWideDocument, { first: 50 }),
    ];
    expect(data(large).notifications.nodes.length).toBeGreaterThanOrEqual(ROWS);
    expectFlatStatements(small, large);
  });

  it("the audit log with actors", async () => {
    const [small, large] = [
      await staff.request(AuditLogWideDocument, { first: 2 }),
      await staff.request(AuditLogWideDocument, { first: 50 }),
    ];
    expect(data(large).auditLog.nodes.length).toBeGreaterThan(ROWS);
    expectFlatStatements(small, large);
  });

  it("members with tenant, user and every profile", async () => {
    const [small, large] = [
      await staff.request(MembersWideDocument, { first: 2 }),
      await staff.request(MembersWideDocument, { first: 50 }),
    ];
    expect(data(large).members.nodes.length).toBeGreaterThan(ROWS * 2);
    expectFlatStatements(small, large);
  });

  it("tenants, for a platform admin", async () => {
    for (let i = 0; i < 3; i++) await t.fixtures.tenant();
    const admin = (await t.fixtures.login(await t.fixtures.user({ platformAdmin: true }))).client;
    const [small, large] = [
      await admin.request(TenantsWideDocument, { first: 2 }),
      await admin.request(TenantsWideDocument, { first: 50 }),
    ];
    expect(data(large).tenants.nodes.length).toBeGreaterThan(3);
    expectFlatStatements(small, large);
  });
});
