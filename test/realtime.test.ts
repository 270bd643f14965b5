import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import {
  AddChildDocument,
  ApproveEnrollmentRequestDocument,
  AttendanceUpdatedDocument,
  CreateLectureDocument,
  MarkAllNotificationsReadDocument,
  MarkAttendanceDocument,
  MarkNotificationReadDocument,
  MeDocument,
  NotificationAddedDocument,
  NotificationsDocument,
  ProfileUpdatedDocument,
  RejectEnrollmentRequestDocument,
  RequestEnrollmentDocument,
  RevokeSessionDocument,
  UnreadNotificationCountDocument,
  UpdateProfileDocument,
} from "./sdk/graphql";
import { codes, data } from "./helpers/client";
import type { SignedIn } from "./helpers/fixtures";
import { createSchool, type Family, type School } from "./helpers/school";
import { startTestServer, useTestServer, subscribed, type TestServer } from "./helpers/server";

let school: School;
let courseId: string;
let lectureId: string;
let family: Family;
let otherFamily: Family;

const t = useTestServer();
beforeAll(async () => {
  school = await createSchool(t);
  courseId = await school.createCourse({ name: "Live robotics" });
  family = await school.family(1);
  otherFamily = await school.family(1);
  await school.enroll(courseId, family.childIds[0]!);
  await school.enroll(courseId, otherFamily.childIds[0]!);
  lectureId = data(
    await school.instructor.client.request(CreateLectureDocument, { courseId, input: { date: "2099-04-04", startTime: "09:00" } }),
  ).createLecture.id;
});

const mark = (participantId: string, present = true, lecture = lectureId) =>
  school.instructor.client.request(MarkAttendanceDocument, {
    lectureId: lecture,
    marks: [{ participantId, present, rating: present ? "9" : null }],
  });

describe("connecting", () => {
  it("refuses a connection without a valid token (close 4401)", async () => {
    for (const options of [{}, { token: "not-a-jwt" }, { connectionParams: { authorization: "Basic x" } }]) {
      const ws = t.ws(options);
      ws.subscribe(ProfileUpdatedDocument);
      const closed = await ws.firstClose;
      expect(closed.code).toBe(4401);
      expect(closed.reason).toMatch(/Unauthorized/);
      await ws.close();
    }
  });

  it("runs queries and mutations over the socket too", async () => {
    const ws = t.ws({ token: family.parent.token });
    const result = await ws.execute(MeDocument);
    expect(result.data?.me.id).toBe(family.parent.user.id);
    await ws.close();
  });

  it("closes the socket (4401) when its session is signed out", async () => {
    const second = await t.fixtures.login(family.parent.user, school.tenant);
    const ws = t.ws({ token: second.token });
    await subscribed(t, () => ws.subscribe(ProfileUpdatedDocument));
    data(await family.parent.client.request(RevokeSessionDocument, { sessionId: second.sessionId }));
    data(await family.parent.client.request(UpdateProfileDocument, { input: { lastName: "Changed" } }));
    expect((await ws.firstClose).code).toBe(4401);
    await ws.close();
  });
});

describe("attendanceUpdated", () => {
  it("delivers marks to the teacher (all) and to families (their own only)", async () => {
    const teacher = t.ws({ token: school.instructor.token });
    const parent = t.ws({ token: family.parent.token });
    const other = t.ws({ token: otherFamily.parent.token });
    const teacherSub = await subscribed(t, () => teacher.subscribe(AttendanceUpdatedDocument, { lectureId }));
    const parentSub = await subscribed(t, () => parent.subscribe(AttendanceUpdatedDocument, { courseId }));
    const otherSub = await subscribed(t, () => other.subscribe(AttendanceUpdatedDocument, { lectureId }));

    data(await mark(family.childIds[0]!));
    const toTeacher = (await teacherSub.next()).data!.attendanceUpdated;
    expect(toTeacher).toMatchObject({ lectureId, courseId, lecture: { attendanceTaken: true } });
    expect(toTeacher.marks.map((m) => (m.participant as { id: string }).id)).toEqual([family.childIds[0]]);
    const toParent = (await parentSub.next()).data!.attendanceUpdated;
    expect(toParent.marks).toHaveLength(1);
    expect(toParent.marks[0]!.rating).toBe("9.00");
    // The other family's subscription hears nothing of this child.
    expect(await otherSub.quiet(300)).toBe(true);

    data(await mark(otherFamily.childIds[0]!, false));
    const toOther = (await otherSub.next()).data!.attendanceUpdated;
    expect(toOther.marks.map((m) => (m.participant as { id: string }).id)).toEqual([otherFamily.childIds[0]]);
    expect((await teacherSub.next()).data!.attendanceUpdated.marks).toHaveLength(1);
    expect(await parentSub.quiet(300)).toBe(true);
    await Promise.all([teacher.close(), parent.close(), other.close()]);
  });

  it("does not deliver another course's or another tenant's marks", async () => {
    const otherCourse = await school.createCourse();
    await school.enroll(otherCourse, family.childIds[0]!);
    const otherLecture = data(
      await school.instructor.client.request(CreateLectureDocument, {
        courseId: otherCourse,
        input: { date: "2099-04-05", startTime: "09:00" },
      }),
    ).createLecture.id;
    const teacher = t.ws({ token: school.instructor.token });
    const sub = await subscribed(t, () => teacher.subscribe(AttendanceUpdatedDocument, { courseId }));
    data(await mark(family.childIds[0]!, true, otherLecture));
    expect(await sub.quiet(300)).toBe(true);

    const otherSchool = await createSchool(t);
    const foreign = t.ws({ token: otherSchool.admin.token });
    const refused = foreign.subscribe(AttendanceUpdatedDocument, { lectureId });
    const event = await refused.next();
    expect(event.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    await Promise.all([teacher.close(), foreign.close()]);
  });

  it("needs exactly one of lectureId or courseId, and a participant of one's own", async () => {
    const ws = t.ws({ token: school.instructor.token });
    for (const variables of [{}, { lectureId, courseId }]) {
      const event = await ws.subscribe(AttendanceUpdatedDocument, variables).next();
      expect(event.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    }
    const stranger = await school.family(1);
    const strangerWs = t.ws({ token: stranger.parent.token });
    const event = await strangerWs.subscribe(AttendanceUpdatedDocument, { lectureId }).next();
    expect(event.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    await Promise.all([ws.close(), strangerWs.close()]);
  });
});

describe("notifications", () => {
  let parent: SignedIn;
  beforeAll(async () => {
    parent = (await school.family(0)).parent;
  });

  it("arrive live through notificationAdded, in the recipient's language", async () => {
    const kids = await school.family(1);
    const ws = t.ws({ token: kids.parent.token });
    const sub = await subscribed(t, () => ws.subscribe(NotificationAddedDocument));
    const request = data(
      await kids.parent.client.request(RequestEnrollmentDocument, { input: { courseId, participantId: kids.childIds[0]! } }),
    );
    data(await school.admin.client.request(ApproveEnrollmentRequestDocument, { id: request.requestEnrollment.id }));
    const event = (await sub.next()).data!.notificationAdded;
    expect(event).toMatchObject({ kind: "ENROLLMENT_APPROVED", title: "Enrolment approved" });
    expect(event.data).toMatchObject({ requestId: request.requestEnrollment.id });
    // Someone else's subscription hears nothing.
    const otherWs = t.ws({ token: parent.token });
    const otherSub = await subscribed(t, () => otherWs.subscribe(NotificationAddedDocument));
    const second = data(
      await kids.parent.client.request(RequestEnrollmentDocument, {
        input: { courseId: await school.createCourse(), participantId: kids.childIds[0]! },
      }),
    );
    data(await school.admin.client.request(RejectEnrollmentRequestDocument, { id: second.requestEnrollment.id, reason: "Full" }));
    expect((await sub.next()).data!.notificationAdded.kind).toBe("ENROLLMENT_REJECTED");
    expect(await otherSub.quiet(300)).toBe(true);
    await Promise.all([ws.close(), otherWs.close()]);
  });

  it("are written in each recipient's language", async () => {
    const courseFr = await school.createCourse({ name: "Échecs" });
    const arabic = await t.fixtures.member(school.tenant, ["PARENT"], { language: "ar" });
    const french = await t.fixtures.member(school.tenant, ["PARENT"], { language: "fr" });
    for (const parent of [arabic, french]) {
      const child = data(await parent.client.request(AddChildDocument, { input: { firstName: "Nour" } })).addChild;
      await school.enroll(courseFr, child.id, parent);
    }
    const [ar] = data(await arabic.client.request(NotificationsDocument, {})).notifications.nodes;
    const [fr] = data(await french.client.request(NotificationsDocument, {})).notifications.nodes;
    expect(ar).toMatchObject({ kind: "ENROLLMENT_APPROVED", title: "تمت الموافقة على التسجيل" });
    expect(ar!.body).toContain("Échecs");
    expect(fr).toMatchObject({ kind: "ENROLLMENT_APPROVED", title: "Inscription acceptée" });
  });

  it("are listed, counted and marked read; nobody reads another's", async () => {
    const kids = await school.family(1);
    const course = await school.createCourse();
    await school.enroll(course, kids.childIds[0]!);
    await school.enroll(await school.createCourse(), kids.childIds[0]!);
    const { client } = kids.parent;
    expect(data(await client.request(UnreadNotificationCountDocument)).unreadNotificationCount).toBe(2);
    const list = data(await client.request(NotificationsDocument, { first: 1 })).notifications;
    expect(list.totalCount).toBe(2);
    expect(list.pageInfo.hasNextPage).toBe(true);
    const read = data(await client.request(MarkNotificationReadDocument, { id: list.nodes[0]!.id })).markNotificationRead;
    expect(read.isRead).toBe(true);
    expect(data(await client.request(NotificationsDocument, { unreadOnly: true })).notifications.totalCount).toBe(1);
    expect(codes(await parent.client.request(MarkNotificationReadDocument, { id: list.nodes[0]!.id }))).toEqual(["NOT_FOUND"]);
    expect(data(await client.request(MarkAllNotificationsReadDocument)).markAllNotificationsRead).toBe(1);
    expect(data(await client.request(UnreadNotificationCountDocument)).unreadNotificationCount).toBe(0);
    expect(codes(await t.client({ tenant: school.tenant.slug }).request(NotificationsDocument, {}))).toEqual(["UNAUTHENTICATED"]);
  });
});

describe("limits and cleanup", () => {
  let limited: TestServer;
  let user: SignedIn;
  beforeAll(async () => {
    limited = await startTestServer({
      WS_MAX_CONNECTIONS_PER_USER: "2",
      WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: "2",
      WS_MESSAGES_PER_SECOND: "10",
    });
    const tenant = await limited.fixtures.tenant();
    user = await limited.fixtures.member(tenant, ["PARENT"]);
  });
  afterAll(() => limited?.close());

  it("closes a user's third connection with 4429", async () => {
    const sockets = [limited.ws({ token: user.token }), limited.ws({ token: user.token })];
    for (const ws of sockets) await subscribed(limited, () => ws.subscribe(ProfileUpdatedDocument));
    const third = limited.ws({ token: user.token });
    third.subscribe(ProfileUpdatedDocument);
    const closed = await third.firstClose;
    expect(closed.code).toBe(4429);
    expect(closed.reason).toMatch(/connections/);
    await Promise.all([...sockets, third].map((ws) => ws.close()));
  });

  it("closes a connection that opens too many subscriptions with 4429", async () => {
    const ws = limited.ws({ token: user.token });
    ws.subscribe(ProfileUpdatedDocument);
    ws.subscribe(ProfileUpdatedDocument);
    ws.subscribe(ProfileUpdatedDocument);
    const closed = await ws.firstClose;
    expect(closed.code).toBe(4429);
    expect(closed.reason).toMatch(/subscriptions/);
    await ws.close();
  });

  it("closes a connection that sends too many messages with 4429", async () => {
    // A raw graphql-ws client: after connection_init, a flood of protocol pings.
    const socket = new WebSocket(`${limited.url.replace(/^http/, "ws")}/graphql`, "graphql-transport-ws");
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      socket.on("close", (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    await new Promise((resolve) => socket.once("open", resolve));
    socket.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${user.token}` } }));
    for (let i = 0; i < 15; i++) socket.send(JSON.stringify({ type: "ping" }));
    const result = await closed;
    expect(result.code).toBe(4429);
    expect(result.reason).toMatch(/messages/);
  });

  it("releases every listener: 500 subscribe-and-disconnect cycles leave the count where it started", async () => {
    const start = t.deps.bus.listenerCount();
    const token = family.parent.token;
    for (let i = 0; i < 500; i++) {
      const ws = t.ws({ token });
      const sub = i % 2 ? ws.subscribe(ProfileUpdatedDocument) : ws.subscribe(NotificationAddedDocument);
      await waitFor(() => t.deps.bus.listenerCount() > start);
      if (i % 3 === 0) sub.stop(); // unsubscribe first, then disconnect
      await ws.close();
    }
    await waitFor(() => t.deps.bus.listenerCount() === start);
    expect(t.deps.bus.listenerCount()).toBe(start);
  }, 120_000);
});

describe("across instances (Redis)", () => {
  const shared = Boolean(process.env.REDIS_URL && process.env.DATABASE_URL);
  it.skipIf(!shared)("a mark made through instance A reaches a subscriber on instance B", async () => {
    // Needs one database and one Redis shared by both instances; runs in CI's PostgreSQL + Redis pass.
    const a = t;
    // Instances behind one balancer share the signing key, so tokens work on both.
    const key = t.deps.signingKey.privateKey.export({ format: "pem", type: "pkcs8" }).toString();
    const b = await startTestServer({ JWT_PRIVATE_KEY: key });
    try {
      const ws = b.ws({ token: school.instructor.token });
      const sub = await subscribed(b, () => ws.subscribe(AttendanceUpdatedDocument, { lectureId }));
      data(await mark(family.childIds[0]!, true));
      const event = (await sub.next()).data!.attendanceUpdated;
      expect(event.lectureId).toBe(lectureId);
      expect(a.server.url()).not.toBe(b.server.url());
      await ws.close();
    } finally {
      await b.close();
    }
  });
});

async function waitFor(condition: () => boolean, ms = 5000) {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
