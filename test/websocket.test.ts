import { beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { getMetadataStorage } from "type-graphql";
import { buildRosterSchema } from "../schema";
import { Topic } from "../server/pubsub/topics";
import { PERSONAL_FIELDS } from "../server/realtime/audience";
import { statementsTotal } from "../server/request-store";
import { data } from "./helpers/client";
import type { SignedIn } from "./helpers/fixtures";
import { createSchool, type Family, type School } from "./helpers/school";
import { startTestServer, useTestServer, subscribed } from "./helpers/server";
import {
  AttendanceMarkersDocument,
  AttendanceRegisterDocument,
  AttendanceUpdatedDocument,
  CreateLectureDocument,
  MarkAttendanceDocument,
  MeDocument,
  ProfileUpdatedDocument,
  RegisterDeviceDocument,
  RevokeDeviceDocument,
  SetMemberRolesDocument,
  TagsDocument,
} from "./sdk/graphql";

let school: School;
let courseId: string;
let lectureId: string;
let family: Family;

const t = useTestServer({ WS_MAX_CONNECTIONS_PER_USER: "50", WS_MAX_CONNECTIONS_PER_IP: "200", WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: "3" });
beforeAll(async () => {
  school = await createSchool(t);
  courseId = await school.createCourse({ name: "Live" });
  family = await school.family(2);
  for (const child of family.childIds) await school.enroll(courseId, child, family.parent);
  lectureId = data(
    await school.instructor.client.request(CreateLectureDocument, { courseId, input: { date: "2099-04-04", startTime: "09:00" } }),
  ).createLecture.id;
});

const mark = (present = true) =>
  school.instructor.client.request(MarkAttendanceDocument, {
    lectureId,
    marks: family.childIds.map((participantId) => ({ participantId, present, rating: present ? "9" : null })),
  });

/** Waits until `check` holds (or fails after `ms`). */
async function until(check: () => boolean, ms = 5_000) {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > ms) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("bad documents are answered like over HTTP, and the socket stays open", () => {
  it("syntax, unknown field, bad variable, too costly, NUL byte: typed errors, then the socket still works", async () => {
    const ws = t.ws({ token: school.admin.token });
    const ask = async (query: string, variables?: Record<string, unknown>) => {
      const iterator = ws.client.iterate({ query, variables });
      try {
        const { value } = await iterator.next();
        return value as { data?: unknown; errors?: { message: string; extensions?: { code?: string; field?: string } }[] };
      } catch (errors) {
        return { errors: errors as { message: string; extensions?: { code?: string; field?: string } }[] };
      } finally {
        await iterator.return?.();
      }
    };
    const cases: [string, Record<string, unknown> | undefined, string][] = [
      ["{ me { id ", undefined, "GRAPHQL_PARSE_FAILED"],
      ["{ me { id password } }", undefined, "GRAPHQL_VALIDATION_FAILED"],
      ["query($slug: String!) { tenantBySlug(slug: $slug) { id } }", { slug: 42 }, "BAD_USER_INPUT"],
      [
        `{ courses(first: 100) { nodes { lectures(first: 100) { nodes { course { lectures(first: 100) { nodes { id } } } } } } } }`,
        undefined,
        "QUERY_TOO_COMPLEX",
      ],
      ["query($f: CourseFilter) { courses(filter: $f) { totalCount } }", { f: { search: "a\u0000" } }, "BAD_USER_INPUT"],
    ];
    for (const [query, variables, code] of cases) {
      const answer = await ask(query, variables);
      expect([query, answer.errors?.map((error) => error.extensions?.code)]).toEqual([query, [code]]);
    }
    // The lazy client closes normally (1000) when idle; the server closed nothing.
    expect(ws.closed.filter((close) => close.code !== 1000)).toEqual([]);
    expect((await ws.execute(MeDocument)).data?.me.id).toBe(school.admin.user.id);
    await ws.close();
  });

  it("a document over the token limit is GRAPHQL_PARSE_FAILED too", async () => {
    const small = await startTestServer({ QUERY_MAX_TOKENS: "100" });
    try {
      const user = await small.fixtures.user();
      const signedIn = await small.fixtures.login(user);
      const ws = small.ws({ token: signedIn.token });
      const fields = Array.from({ length: 60 }, (_, i) => `f${i}: __typename`).join(" ");
      const iterator = ws.client.iterate({ query: `{ ${fields} }` });
      const error = await iterator.next().then(
        () => undefined,
        (errors: { extensions?: { code?: string } }[]) => errors,
      );
      expect(error?.[0]?.extensions?.code).toBe("GRAPHQL_PARSE_FAILED");
      expect(ws.closed.filter((close) => close.code !== 1000)).toEqual([]);
      await ws.close();
    } finally {
      await small.close();
    }
  });
});

describe("authentication at connection_init", () => {
  it("refuses a forged device token and a signed-out session before any operation (4401, no ack)", async () => {
    for (const options of [{ deviceToken: `rdv_${school.tenant.id}_${"x".repeat(43)}` }, { token: await signedOutToken() }]) {
      const ws = t.ws(options);
      const sub = ws.subscribe(TagsDocument as never);
      expect((await ws.firstClose).code).toBe(4401);
      expect(sub.events.every((event) => !event.data)).toBe(true);
      await ws.close();
    }
  });

  it("closes a socket when its access token expires (4401)", async () => {
    const brief = await startTestServer({ ACCESS_TOKEN_TTL: "2s" });
    try {
      const user = await brief.fixtures.user();
      const signedIn = await brief.fixtures.login(user);
      const ws = brief.ws({ token: signedIn.token });
      // An open subscription keeps the (lazy) client connected.
      await subscribed(brief, () => ws.subscribe(ProfileUpdatedDocument));
      const started = Date.now();
      const closed = await ws.firstClose;
      expect(closed.code).toBe(4401);
      expect(closed.reason).toMatch(/expired/);
      expect(Date.now() - started).toBeLessThan(3_500);
      await ws.close();
    } finally {
      await brief.close();
    }
  });

  async function signedOutToken() {
    const signedIn = await t.fixtures.login(school.admin.user, school.tenant);
    await signedIn.client.raw({ query: "mutation { logout }" });
    return signedIn.token;
  }
});

describe("limits", () => {
  it("admits exactly the stated number of subscriptions per connection (3 here), and closes on the next with 4429", async () => {
    const ws = t.ws({ token: school.admin.token });
    for (let i = 0; i < 3; i++) await subscribed(t, () => ws.subscribe(AttendanceUpdatedDocument, { courseId }));
    expect(ws.closed).toEqual([]);
    ws.subscribe(AttendanceUpdatedDocument, { courseId });
    expect((await ws.firstClose).code).toBe(4429);
    await ws.close();
  });
});

describe("access changes reach open sockets", () => {
  it("a member whose roles change is disconnected (4401) and reconnects with the new roles", async () => {
    const staff = await t.fixtures.member(school.tenant, ["STAFF"]);
    const ws = t.ws({ token: staff.token });
    await subscribed(t, () => ws.subscribe(AttendanceUpdatedDocument, { courseId }));
    const membershipId = data(await staff.client.request(MeDocument)).me.membership!.id;
    data(await school.admin.client.request(SetMemberRolesDocument, { membershipId, roles: ["PARENT"] }));
    expect((await ws.firstClose).code).toBe(4401);
    await ws.close();
  });

  it("a revoked device is disconnected (4401)", async () => {
    const registered = data(await school.admin.client.request(RegisterDeviceDocument, { name: "Door tablet" })).registerDevice;
    const ws = t.ws({ deviceToken: registered.token });
    await subscribed(t, () => ws.subscribe(AttendanceUpdatedDocument, { courseId }));
    data(await school.admin.client.request(RevokeDeviceDocument, { id: registered.device.id }));
    expect((await ws.firstClose).code).toBe(4401);
    await ws.close();
  });
});

describe("fan-out", () => {
  /** Opens `count` sockets for `who`, each subscribed to the course's register. */
  async function watchers(who: SignedIn, count: number, document = AttendanceRegisterDocument) {
    const sockets = [];
    for (let i = 0; i < count; i++) {
      const ws = t.ws({ token: who.token });
      sockets.push({ ws, sub: await subscribed(t, () => ws.subscribe(document as typeof AttendanceRegisterDocument, { courseId })) });
    }
    return sockets;
  }

  /** Statements and audiences of one mark, delivered to every watcher. */
  async function oneMark(sockets: Awaited<ReturnType<typeof watchers>>) {
    const seen = sockets.map(({ sub }) => sub.events.length);
    const statements = statementsTotal();
    const audiences = t.server.fanout.stats.audiences;
    data(await mark());
    await until(() => sockets.every(({ sub }, i) => sub.events.length > seen[i]!));
    return {
      statements: statementsTotal() - statements,
      audiences: t.server.fanout.stats.audiences - audiences,
      events: sockets.map(({ sub }) => sub.events.at(-1)!),
    };
  }

  it("resolves an event once per audience: 2 or 20 staff sockets cost the same statements, and all get the same answer", async () => {
    const few = await watchers(school.admin, 2);
    const withFew = await oneMark(few);
    const many = await watchers(school.admin, 18);
    const withMany = await oneMark([...few, ...many]);
    expect(withMany.statements).toBe(withFew.statements);
    expect(withMany.audiences).toBe(withFew.audiences);
    expect(withMany.audiences).toBe(1);
    const answers = new Set(withMany.events.map((event) => JSON.stringify(event)));
    expect(answers.size).toBe(1);
    expect(withMany.events[0]!.data!.attendanceUpdated.marks).toHaveLength(2);
    for (const { ws } of [...few, ...many]) await ws.close();
  });

  it("knows every field that depends on who the viewer is (each private field is one)", async () => {
    await buildRosterSchema();
    const storage = getMetadataStorage();
    // biome-ignore lint/complexity/noBannedTypes: type-graphql keys its metadata by class (any constructor)
    const typeNameOf = (target: Function) => {
      const resolver = storage.resolverClasses.find((entry) => entry.target === target);
      const objectClass = resolver ? resolver.getObjectType?.() : target;
      return storage.objectTypes.find((entry) => entry.target === objectClass)?.name;
    };
    const personal = storage.authorizedFields
      .filter((field) => field.roles.includes("PERSON"))
      .map((field) => `${typeNameOf(field.target)}.${field.fieldName}`);
    expect(personal.length).toBeGreaterThan(5);
    expect(personal.filter((name) => !PERSONAL_FIELDS.has(name))).toEqual([]);
  });

  it("a document about the viewer themself is resolved per person; families still get only their own marks", async () => {
    const otherAdmin = await t.fixtures.member(school.tenant, ["ADMIN"]);
    const mine = await watchers(school.admin, 2, AttendanceMarkersDocument as never);
    const theirs = await watchers(otherAdmin, 2, AttendanceMarkersDocument as never);
    const personal = await oneMark([...mine, ...theirs]);
    expect(personal.audiences).toBe(2);
    for (const { ws } of [...mine, ...theirs]) await ws.close();

    const otherFamily = await school.family(1);
    await school.enroll(courseId, otherFamily.childIds[0]!, otherFamily.parent);
    const parents = [...(await watchers(family.parent, 1)), ...(await watchers(otherFamily.parent, 1))];
    const seen = parents.map(({ sub }) => sub.events.length);
    data(await mark());
    await until(() => parents[0]!.sub.events.length > seen[0]!);
    expect(await parents[1]!.sub.quiet(300)).toBe(true);
    const marks = parents[0]!.sub.events.at(-1)!.data!.attendanceUpdated.marks;
    expect(marks.map((m) => (m.participant as { id: string }).id).sort()).toEqual([...family.childIds].sort());
    for (const { ws } of parents) await ws.close();
  });

  it("closes a reader that stops reading (1013) and keeps serving the others", async () => {
    // A course with 100 lectures: each event below selects them 20 times (about 300 kB).
    const bigCourse = await school.createCourse({
      name: "Big",
      startsOn: "2099-01-03",
      endsOn: "2099-12-31",
      schedule: [0, 1].map((weekday) => ({ weekday, startTime: "10:00" })),
    });
    await school.admin.client.raw({ query: `mutation { generateLectures(courseId: "${bigCourse}") { created } }` });
    const readerSocket = t.ws({ token: school.admin.token });
    const reader = await subscribed(t, () => readerSocket.subscribe(AttendanceUpdatedDocument, { courseId: bigCourse }));
    // A raw client that subscribes, then stops reading its socket.
    const slow = new WebSocket(`${t.url.replace(/^http/, "ws")}/graphql`, "graphql-transport-ws");
    await new Promise((resolve) => slow.once("open", resolve));
    slow.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${school.admin.token}` } }));
    await new Promise((resolve) => slow.once("message", resolve));
    const before = t.server.fanout.subscriberCount();
    const big = `subscription($c: UUID!) { attendanceUpdated(courseId: $c) { ${Array.from({ length: 20 }, (_, i) => `a${i}: course { lectures(first: 100) { nodes { id date startTime durationMinutes title status } } }`).join(" ")} } }`;
    slow.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query: big, variables: { c: bigCourse } } }));
    await until(() => t.server.fanout.subscriberCount() > before);
    const closed = new Promise<number>((resolve) => slow.once("close", (code) => resolve(code)));
    (slow as unknown as { _socket: { pause(): void } })._socket.pause();
    // Events straight on the bus (the fan-out is under test), until the server cuts the slow reader off.
    let sent = 0;
    while (t.server.fanout.subscriberCount() > before && sent < 400) {
      await t.deps.bus.publish(Topic.AttendanceUpdated, [school.tenant.id, bigCourse], {
        tenantId: school.tenant.id,
        courseId: bigCourse,
        lectureId,
        attendanceIds: [],
        participantIds: [],
      });
      sent++;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(t.server.fanout.subscriberCount()).toBe(before);
    (slow as unknown as { _socket: { resume(): void } })._socket.resume();
    expect(await closed).toBe(1013);
    // The reader that kept reading got every event, and is still open.
    await until(() => reader.events.length >= sent, 20_000);
    expect(readerSocket.closed).toEqual([]);
    await readerSocket.close();
  }, 60_000);
});
