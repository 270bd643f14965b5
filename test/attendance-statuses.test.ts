import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { absenceExcuses, lectureAttendance, lectures, notifications } from "../drizzle/schema";
import { absenceAlerts } from "../server/jobs/absence-alerts";
import { createJobRunner, listJobTenants } from "../server/jobs/runner";
import {
  AbsenceExcusesDocument,
  AcceptAbsenceExcuseDocument,
  AttendanceCountsDocument,
  AttendanceSettingsDocument,
  CourseAttendanceCountsDocument,
  CreateLectureDocument,
  LectureAttendanceDocument,
  LectureSummariesDocument,
  MarkStatusesDocument,
  RejectAbsenceExcuseDocument,
  SubmitAbsenceExcuseDocument,
  UpdateAttendanceSettingsDocument,
} from "./sdk/graphql";
import { codes, data } from "./helpers/client";
import type { SignedIn } from "./helpers/fixtures";
import { createSchool, type Family, type School } from "./helpers/school";
import { useTestServer } from "./helpers/server";

const t = useTestServer();
let school: School;
let courseId: string;
let family: Family;
let student: SignedIn & { studentId: string };

async function addLecture(date: string, course = courseId, as = school.instructor) {
  return data(await as.client.request(CreateLectureDocument, { courseId: course, input: { date, startTime: "10:00" } })).createLecture.id;
}

beforeAll(async () => {
  school = await createSchool(t);
  courseId = await school.createCourse({ name: "Chess" });
  family = await school.family(2);
  student = await school.student();
  await school.enroll(courseId, family.childIds[0]!);
  await school.enroll(courseId, family.childIds[1]!);
  await school.enroll(courseId, student.studentId);
});

describe("statuses", () => {
  it("marks PRESENT, LATE (minutes), ABSENT and EXCUSED (reason); present follows the status", async () => {
    const lectureId = await addLecture("2099-01-05");
    const marks = data(
      await school.instructor.client.request(MarkStatusesDocument, {
        lectureId,
        marks: [
          { participantId: family.childIds[0]!, status: "LATE", minutesLate: 12, rating: "7" },
          { participantId: family.childIds[1]!, status: "EXCUSED", reason: "Dentist" },
          { participantId: student.studentId, present: true, rating: "9" },
        ],
      }),
    ).markAttendance.marks;
    expect(marks.map((m) => [m.status, m.present, m.minutesLate, m.reason, m.rating])).toEqual([
      ["LATE", true, 12, null, "7.00"],
      ["EXCUSED", false, null, "Dentist", null],
      ["PRESENT", true, null, null, "9.00"],
    ]);
    // EXCUSED is no absence: nobody was told of one.
    const told = await t.deps.database.db.select().from(notifications).where(eq(notifications.userId, family.parent.user.id));
    expect(told.filter((row) => row.kind === "ATTENDANCE_ABSENT")).toEqual([]);
  });

  it("refuses inconsistent rows, naming the field", async () => {
    const lectureId = await addLecture("2099-01-06");
    const p = student.studentId;
    const cases: [object, string][] = [
      [{ participantId: p, status: "LATE", rating: "5" }, "marks[0].minutesLate"],
      [{ participantId: p, status: "LATE", minutesLate: 0, rating: "5" }, "marks[0].minutesLate"],
      [{ participantId: p, status: "PRESENT", minutesLate: 3, rating: "5" }, "marks[0].minutesLate"],
      [{ participantId: p, status: "ABSENT", reason: "why" }, "marks[0].reason"],
      [{ participantId: p, status: "EXCUSED", reason: "x".repeat(1001) }, "marks[0].reason"],
      [{ participantId: p, status: "ABSENT", present: true }, "marks[0].present"],
      [{ participantId: p }, "marks[0].status"],
      [{ participantId: p, status: "EXCUSED", rating: "5" }, "marks[0].rating"],
    ];
    for (const [mark, field] of cases) {
      const result = await school.instructor.client.request(MarkStatusesDocument, { lectureId, marks: [mark as never] });
      expect(codes(result), JSON.stringify(mark)).toEqual(["BAD_USER_INPUT"]);
      if (field !== "marks[0].rating") expect(result.errors?.[0]?.extensions?.field).toBe(field);
    }
    const rows = await t.deps.database.db.select().from(lectureAttendance).where(eq(lectureAttendance.lectureId, lectureId));
    expect(rows).toEqual([]);
  });

  it("rates count LATE by the tenant's lateWeight and leave EXCUSED out (Moodle's way)", async () => {
    const course = await school.createCourse({ name: "Rates" });
    const kid = (await school.family(1)).childIds[0]!;
    await school.enroll(course, kid);
    const marks: [string, object][] = [
      ["2099-01-10", { status: "PRESENT", rating: "8" }],
      ["2099-01-11", { status: "LATE", minutesLate: 20, rating: "8" }],
      ["2099-01-12", { status: "ABSENT" }],
      ["2099-01-13", { status: "EXCUSED", reason: "Ill" }],
    ];
    for (const [date, mark] of marks) {
      data(
        await school.instructor.client.request(MarkStatusesDocument, {
          lectureId: await addLecture(date, course),
          marks: [{ participantId: kid, ...mark }],
        }),
      );
    }
    const before = data(await school.admin.client.request(AttendanceCountsDocument, { participantId: kid })).participantAttendance;
    expect(before).toMatchObject({ present: 1, late: 1, absent: 1, excused: 1 });
    expect(before.rate).toBeCloseTo(2 / 3);

    expect(data(await school.admin.client.request(AttendanceSettingsDocument)).attendanceSettings).toEqual({
      lateWeight: "1.00",
      lateGraceMinutes: 10,
      selfCheckIn: false,
    });
    const updated = data(await school.admin.client.request(UpdateAttendanceSettingsDocument, { input: { lateWeight: "0.5" } }));
    expect(updated.updateAttendanceSettings).toMatchObject({ lateWeight: "0.50", lateGraceMinutes: 10 });
    const after = data(await school.admin.client.request(AttendanceCountsDocument, { participantId: kid })).participantAttendance;
    expect(after.rate).toBeCloseTo(1.5 / 3);
    const summary = data(await school.instructor.client.request(CourseAttendanceCountsDocument, { courseId: course })).courseAttendance;
    expect(summary).toMatchObject({ present: 1, late: 1, absent: 1, excused: 1 });
    expect(summary.rate).toBeCloseTo(0.5);
    expect(summary.lectures.map((l) => l.rate)).toEqual([1, 0.5, 0, null]);
    expect(summary.lectures[3]).toMatchObject({ excused: 1, unmarked: 0 });
    // The planned Lecture.attendanceSummary counts the same way, the weight read in its statement.
    const planned = data(await school.instructor.client.request(LectureSummariesDocument, { courseId: course })).course!.lectures.nodes;
    expect(planned.map((l) => l.attendanceSummary)).toEqual([
      { present: 1, late: 0, absent: 0, excused: 0, unmarked: 0, rate: 1 },
      { present: 0, late: 1, absent: 0, excused: 0, unmarked: 0, rate: 0.5 },
      { present: 0, late: 0, absent: 1, excused: 0, unmarked: 0, rate: 0 },
      { present: 0, late: 0, absent: 0, excused: 1, unmarked: 0, rate: null },
    ]);
    data(await school.admin.client.request(UpdateAttendanceSettingsDocument, { input: { lateWeight: "1" } }));
  });

  it("only admins change the settings; bad values are refused; another tenant keeps its defaults", async () => {
    for (const input of [
      { lateWeight: "1.5" },
      { lateWeight: "-0.1" },
      { lateWeight: "abc" },
      { lateGraceMinutes: 121 },
      { lateGraceMinutes: -1 },
    ]) {
      expect(codes(await school.admin.client.request(UpdateAttendanceSettingsDocument, { input })), JSON.stringify(input)).toEqual([
        "BAD_USER_INPUT",
      ]);
    }
    expect(codes(await school.instructor.client.request(UpdateAttendanceSettingsDocument, { input: { selfCheckIn: true } }))).toEqual([
      "FORBIDDEN",
    ]);
    expect(codes(await family.parent.client.request(AttendanceSettingsDocument))).toEqual(["FORBIDDEN"]);
    expect(codes(await t.client({ tenant: school.tenant.slug }).request(AttendanceSettingsDocument))).toEqual(["UNAUTHENTICATED"]);
    data(await school.admin.client.request(UpdateAttendanceSettingsDocument, { input: { lateGraceMinutes: 5 } }));
    const other = await createSchool(t);
    expect(data(await other.admin.client.request(AttendanceSettingsDocument)).attendanceSettings.lateGraceMinutes).toBe(10);
    data(await school.admin.client.request(UpdateAttendanceSettingsDocument, { input: { lateGraceMinutes: 10 } }));
  });
});

describe("absence excuses", () => {
  it("a guardian excuses their child ahead of a lecture; staff accept it and the mark is EXCUSED", async () => {
    const lectureId = await addLecture("2099-02-01");
    const submitted = data(
      await family.parent.client.request(SubmitAbsenceExcuseDocument, {
        input: { lectureId, participantId: family.childIds[0]!, reason: "Family wedding" },
      }),
    ).submitAbsenceExcuse;
    expect(submitted).toMatchObject({ status: "PENDING", reason: "Family wedding", participant: { id: family.childIds[0] } });
    // While pending, submitting again replaces the reason (same excuse).
    const again = data(
      await family.parent.client.request(SubmitAbsenceExcuseDocument, {
        input: { lectureId, participantId: family.childIds[0]!, reason: "Family wedding abroad" },
      }),
    ).submitAbsenceExcuse;
    expect(again.id).toBe(submitted.id);

    const pending = data(await school.admin.client.request(AbsenceExcusesDocument, { status: "PENDING" })).absenceExcuses.nodes;
    expect(pending.map((e) => e.id)).toContain(submitted.id);
    const mine = data(await family.parent.client.request(AbsenceExcusesDocument, {})).absenceExcuses.nodes;
    expect(mine.map((e) => e.id)).toEqual([submitted.id]);
    expect(data(await student.client.request(AbsenceExcusesDocument, {})).absenceExcuses.nodes).toEqual([]);
    const byInstructor = data(await school.instructor.client.request(AbsenceExcusesDocument, { lectureId })).absenceExcuses.nodes;
    expect(byInstructor.map((e) => e.id)).toEqual([submitted.id]);

    // The family cannot decide its own excuse.
    expect(codes(await family.parent.client.request(AcceptAbsenceExcuseDocument, { id: submitted.id }))).toEqual(["FORBIDDEN"]);
    const accepted = data(
      await school.instructor.client.request(AcceptAbsenceExcuseDocument, { id: submitted.id, note: "Enjoy" }),
    ).acceptAbsenceExcuse;
    expect(accepted).toMatchObject({ status: "ACCEPTED", decisionNote: "Enjoy" });
    expect(accepted.decidedAt).toBeTruthy();
    const marks = data(await family.parent.client.request(LectureAttendanceDocument, { lectureId })).lectureAttendance;
    expect(marks).toHaveLength(1);
    const [row] = await t.deps.database.db.select().from(lectureAttendance).where(eq(lectureAttendance.lectureId, lectureId));
    expect(row).toMatchObject({ status: "EXCUSED", present: false, reason: "Family wedding abroad", childId: family.childIds[0] });

    // Decided: neither deciding again nor resubmitting.
    expect(codes(await school.admin.client.request(RejectAbsenceExcuseDocument, { id: submitted.id }))).toEqual(["CONFLICT"]);
    expect(
      codes(
        await family.parent.client.request(SubmitAbsenceExcuseDocument, {
          input: { lectureId, participantId: family.childIds[0]!, reason: "x" },
        }),
      ),
    ).toEqual(["CONFLICT"]);
  });

  it("a rejected excuse leaves the mark alone; accepting is refused once the participant was marked present", async () => {
    const lectureId = await addLecture("2099-02-02");
    const a = data(
      await student.client.request(SubmitAbsenceExcuseDocument, { input: { lectureId, participantId: student.studentId, reason: "Exam" } }),
    ).submitAbsenceExcuse;
    const rejected = data(await school.admin.client.request(RejectAbsenceExcuseDocument, { id: a.id, note: "No" })).rejectAbsenceExcuse;
    expect(rejected.status).toBe("REJECTED");
    expect(await t.deps.database.db.select().from(lectureAttendance).where(eq(lectureAttendance.lectureId, lectureId))).toEqual([]);

    const b = data(
      await family.parent.client.request(SubmitAbsenceExcuseDocument, {
        input: { lectureId, participantId: family.childIds[1]!, reason: "Trip" },
      }),
    ).submitAbsenceExcuse;
    data(
      await school.instructor.client.request(MarkStatusesDocument, {
        lectureId,
        marks: [{ participantId: family.childIds[1]!, status: "PRESENT", rating: "8" }],
      }),
    );
    expect(codes(await school.admin.client.request(AcceptAbsenceExcuseDocument, { id: b.id }))).toEqual(["CONFLICT"]);
    const [still] = await t.deps.database.db.select().from(absenceExcuses).where(eq(absenceExcuses.id, b.id));
    expect(still!.status).toBe("PENDING");
  });

  it("refuses other families, other tenants, started lectures, participants not enrolled and bad reasons", async () => {
    const lectureId = await addLecture("2099-02-03");
    const input = { lectureId, participantId: family.childIds[0]!, reason: "Ill" };
    const stranger = await school.family(1);
    expect(codes(await stranger.parent.client.request(SubmitAbsenceExcuseDocument, { input }))).toEqual(["FORBIDDEN"]);
    expect(codes(await t.client({ tenant: school.tenant.slug }).request(SubmitAbsenceExcuseDocument, { input }))).toEqual([
      "UNAUTHENTICATED",
    ]);
    const other = await createSchool(t);
    expect(codes(await other.admin.client.request(SubmitAbsenceExcuseDocument, { input }))).toEqual(["NOT_FOUND"]);
    expect(
      codes(
        await stranger.parent.client.request(SubmitAbsenceExcuseDocument, { input: { ...input, participantId: stranger.childIds[0]! } }),
      ),
    ).toEqual(["BAD_USER_INPUT"]);
    for (const reason of ["", "   ", "x".repeat(1001)]) {
      expect(codes(await family.parent.client.request(SubmitAbsenceExcuseDocument, { input: { ...input, reason } }))).toEqual([
        "BAD_USER_INPUT",
      ]);
    }
    // A lecture that has started (moved into the past) can no longer be excused.
    await t.deps.database.db.update(lectures).set({ date: "2020-01-01" }).where(eq(lectures.id, lectureId));
    expect(codes(await family.parent.client.request(SubmitAbsenceExcuseDocument, { input }))).toEqual(["CONFLICT"]);

    const later = await addLecture("2099-02-04");
    const excuse = data(
      await family.parent.client.request(SubmitAbsenceExcuseDocument, { input: { ...input, lectureId: later } }),
    ).submitAbsenceExcuse;
    expect(codes(await other.admin.client.request(AcceptAbsenceExcuseDocument, { id: excuse.id }))).toEqual(["NOT_FOUND"]);
    const otherInstructor = await t.fixtures.member(school.tenant, ["INSTRUCTOR"]);
    expect(codes(await otherInstructor.client.request(AcceptAbsenceExcuseDocument, { id: excuse.id }))).toEqual(["NOT_FOUND"]);
    expect(codes(await stranger.parent.client.request(RejectAbsenceExcuseDocument, { id: excuse.id }))).toEqual(["NOT_FOUND"]);
    expect(data(await other.admin.client.request(AbsenceExcusesDocument, {})).absenceExcuses.nodes).toEqual([]);
  });
});

describe("absence alerts", () => {
  it("EXCUSED marks are not absences: two absences around an excuse still alert, an excuse alone does not", async () => {
    const course = await school.createCourse({ name: "Alerts" });
    const kids = await school.family(2);
    const [kidA, kidB] = kids.childIds as [string, string];
    await school.enroll(course, kidA);
    await school.enroll(course, kidB);
    const mark = async (date: string, a: string, b: string) =>
      data(
        await school.instructor.client.request(MarkStatusesDocument, {
          lectureId: await addLecture(date, course),
          marks: [
            { participantId: kidA, status: a as never, reason: a === "EXCUSED" ? "Ill" : null },
            { participantId: kidB, status: b as never, reason: b === "EXCUSED" ? "Ill" : null },
          ],
        }),
      );
    await mark("2099-03-01", "EXCUSED", "ABSENT");
    await mark("2099-03-02", "EXCUSED", "EXCUSED");
    const [tenant] = await listJobTenants(t.deps, [school.tenant.id]);
    const run = async () => {
      const outcome = await createJobRunner(t.deps, { instanceId: "statuses-test" }).runWindow(
        absenceAlerts,
        tenant!,
        absenceAlerts.window(new Date(), tenant!.timeZone),
        { force: true },
      );
      expect(outcome.status).toBe("SUCCEEDED");
      return outcome.status === "SUCCEEDED" ? outcome.counts : {};
    };
    // A: two excused, no absence. B: one absence, an excuse: still one in a row.
    expect(await run()).toEqual({ streaks: 0, alerted: 0 });
    await mark("2099-03-03", "EXCUSED", "ABSENT");
    // B: absent, excused, absent — the excuse neither counts nor breaks the streak.
    expect(await run()).toEqual({ streaks: 1, alerted: 1 });
    const alerts = await t.deps.database.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.userId, kids.parent.user.id), eq(notifications.kind, "ABSENCE_ALERT")));
    expect(alerts.map((row) => row.body)).toEqual(["Kid1 Test has missed 2 lectures of Alerts in a row (last on 2099-03-03)."]);
  });
});
