/**
 * The notifications issue 11 adds: staff are told about enrolment and refund requests and silent
 * devices; families about exam results, rescheduled lectures, reminders, fees due and repeated
 * absences — the right people, in their language, once, and never another tenant or family.
 * Scheduled notices run through the real job runner; a forced second run sends nothing again.
 */
import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { devices, notifications, notificationsSent } from "../drizzle/schema";
import { absenceAlerts } from "../server/jobs/absence-alerts";
import { deviceOffline } from "../server/jobs/device-offline";
import { feesDue } from "../server/jobs/fees-due";
import { scheduledTimeOf, type Job } from "../server/jobs/job";
import { reminders } from "../server/jobs/reminders";
import { createJobRunner, listJobTenants } from "../server/jobs/runner";
import { addDays, localDate, localTime } from "../server/time";
import {
  CreateEventDocument,
  CreateExamDocument,
  CreateLectureDocument,
  MarkAttendanceDocument,
  PublishEventDocument,
  RecordExamResultsDocument,
  RegisterForEventDocument,
  RecordManualPaymentDocument,
  RegisterDeviceDocument,
  RequestEnrollmentDocument,
  RequestRefundDocument,
  UpdateLectureDocument,
  UpdateNotificationSettingsDocument,
} from "./sdk/graphql";
import { data, expectFlatStatements } from "./helpers/client";
import { createSchool, type School } from "./helpers/school";
import { useTestServer } from "./helpers/server";

const t = useTestServer();
const ZONE = "Africa/Cairo";

const inbox = async (userId: string, kind: string) =>
  t.deps.database.db
    .select()
    .from(notifications)
    .where(and(eq(notifications.userId, userId), eq(notifications.kind, kind)));

async function runJob(school: School, job: Job, force = false) {
  const [tenant] = await listJobTenants(t.deps, [school.tenant.id]);
  // The window of now (the tenant was created moments ago, so no scheduled window is due yet).
  const window = job.window(new Date(), tenant!.timeZone);
  const outcome = await createJobRunner(t.deps, { instanceId: "notices-test" }).runWindow(job, tenant!, window, { force });
  expect(outcome.status).toBe("SUCCEEDED");
  return outcome.status === "SUCCEEDED" ? outcome.counts : {};
}

const today = () => localDate(new Date(), ZONE);

describe("staff notifications", () => {
  it("a new enrolment request tells the tenant's staff, in their language, and nobody else", async () => {
    const school = await createSchool(t);
    const staff = await t.fixtures.member(school.tenant, ["STAFF"], { language: "fr" });
    const elsewhere = await createSchool(t);
    const courseId = await school.createCourse({ name: "Robotics" });
    const { parent, childIds } = await school.family(1);
    const request = data(
      await parent.client.request(RequestEnrollmentDocument, { input: { courseId, participantId: childIds[0]! } }),
    ).requestEnrollment;

    const [toAdmin] = await inbox(school.admin.user.id, "ENROLLMENT_REQUESTED");
    expect(toAdmin).toMatchObject({
      tenantId: school.tenant.id,
      title: "New enrolment request",
      body: "Kid0 Test asked to join Robotics.",
    });
    expect(toAdmin!.data).toMatchObject({ requestId: request.id, courseId });
    expect((await inbox(staff.user.id, "ENROLLMENT_REQUESTED"))[0]!.title).toBe("Nouvelle demande d’inscription");
    expect(await inbox(parent.user.id, "ENROLLMENT_REQUESTED")).toEqual([]);
    expect(await inbox(school.instructor.user.id, "ENROLLMENT_REQUESTED")).toEqual([]);
    expect(await inbox(elsewhere.admin.user.id, "ENROLLMENT_REQUESTED")).toEqual([]);
  });

  it("a refund request tells staff", async () => {
    const school = await createSchool(t);
    const courseId = await school.createCourse();
    const { parent, childIds } = await school.family(1);
    const enrollmentId = await school.enroll(courseId, childIds[0]!, parent);
    const payment = data(
      await school.admin.client.request(RecordManualPaymentDocument, {
        input: { enrollmentId, amount: "250.00", idempotencyKey: randomUUID() },
      }),
    ).recordManualPayment;
    data(
      await parent.client.request(RequestRefundDocument, {
        input: { paymentId: payment.id, amount: "100.00", reason: "moving", idempotencyKey: randomUUID() },
      }),
    );
    const [notice] = await inbox(school.admin.user.id, "REFUND_REQUESTED");
    expect(notice!.body).toContain("100.00");
    expect(await inbox(parent.user.id, "REFUND_REQUESTED")).toEqual([]);
  });

  it("device-offline tells staff once per silence", async () => {
    const school = await createSchool(t);
    const { parent } = await school.family(1);
    const device = data(await school.admin.client.request(RegisterDeviceDocument, { name: "Front desk" })).registerDevice.device;
    const fresh = data(await school.admin.client.request(RegisterDeviceDocument, { name: "Hall" })).registerDevice.device;
    await t.deps.database.db
      .update(devices)
      .set({ lastSeenAt: new Date(Date.now() - 2 * 86_400_000) })
      .where(eq(devices.id, device.id));
    await t.deps.database.db.update(devices).set({ lastSeenAt: new Date() }).where(eq(devices.id, fresh.id));

    expect(await runJob(school, deviceOffline)).toEqual({ offline: 1, notified: 1 });
    const notices = await inbox(school.admin.user.id, "DEVICE_OFFLINE");
    expect(notices.map((n) => n.data)).toEqual([{ deviceId: device.id }]);
    expect(notices[0]!.body).toContain("Front desk");
    expect(await inbox(parent.user.id, "DEVICE_OFFLINE")).toEqual([]);

    expect(await runJob(school, deviceOffline, true)).toEqual({ offline: 1, notified: 0 });
    expect(await inbox(school.admin.user.id, "DEVICE_OFFLINE")).toHaveLength(1);
  });
});

describe("family notifications", () => {
  it("exam results: each family sees its own participant's score", async () => {
    const school = await createSchool(t);
    const courseId = await school.createCourse({ name: "Maths" });
    const a = await school.family(1);
    const b = await school.family(1);
    await school.enroll(courseId, a.childIds[0]!, a.parent);
    await school.enroll(courseId, b.childIds[0]!, b.parent);
    const exam = data(
      await school.instructor.client.request(CreateExamDocument, {
        courseId,
        input: { title: "Midterm", date: "2099-02-01", maxScore: "20" },
      }),
    ).createExam;
    data(
      await school.instructor.client.request(RecordExamResultsDocument, {
        examId: exam.id,
        results: [{ participantId: a.childIds[0]!, score: "17.5" }],
      }),
    );
    const [notice] = await inbox(a.parent.user.id, "EXAM_RESULTS");
    expect(notice).toMatchObject({ title: "Exam results", body: 'Kid0 Test scored 17.50 / 20.00 in "Midterm" (Maths).' });
    expect(await inbox(b.parent.user.id, "EXAM_RESULTS")).toEqual([]);
  });

  it("a rescheduled lecture tells the families enrolled, not others; a new title alone tells nobody", async () => {
    const school = await createSchool(t);
    const courseId = await school.createCourse({ name: "Chess" });
    const enrolled = await school.family(1);
    await school.enroll(courseId, enrolled.childIds[0]!, enrolled.parent);
    const outsider = await school.family(1);
    const lectureId = data(
      await school.admin.client.request(CreateLectureDocument, { courseId, input: { date: "2099-01-10", startTime: "10:00" } }),
    ).createLecture.id;
    data(await school.admin.client.request(UpdateLectureDocument, { id: lectureId, input: { date: "2099-01-11", startTime: "12:30" } }));
    const [notice] = await inbox(enrolled.parent.user.id, "LECTURE_RESCHEDULED");
    expect(notice!.body).toBe("The Chess lecture of 2099-01-10 at 10:00 now takes place on 2099-01-11 at 12:30.");
    expect(await inbox(outsider.parent.user.id, "LECTURE_RESCHEDULED")).toEqual([]);
    data(await school.admin.client.request(UpdateLectureDocument, { id: lectureId, input: { title: "Openings" } }));
    expect(await inbox(enrolled.parent.user.id, "LECTURE_RESCHEDULED")).toHaveLength(1);
  });

  it("reminders: families of a lecture starting within the lead time, once", async () => {
    const school = await createSchool(t);
    const start = new Date(Date.now() + 60 * 60_000);
    const courseId = await school.createCourse({ name: "Swimming", startsOn: addDays(today(), -1), endsOn: addDays(today(), 30) });
    const enrolled = await school.family(1);
    await school.enroll(courseId, enrolled.childIds[0]!, enrolled.parent);
    const outsider = await school.family(1);
    const soon = data(
      await school.admin.client.request(CreateLectureDocument, {
        courseId,
        input: { date: localDate(start, ZONE), startTime: localTime(start, ZONE).slice(0, 5) },
      }),
    ).createLecture.id;
    const later = new Date(Date.now() + 5 * 60 * 60_000);
    data(
      await school.admin.client.request(CreateLectureDocument, {
        courseId,
        input: { date: localDate(later, ZONE), startTime: localTime(later, ZONE).slice(0, 5) },
      }),
    );

    const counts = await runJob(school, reminders);
    expect(counts).toMatchObject({ lectures: 1, reminded: 1 });
    const notices = await inbox(enrolled.parent.user.id, "LECTURE_REMINDER");
    expect(notices.map((n) => n.data)).toEqual([{ lectureId: soon, courseId }]);
    expect(await inbox(outsider.parent.user.id, "LECTURE_REMINDER")).toEqual([]);

    // A second run (forced) and a longer lead time remind nobody twice; the later lecture now is due.
    data(await school.admin.client.request(UpdateNotificationSettingsDocument, { input: { reminderLeadMinutes: 600 } }));
    expect(await runJob(school, reminders, true)).toMatchObject({ lectures: 1, reminded: 1 });
    expect(await inbox(enrolled.parent.user.id, "LECTURE_REMINDER")).toHaveLength(2);
    expect(await runJob(school, reminders, true)).toMatchObject({ lectures: 0, reminded: 0 });
    expect(await inbox(enrolled.parent.user.id, "LECTURE_REMINDER")).toHaveLength(2);
    const keys = await t.deps.database.db.select().from(notificationsSent).where(eq(notificationsSent.tenantId, school.tenant.id));
    expect(keys).toHaveLength(2);
  });

  it("reminders: confirmed registrants of a published event starting soon, once", async () => {
    const school = await createSchool(t);
    const member = await t.fixtures.member(school.tenant, ["MEMBER"]);
    const bystander = await t.fixtures.member(school.tenant, ["MEMBER"]);
    const startsAt = new Date(Date.now() + 90 * 60_000);
    const event = data(
      await school.admin.client.request(CreateEventDocument, {
        input: {
          title: "Open day",
          startsAt: startsAt.toISOString(),
          endsAt: new Date(startsAt.getTime() + 3_600_000).toISOString(),
          maxParticipants: 10,
          location: "Hall",
        },
      }),
    ).createEvent;
    data(await school.admin.client.request(PublishEventDocument, { id: event.id }));
    data(await member.client.request(RegisterForEventDocument, { eventId: event.id }));
    expect(await runJob(school, reminders)).toMatchObject({ events: 1, reminded: 1 });
    const [notice] = await inbox(member.user.id, "EVENT_REMINDER");
    expect(notice!.data).toEqual({ eventId: event.id });
    expect(notice!.body).toContain("Open day");
    expect(await inbox(bystander.user.id, "EVENT_REMINDER")).toEqual([]);
    expect(await runJob(school, reminders, true)).toMatchObject({ events: 0, reminded: 0 });
    expect(await inbox(member.user.id, "EVENT_REMINDER")).toHaveLength(1);
  });

  it("fees due: unpaid enrolments of courses starting within the notice, once", async () => {
    const school = await createSchool(t);
    const soonCourse = await school.createCourse({
      name: "Art",
      startsOn: addDays(today(), 2),
      endsOn: addDays(today(), 40),
      price: "300.00",
    });
    const farCourse = await school.createCourse({ name: "Music", startsOn: addDays(today(), 20), endsOn: addDays(today(), 40) });
    const unpaid = await school.family(1);
    const paid = await school.family(1);
    await school.enroll(soonCourse, unpaid.childIds[0]!, unpaid.parent);
    await school.enroll(farCourse, unpaid.childIds[0]!, unpaid.parent);
    const paidEnrollment = await school.enroll(soonCourse, paid.childIds[0]!, paid.parent);
    data(
      await school.admin.client.request(RecordManualPaymentDocument, {
        input: { enrollmentId: paidEnrollment, amount: "300.00", idempotencyKey: randomUUID() },
      }),
    );

    expect(await runJob(school, feesDue)).toEqual({ owing: 1, notified: 1 });
    const [notice] = await inbox(unpaid.parent.user.id, "FEES_DUE");
    expect(notice!.body).toBe(`Art starts on ${addDays(today(), 2)}: 300.00 EGP is still due for Kid0 Test.`);
    expect(await inbox(paid.parent.user.id, "FEES_DUE")).toEqual([]);
    expect(await runJob(school, feesDue, true)).toEqual({ owing: 1, notified: 0 });
    expect(await inbox(unpaid.parent.user.id, "FEES_DUE")).toHaveLength(1);
  });
});

describe("absence alerts", () => {
  it("after N absences in a row the family is told once per streak; a present mark starts a new streak", async () => {
    const school = await createSchool(t);
    const courseId = await school.createCourse({ name: "Karate" });
    const a = await school.family(1);
    const b = await school.family(1);
    const kidA = a.childIds[0]!;
    const kidB = b.childIds[0]!;
    await school.enroll(courseId, kidA, a.parent);
    await school.enroll(courseId, kidB, b.parent);
    let day = 0;
    const lecture = async (marks: [string, boolean][]) => {
      const lectureId = data(
        await school.instructor.client.request(CreateLectureDocument, {
          courseId,
          input: { date: addDays("2099-02-01", day++), startTime: "10:00" },
        }),
      ).createLecture.id;
      data(
        await school.instructor.client.request(MarkAttendanceDocument, {
          lectureId,
          marks: marks.map(([participantId, present]) => ({ participantId, present, rating: present ? "8" : null })),
        }),
      );
      return lectureId;
    };
    await lecture([
      [kidA, false],
      [kidB, false],
    ]);
    expect(await runJob(school, absenceAlerts)).toEqual({ streaks: 0, alerted: 0 });
    await lecture([
      [kidA, false],
      [kidB, true],
    ]);
    expect(await runJob(school, absenceAlerts, true)).toEqual({ streaks: 1, alerted: 1 });
    const [alert] = await inbox(a.parent.user.id, "ABSENCE_ALERT");
    expect(alert!.body).toBe("Kid0 Test has missed 2 lectures of Karate in a row (last on 2099-02-02).");
    expect(await inbox(b.parent.user.id, "ABSENCE_ALERT")).toEqual([]);

    // The same streak growing alerts nobody again.
    await lecture([
      [kidA, false],
      [kidB, false],
    ]);
    expect(await runJob(school, absenceAlerts, true)).toMatchObject({ alerted: 0 });
    expect(await inbox(a.parent.user.id, "ABSENCE_ALERT")).toHaveLength(1);

    // Present, then two absences: a new streak, a new alert (and B's first streak of two).
    await lecture([
      [kidA, true],
      [kidB, false],
    ]);
    await lecture([
      [kidA, false],
      [kidB, true],
    ]);
    await lecture([
      [kidA, false],
      [kidB, true],
    ]);
    expect(await runJob(school, absenceAlerts, true)).toMatchObject({ alerted: 1 });
    expect(await inbox(a.parent.user.id, "ABSENCE_ALERT")).toHaveLength(2);
    expect(await inbox(b.parent.user.id, "ABSENCE_ALERT")).toEqual([]);
  });

  it("the tenant's threshold counts", async () => {
    const school = await createSchool(t);
    data(await school.admin.client.request(UpdateNotificationSettingsDocument, { input: { absenceAlertAfter: 3 } }));
    const courseId = await school.createCourse();
    const a = await school.family(1);
    await school.enroll(courseId, a.childIds[0]!, a.parent);
    for (const date of ["2099-03-01", "2099-03-02"]) {
      const lectureId = data(
        await school.instructor.client.request(CreateLectureDocument, { courseId, input: { date, startTime: "09:00" } }),
      ).createLecture.id;
      data(
        await school.instructor.client.request(MarkAttendanceDocument, {
          lectureId,
          marks: [{ participantId: a.childIds[0]!, present: false }],
        }),
      );
    }
    expect(await runJob(school, absenceAlerts)).toEqual({ streaks: 0, alerted: 0 });
  });
});

describe("statements", () => {
  it("marking 12 absent costs what marking 2 absent does (one notify batch)", async () => {
    const school = await createSchool(t);
    const courseId = await school.createCourse();
    const kids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const family = await school.family(2);
      for (const child of family.childIds) {
        await school.enroll(courseId, child, family.parent);
        kids.push(child);
      }
    }
    const results = [];
    for (const [date, who] of [
      ["2099-06-01", kids.slice(0, 2)],
      ["2099-06-02", kids],
    ] as const) {
      const lectureId = data(
        await school.instructor.client.request(CreateLectureDocument, { courseId, input: { date, startTime: "10:00" } }),
      ).createLecture.id;
      results.push(
        await school.instructor.client.request(MarkAttendanceDocument, {
          lectureId,
          marks: who.map((participantId) => ({ participantId, present: false })),
        }),
      );
    }
    expectFlatStatements(results[0]!, results[1]!);
    const parents = await t.deps.database.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.tenantId, school.tenant.id), eq(notifications.kind, "ATTENDANCE_ABSENT")));
    expect(parents).toHaveLength(14);
  });

  it("windows of sub-daily jobs map back to their scheduled time", () => {
    const at = scheduledTimeOf(reminders, "2099-01-10T18:15", ZONE);
    expect(at?.toISOString()).toBe("2099-01-10T16:15:00.000Z");
    expect(reminders.windowOfDate("2099-01-10")).toBe("2099-01-10T00:00");
    expect(scheduledTimeOf(deviceOffline, "2099-01-10T18:00", ZONE)?.toISOString()).toBe("2099-01-10T16:00:00.000Z");
  });
});
