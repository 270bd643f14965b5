import { randomUUID } from "node:crypto";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { and, eq, inArray } from "drizzle-orm";
import { print } from "graphql";
import { beforeAll, describe, expect, it } from "vitest";
import { attendanceSyncMarks, lectureAttendance, lectures, notifications } from "../drizzle/schema";
import {
  AttendanceUpdatedDocument,
  CancelLectureDocument,
  MarkAttendanceDocument,
  OfflineRegistersDocument,
  RegisterDeviceDocument,
  SyncAttendanceDocument,
  type SyncMarkInput,
} from "./sdk/graphql";
import { codes, data, expectFlatStatements, type Result } from "./helpers/client";
import type { SignedIn } from "./helpers/fixtures";
import { createSchool, type Family, type School } from "./helpers/school";
import { subscribed, useTestServer } from "./helpers/server";

const t = useTestServer();
const DAY = "2026-03-14";
let school: School;
let football: string;
let chess: string;
let family: Family;
let pupils: (SignedIn & { studentId: string })[];
let morning: string;
let afternoon: string;
let evening: string;
let device1: string;
let device2: string;

async function insertLecture(course: string, date: string, startTime: string) {
  const [row] = await t.deps.database.db
    .insert(lectures)
    .values({ tenantId: school.tenant.id, courseId: course, date, startTime })
    .returning();
  return row!.id;
}

function asDevice<TData, TVars>(document: TypedDocumentNode<TData, TVars>, variables: TVars, token: string): Promise<Result<TData>> {
  return t.client().raw({ query: print(document), variables }, { headers: { authorization: `Device ${token}` } });
}

const at = (time: string) => new Date(`${DAY}T${time}:00Z`).toISOString();
const mark = (
  lectureId: string,
  participantId: string,
  status: SyncMarkInput["status"],
  markedAt: string,
  extra: Partial<SyncMarkInput> = {},
) => ({
  clientMarkId: randomUUID(),
  lectureId,
  participantId,
  status,
  markedAt,
  ...extra,
});
const ids = (list: { clientMarkId: string }[]) => list.map((entry) => entry.clientMarkId);

beforeAll(async () => {
  school = await createSchool(t);
  football = await school.createCourse({ name: "Football" });
  chess = await school.createCourse({ name: "Chess" });
  family = await school.family(2);
  pupils = [await school.student(), await school.student()];
  for (const participant of [...family.childIds, ...pupils.map((p) => p.studentId)]) await school.enroll(football, participant);
  await school.enroll(chess, family.childIds[1]!);
  morning = await insertLecture(football, DAY, "09:00");
  afternoon = await insertLecture(football, DAY, "14:00");
  evening = await insertLecture(chess, DAY, "16:00");
  device1 = data(await school.admin.client.request(RegisterDeviceDocument, { name: "Pitch tablet 1" })).registerDevice.token;
  device2 = data(await school.admin.client.request(RegisterDeviceDocument, { name: "Pitch tablet 2" })).registerDevice.token;
});

describe("downloading the day's registers", () => {
  it("a device gets every lecture of the day with participants, marks and a version; an instructor theirs; families nothing", async () => {
    const registers = data(await asDevice(OfflineRegistersDocument, { date: DAY }, device1)).offlineRegisters;
    expect(registers.map((r) => r.lecture.id)).toEqual([morning, afternoon, evening]);
    expect(registers[0]!.participants.map((p) => (p as { id: string }).id)).toEqual([
      ...family.childIds,
      ...pupils.map((p) => p.studentId),
    ]);
    expect(registers[2]!.participants.map((p) => (p as { id: string }).id)).toEqual([family.childIds[1]]);
    expect(registers.every((r) => r.marks.length === 0 && r.version.length > 0)).toBe(true);
    const otherInstructor = await t.fixtures.member(school.tenant, ["INSTRUCTOR"]);
    expect(data(await otherInstructor.client.request(OfflineRegistersDocument, { date: DAY })).offlineRegisters).toEqual([]);
    expect(data(await school.instructor.client.request(OfflineRegistersDocument, { date: DAY })).offlineRegisters).toHaveLength(3);
    expect(codes(await family.parent.client.request(OfflineRegistersDocument, { date: DAY }))).toEqual(["FORBIDDEN"]);
    expect(codes(await t.client({ tenant: school.tenant.slug }).request(OfflineRegistersDocument, { date: DAY }))).toEqual([
      "UNAUTHENTICATED",
    ]);
    const other = await createSchool(t);
    expect(data(await other.admin.client.request(OfflineRegistersDocument, { date: DAY })).offlineRegisters).toEqual([]);
    expect(codes(await asDevice(OfflineRegistersDocument, { date: "2026-02-30" }, device1))).toEqual(["BAD_USER_INPUT"]);
  });
});

describe("a simulated day of offline marks from two devices", () => {
  it("applies the latest mark, lets staff beat devices and real marks beat AUTO_ABSENT, reports every mark, and replays idempotently", async () => {
    const [kid0, kid1] = family.childIds as [string, string];
    const [s0, s1] = pupils.map((p) => p.studentId) as [string, string];
    const before = data(await asDevice(OfflineRegistersDocument, { date: DAY }, device1)).offlineRegisters;

    // Online during the day: the instructor marks kid1 present; the nightly job left s1 AUTO_ABSENT.
    data(
      await school.instructor.client.request(MarkAttendanceDocument, {
        lectureId: morning,
        marks: [{ participantId: kid1, present: true, rating: "8" }],
      }),
    );
    await t.deps.database.db
      .insert(lectureAttendance)
      .values({ tenantId: school.tenant.id, lectureId: morning, studentId: s1, status: "ABSENT", source: "AUTO_ABSENT" });

    const live = t.ws({ token: school.instructor.token });
    const sub = await subscribed(t, () => live.subscribe(AttendanceUpdatedDocument, { courseId: football }));

    // Device 1's queue.
    const soon = new Date(Date.now() + 2 * 60_000).toISOString();
    const d1 = {
      kid0Morning: mark(morning, kid0, "PRESENT", at("09:00")),
      kid1Morning: mark(morning, kid1, "ABSENT", soon), // later than the instructor's mark, but a device's
      s0Morning: mark(morning, s0, "LATE", at("09:05"), { minutesLate: 5 }),
      kid0Afternoon: mark(afternoon, kid0, "ABSENT", at("14:00")),
    };
    const first = data(await asDevice(SyncAttendanceDocument, { marks: Object.values(d1) }, device1)).syncAttendance;
    expect(ids(first.applied)).toEqual([d1.kid0Morning.clientMarkId, d1.s0Morning.clientMarkId, d1.kid0Afternoon.clientMarkId]);
    expect(first.overridden).toHaveLength(1);
    expect(first.overridden[0]).toMatchObject({ clientMarkId: d1.kid1Morning.clientMarkId, mark: { status: "PRESENT", source: "MANUAL" } });
    expect(first.rejected).toEqual([]);
    expect(first.applied[1]!.mark).toMatchObject({ status: "LATE", minutesLate: 5, source: "DEVICE", markedAt: at("09:05") });

    // Live: subscribers hear of the synced marks after commit.
    const events = [(await sub.next()).data!.attendanceUpdated, (await sub.next()).data!.attendanceUpdated];
    expect(events.map((e) => e.lectureId).sort()).toEqual([morning, afternoon].sort());

    // Device 2's queue, synced later; its marks are in no particular order.
    const d2 = {
      kid0Morning: mark(morning, kid0, "ABSENT", at("09:10")), // later than device 1's PRESENT: wins
      s0Morning: mark(morning, s0, "PRESENT", at("09:02")), // earlier than device 1's LATE: loses
      s1Morning: mark(morning, s1, "PRESENT", at("09:03")), // beats the nightly AUTO_ABSENT
      kid0Afternoon: mark(afternoon, kid0, "PRESENT", at("13:59")), // earlier than device 1's ABSENT: loses
      kid1EveningLate: mark(evening, kid1, "EXCUSED", at("16:30"), { reason: "Left early, ill" }),
      kid1EveningEarly: mark(evening, kid1, "PRESENT", at("16:00")),
    };
    const second = data(await asDevice(SyncAttendanceDocument, { marks: Object.values(d2) }, device2)).syncAttendance;
    expect(ids(second.applied)).toEqual([d2.kid0Morning.clientMarkId, d2.s1Morning.clientMarkId, d2.kid1EveningLate.clientMarkId]);
    expect(second.overridden.map((o) => [o.clientMarkId, o.mark.status])).toEqual([
      [d2.s0Morning.clientMarkId, "LATE"],
      [d2.kid0Afternoon.clientMarkId, "ABSENT"],
      [d2.kid1EveningEarly.clientMarkId, "EXCUSED"],
    ]);

    const rows = await t.deps.database.db
      .select()
      .from(lectureAttendance)
      .where(inArray(lectureAttendance.lectureId, [morning, afternoon, evening]));
    const state = Object.fromEntries(
      rows.map((row) => [
        `${row.lectureId === morning ? "m" : row.lectureId === afternoon ? "a" : "e"}:${row.studentId ?? row.childId}`,
        row.status,
      ]),
    );
    expect(state).toEqual({
      [`m:${kid0}`]: "ABSENT",
      [`m:${kid1}`]: "PRESENT",
      [`m:${s0}`]: "LATE",
      [`m:${s1}`]: "PRESENT",
      [`a:${kid0}`]: "ABSENT",
      [`e:${kid1}`]: "EXCUSED",
    });
    // The family was told of kid0's absences (morning, afternoon) once each.
    const told = await t.deps.database.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.userId, family.parent.user.id), eq(notifications.kind, "ATTENDANCE_ABSENT")));
    expect(told).toHaveLength(2);

    // Replaying both queues changes nothing and answers the same.
    const syncRows = await t.deps.database.db.select().from(attendanceSyncMarks).where(eq(attendanceSyncMarks.tenantId, school.tenant.id));
    const replay1 = data(await asDevice(SyncAttendanceDocument, { marks: Object.values(d1) }, device1)).syncAttendance;
    expect(ids(replay1.applied)).toEqual(ids(first.applied));
    expect(ids(replay1.overridden)).toEqual(ids(first.overridden));
    const replay2 = data(await asDevice(SyncAttendanceDocument, { marks: [...Object.values(d2)].reverse() }, device2)).syncAttendance;
    expect(ids(replay2.applied).sort()).toEqual(ids(second.applied).sort());
    expect(ids(replay2.overridden).sort()).toEqual(ids(second.overridden).sort());
    const after = await t.deps.database.db
      .select()
      .from(lectureAttendance)
      .where(inArray(lectureAttendance.lectureId, [morning, afternoon, evening]));
    expect(after.map((row) => [row.id, row.status, row.markedAt.getTime()]).sort()).toEqual(
      rows.map((row) => [row.id, row.status, row.markedAt.getTime()]).sort(),
    );
    expect(
      await t.deps.database.db.select().from(attendanceSyncMarks).where(eq(attendanceSyncMarks.tenantId, school.tenant.id)),
    ).toHaveLength(syncRows.length);

    // The registers' versions moved; a staff mark after all of it still wins over any device's.
    const now = data(await asDevice(OfflineRegistersDocument, { date: DAY }, device1)).offlineRegisters;
    expect(now[0]!.version).not.toBe(before[0]!.version);
    expect(now[0]!.marks).toHaveLength(4);
    const staff = data(
      await school.admin.client.request(SyncAttendanceDocument, { marks: [mark(morning, kid0, "PRESENT", at("09:20"))] }),
    ).syncAttendance;
    expect(staff.applied[0]!.mark.source).toBe("MANUAL");
    const late = data(await asDevice(SyncAttendanceDocument, { marks: [mark(morning, kid0, "ABSENT", soon)] }, device2)).syncAttendance;
    expect(late.overridden[0]!.mark).toMatchObject({ status: "PRESENT", source: "MANUAL" });
    await live.close();
  });
});

describe("bad syncs", () => {
  it("rejects bad marks one by one with the reason, and writes the good ones", async () => {
    const [kid0] = family.childIds as [string, string];
    const outsider = await school.family(1);
    const cancelled = await insertLecture(football, DAY, "18:00");
    data(await school.admin.client.request(CancelLectureDocument, { id: cancelled }));
    const other = await createSchool(t);
    const otherLecture = await (async () => {
      const course = await other.createCourse();
      const [row] = await t.deps.database.db
        .insert(lectures)
        .values({ tenantId: other.tenant.id, courseId: course, date: DAY, startTime: "09:00" })
        .returning();
      return row!.id;
    })();
    const good = mark(evening, family.childIds[1]!, "PRESENT", at("16:45"));
    const dup = mark(afternoon, kid0, "PRESENT", at("14:30"));
    const marks = [
      mark(randomUUID(), kid0, "PRESENT", at("09:00")),
      mark(otherLecture, kid0, "PRESENT", at("09:00")),
      mark(cancelled, kid0, "PRESENT", at("18:00")),
      mark(morning, outsider.childIds[0]!, "PRESENT", at("09:00")),
      mark(morning, randomUUID(), "PRESENT", at("09:00")),
      mark(morning, kid0, "LATE", at("09:30")),
      mark(morning, kid0, "PRESENT", at("09:30"), { minutesLate: 3 }),
      mark(morning, kid0, "ABSENT", at("09:30"), { reason: "why" }),
      mark(morning, kid0, "PRESENT", new Date(Date.now() + 60 * 60_000).toISOString()),
      dup,
      { ...dup, status: "ABSENT" as const },
      good,
    ];
    const result = data(await asDevice(SyncAttendanceDocument, { marks }, device1)).syncAttendance;
    expect(result.rejected.map((r) => r.reason)).toEqual([
      "UNKNOWN_LECTURE",
      "UNKNOWN_LECTURE",
      "CANCELLED_LECTURE",
      "NOT_ENROLLED",
      "UNKNOWN_PARTICIPANT",
      "INVALID",
      "INVALID",
      "INVALID",
      "INVALID",
      "DUPLICATE",
    ]);
    expect(result.rejected[8]!.message).toMatch(/future/);
    expect(ids(result.applied).sort()).toEqual([good.clientMarkId, dup.clientMarkId].sort());
    // Rejected marks are not stored: nothing of them in the sync log.
    const logged = await t.deps.database.db
      .select()
      .from(attendanceSyncMarks)
      .where(inArray(attendanceSyncMarks.clientMarkId, ids(marks)));
    expect(logged.map((row) => row.clientMarkId).sort()).toEqual([good.clientMarkId, dup.clientMarkId].sort());
  });

  it("refuses the whole sync when empty or over 500, and people who may not mark", async () => {
    const one = [mark(morning, family.childIds[0]!, "PRESENT", at("09:00"))];
    expect(codes(await asDevice(SyncAttendanceDocument, { marks: [] }, device1))).toEqual(["BAD_USER_INPUT"]);
    // 501 marks: refused before any SQL (the list's cap, PAYLOAD_TOO_LARGE), and by the service at 500 + 1 all the same.
    const many = Array.from({ length: 501 }, () => one[0]!).map((m) => ({ ...m, clientMarkId: randomUUID() }));
    expect(codes(await asDevice(SyncAttendanceDocument, { marks: many }, device1))).toEqual(["PAYLOAD_TOO_LARGE"]);
    expect(codes(await family.parent.client.request(SyncAttendanceDocument, { marks: one }))).toEqual(["FORBIDDEN"]);
    expect(codes(await pupils[0]!.client.request(SyncAttendanceDocument, { marks: one }))).toEqual(["FORBIDDEN"]);
    expect(codes(await t.client({ tenant: school.tenant.slug }).request(SyncAttendanceDocument, { marks: one }))).toEqual([
      "UNAUTHENTICATED",
    ]);
    const otherInstructor = await t.fixtures.member(school.tenant, ["INSTRUCTOR"]);
    const notYours = data(await otherInstructor.client.request(SyncAttendanceDocument, { marks: one })).syncAttendance;
    expect(notYours.rejected.map((r) => r.reason)).toEqual(["NOT_YOUR_LECTURE"]);
    const other = await createSchool(t);
    const theirs = data(await other.admin.client.request(SyncAttendanceDocument, { marks: one })).syncAttendance;
    expect(theirs.rejected.map((r) => r.reason)).toEqual(["UNKNOWN_LECTURE"]);
  });

  it("costs the same statements for 2 marks as for 60", async () => {
    // Children and students in both batches: one upsert per kind of participant either way.
    const participants = [family.childIds[0]!, pupils[0]!.studentId, family.childIds[1]!, pupils[1]!.studentId];
    const batch = (count: number) =>
      Array.from({ length: count }, (_, i) =>
        mark(
          i % 2 ? morning : afternoon,
          participants[i % participants.length]!,
          "PRESENT",
          new Date(Date.now() - (count - i) * 1000).toISOString(),
        ),
      );
    const small = await asDevice(SyncAttendanceDocument, { marks: batch(2) }, device2);
    const large = await asDevice(SyncAttendanceDocument, { marks: batch(60) }, device2);
    expectFlatStatements(small, large);
  });
});
