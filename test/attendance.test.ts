import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { lectureAttendance, notifications } from "../drizzle/schema";
import {
  CancelLectureDocument,
  CourseAttendanceDocument,
  CreateLectureDocument,
  DevicesDocument,
  DropEnrollmentDocument,
  InstructorsDocument,
  LectureAttendanceDocument,
  MarkAttendanceDocument,
  MeDocument,
  ParticipantAttendanceDocument,
  RateInstructorDocument,
  RegisterDeviceDocument,
  RevokeDeviceDocument,
} from "./sdk/graphql";
import { codes, data, expectFlatStatements } from "./helpers/client";
import type { SignedIn } from "./helpers/fixtures";
import { createSchool, type Family, type School } from "./helpers/school";
import { useTestServer } from "./helpers/server";

let school: School;
let courseId: string;
let family: Family;
let student: SignedIn & { studentId: string };
let lectureIds: string[];

async function addLecture(date: string, course = courseId, as = school.instructor) {
  return data(await as.client.request(CreateLectureDocument, { courseId: course, input: { date, startTime: "10:00" } })).createLecture.id;
}

const t = useTestServer();
beforeAll(async () => {
  school = await createSchool(t);
  courseId = await school.createCourse({ name: "Robotics" });
  family = await school.family(2);
  student = await school.student();
  await school.enroll(courseId, family.childIds[0]!);
  await school.enroll(courseId, family.childIds[1]!);
  await school.enroll(courseId, student.studentId);
  lectureIds = [await addLecture("2099-01-10"), await addLecture("2099-01-17"), await addLecture("2099-01-24")];
});

describe("marking a lecture", () => {
  it("the instructor marks a whole lecture; it becomes attendanceTaken; absent families are notified", async () => {
    const result = data(
      await school.instructor.client.request(MarkAttendanceDocument, {
        lectureId: lectureIds[0]!,
        marks: [
          { participantId: family.childIds[0]!, present: true, rating: "8.5", notes: "Great focus" },
          { participantId: family.childIds[1]!, present: false },
          { participantId: student.studentId, present: true, rating: "10" },
        ],
      }),
    ).markAttendance;
    expect(result.lecture.attendanceTaken).toBe(true);
    expect(result.marks.map((m) => [m.present, m.rating, m.source])).toEqual([
      [true, "8.50", "MANUAL"],
      [false, null, "MANUAL"],
      [true, "10.00", "MANUAL"],
    ]);
    expect(result.marks[0]!.markedBy?.id).toBe(school.instructor.user.id);
    const rows = await t.deps.database.db.select().from(notifications).where(eq(notifications.userId, family.parent.user.id));
    expect(rows.filter((row) => row.kind === "ATTENDANCE_ABSENT").map((row) => row.body)).toEqual([
      "Kid1 Test was marked absent from Robotics on 2099-01-10.",
    ]);
  });

  it("re-marking updates the marks (markedBy, markedAt) instead of adding rows", async () => {
    const first = data(
      await school.instructor.client.request(MarkAttendanceDocument, {
        lectureId: lectureIds[1]!,
        marks: [{ participantId: student.studentId, present: false }],
      }),
    ).markAttendance.marks[0]!;
    const second = data(
      await school.admin.client.request(MarkAttendanceDocument, {
        lectureId: lectureIds[1]!,
        marks: [{ participantId: student.studentId, present: true, rating: "7" }],
      }),
    ).markAttendance.marks[0]!;
    expect(second.id).toBe(first.id);
    expect(second).toMatchObject({ present: true, rating: "7.00", markedBy: { id: school.admin.user.id } });
    expect(new Date(second.markedAt) >= new Date(first.markedAt)).toBe(true);
    const rows = await t.deps.database.db.select().from(lectureAttendance).where(eq(lectureAttendance.lectureId, lectureIds[1]!));
    expect(rows).toHaveLength(1);
  });

  it("names the bad row, and writes nothing when one row is bad", async () => {
    const lectureId = lectureIds[2]!;
    const cases: [object[], RegExp][] = [
      [[{ participantId: student.studentId, present: true }], /Row 1.*rating.*required/],
      [
        [
          { participantId: family.childIds[0]!, present: true, rating: "8" },
          { participantId: student.studentId, present: true, rating: "10.5" },
        ],
        /Row 2.*10\.5/,
      ],
      [[{ participantId: student.studentId, present: true, rating: "0.99" }], /Row 1/],
      [[{ participantId: student.studentId, present: false, rating: "5" }], /Row 1.*absent/],
      [
        [
          { participantId: student.studentId, present: false },
          { participantId: student.studentId, present: false },
        ],
        /Row 2.*row 1/,
      ],
      [[{ participantId: "00000000-0000-4000-8000-000000000000", present: false }], /Row 1.*unknown/],
    ];
    for (const [marks, message] of cases) {
      const result = await school.instructor.client.request(MarkAttendanceDocument, { lectureId, marks: marks as never });
      expect(codes(result)).toEqual(["BAD_USER_INPUT"]);
      expect(result.errors?.[0]?.message).toMatch(message);
    }
    const outsider = await school.family(1);
    const notEnrolled = await school.instructor.client.request(MarkAttendanceDocument, {
      lectureId,
      marks: [
        { participantId: family.childIds[0]!, present: false },
        { participantId: outsider.childIds[0]!, present: false },
      ],
    });
    expect(codes(notEnrolled)).toEqual(["BAD_USER_INPUT"]);
    expect(notEnrolled.errors?.[0]?.message).toMatch(/Row 2.*not enrolled/);
    expect(notEnrolled.errors?.[0]?.extensions?.row).toBe(2);
    expect(codes(await school.instructor.client.request(MarkAttendanceDocument, { lectureId, marks: [] }))).toEqual(["BAD_USER_INPUT"]);
    const rows = await t.deps.database.db.select().from(lectureAttendance).where(eq(lectureAttendance.lectureId, lectureId));
    expect(rows).toEqual([]);
  });

  it("refuses dropped participants, cancelled lectures, and people who do not teach the course", async () => {
    const course = await school.createCourse();
    const kids = await school.family(1);
    const enrollmentId = await school.enroll(course, kids.childIds[0]!);
    const lecture = await addLecture("2099-02-01", course);
    data(await school.admin.client.request(DropEnrollmentDocument, { id: enrollmentId }));
    const dropped = await school.instructor.client.request(MarkAttendanceDocument, {
      lectureId: lecture,
      marks: [{ participantId: kids.childIds[0]!, present: false }],
    });
    expect(codes(dropped)).toEqual(["BAD_USER_INPUT"]);

    const cancelled = await addLecture("2099-02-08");
    data(await school.instructor.client.request(CancelLectureDocument, { id: cancelled }));
    const onCancelled = await school.instructor.client.request(MarkAttendanceDocument, {
      lectureId: cancelled,
      marks: [{ participantId: student.studentId, present: false }],
    });
    expect(codes(onCancelled)).toEqual(["CONFLICT"]);

    const marks = [{ participantId: student.studentId, present: false }];
    const otherInstructor = await t.fixtures.member(school.tenant, ["INSTRUCTOR"]);
    expect(codes(await otherInstructor.client.request(MarkAttendanceDocument, { lectureId: lectureIds[2]!, marks }))).toEqual([
      "FORBIDDEN",
    ]);
    expect(codes(await family.parent.client.request(MarkAttendanceDocument, { lectureId: lectureIds[2]!, marks }))).toEqual(["FORBIDDEN"]);
    expect(
      codes(await t.client({ tenant: school.tenant.slug }).request(MarkAttendanceDocument, { lectureId: lectureIds[2]!, marks })),
    ).toEqual(["UNAUTHENTICATED"]);
    const otherSchool = await createSchool(t);
    expect(codes(await otherSchool.admin.client.request(MarkAttendanceDocument, { lectureId: lectureIds[2]!, marks }))).toEqual([
      "NOT_FOUND",
    ]);
  });
});

describe("marking many at once", () => {
  it("a class of 12 costs the same statements as a class of 2 (students and children alike)", async () => {
    const courseId = await school.createCourse({ name: "Big class" });
    const families = [];
    for (let i = 0; i < 6; i++) families.push(await school.family(2));
    const participants = families.flatMap((f) => f.childIds);
    for (const [i, child] of participants.entries()) await school.enroll(courseId, child, families[Math.floor(i / 2)]!.parent);
    const pupil = await school.student();
    await school.enroll(courseId, pupil.studentId, pupil);
    const lecture = (date: string) =>
      school.instructor.client
        .request(CreateLectureDocument, { courseId, input: { date, startTime: "10:00" } })
        .then((r) => data(r).createLecture.id);
    const results = [];
    for (const [date, who] of [
      ["2099-05-01", [participants[0]!, pupil.studentId]],
      ["2099-05-02", [...participants, pupil.studentId]],
    ] as const) {
      const result = await school.instructor.client.request(MarkAttendanceDocument, {
        lectureId: await lecture(date),
        marks: who.map((participantId) => ({ participantId, present: true, rating: "8" })),
      });
      expect(data(result).markAttendance.marks.map((m) => (m.participant as { id: string }).id)).toEqual([...who]);
      results.push(result);
    }
    expectFlatStatements(results[0]!, results[1]!);
  });
});

describe("reading attendance", () => {
  it("teachers see every mark of a lecture; a family only its own", async () => {
    const asTeacher = data(
      await school.instructor.client.request(LectureAttendanceDocument, { lectureId: lectureIds[0]! }),
    ).lectureAttendance;
    expect(asTeacher).toHaveLength(3);
    const asParent = data(await family.parent.client.request(LectureAttendanceDocument, { lectureId: lectureIds[0]! })).lectureAttendance;
    expect(asParent.map((m) => (m.participant as { id: string }).id).sort()).toEqual([...family.childIds].sort());
    const asStudent = data(await student.client.request(LectureAttendanceDocument, { lectureId: lectureIds[0]! })).lectureAttendance;
    expect(asStudent.map((m) => (m.participant as { id: string }).id)).toEqual([student.studentId]);
  });

  it("a participant's record and rate; refused to other families", async () => {
    const mine = data(
      await student.client.request(ParticipantAttendanceDocument, { participantId: student.studentId, courseId }),
    ).participantAttendance;
    expect(mine).toMatchObject({ present: 2, absent: 0, rate: 1 });
    const kid = data(
      await family.parent.client.request(ParticipantAttendanceDocument, { participantId: family.childIds[1]! }),
    ).participantAttendance;
    expect(kid).toMatchObject({ present: 0, absent: 1, rate: 0 });
    expect(codes(await family.parent.client.request(ParticipantAttendanceDocument, { participantId: student.studentId }))).toEqual([
      "FORBIDDEN",
    ]);
    data(await school.instructor.client.request(ParticipantAttendanceDocument, { participantId: student.studentId, courseId }));
  });

  it("a course's per-lecture summary for teachers", async () => {
    const summary = data(await school.instructor.client.request(CourseAttendanceDocument, { courseId })).courseAttendance;
    const byId = new Map(summary.lectures.map((row) => [row.lecture.id, row]));
    expect(byId.get(lectureIds[0]!)).toMatchObject({ present: 2, absent: 1, unmarked: 0 });
    expect(byId.get(lectureIds[1]!)).toMatchObject({ present: 1, absent: 0, unmarked: 2, rate: 1 });
    expect(summary.rate).toBeCloseTo(3 / 4);
    expect(codes(await family.parent.client.request(CourseAttendanceDocument, { courseId }))).toEqual(["FORBIDDEN"]);
  });
});

describe("instructor ratings", () => {
  it("an enrolled student or parent rates once per course (again replaces it); the average shows on the instructor", async () => {
    data(await student.client.request(RateInstructorDocument, { input: { courseId, rating: "9", comment: "Clear" } }));
    const again = data(await student.client.request(RateInstructorDocument, { input: { courseId, rating: "7" } })).rateInstructor;
    expect(again.rating).toBe("7.00");
    const byParent = data(await family.parent.client.request(RateInstructorDocument, { input: { courseId, rating: "10" } })).rateInstructor;
    expect(byParent.instructor).toMatchObject({ averageRating: "8.50", ratingCount: 2 });
    const listed = data(await t.client({ tenant: school.tenant.slug }).request(InstructorsDocument, {})).instructors;
    expect(listed.nodes.find((i) => i.id === school.instructor.instructorId)).toBeTruthy();
  });

  it("refuses outsiders and out-of-range ratings", async () => {
    const outsider = await school.family(1);
    expect(codes(await outsider.parent.client.request(RateInstructorDocument, { input: { courseId, rating: "5" } }))).toEqual([
      "FORBIDDEN",
    ]);
    expect(codes(await school.admin.client.request(RateInstructorDocument, { input: { courseId, rating: "5" } }))).toEqual(["FORBIDDEN"]);
    for (const rating of ["0", "10.01", "11", "-1"]) {
      expect(codes(await student.client.request(RateInstructorDocument, { input: { courseId, rating } }))).toEqual(["BAD_USER_INPUT"]);
    }
  });
});

describe("attendance devices", () => {
  it("staff register a device; it marks attendance for its tenant only, and nothing else", async () => {
    const { token, device } = data(await school.admin.client.request(RegisterDeviceDocument, { name: "Front desk tablet" })).registerDevice;
    expect(token).toMatch(/^rdv_/);
    const tablet = t.client();
    const marked = await tablet.raw(
      {
        query: "mutation($l: UUID!, $m: [MarkInput!]!) { markAttendance(lectureId: $l, marks: $m) { marks { source } } }",
        variables: { l: lectureIds[2], m: [{ participantId: student.studentId, present: false }] },
      },
      { headers: { authorization: `Device ${token}` } },
    );
    expect(marked.errors).toBeUndefined();
    expect(marked.data.markAttendance.marks[0].source).toBe("DEVICE");
    const me = await tablet.raw({ query: "{ me { id } }" }, { headers: { authorization: `Device ${token}` } });
    expect(codes(me)).toEqual(["FORBIDDEN"]);
    const otherSchool = await createSchool(t);
    const otherCourse = await otherSchool.createCourse();
    const otherLecture = await addLecture("2099-03-01", otherCourse, otherSchool.instructor);
    const foreign = await tablet.raw(
      {
        query:
          'mutation($l: UUID!) { markAttendance(lectureId: $l, marks: [{participantId: "00000000-0000-4000-8000-000000000000", present: false}]) { lecture { id } } }',
        variables: { l: otherLecture },
      },
      { headers: { authorization: `Device ${token}` } },
    );
    expect(codes(foreign)).toEqual(["NOT_FOUND"]);
    const listed = data(await school.admin.client.request(DevicesDocument)).devices;
    expect(listed.find((d) => d.id === device.id)?.lastSeenAt).toBeTruthy();

    data(await school.admin.client.request(RevokeDeviceDocument, { id: device.id }));
    const revoked = await tablet.raw(
      {
        query:
          'mutation($l: UUID!) { markAttendance(lectureId: $l, marks: [{participantId: "00000000-0000-4000-8000-000000000000", present: false}]) { lecture { id } } }',
        variables: { l: lectureIds[2] },
      },
      { headers: { authorization: `Device ${token}` } },
    );
    expect(codes(revoked)).toEqual(["UNAUTHENTICATED"]);
    expect(codes(await school.admin.client.request(RevokeDeviceDocument, { id: device.id }))).toEqual(["NOT_FOUND"]);
  });

  it("only staff manage devices", async () => {
    expect(codes(await school.instructor.client.request(RegisterDeviceDocument, { name: "x" }))).toEqual(["FORBIDDEN"]);
    expect(codes(await family.parent.client.request(DevicesDocument))).toEqual(["FORBIDDEN"]);
    expect(codes(await school.admin.client.request(RegisterDeviceDocument, { name: " " }))).toEqual(["BAD_USER_INPUT"]);
    data(await school.admin.client.request(MeDocument));
  });
});
