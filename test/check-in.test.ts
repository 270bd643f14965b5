import { randomUUID } from "node:crypto";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { eq } from "drizzle-orm";
import { print } from "graphql";
import { beforeAll, describe, expect, it } from "vitest";
import { lectureAttendance, lectures } from "../drizzle/schema";
import { codeStep, lectureCode } from "../server/auth/check-in-codes";
import { localDate, localTime } from "../server/time";
import {
  CheckInCodeDocument,
  CheckInDocument,
  CheckInMyselfDocument,
  LectureCheckInCodeDocument,
  RegisterDeviceDocument,
  RevokeCheckInCodeDocument,
  UpdateAttendanceSettingsDocument,
} from "./sdk/graphql";
import { codes, data, type Result } from "./helpers/client";
import type { SignedIn } from "./helpers/fixtures";
import { createSchool, type Family, type School } from "./helpers/school";
import { useTestServer } from "./helpers/server";

const t = useTestServer();
let school: School;
let courseId: string;
let otherCourseId: string;
let family: Family;
let student: SignedIn & { studentId: string };
let lectureNow: string;
let lateLecture: string;
let futureLecture: string;
let deviceToken: string;

/** A lecture of the course starting `minutesAgo` before now (tenant zone), inserted directly. */
async function lectureStarted(course: string, minutesAgo: number, tenantId = school.tenant.id, duration = 90) {
  const start = new Date(Date.now() - minutesAgo * 60_000);
  const [row] = await t.deps.database.db
    .insert(lectures)
    .values({
      tenantId,
      courseId: course,
      date: localDate(start, "Africa/Cairo"),
      startTime: localTime(start, "Africa/Cairo"),
      durationMinutes: duration,
    })
    .returning();
  return row!.id;
}

/** A request as the tenant's attendance device. */
function asDevice<TData, TVars>(document: TypedDocumentNode<TData, TVars>, variables: TVars, token = deviceToken): Promise<Result<TData>> {
  return t.client().raw({ query: print(document), variables }, { headers: { authorization: `Device ${token}` } });
}

const reason = (result: Result<unknown>) => result.errors?.[0]?.extensions?.reason;

beforeAll(async () => {
  school = await createSchool(t);
  courseId = await school.createCourse({ name: "Swimming" });
  otherCourseId = await school.createCourse({ name: "Drawing" });
  family = await school.family(2);
  student = await school.student();
  await school.enroll(courseId, family.childIds[0]!);
  await school.enroll(courseId, family.childIds[1]!);
  await school.enroll(courseId, student.studentId);
  await school.enroll(otherCourseId, student.studentId);
  lectureNow = await lectureStarted(courseId, 5);
  lateLecture = await lectureStarted(otherCourseId, 25);
  futureLecture = await lectureStarted(courseId, -3 * 24 * 60);
  deviceToken = data(await school.admin.client.request(RegisterDeviceDocument, { name: "Door" })).registerDevice.token;
});

describe("QR codes", () => {
  it("who acts for a participant gets their code; it holds ids and a version, no personal data", async () => {
    const code = data(await family.parent.client.request(CheckInCodeDocument, { participantId: family.childIds[0]! })).checkInCode;
    expect(code).toMatchObject({ participantId: family.childIds[0], version: 1 });
    const payload = JSON.parse(Buffer.from(code.token.split(".")[1]!, "base64url").toString());
    expect(Object.keys(payload).sort()).toEqual(["iat", "pid", "tid", "v"]);
    expect(payload).toMatchObject({ tid: school.tenant.id, pid: family.childIds[0], v: 1 });
    expect(data(await student.client.request(CheckInCodeDocument, { participantId: student.studentId })).checkInCode.version).toBe(1);
    data(await school.admin.client.request(CheckInCodeDocument, { participantId: family.childIds[0]! }));

    const stranger = await school.family(1);
    expect(codes(await stranger.parent.client.request(CheckInCodeDocument, { participantId: family.childIds[0]! }))).toEqual(["FORBIDDEN"]);
    expect(codes(await student.client.request(RevokeCheckInCodeDocument, { participantId: family.childIds[0]! }))).toEqual(["FORBIDDEN"]);
    expect(
      codes(await t.client({ tenant: school.tenant.slug }).request(CheckInCodeDocument, { participantId: student.studentId })),
    ).toEqual(["UNAUTHENTICATED"]);
    const other = await createSchool(t);
    expect(codes(await other.admin.client.request(CheckInCodeDocument, { participantId: student.studentId }))).toEqual(["NOT_FOUND"]);
  });
});

describe("checking in at the door", () => {
  it("a device scan marks PRESENT for the lecture happening now; scanning again changes nothing", async () => {
    const { token } = data(await family.parent.client.request(CheckInCodeDocument, { participantId: family.childIds[0]! })).checkInCode;
    const first = data(await asDevice(CheckInDocument, { token })).checkIn;
    expect(first).toMatchObject({
      alreadyCheckedIn: false,
      lecture: { id: lectureNow },
      mark: { status: "PRESENT", minutesLate: null, source: "CHECK_IN", participant: { id: family.childIds[0] } },
    });
    const again = data(await asDevice(CheckInDocument, { token })).checkIn;
    expect(again).toMatchObject({ alreadyCheckedIn: true, mark: { id: first.mark.id, status: "PRESENT" } });
    const rows = await t.deps.database.db.select().from(lectureAttendance).where(eq(lectureAttendance.lectureId, lectureNow));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ markedBy: null, rating: null });
  });

  it("past the tenant's grace the mark is LATE with the minutes; staff can name the lecture", async () => {
    const { token } = data(await student.client.request(CheckInCodeDocument, { participantId: student.studentId })).checkInCode;
    const late = data(await school.admin.client.request(CheckInDocument, { token, lectureId: lateLecture })).checkIn;
    expect(late.mark.status).toBe("LATE");
    expect(late.mark.minutesLate).toBeGreaterThanOrEqual(24);
    expect(late.mark.minutesLate).toBeLessThanOrEqual(26);
    // With a 30-minute grace, the instructor's scan of another lecture begun 5 minutes ago is PRESENT.
    data(await school.admin.client.request(UpdateAttendanceSettingsDocument, { input: { lateGraceMinutes: 30 } }));
    const kid = data(await family.parent.client.request(CheckInCodeDocument, { participantId: family.childIds[1]! })).checkInCode;
    const present = data(await school.instructor.client.request(CheckInDocument, { token: kid.token, lectureId: lectureNow })).checkIn;
    expect(present.mark).toMatchObject({ status: "PRESENT", source: "CHECK_IN" });
    data(await school.admin.client.request(UpdateAttendanceSettingsDocument, { input: { lateGraceMinutes: 10 } }));
  });

  it("an ABSENT mark is replaced by a check-in (they came after all)", async () => {
    const course = await school.createCourse({ name: "Judo" });
    const kids = await school.family(1);
    await school.enroll(course, kids.childIds[0]!);
    const lecture = await lectureStarted(course, 15);
    await t.deps.database.db
      .insert(lectureAttendance)
      .values({ tenantId: school.tenant.id, lectureId: lecture, childId: kids.childIds[0]!, status: "ABSENT", source: "MANUAL" });
    const { token } = data(await kids.parent.client.request(CheckInCodeDocument, { participantId: kids.childIds[0]! })).checkInCode;
    const result = data(await asDevice(CheckInDocument, { token, lectureId: lecture })).checkIn;
    expect(result).toMatchObject({ alreadyCheckedIn: false, mark: { status: "LATE", minutesLate: 15 } });
  });

  it("refuses forged, garbled, revoked and other tenants' codes with a typed reason", async () => {
    const { token } = data(await family.parent.client.request(CheckInCodeDocument, { participantId: family.childIds[1]! })).checkInCode;
    const [header, payload, signature] = token.split(".") as [string, string, string];
    const forgedPayload = Buffer.from(JSON.stringify({ tid: school.tenant.id, pid: student.studentId, v: 1, iat: 1 })).toString(
      "base64url",
    );
    const flipped = `${signature.slice(0, -2)}${signature.endsWith("AA") ? "BB" : "AA"}`;
    const unsigned = `${Buffer.from(JSON.stringify({ alg: "none", typ: "roster-check-in" })).toString("base64url")}.${payload}.`;
    for (const bad of [
      `${header}.${forgedPayload}.${signature}`,
      `${header}.${payload}.${flipped}`,
      unsigned,
      "not a token",
      "x".repeat(3000),
    ]) {
      const result = await asDevice(CheckInDocument, { token: bad });
      expect(codes(result), bad.slice(0, 40)).toEqual(["FORBIDDEN"]);
      expect(reason(result)).toBe("INVALID_CHECK_IN_CODE");
    }
    // Revoked: the old code stops working, the new one works.
    const renewed = data(
      await family.parent.client.request(RevokeCheckInCodeDocument, { participantId: family.childIds[1]! }),
    ).revokeCheckInCode;
    expect(renewed.version).toBe(2);
    expect(reason(await asDevice(CheckInDocument, { token }))).toBe("INVALID_CHECK_IN_CODE");
    expect(data(await asDevice(CheckInDocument, { token: renewed.token })).checkIn.alreadyCheckedIn).toBe(true);
    // Another tenant's code, scanned here, and ours scanned there.
    const other = await createSchool(t);
    const otherStudent = await other.student();
    const theirs = data(await otherStudent.client.request(CheckInCodeDocument, { participantId: otherStudent.studentId })).checkInCode;
    expect(reason(await asDevice(CheckInDocument, { token: theirs.token }))).toBe("INVALID_CHECK_IN_CODE");
    const theirDevice = data(await other.admin.client.request(RegisterDeviceDocument, { name: "Other door" })).registerDevice.token;
    expect(reason(await asDevice(CheckInDocument, { token: renewed.token }, theirDevice))).toBe("INVALID_CHECK_IN_CODE");
  });

  it("refuses participants not enrolled, lectures not happening now, and people who may not scan", async () => {
    const outsider = await school.family(1);
    const { token } = data(await outsider.parent.client.request(CheckInCodeDocument, { participantId: outsider.childIds[0]! })).checkInCode;
    const notEnrolled = await asDevice(CheckInDocument, { token });
    expect(codes(notEnrolled)).toEqual(["FORBIDDEN"]);
    expect(reason(notEnrolled)).toBe("NOT_ENROLLED");
    expect(notEnrolled.errors?.[0]?.message).toMatch(/Kid0 Test is not enrolled/);
    expect(reason(await asDevice(CheckInDocument, { token, lectureId: lectureNow }))).toBe("NOT_ENROLLED");

    const kid = data(await family.parent.client.request(CheckInCodeDocument, { participantId: family.childIds[0]! })).checkInCode.token;
    const notNow = await asDevice(CheckInDocument, { token: kid, lectureId: futureLecture });
    expect(codes(notNow)).toEqual(["CONFLICT"]);
    expect(reason(notNow)).toBe("NOT_NOW");

    expect(codes(await family.parent.client.request(CheckInDocument, { token: kid }))).toEqual(["FORBIDDEN"]);
    expect(codes(await student.client.request(CheckInDocument, { token: kid }))).toEqual(["FORBIDDEN"]);
    const otherInstructor = await t.fixtures.member(school.tenant, ["INSTRUCTOR"]);
    expect(codes(await otherInstructor.client.request(CheckInDocument, { token: kid, lectureId: lectureNow }))).toEqual(["FORBIDDEN"]);
    expect(codes(await t.client({ tenant: school.tenant.slug }).request(CheckInDocument, { token: kid }))).toEqual(["UNAUTHENTICATED"]);
    expect(codes(await asDevice(CheckInDocument, { token: kid, lectureId: randomUUID() }))).toEqual(["NOT_FOUND"]);

    // A tenant where nothing is happening now.
    const quiet = await createSchool(t);
    const quietStudent = await quiet.student();
    await quiet.enroll(await quiet.createCourse(), quietStudent.studentId);
    const quietToken = data(await quietStudent.client.request(CheckInCodeDocument, { participantId: quietStudent.studentId })).checkInCode
      .token;
    const nothing = await quiet.admin.client.request(CheckInDocument, { token: quietToken });
    expect(codes(nothing)).toEqual(["CONFLICT"]);
    expect(reason(nothing)).toBe("NO_CURRENT_LECTURE");
  });
});

describe("self check-in with the lecture's rotating code", () => {
  it("is off by default; when on, a student checks in with this step's or the previous step's code, not older", async () => {
    const course = await school.createCourse({ name: "Debate" });
    const pupil = await school.student();
    await school.enroll(course, pupil.studentId);
    const lecture = await lectureStarted(course, 2);
    const {
      code,
      validUntil,
      lecture: shown,
    } = data(await asDevice(LectureCheckInCodeDocument, { lectureId: lecture })).lectureCheckInCode;
    expect(code).toMatch(/^\d{8}$/);
    expect(shown.id).toBe(lecture);
    expect(new Date(validUntil).getTime() - Date.now()).toBeLessThanOrEqual(30_000);

    const off = await pupil.client.request(CheckInMyselfDocument, { code });
    expect(codes(off)).toEqual(["FORBIDDEN"]);
    expect(reason(off)).toBe("SELF_CHECK_IN_OFF");
    data(await school.admin.client.request(UpdateAttendanceSettingsDocument, { input: { selfCheckIn: true } }));

    const step = codeStep(new Date());
    const old = lectureCode(t.deps.signingKey, school.tenant.id, lecture, step - 3);
    const expired = await pupil.client.request(CheckInMyselfDocument, { code: old });
    expect(codes(expired)).toEqual(["BAD_USER_INPUT"]);
    expect(reason(expired)).toBe("INVALID_CODE");
    for (const bad of ["1234", "abcdefgh", ""]) {
      expect(codes(await pupil.client.request(CheckInMyselfDocument, { code: bad }))).toEqual(["BAD_USER_INPUT"]);
    }
    const previous = lectureCode(t.deps.signingKey, school.tenant.id, lecture, step - 1);
    const done = data(await pupil.client.request(CheckInMyselfDocument, { code: previous })).checkInMyself;
    expect(done).toMatchObject({ alreadyCheckedIn: false, lecture: { id: lecture }, mark: { status: "PRESENT", source: "SELF_CHECK_IN" } });
    const current = data(await school.instructor.client.request(LectureCheckInCodeDocument, { lectureId: lecture })).lectureCheckInCode
      .code;
    expect(data(await pupil.client.request(CheckInMyselfDocument, { code: current })).checkInMyself.alreadyCheckedIn).toBe(true);

    // Only the lecture's own students; parents and other lectures' codes do not work.
    const outsider = await school.student();
    expect(reason(await outsider.client.request(CheckInMyselfDocument, { code: current }))).toBe("INVALID_CODE");
    expect(codes(await family.parent.client.request(CheckInMyselfDocument, { code: current }))).toEqual(["FORBIDDEN"]);
    expect(codes(await family.parent.client.request(LectureCheckInCodeDocument, { lectureId: lecture }))).toEqual(["FORBIDDEN"]);
    expect(codes(await student.client.request(LectureCheckInCodeDocument, { lectureId: lecture }))).toEqual(["FORBIDDEN"]);
    data(await school.admin.client.request(UpdateAttendanceSettingsDocument, { input: { selfCheckIn: false } }));
  });

  it("wrong codes count against the student: once spent, even the right code waits; other students go on", async () => {
    const course = await school.createCourse({ name: "Chess" });
    const [pupil, classmate] = [await school.student(), await school.student()];
    await school.enroll(course, pupil.studentId);
    await school.enroll(course, classmate.studentId);
    const lecture = await lectureStarted(course, 2);
    data(await school.admin.client.request(UpdateAttendanceSettingsDocument, { input: { selfCheckIn: true } }));
    const limiter = t.deps.rateLimits.login;
    const key = `check-in:${school.tenant.id}:${pupil.user.id}`;
    const current = () => lectureCode(t.deps.signingKey, school.tenant.id, lecture, codeStep(new Date()));

    const wrong = current() === "00000000" ? "00000001" : "00000000";
    expect(reason(await pupil.client.request(CheckInMyselfDocument, { code: wrong }))).toBe("INVALID_CODE");
    expect((await limiter.get(key))?.consumedPoints).toBe(1);
    // Badly formed codes are refused before they count.
    expect(codes(await pupil.client.request(CheckInMyselfDocument, { code: "12" }))).toEqual(["BAD_USER_INPUT"]);
    expect((await limiter.get(key))?.consumedPoints).toBe(1);

    await limiter.penalty(key, limiter.points);
    const refused = await pupil.client.request(CheckInMyselfDocument, { code: current() });
    expect(codes(refused)).toEqual(["RATE_LIMITED"]);
    expect(refused.errors?.[0]?.extensions?.retryAfter).toBeGreaterThan(0);
    expect(data(await classmate.client.request(CheckInMyselfDocument, { code: current() })).checkInMyself.mark.status).toBe("PRESENT");

    await limiter.delete(key);
    expect(data(await pupil.client.request(CheckInMyselfDocument, { code: current() })).checkInMyself.mark.status).toBe("PRESENT");
    data(await school.admin.client.request(UpdateAttendanceSettingsDocument, { input: { selfCheckIn: false } }));
  });
});
