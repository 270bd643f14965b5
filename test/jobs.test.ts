/**
 * Scheduled jobs: driven directly with an injected clock (never by waiting for
 * real cron times), through the real runner, scheduler, database and pub/sub.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import {
  jobRuns,
  enrollments,
  idempotencyKeys,
  instructorAttendance,
  instructors,
  lectureAttendance,
  lectures,
  notifications,
} from "../drizzle/schema";
import { createDeps } from "../server/app";
import type { AppDeps } from "../server/app-deps";
import { loadConfig } from "../server/config";
import { lockDataDir } from "../server/db/data-dir-lock";
import { instructorAttendanceJob } from "../server/jobs/instructor-attendance";
import { dueWindows, scheduledTimeOf, sundayOnOrBefore, type Job } from "../server/jobs/job";
import { markAbsent } from "../server/jobs/mark-absent";
import { purgeIdempotencyKeys } from "../server/jobs/purge-idempotency-keys";
import { createJobRunner, listJobTenants, type JobTenant } from "../server/jobs/runner";
import { planRuns, startJobs, type WindowRun } from "../server/jobs/scheduler";
import {
  JobRunsDocument,
  AttendanceUpdatedDocument,
  CancelLectureDocument,
  CreateLectureDocument,
  DropEnrollmentDocument,
  InstructorAttendanceDocument,
  MarkAttendanceDocument,
} from "./sdk/graphql";
import { npmRun } from "./helpers/cli";
import { codes, data, expectFlatStatements } from "./helpers/client";
import { createSchool, type School } from "./helpers/school";
import { useTestServer, subscribed, testEnv } from "./helpers/server";

const t = useTestServer();

const onPostgres = () => t.deps.database.kind === "postgres";
const utc = (iso: string) => new Date(iso);
const LONG_AGO = utc("2000-01-01T00:00:00Z");

async function lecture(school: School, courseId: string, date: string, startTime = "10:00") {
  return data(await school.admin.client.request(CreateLectureDocument, { courseId, input: { date, startTime } })).createLecture.id;
}

async function jobTenant(school: School): Promise<JobTenant> {
  const [tenant] = await listJobTenants(t.deps, [school.tenant.id]);
  return tenant!;
}

const runner = (instanceId = "test-a", deps: AppDeps = t.deps, retryFailedAfterMs?: number) =>
  createJobRunner(deps, { instanceId, retryFailedAfterMs });

const marksOf = (lectureIds: string[]) =>
  t.deps.database.db
    .select()
    .from(lectureAttendance)
    .where(inArray(lectureAttendance.lectureId, lectureIds))
    .orderBy(asc(lectureAttendance.createdAt));

const logsOf = (tenantId: string, job = markAbsent.name) =>
  t.deps.database.db
    .select()
    .from(jobRuns)
    .where(and(eq(jobRuns.tenantId, tenantId), eq(jobRuns.job, job)))
    .orderBy(asc(jobRuns.windowKey));

const absentNotices = async (userId: string) =>
  (await t.deps.database.db.select().from(notifications).where(eq(notifications.userId, userId))).filter(
    (row) => row.kind === "ATTENDANCE_ABSENT",
  );

/** A scheduler over the test server's database, limited to `tenants`, with a movable clock. */
function scheduler(tenants: School[], clock: { now: Date }, options: { jobs?: Job[]; instanceId?: string; deps?: AppDeps } = {}) {
  return startJobs({
    app: options.deps ?? t.deps,
    jobs: options.jobs ?? [markAbsent],
    clock: () => clock.now,
    tenantIds: tenants.map((school) => school.tenant.id),
    instanceId: options.instanceId ?? "scheduler-a",
    // Tests drive passes themselves; the minute timer must not interleave.
    every: "0 0 1 1 *",
  });
}

const ran = (runs: WindowRun[]) => runs.filter((run) => run.outcome.status === "SUCCEEDED").map((run) => `${run.tenant} ${run.window}`);

describe("due windows (pure)", () => {
  const cairo = { timeZone: "Africa/Cairo", createdAt: LONG_AGO };
  const latest = (job: Job, timeZone: string, now: string) => dueWindows(job, { timeZone, createdAt: LONG_AGO }, utc(now)).at(-1)?.window;

  it("the daily run at 23:59 covers the local date, whatever the date is in UTC", () => {
    // Cairo is UTC+2 in January: 23:59 local is 21:59 UTC, the same date.
    expect(latest(markAbsent, "Africa/Cairo", "2099-01-10T21:58:59Z")).toBe("2099-01-09");
    expect(latest(markAbsent, "Africa/Cairo", "2099-01-10T21:59:00Z")).toBe("2099-01-10");
    // 00:30 in Cairo on the 11th while UTC is still the 10th: the 10th has run, not the 11th.
    expect(latest(markAbsent, "Africa/Cairo", "2099-01-10T22:30:00Z")).toBe("2099-01-10");
    // New York (UTC−5): 23:59 on the 10th is 04:59 UTC on the 11th.
    expect(latest(markAbsent, "America/New_York", "2099-01-11T04:58:00Z")).toBe("2099-01-09");
    expect(latest(markAbsent, "America/New_York", "2099-01-11T04:59:00Z")).toBe("2099-01-10");
    // Dar es Salaam (UTC+3): its own 23:59.
    expect(latest(markAbsent, "Africa/Dar_es_Salaam", "2099-01-10T20:59:00Z")).toBe("2099-01-10");
    expect(latest(markAbsent, "Africa/Dar_es_Salaam", "2099-01-10T20:58:00Z")).toBe("2099-01-09");
  });

  it("looks back a bounded number of windows, oldest first, never before the tenant existed", () => {
    const now = utc("2099-01-10T12:00:00Z");
    expect(dueWindows(markAbsent, cairo, now).map((due) => due.window)).toEqual([
      "2099-01-03",
      "2099-01-04",
      "2099-01-05",
      "2099-01-06",
      "2099-01-07",
      "2099-01-08",
      "2099-01-09",
    ]);
    const young = { timeZone: "Africa/Cairo", createdAt: utc("2099-01-07T12:00:00Z") };
    expect(dueWindows(markAbsent, young, now).map((due) => due.window)).toEqual(["2099-01-07", "2099-01-08", "2099-01-09"]);
    expect(dueWindows(markAbsent, cairo, now)[0]!.scheduledAt.toISOString()).toBe("2099-01-03T21:59:00.000Z");
  });

  it("the weekly run on Sunday 00:05 covers the Sunday-to-Saturday week before it", () => {
    // 2099-01-11 is a Sunday; 00:05 in Cairo is 22:05 UTC on the 10th.
    expect(latest(instructorAttendanceJob, "Africa/Cairo", "2099-01-10T22:04:00Z")).toBe("2098-12-28");
    expect(latest(instructorAttendanceJob, "Africa/Cairo", "2099-01-10T22:05:00Z")).toBe("2099-01-04");
    expect(dueWindows(instructorAttendanceJob, cairo, utc("2099-01-10T22:05:00Z"))).toHaveLength(4);
    expect(sundayOnOrBefore("2099-01-10")).toBe("2099-01-04");
    expect(sundayOnOrBefore("2099-01-11")).toBe("2099-01-11");
    expect(instructorAttendanceJob.windowOfDate("2099-01-07")).toBe("2099-01-04");
    expect(scheduledTimeOf(instructorAttendanceJob, "2099-01-04", "Africa/Cairo")?.toISOString()).toBe("2099-01-10T22:05:00.000Z");
    expect(scheduledTimeOf(markAbsent, "2099-01-10", "America/New_York")?.toISOString()).toBe("2099-01-11T04:59:00.000Z");
  });

  it("plans per tenant and job, leaves out windows known done, and reports unusable time zones", () => {
    const a = { id: "a", slug: "a", timeZone: "Africa/Cairo", createdAt: LONG_AGO };
    const b = { id: "b", slug: "b", timeZone: "Not/AZone", createdAt: LONG_AGO };
    const now = utc("2099-01-10T22:05:00Z");
    const done = new Set(["a|mark-absent|2099-01-03", "a|mark-absent|2099-01-04"]);
    const { runs, problems } = planRuns([markAbsent, instructorAttendanceJob], [a, b], now, done);
    expect(runs.map((run) => `${run.job.name} ${run.window}`)).toEqual([
      ...["05", "06", "07", "08", "09", "10"].map((day) => `mark-absent 2099-01-${day}`),
      "instructor-attendance 2098-12-14",
      "instructor-attendance 2098-12-21",
      "instructor-attendance 2098-12-28",
      "instructor-attendance 2099-01-04",
    ]);
    expect(problems.map((problem) => problem.tenant.id)).toEqual(["b"]);
  });
});

describe("mark-absent", () => {
  const day = "2099-05-04";
  let school: School;
  let robotics: string;
  let onDay: string;
  let cancelled: string;
  let otherDay: string;
  let chessOnDay: string;
  let kids: string[];
  let parentId: string;
  let student: Awaited<ReturnType<School["student"]>>;
  let dropped: Awaited<ReturnType<School["family"]>>;

  beforeAll(async () => {
    school = await createSchool(t);
    robotics = await school.createCourse({ name: "Robotics" });
    const chess = await school.createCourse({ name: "Chess" });
    const family = await school.family(2);
    kids = family.childIds;
    parentId = family.parent.user.id;
    student = await school.student();
    dropped = await school.family(1);
    await school.enroll(robotics, kids[0]!);
    await school.enroll(robotics, kids[1]!);
    await school.enroll(robotics, student.studentId);
    const droppedEnrollment = await school.enroll(robotics, dropped.childIds[0]!);
    data(await school.admin.client.request(DropEnrollmentDocument, { id: droppedEnrollment }));
    await school.enroll(chess, kids[0]!);
    onDay = await lecture(school, robotics, day, "10:00");
    cancelled = await lecture(school, robotics, day, "16:00");
    data(await school.admin.client.request(CancelLectureDocument, { id: cancelled }));
    otherDay = await lecture(school, robotics, "2099-05-05");
    chessOnDay = await lecture(school, chess, day, "12:00");
    // The student was marked by the instructor: the job leaves that mark alone.
    data(
      await school.instructor.client.request(MarkAttendanceDocument, {
        lectureId: onDay,
        marks: [{ participantId: student.studentId, present: true, rating: "8" }],
      }),
    );
  });

  it("marks exactly the unmarked ACTIVE participants of the day's lectures, notifies families, tells subscribers, logs", async () => {
    const teacher = t.ws({ token: school.instructor.token });
    const live = await subscribed(t, () => teacher.subscribe(AttendanceUpdatedDocument, { courseId: robotics }));

    const outcome = await runner().runWindow(markAbsent, await jobTenant(school), day);
    expect(outcome).toMatchObject({ status: "SUCCEEDED", counts: { lectures: 2, markedAbsent: 3 } });

    const marks = await marksOf([onDay, cancelled, otherDay, chessOnDay]);
    const summary = marks.map((mark) => [
      mark.lectureId,
      mark.studentId ?? mark.childId,
      mark.present,
      mark.rating,
      mark.source,
      mark.markedBy,
    ]);
    expect(summary).toHaveLength(4);
    expect(summary).toEqual(
      expect.arrayContaining([
        [onDay, student.studentId, true, "8.00", "MANUAL", school.instructor.user.id],
        [onDay, kids[0], false, null, "AUTO_ABSENT", null],
        [onDay, kids[1], false, null, "AUTO_ABSENT", null],
        [chessOnDay, kids[0], false, null, "AUTO_ABSENT", null],
      ]),
    );
    // Only a teacher taking attendance makes attendanceTaken true (the weekly report counts it).
    const [chessLecture] = await t.deps.database.db.select().from(lectures).where(eq(lectures.id, chessOnDay));
    expect(chessLecture!.attendanceTaken).toBe(false);

    const notices = await absentNotices(parentId);
    expect(notices.map((row) => row.body).sort()).toEqual([
      `Kid0 Test was marked absent from Chess on ${day}.`,
      `Kid0 Test was marked absent from Robotics on ${day}.`,
      `Kid1 Test was marked absent from Robotics on ${day}.`,
    ]);
    expect(await absentNotices(student.user.id)).toEqual([]);
    expect(await absentNotices(dropped.parent.user.id)).toEqual([]);

    const event = (await live.next()).data!.attendanceUpdated;
    expect(event.lectureId).toBe(onDay);
    expect(event.marks.map((mark) => [(mark.participant as { id: string }).id, mark.present, mark.rating]).sort()).toEqual(
      [
        [kids[0], false, null],
        [kids[1], false, null],
      ].sort(),
    );
    // The chess lecture is another course: not on this subscription.
    expect(await live.quiet(300)).toBe(true);
    await teacher.close();

    const [log] = await logsOf(school.tenant.id);
    expect(log).toMatchObject({
      windowKey: day,
      status: "SUCCEEDED",
      counts: { lectures: 2, markedAbsent: 3 },
      error: null,
      instanceId: "test-a",
    });
    expect(log!.finishedAt!.getTime()).toBeGreaterThanOrEqual(log!.startedAt.getTime());
  });

  it("running the same window again does nothing, even from another instance", async () => {
    const before = await marksOf([onDay, chessOnDay]);
    const again = await runner("test-b").runWindow(markAbsent, await jobTenant(school), day);
    expect(again).toEqual({ status: "SKIPPED", reason: "already succeeded", instanceId: "test-a" });
    expect(await marksOf([onDay, chessOnDay])).toEqual(before);
    expect(await absentNotices(parentId)).toHaveLength(3);
  });

  it("forced, it marks only who is still unmarked and notifies only them", async () => {
    const late = await school.family(1);
    await school.enroll(robotics, late.childIds[0]!);
    const outcome = await runner("test-b").runWindow(markAbsent, await jobTenant(school), day, { force: true });
    expect(outcome).toMatchObject({ status: "SUCCEEDED", counts: { lectures: 2, markedAbsent: 1 } });
    expect(await absentNotices(parentId)).toHaveLength(3);
    expect(await absentNotices(late.parent.user.id)).toHaveLength(1);
    const logs = await logsOf(school.tenant.id);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ status: "SUCCEEDED", counts: { markedAbsent: 1 }, instanceId: "test-b" });
  });
});

describe("time zones", () => {
  it("each tenant's window follows its own local midnight", async () => {
    const day = "2099-01-10";
    const cairo = await createSchool(t);
    const newYork = await createSchool(t, await t.fixtures.tenant({ timeZone: "America/New_York" }));
    const lectureOf = new Map<School, string>();
    for (const school of [cairo, newYork]) {
      const course = await school.createCourse();
      const family = await school.family(1);
      await school.enroll(course, family.childIds[0]!);
      lectureOf.set(school, await lecture(school, course, day));
    }
    // 05:00 on the 11th in Cairo, 22:00 on the 10th in New York.
    const clock = { now: utc("2099-01-11T03:00:00Z") };
    const jobs = scheduler([cairo, newYork], clock);
    const first = await jobs.started;
    expect(
      first
        .filter((run) => run.tenant === cairo.tenant.slug)
        .map((run) => run.window)
        .at(-1),
    ).toBe(day);
    expect(
      first
        .filter((run) => run.tenant === newYork.tenant.slug)
        .map((run) => run.window)
        .at(-1),
    ).toBe("2099-01-09");
    expect(await marksOf([lectureOf.get(cairo)!])).toHaveLength(1);
    expect(await marksOf([lectureOf.get(newYork)!])).toHaveLength(0);

    // Midnight in New York: its 10th is done now, and nothing else.
    clock.now = utc("2099-01-11T05:00:00Z");
    expect(ran(await jobs.tick())).toEqual([`${newYork.tenant.slug} ${day}`]);
    expect(await marksOf([lectureOf.get(newYork)!])).toHaveLength(1);
    await jobs.stop();
  });
});

describe("once only", () => {
  let school: School;
  let kidsLecture: (date: string) => Promise<string>;
  let parentId: string;

  beforeAll(async () => {
    school = await createSchool(t);
    const course = await school.createCourse();
    const family = await school.family(3);
    parentId = family.parent.user.id;
    for (const kid of family.childIds) await school.enroll(course, kid);
    kidsLecture = (date) => lecture(school, course, date);
  });

  it("two instances racing for a window: one runs it, the other reports it claimed elsewhere", async () => {
    const lectureId = await kidsLecture("2099-06-01");
    // A second instance: its own connection pool on PostgreSQL; in embedded mode the one database.
    const second = onPostgres() ? await createDeps(loadConfig(testEnv({ INSTANCE_ID: "second" }))) : t.deps;
    try {
      // Both pools connected beforehand, so the two claims really start together.
      await Promise.all([t.deps, second].map((deps) => deps.database.db.execute(sql`select 1`)));
      const tenant = await jobTenant(school);
      const outcomes = await Promise.all([
        runner("race-a").runWindow(markAbsent, tenant, "2099-06-01"),
        runner("race-b", second).runWindow(markAbsent, tenant, "2099-06-01"),
      ]);
      const statuses = outcomes.map((outcome) => outcome.status).sort();
      expect(statuses).toEqual(["SKIPPED", "SUCCEEDED"]);
      const winner = outcomes.findIndex((outcome) => outcome.status === "SUCCEEDED");
      // The loser waits for the winner's claim to commit, then reads the row: still RUNNING ("claimed
      // elsewhere") or, when the winner's run was quicker than that read, already SUCCEEDED. Both name the winner.
      expect(outcomes[1 - winner]).toEqual({
        status: "SKIPPED",
        reason: expect.stringMatching(/^(claimed elsewhere|already succeeded)$/),
        instanceId: winner === 0 ? "race-a" : "race-b",
      });
      const logs = (await logsOf(school.tenant.id)).filter((log) => log.windowKey === "2099-06-01");
      expect(logs).toHaveLength(1);
      expect(logs[0]).toMatchObject({ status: "SUCCEEDED", instanceId: winner === 0 ? "race-a" : "race-b" });
      expect(await marksOf([lectureId])).toHaveLength(3);
      expect(await absentNotices(parentId)).toHaveLength(3);
    } finally {
      if (second !== t.deps) {
        await second.bus.close();
        await second.redis?.close();
        await second.database.close();
      }
    }
  });

  it("two schedulers started together run each due window once between them", async () => {
    const lectureIds = [await kidsLecture("2099-07-01"), await kidsLecture("2099-07-02")];
    const clock = { now: utc("2099-07-03T10:00:00Z") };
    const [a, b] = [scheduler([school], clock, { instanceId: "sched-a" }), scheduler([school], clock, { instanceId: "sched-b" })];
    const runs = [...(await a.started), ...(await b.started)];
    await Promise.all([a.stop(), b.stop()]);
    const windows = runs
      .filter((run) => run.outcome.status === "SUCCEEDED")
      .map((run) => run.window)
      .sort();
    // Seven days are due (06-26 … 07-02); each ran exactly once, on one instance or the other.
    expect(windows).toEqual(["2099-06-26", "2099-06-27", "2099-06-28", "2099-06-29", "2099-06-30", "2099-07-01", "2099-07-02"]);
    const logs = (await logsOf(school.tenant.id)).filter((log) => log.windowKey >= "2099-06-26" && log.windowKey <= "2099-07-02");
    expect(logs.map((log) => log.status)).toEqual(Array(7).fill("SUCCEEDED"));
    expect(await marksOf(lectureIds)).toHaveLength(6);
  });

  it("a failed window keeps its log, rolls its work back, and succeeds when retried", async () => {
    const date = "2099-08-03";
    const lectureId = await kidsLecture(date);
    let failing = true;
    const flaky: Job = {
      ...markAbsent,
      async run(ctx, window) {
        const counts = await markAbsent.run(ctx, window);
        if (failing) throw new Error("injected failure after the marks were written");
        return counts;
      },
    };
    const tenant = await jobTenant(school);
    const notices = (await absentNotices(parentId)).length;

    const failed = await runner("flaky-a").runWindow(flaky, tenant, date);
    expect(failed).toMatchObject({ status: "FAILED", error: "injected failure after the marks were written" });
    const [log] = (await logsOf(school.tenant.id)).filter((row) => row.windowKey === date);
    expect(log).toMatchObject({ status: "FAILED", error: "injected failure after the marks were written", counts: null });
    expect(log!.finishedAt).not.toBeNull();
    expect(await marksOf([lectureId])).toEqual([]);
    expect(await absentNotices(parentId)).toHaveLength(notices);

    // Not straight away (the default waits 10 minutes before retrying) …
    expect(await runner("flaky-b").runWindow(flaky, tenant, date)).toMatchObject({ status: "SKIPPED", reason: "failed recently" });
    // … but once the retry delay has passed, by any instance.
    failing = false;
    const retried = await runner("flaky-b", t.deps, 0).runWindow(flaky, tenant, date);
    expect(retried).toMatchObject({ status: "SUCCEEDED", counts: { lectures: 1, markedAbsent: 3 } });
    const [after] = (await logsOf(school.tenant.id)).filter((row) => row.windowKey === date);
    expect(after).toMatchObject({ id: log!.id, status: "SUCCEEDED", error: null, instanceId: "flaky-b" });
    expect(await marksOf([lectureId])).toHaveLength(3);
    expect(await absentNotices(parentId)).toHaveLength(notices + 3);
  });

  it("a RUNNING window is left alone (even forced) until it is old enough to be from a crashed instance", async () => {
    const date = "2099-08-04";
    const lectureId = await kidsLecture(date);
    const tenant = await jobTenant(school);
    await t.deps.database.db
      .insert(jobRuns)
      .values({ tenantId: school.tenant.id, job: markAbsent.name, windowKey: date, status: "RUNNING", instanceId: "crashed" });
    expect(await runner().runWindow(markAbsent, tenant, date, { force: true })).toEqual({
      status: "SKIPPED",
      reason: "claimed elsewhere",
      instanceId: "crashed",
    });
    await t.deps.database.db
      .update(jobRuns)
      .set({ startedAt: sql`now() - interval '2 hours'` })
      .where(and(eq(jobRuns.tenantId, school.tenant.id), eq(jobRuns.windowKey, date)));
    expect(await runner().runWindow(markAbsent, tenant, date)).toMatchObject({ status: "SUCCEEDED", counts: { markedAbsent: 3 } });
    expect(await marksOf([lectureId])).toHaveLength(3);
  });
});

describe("catch-up", () => {
  it("runs the days missed since the last success, each once, in order, and nothing before its time", async () => {
    const school = await createSchool(t);
    const course = await school.createCourse();
    const family = await school.family(1);
    await school.enroll(course, family.childIds[0]!);
    const days = ["2099-02-01", "2099-02-02", "2099-02-03", "2099-02-04", "2099-02-05", "2099-02-06", "2099-02-07"];
    const lectureOn = new Map<string, string>();
    for (const day of days) lectureOn.set(day, await lecture(school, course, day));
    // The last success was on the 4th; the instances were down since.
    await t.deps.database.db.insert(jobRuns).values(
      ["2099-01-31", "2099-02-01", "2099-02-02", "2099-02-03", "2099-02-04"].map((windowKey) => ({
        tenantId: school.tenant.id,
        job: markAbsent.name,
        windowKey,
        status: "SUCCEEDED" as const,
        finishedAt: new Date(),
        counts: {},
      })),
    );

    // Noon in Cairo on the 7th: the 5th and 6th are due, the 7th is not over yet.
    const clock = { now: utc("2099-02-07T10:00:00Z") };
    const jobs = scheduler([school], clock);
    expect((await jobs.started).map((run) => [run.window, run.outcome.status])).toEqual([
      ["2099-02-05", "SUCCEEDED"],
      ["2099-02-06", "SUCCEEDED"],
    ]);
    const markedOn = async (day: string) => (await marksOf([lectureOn.get(day)!])).length;
    expect(await Promise.all(days.map(markedOn))).toEqual([0, 0, 0, 0, 1, 1, 0]);
    expect(await jobs.tick()).toEqual([]);

    clock.now = utc("2099-02-07T22:00:00Z");
    expect(ran(await jobs.tick())).toEqual([`${school.tenant.slug} 2099-02-07`]);
    expect(await markedOn("2099-02-07")).toBe(1);
    await jobs.stop();
    expect(await jobs.tick()).toEqual([]);
    const logs = await logsOf(school.tenant.id);
    expect(logs.map((log) => log.windowKey)).toEqual(["2099-01-31", ...days]);
  });
});

describe("instructor-attendance", () => {
  const week = "2099-03-01"; // a Sunday
  let school: School;
  let others: { id: string; token: string }[];
  let firstCourse: string;

  beforeAll(async () => {
    school = await createSchool(t);
    others = [];
    for (let i = 0; i < 2; i++) {
      const member = await t.fixtures.member(school.tenant, ["INSTRUCTOR"]);
      const [profile] = await t.deps.database.db.select().from(instructors).where(eq(instructors.userId, member.user.id));
      others.push({ id: profile!.id, token: member.token });
    }
    firstCourse = await school.createCourse();
    const secondCourse = await school.createCourse({ instructorId: others[0]!.id });
    const family = await school.family(1);
    await school.enroll(firstCourse, family.childIds[0]!);
    const taken = await lecture(school, firstCourse, "2099-03-01");
    await lecture(school, firstCourse, "2099-03-04");
    const cancelled = await lecture(school, firstCourse, "2099-03-07");
    await lecture(school, firstCourse, "2099-02-28"); // the Saturday before
    await lecture(school, firstCourse, "2099-03-08"); // the Sunday after
    await lecture(school, secondCourse, "2099-03-03");
    data(await school.admin.client.request(CancelLectureDocument, { id: cancelled }));
    data(
      await school.instructor.client.request(MarkAttendanceDocument, {
        lectureId: taken,
        marks: [{ participantId: family.childIds[0]!, present: true, rating: "9" }],
      }),
    );
  });

  const rows = () =>
    t.deps.database.db
      .select()
      .from(instructorAttendance)
      .where(and(eq(instructorAttendance.tenantId, school.tenant.id), eq(instructorAttendance.weekStart, week)));

  it("counts each instructor's lectures of the week: scheduled, taken, cancelled", async () => {
    const outcome = await runner().runWindow(instructorAttendanceJob, await jobTenant(school), week);
    expect(outcome).toMatchObject({ status: "SUCCEEDED", counts: { instructors: 3, lectures: 4 } });
    const byInstructor = new Map((await rows()).map((row) => [row.instructorId, row]));
    expect(byInstructor.size).toBe(3);
    expect(byInstructor.get(school.instructor.instructorId)).toMatchObject({
      lecturesScheduled: 2,
      lecturesTaken: 1,
      lecturesCancelled: 1,
    });
    expect(byInstructor.get(others[0]!.id)).toMatchObject({ lecturesScheduled: 1, lecturesTaken: 0, lecturesCancelled: 0 });
    expect(byInstructor.get(others[1]!.id)).toMatchObject({ lecturesScheduled: 0, lecturesTaken: 0, lecturesCancelled: 0 });
  });

  it("a forced re-run recomputes the week in place (upsert)", async () => {
    const before = new Map((await rows()).map((row) => [row.instructorId, row]));
    await lecture(school, firstCourse, "2099-03-05");
    const tenant = await jobTenant(school);
    expect(await runner().runWindow(instructorAttendanceJob, tenant, week)).toMatchObject({
      status: "SKIPPED",
      reason: "already succeeded",
    });
    expect(await runner().runWindow(instructorAttendanceJob, tenant, week, { force: true })).toMatchObject({
      status: "SUCCEEDED",
      counts: { instructors: 3, lectures: 5 },
    });
    const after = await rows();
    expect(after).toHaveLength(3);
    const mine = after.find((row) => row.instructorId === school.instructor.instructorId)!;
    expect(mine).toMatchObject({
      id: before.get(school.instructor.instructorId)!.id,
      lecturesScheduled: 3,
      lecturesTaken: 1,
      lecturesCancelled: 1,
    });
    expect(mine.updatedAt.getTime()).toBeGreaterThanOrEqual(before.get(school.instructor.instructorId)!.updatedAt.getTime());
  });

  it("staff read every instructor's week, an instructor only their own", async () => {
    const allResult = await school.admin.client.request(InstructorAttendanceDocument, { weekStart: week });
    const all = data(allResult).instructorAttendance;
    expect(all).toHaveLength(3);
    // The instructor of each row comes through a loader: as many statements for three rows as for one.
    const oneResult = await school.admin.client.request(InstructorAttendanceDocument, { weekStart: week, instructorId: others[0]!.id });
    expect(data(oneResult).instructorAttendance).toHaveLength(1);
    expectFlatStatements(oneResult, allResult);
    expect(all.every((row) => row.weekStart === week)).toBe(true);
    const mine = data(await school.instructor.client.request(InstructorAttendanceDocument, { weekStart: week })).instructorAttendance;
    expect(mine.map((row) => [row.instructor.id, row.lecturesScheduled, row.lecturesTaken, row.lecturesCancelled])).toEqual([
      [school.instructor.instructorId, 3, 1, 1],
    ]);
    const other = t.client({ token: others[0]!.token });
    expect(
      codes(await other.request(InstructorAttendanceDocument, { weekStart: week, instructorId: school.instructor.instructorId })),
    ).toEqual(["FORBIDDEN"]);
    const parent = (await school.family(1)).parent;
    expect(codes(await parent.client.request(InstructorAttendanceDocument, { weekStart: week }))).toEqual(["FORBIDDEN"]);
    expect(codes(await school.admin.client.request(InstructorAttendanceDocument, { weekStart: "2099-03-02" }))).toEqual(["BAD_USER_INPUT"]);
  });
});

describe("jobRuns", () => {
  let school: School;

  beforeAll(async () => {
    school = await createSchool(t);
    const tenant = await jobTenant(school);
    for (const day of ["2099-09-01", "2099-09-02", "2099-09-03"]) await runner().runWindow(markAbsent, tenant, day);
    await runner().runWindow(instructorAttendanceJob, tenant, "2099-08-30");
  });

  it("staff read the runs, newest first, by job and page by page", async () => {
    const all = data(await school.admin.client.request(JobRunsDocument, {})).jobRuns;
    expect(all.totalCount).toBe(4);
    expect(all.nodes.map((log) => log.windowKey)).toEqual(["2099-08-30", "2099-09-03", "2099-09-02", "2099-09-01"]);
    expect(all.nodes[1]).toMatchObject({ job: "mark-absent", status: "SUCCEEDED", counts: { lectures: 0, markedAbsent: 0 }, error: null });
    expect(all.nodes[1]!.finishedAt).toBeTruthy();

    const first = data(await school.admin.client.request(JobRunsDocument, { job: "mark-absent", first: 2 })).jobRuns;
    expect(first).toMatchObject({ totalCount: 3, pageInfo: { hasNextPage: true } });
    const next = data(
      await school.admin.client.request(JobRunsDocument, { job: "mark-absent", first: 2, after: first.pageInfo.endCursor }),
    ).jobRuns;
    expect([...first.nodes, ...next.nodes].map((log) => log.windowKey)).toEqual(["2099-09-03", "2099-09-02", "2099-09-01"]);
    expect(next.pageInfo.hasNextPage).toBe(false);
    const one = await school.admin.client.request(JobRunsDocument, { first: 1 });
    const four = await school.admin.client.request(JobRunsDocument, { first: 4 });
    expectFlatStatements(one, four);
    expect(codes(await school.admin.client.request(JobRunsDocument, { job: "nope" }))).toEqual(["BAD_USER_INPUT"]);
  });

  it("parents and instructors are refused; other tenants see none of them", async () => {
    const parent = (await school.family(1)).parent;
    expect(codes(await parent.client.request(JobRunsDocument, {}))).toEqual(["FORBIDDEN"]);
    expect(codes(await school.instructor.client.request(JobRunsDocument, {}))).toEqual(["FORBIDDEN"]);
    const other = await createSchool(t);
    const theirs = data(await other.admin.client.request(JobRunsDocument, {})).jobRuns;
    expect(theirs).toMatchObject({ totalCount: 0, nodes: [] });
  });
});

/** Runs `npm run jobs -- …args` with `env` on top of this process's environment. */
const cli = (args: string[], env: Record<string, string | undefined> = {}) => npmRun("jobs", args, env);

describe("npm run jobs", () => {
  it("lists the jobs and their schedules", async () => {
    const run = await cli(["list"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^mark-absent +59 23 \* \* \*/m);
    expect(run.stdout).toMatch(/^instructor-attendance +5 0 \* \* 0/m);
  }, 120_000);

  it("refuses, in one line and with exit 75, an embedded database another process holds", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "roster-jobs-"));
    // This test process stands for the running instance.
    const lock = lockDataDir(dataDir);
    try {
      const run = await cli(["run", "mark-absent"], {
        DATABASE_URL: undefined,
        REDIS_URL: undefined,
        ROSTER_DB: undefined,
        ROSTER_DATA_DIR: dataDir,
      });
      expect(run.code).toBe(75);
      expect(run.stderr.trim()).toMatch(
        new RegExp(`^data directory \\S+ is in use by pid ${process.pid} \\(.*\\); one process per embedded database: .*DATABASE_URL$`),
      );
      expect(run.stdout).toBe("");
    } finally {
      lock.release();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);

  // The CLI is a second process: it can only share a database with this test
  // server through PostgreSQL (the embedded database here lives in this process's memory).
  it.skipIf(!process.env.DATABASE_URL)(
    "runs a window for one tenant against DATABASE_URL: once, then skipped, then forced",
    async () => {
      const school = await createSchool(t);
      const course = await school.createCourse();
      const family = await school.family(2);
      for (const kid of family.childIds) await school.enroll(course, kid);
      const date = "2020-01-06";
      const lectureId = await lecture(school, course, date);
      // The job skips people who enrolled after the day; these two enrolled long before.
      await t.deps.database.db
        .update(enrollments)
        .set({ enrolledAt: utc("2019-12-01T00:00:00Z") })
        .where(eq(enrollments.courseId, course));
      const args = ["run", "mark-absent", "--date", date, "--tenant", school.tenant.slug];

      const first = await cli(args);
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toMatch(new RegExp(`^${school.tenant.slug} +mark-absent ${date}  SUCCEEDED lectures=1 markedAbsent=2`, "m"));
      expect(await marksOf([lectureId])).toHaveLength(2);
      expect(await absentNotices(family.parent.user.id)).toHaveLength(2);

      const again = await cli(args);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toMatch(/SKIPPED already succeeded/);

      const forced = await cli([...args, "--force"]);
      expect(forced.code, forced.stderr).toBe(0);
      expect(forced.stdout).toMatch(/SUCCEEDED lectures=1 markedAbsent=0/);
      expect(await absentNotices(family.parent.user.id)).toHaveLength(2);
      const [log] = await logsOf(school.tenant.id);
      expect(log!.instanceId).toMatch(/^cli-/);

      const early = await cli(["run", "mark-absent", "--date", "2099-01-01", "--tenant", school.tenant.slug]);
      expect(early.code).toBe(1);
      expect(early.stdout).toMatch(/REFUSED not due until 2099-01-01 23:59 Africa\/Cairo/);
    },
    240_000,
  );
});

describe("purge-idempotency-keys", () => {
  it("deletes the tenant's expired keys only", async () => {
    const school = await createSchool(t);
    const other = await createSchool(t);
    const db = t.deps.database.db;
    const key = (tenantId: string, userId: string, name: string, expiresAt: Date) => ({
      tenantId,
      userId,
      operation: "test",
      key: name,
      requestHash: "x",
      status: "COMPLETED" as const,
      expiresAt,
    });
    const past = new Date(Date.now() - 60_000);
    const future = new Date(Date.now() + 3_600_000);
    await db
      .insert(idempotencyKeys)
      .values([
        key(school.tenant.id, school.admin.user.id, "old", past),
        key(school.tenant.id, school.admin.user.id, "fresh", future),
        key(other.tenant.id, other.admin.user.id, "old-elsewhere", past),
      ]);
    const outcome = await runner().runWindow(purgeIdempotencyKeys, await jobTenant(school), "2099-01-01");
    expect(outcome).toMatchObject({ status: "SUCCEEDED", counts: { deleted: 1 } });
    const left = await db
      .select({ key: idempotencyKeys.key })
      .from(idempotencyKeys)
      .where(inArray(idempotencyKeys.tenantId, [school.tenant.id, other.tenant.id]));
    expect(left.map((row) => row.key).sort()).toEqual(["fresh", "old-elsewhere"]);
  });
});
