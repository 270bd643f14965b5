import { and, eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { courses, enrollments, notifications } from "../drizzle/schema";
import {
  AddChildDocument,
  ApproveEnrollmentRequestDocument,
  CancelEnrollmentRequestDocument,
  CancelLectureDocument,
  CompleteEnrollmentDocument,
  CourseDocument,
  CourseExamsDocument,
  CreateExamDocument,
  CreateLectureDocument,
  DropEnrollmentDocument,
  EnrollmentRequestsDocument,
  EnrollmentsDocument,
  EnrollmentsWithRelationsDocument,
  RecordManualPaymentDocument,
  MyChildrenDocument,
  MyProfilesDocument,
  RecordExamResultsDocument,
  RejectEnrollmentRequestDocument,
  RequestEnrollmentDocument,
  UpdateChildDocument,
} from "./sdk/graphql";
import { codes, data, expectFlatStatements } from "./helpers/client";
import { createSchool, parentIdOf, type School } from "./helpers/school";
import { useTestServer } from "./helpers/server";

let school: School;

const t = useTestServer();
beforeAll(async () => {
  school = await createSchool(t);
});

const notificationsOf = (userId: string) => t.deps.database.db.select().from(notifications).where(eq(notifications.userId, userId));

describe("children", () => {
  it("a parent adds and edits children; staff add one for a parent; others may not", async () => {
    const { parent, childIds } = await school.family(1);
    const mine = data(await parent.client.request(MyChildrenDocument)).myChildren;
    expect(mine.map((c) => c.id)).toEqual(childIds);
    const added = data(
      await parent.client.request(AddChildDocument, { input: { firstName: "Salma", dateOfBirth: "2016-02-01", gender: "FEMALE" } }),
    ).addChild;
    expect(added).toMatchObject({ firstName: "Salma", dateOfBirth: "2016-02-01", gender: "FEMALE" });
    data(await parent.client.request(UpdateChildDocument, { id: added.id, input: { notes: "Allergic to nuts" } }));
    const profiles = data(await parent.client.request(MyProfilesDocument)).me;
    expect(profiles.parentProfile?.children.map((c) => c.firstName)).toEqual(["Kid0", "Salma"]);

    const staffAdded = data(
      await school.admin.client.request(AddChildDocument, { input: { firstName: "Omar", parentId: await parentIdOf(t, parent) } }),
    ).addChild;
    expect(staffAdded.firstName).toBe("Omar");

    const stranger = await school.family(0);
    expect(codes(await stranger.parent.client.request(UpdateChildDocument, { id: added.id, input: { notes: "x" } }))).toEqual([
      "FORBIDDEN",
    ]);
    const student = await school.student();
    expect(codes(await student.client.request(AddChildDocument, { input: { firstName: "X" } }))).toEqual(["FORBIDDEN"]);
    expect(codes(await parent.client.request(AddChildDocument, { input: { firstName: " " } }))).toEqual(["BAD_USER_INPUT"]);
    expect(codes(await parent.client.request(AddChildDocument, { input: { firstName: "Z", dateOfBirth: "2999-01-01" } }))).toEqual([
      "BAD_USER_INPUT",
    ]);
    expect(
      codes(await parent.client.request(AddChildDocument, { input: { firstName: "Z", parentId: await parentIdOf(t, parent) } })),
    ).toEqual(["FORBIDDEN"]);
  });
});

describe("the enrolment journey", () => {
  it("parent requests for a child, staff approve: an ACTIVE enrolment, a place taken, the parent notified", async () => {
    const courseId = await school.createCourse({ capacity: 3, name: "Chess club" });
    const { parent, childIds } = await school.family(1);
    const request = data(
      await parent.client.request(RequestEnrollmentDocument, { input: { courseId, participantId: childIds[0]!, note: "Mornings please" } }),
    ).requestEnrollment;
    expect(request).toMatchObject({ status: "PENDING", participant: { __typename: "Child", id: childIds[0] } });

    const pending = data(
      await school.admin.client.request(EnrollmentRequestsDocument, { filter: { status: "PENDING", courseId } }),
    ).enrollmentRequests;
    expect(pending.nodes.map((r) => r.id)).toEqual([request.id]);

    const approved = data(await school.admin.client.request(ApproveEnrollmentRequestDocument, { id: request.id })).approveEnrollmentRequest;
    expect(approved.request.status).toBe("APPROVED");
    expect(approved.enrollment).toMatchObject({ status: "ACTIVE", course: { id: courseId, spotsLeft: 2 } });

    const rows = await notificationsOf(parent.user.id);
    expect(rows.map((row) => row.kind)).toEqual(["ENROLLMENT_APPROVED"]);
    expect(rows[0]!.body).toMatch(/Kid0 Test is enrolled in Chess club/);

    const mine = data(await parent.client.request(EnrollmentsDocument, {})).enrollments;
    expect(mine.nodes.map((e) => e.id)).toEqual([approved.enrollment.id]);
  });

  it("a student requests for themself; staff reject with a reason the student is told", async () => {
    const courseId = await school.createCourse();
    const student = await school.student();
    const request = data(
      await student.client.request(RequestEnrollmentDocument, { input: { courseId, participantId: student.studentId } }),
    ).requestEnrollment;
    expect(request.participant).toEqual({ __typename: "Student", id: student.studentId });
    const rejected = data(
      await school.admin.client.request(RejectEnrollmentRequestDocument, { id: request.id, reason: "Age group is full" }),
    ).rejectEnrollmentRequest;
    expect(rejected).toMatchObject({ status: "REJECTED", decisionReason: "Age group is full" });
    const rows = await notificationsOf(student.user.id);
    expect(rows.map((row) => row.kind)).toEqual(["ENROLLMENT_REJECTED"]);
    expect(rows[0]!.body).toMatch(/Age group is full/);
    expect(codes(await school.admin.client.request(RejectEnrollmentRequestDocument, { id: request.id, reason: "again" }))).toEqual([
      "CONFLICT",
    ]);
    expect(codes(await school.admin.client.request(RejectEnrollmentRequestDocument, { id: request.id, reason: " " }))).toEqual([
      "BAD_USER_INPUT",
    ]);
  });

  it("staff enrol anyone; drop frees the place; a dropped participant can come back", async () => {
    const courseId = await school.createCourse({ capacity: 1 });
    const { childIds } = await school.family(1);
    const enrollmentId = await school.enroll(courseId, childIds[0]!);
    expect(data(await school.admin.client.request(CourseDocument, { id: courseId })).course.spotsLeft).toBe(0);
    const dropped = data(await school.admin.client.request(DropEnrollmentDocument, { id: enrollmentId })).dropEnrollment;
    expect(dropped.status).toBe("DROPPED");
    expect(dropped.endedAt).toBeTruthy();
    expect(data(await school.admin.client.request(CourseDocument, { id: courseId })).course.spotsLeft).toBe(1);
    expect(codes(await school.admin.client.request(DropEnrollmentDocument, { id: enrollmentId }))).toEqual(["CONFLICT"]);
    const again = await school.enroll(courseId, childIds[0]!);
    expect(again).toBe(enrollmentId);
    const completed = data(await school.admin.client.request(CompleteEnrollmentDocument, { id: again })).completeEnrollment;
    expect(completed.status).toBe("COMPLETED");
  });

  it("the requester withdraws a pending request", async () => {
    const courseId = await school.createCourse();
    const { parent, childIds } = await school.family(1);
    const request = data(
      await parent.client.request(RequestEnrollmentDocument, { input: { courseId, participantId: childIds[0]! } }),
    ).requestEnrollment;
    const cancelled = data(await parent.client.request(CancelEnrollmentRequestDocument, { id: request.id })).cancelEnrollmentRequest;
    expect(cancelled.status).toBe("CANCELLED");
    const approve = await school.admin.client.request(ApproveEnrollmentRequestDocument, { id: request.id });
    expect(codes(approve)).toEqual(["CONFLICT"]);
    expect(approve.errors?.[0]?.message).toMatch(/CANCELLED.*PENDING/);
  });
});

describe("enrolment rules", () => {
  it("never enrols a participant twice and never holds two pending requests", async () => {
    const courseId = await school.createCourse();
    const { parent, childIds } = await school.family(1);
    const input = { courseId, participantId: childIds[0]! };
    const first = data(await parent.client.request(RequestEnrollmentDocument, { input })).requestEnrollment;
    expect(codes(await parent.client.request(RequestEnrollmentDocument, { input }))).toEqual(["CONFLICT"]);
    data(await school.admin.client.request(ApproveEnrollmentRequestDocument, { id: first.id }));
    const afterEnrolled = await parent.client.request(RequestEnrollmentDocument, { input });
    expect(codes(afterEnrolled)).toEqual(["CONFLICT"]);
    expect(afterEnrolled.errors?.[0]?.message).toMatch(/already enrolled/);
    // Even if a second request slipped in before, approving it cannot enrol twice.
    const [row] = await t.deps.database.db.select().from(enrollments).where(eq(enrollments.childId, childIds[0]!));
    expect(row?.status).toBe("ACTIVE");
  });

  it("refuses a full course with CONFLICT", async () => {
    const courseId = await school.createCourse({ capacity: 1, name: "Tiny" });
    const a = await school.family(1);
    const b = await school.family(1);
    await school.enroll(courseId, a.childIds[0]!);
    const request = data(
      await b.parent.client.request(RequestEnrollmentDocument, { input: { courseId, participantId: b.childIds[0]! } }),
    ).requestEnrollment;
    const full = await school.admin.client.request(ApproveEnrollmentRequestDocument, { id: request.id });
    expect(codes(full)).toEqual(["CONFLICT"]);
    expect(full.errors?.[0]?.message).toMatch(/Tiny is full/);
  });

  it("checks who may act for whom", async () => {
    const courseId = await school.createCourse();
    const mine = await school.family(1);
    const other = await school.family(1);
    const student = await school.student();
    const otherStudent = await school.student();
    const forbidden = [
      [mine.parent, other.childIds[0]!],
      [student, otherStudent.studentId],
      [student, mine.childIds[0]!],
    ] as const;
    for (const [who, participantId] of forbidden) {
      expect(codes(await who.client.request(RequestEnrollmentDocument, { input: { courseId, participantId } }))).toEqual(["FORBIDDEN"]);
    }
    const request = data(
      await mine.parent.client.request(RequestEnrollmentDocument, { input: { courseId, participantId: mine.childIds[0]! } }),
    ).requestEnrollment;
    expect(codes(await mine.parent.client.request(ApproveEnrollmentRequestDocument, { id: request.id }))).toEqual(["FORBIDDEN"]);
    expect(codes(await school.instructor.client.request(ApproveEnrollmentRequestDocument, { id: request.id }))).toEqual(["FORBIDDEN"]);
    expect(codes(await other.parent.client.request(CancelEnrollmentRequestDocument, { id: request.id }))).toEqual(["FORBIDDEN"]);
    // Another tenant's staff cannot see it at all.
    const otherSchool = await createSchool(t);
    expect(codes(await otherSchool.admin.client.request(ApproveEnrollmentRequestDocument, { id: request.id }))).toEqual(["NOT_FOUND"]);
    expect(
      codes(await otherSchool.admin.client.request(RequestEnrollmentDocument, { input: { courseId, participantId: mine.childIds[0]! } })),
    ).toEqual(["NOT_FOUND"]);
    // Families cannot complete; another family cannot drop.
    const enrollmentId = data(await school.admin.client.request(ApproveEnrollmentRequestDocument, { id: request.id }))
      .approveEnrollmentRequest.enrollment.id;
    expect(codes(await mine.parent.client.request(CompleteEnrollmentDocument, { id: enrollmentId }))).toEqual(["FORBIDDEN"]);
    expect(codes(await other.parent.client.request(DropEnrollmentDocument, { id: enrollmentId }))).toEqual(["NOT_FOUND"]);
    expect(data(await mine.parent.client.request(DropEnrollmentDocument, { id: enrollmentId })).dropEnrollment.status).toBe("DROPPED");
  });

  it("refuses unknown ids, unpublished and ended courses, and malformed ids", async () => {
    const { parent, childIds } = await school.family(1);
    const unknown = "00000000-0000-4000-8000-000000000000";
    expect(
      codes(await parent.client.request(RequestEnrollmentDocument, { input: { courseId: unknown, participantId: childIds[0]! } })),
    ).toEqual(["NOT_FOUND"]);
    const courseId = await school.createCourse();
    expect(codes(await parent.client.request(RequestEnrollmentDocument, { input: { courseId, participantId: unknown } }))).toEqual([
      "NOT_FOUND",
    ]);
    const draft = await school.createCourse({ isPublished: false });
    expect(
      codes(await parent.client.request(RequestEnrollmentDocument, { input: { courseId: draft, participantId: childIds[0]! } })),
    ).toEqual(["NOT_FOUND"]);
    const ended = await school.createCourse({ startsOn: "2020-01-01", endsOn: "2020-02-01" });
    expect(
      codes(await parent.client.request(RequestEnrollmentDocument, { input: { courseId: ended, participantId: childIds[0]! } })),
    ).toEqual(["CONFLICT"]);
    expect(codes(await school.admin.client.request(ApproveEnrollmentRequestDocument, { id: unknown }))).toEqual(["NOT_FOUND"]);
    // A malformed id in the document fails validation; in variables, input coercion (both 400).
    const literal = await school.admin.client.raw({ query: 'mutation { approveEnrollmentRequest(id: "nope") { request { id } } }' });
    expect([literal.status, codes(literal)]).toEqual([400, ["GRAPHQL_VALIDATION_FAILED"]]);
    const variable = await school.admin.client.request(ApproveEnrollmentRequestDocument, { id: "nope" });
    expect([variable.status, codes(variable)]).toEqual([400, ["BAD_USER_INPUT"]]);
  });

  it("lists what each viewer may see", async () => {
    const courseId = await school.createCourse();
    const a = await school.family(1);
    const b = await school.family(1);
    await school.enroll(courseId, a.childIds[0]!);
    await school.enroll(courseId, b.childIds[0]!);
    const forA = data(await a.parent.client.request(EnrollmentsDocument, { filter: { courseId } })).enrollments;
    expect(forA.nodes.map((e) => (e.participant as { id: string }).id)).toEqual([a.childIds[0]]);
    const forStaff = data(await school.admin.client.request(EnrollmentsDocument, { filter: { courseId } })).enrollments;
    expect(forStaff.totalCount).toBe(2);
    const forInstructor = data(await school.instructor.client.request(EnrollmentsDocument, { filter: { courseId } })).enrollments;
    expect(forInstructor.totalCount).toBe(2);
    const otherInstructor = await t.fixtures.member(school.tenant, ["INSTRUCTOR"]);
    expect(data(await otherInstructor.client.request(EnrollmentsDocument, { filter: { courseId } })).enrollments.totalCount).toBe(0);
    const page = data(await school.admin.client.request(EnrollmentsDocument, { filter: { courseId }, first: 1 })).enrollments;
    const next = data(
      await school.admin.client.request(EnrollmentsDocument, { filter: { courseId }, first: 1, after: page.pageInfo.endCursor }),
    ).enrollments;
    expect(new Set([page.nodes[0]!.id, next.nodes[0]!.id]).size).toBe(2);
  });
});

describe("cancelled lectures and exams", () => {
  it("cancelling a lecture notifies every enrolled family", async () => {
    const courseId = await school.createCourse({ name: "Drawing" });
    const a = await school.family(1);
    const student = await school.student();
    await school.enroll(courseId, a.childIds[0]!);
    await school.enroll(courseId, student.studentId);
    const lecture = data(
      await school.instructor.client.request(CreateLectureDocument, { courseId, input: { date: "2099-02-01", startTime: "15:00" } }),
    ).createLecture;
    data(await school.instructor.client.request(CancelLectureDocument, { id: lecture.id }));
    for (const userId of [a.parent.user.id, student.user.id]) {
      const kinds = (await notificationsOf(userId)).map((row) => row.kind);
      expect(kinds).toContain("LECTURE_CANCELLED");
    }
    const [row] = (await notificationsOf(student.user.id)).filter((r) => r.kind === "LECTURE_CANCELLED");
    expect(row!.body).toMatch(/Drawing lecture of 2099-02-01 at 15:00 is cancelled/);
  });

  it("records exam results for enrolled participants; families see only their own", async () => {
    const courseId = await school.createCourse();
    const a = await school.family(1);
    const b = await school.family(1);
    await school.enroll(courseId, a.childIds[0]!);
    await school.enroll(courseId, b.childIds[0]!);
    const outsider = await school.family(1);
    const exam = data(
      await school.instructor.client.request(CreateExamDocument, {
        courseId,
        input: { title: "Midterm", date: "2099-02-10", maxScore: "20" },
      }),
    ).createExam;
    const results = [
      { participantId: a.childIds[0]!, score: "18.5" },
      { participantId: b.childIds[0]!, score: "12" },
    ];
    data(await school.instructor.client.request(RecordExamResultsDocument, { examId: exam.id, results }));
    const tooHigh = await school.instructor.client.request(RecordExamResultsDocument, {
      examId: exam.id,
      results: [{ participantId: a.childIds[0]!, score: "21" }],
    });
    expect(codes(tooHigh)).toEqual(["BAD_USER_INPUT"]);
    expect(tooHigh.errors?.[0]?.message).toMatch(/Row 1/);
    const notEnrolled = await school.instructor.client.request(RecordExamResultsDocument, {
      examId: exam.id,
      results: [
        { participantId: a.childIds[0]!, score: "10" },
        { participantId: outsider.childIds[0]!, score: "10" },
      ],
    });
    expect(codes(notEnrolled)).toEqual(["BAD_USER_INPUT"]);
    expect(notEnrolled.errors?.[0]?.message).toMatch(/Row 2/);
    // All or nothing: the first row of the refused batch was not saved.
    const staffView = data(await school.admin.client.request(CourseExamsDocument, { id: courseId })).course.exams[0]!;
    expect(staffView.results.map((r) => r.score).sort()).toEqual(["12.00", "18.50"]);
    const parentView = data(await a.parent.client.request(CourseExamsDocument, { id: courseId })).course.exams[0]!;
    expect(parentView.results).toEqual([{ score: "18.50", participant: { id: a.childIds[0], firstName: "Kid0" } }]);
    expect(
      codes(await a.parent.client.request(CreateExamDocument, { courseId, input: { title: "X", date: "2099-01-01", maxScore: "10" } })),
    ).toEqual(["FORBIDDEN"]);
    expect(
      codes(await school.admin.client.request(CreateExamDocument, { courseId, input: { title: "X", date: "2099-01-01", maxScore: "0" } })),
    ).toEqual(["BAD_USER_INPUT"]);
  });
});

describe("recording many exam results at once", () => {
  it("30 results cost the same statements as 5 (students and children alike)", async () => {
    const courseId = await school.createCourse({ name: "Big exam", capacity: 40 });
    const family = await school.family(29);
    for (const child of family.childIds) await school.enroll(courseId, child, family.parent);
    const pupil = await school.student();
    await school.enroll(courseId, pupil.studentId, pupil);
    const exam = data(
      await school.instructor.client.request(CreateExamDocument, {
        courseId,
        input: { title: "Final", date: "2099-03-01", maxScore: "20" },
      }),
    ).createExam;
    const record = (who: string[]) =>
      school.instructor.client.request(RecordExamResultsDocument, {
        examId: exam.id,
        results: who.map((participantId, i) => ({ participantId, score: String(i % 21) })),
      });
    const small = await record([...family.childIds.slice(0, 4), pupil.studentId]);
    const large = await record([...family.childIds, pupil.studentId]);
    expect(data(small).recordExamResults).toHaveLength(5);
    expect(data(large).recordExamResults.map((r) => r.score)).toEqual([...family.childIds, pupil.studentId].map((_, i) => `${i % 21}.00`));
    expectFlatStatements(small, large);
  });
});

describe("nested fields without N+1", () => {
  it("a page of 25 enrolments with course, instructor, participant and payments costs the same SQL statements as a page of 5", async () => {
    const s = await createSchool(t);
    const courseIds = [await s.createCourse(), await s.createCourse(), await s.createCourse()];
    for (let i = 0; i < 9; i++) {
      const family = await s.family(3);
      for (const [index, childId] of family.childIds.entries()) {
        const enrollmentId = await s.enroll(courseIds[(i + index) % 3]!, childId);
        if (index === 0) {
          data(
            await s.admin.client.request(RecordManualPaymentDocument, {
              input: { enrollmentId, amount: "100.00", idempotencyKey: `n1-${enrollmentId}` },
            }),
          );
        }
      }
    }
    const five = await s.admin.client.request(EnrollmentsWithRelationsDocument, { first: 5 });
    const many = await s.admin.client.request(EnrollmentsWithRelationsDocument, { first: 25 });
    expect(data(many).enrollments.nodes).toHaveLength(25);
    expect(data(many).enrollments.nodes.some((e) => e.payments.length === 1 && e.amountPaid?.amount === "100.00")).toBe(true);
    expectFlatStatements(five, many);
  });
});

describe("capacity under concurrency", () => {
  it("60 approvals racing for 10 places enrol exactly 10", async () => {
    const courseId = await school.createCourse({ capacity: 10, name: "Race" });
    const requestIds: string[] = [];
    for (let i = 0; i < 6; i++) {
      const family = await school.family(10);
      for (const childId of family.childIds) {
        const request = data(
          await family.parent.client.request(RequestEnrollmentDocument, { input: { courseId, participantId: childId } }),
        );
        requestIds.push(request.requestEnrollment.id);
      }
    }
    const results = await Promise.all(requestIds.map((id) => school.admin.client.request(ApproveEnrollmentRequestDocument, { id })));
    const ok = results.filter((r) => !r.errors);
    const conflicts = results.filter((r) => codes(r)[0] === "CONFLICT");
    expect(ok).toHaveLength(10);
    expect(conflicts).toHaveLength(50);
    const [active] = await t.deps.database.db
      .select({ n: sql<number>`count(*)::int` })
      .from(enrollments)
      .where(and(eq(enrollments.courseId, courseId), eq(enrollments.status, "ACTIVE")));
    expect(active!.n).toBe(10);
    const [course] = await t.deps.database.db.select().from(courses).where(eq(courses.id, courseId));
    expect(course!.activeEnrollments).toBe(10);
  });
});
