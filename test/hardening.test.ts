/**
 * Client mistakes are client errors (issue 8 §6) and production mode (§7): forged
 * cursors, NUL bytes, the audit log's before/after, suggestions, introspection and
 * the Sandbox page, /metrics, and the slow-request log.
 */
import { generateKeyPairSync } from "node:crypto";
import argon2 from "argon2";
import { parse, print } from "graphql";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromDatabaseError } from "../server/errors";
import {
  AuditLogDocument,
  CreateEventDocument,
  CreateLectureDocument,
  LoginDocument,
  MarkAttendanceDocument,
  PublishEventDocument,
  RecordManualPaymentDocument,
  RegisterDocument,
  RegisterForEventDocument,
  RequestRefundDocument,
} from "./sdk/graphql";
import { codes, data, type Result } from "./helpers/client";
import type { SignedIn } from "./helpers/fixtures";
import { captureLog, LEVEL } from "./helpers/log";
import { createSchool, type Family, type School } from "./helpers/school";
import { startTestServer, type TestServer } from "./helpers/server";

const logs = captureLog();
let t: TestServer;
let school: School;
let family: Family;
let platform: SignedIn;
let lectureId: string;
let eventId: string;

const UUID0 = "00000000-0000-4000-8000-000000000000";
const TS = "2024-01-01T00:00:00.000Z";
const b64 = (value: unknown) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");
const inHours = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();

/** Cursors no list of this API made: wrong encoding, wrong JSON, wrong types, wrong lengths. */
const FORGED = [
  "not a cursor!",
  b64("{not json"),
  b64({ a: 1 }),
  b64([1, {}]),
  b64([{}]),
  b64([null]),
  b64(["\u0000"]),
  b64(["yesterday", UUID0]),
  b64(["2024-02-30T00:00:00.000Z", UUID0]),
  b64([TS, "not-a-uuid"]),
  b64([TS, UUID0, "extra"]),
  b64("A".repeat(4000)),
];

beforeAll(async () => {
  // Slow-request warnings are not what these tests look for (a loaded machine makes some).
  t = await startTestServer({ SLOW_QUERY_MS: "600000" }, { log: logs.log });
  school = await createSchool(t);
  const courseId = await school.createCourse({ name: "Robotics" });
  await school.createCourse({ name: "Chess", price: "100.00", startsOn: "2099-02-01" });
  family = await school.family(2);
  await school.student();
  const enrollmentId = await school.enroll(courseId, family.childIds[0]!, family.parent);
  await school.enroll(courseId, family.childIds[1]!, family.parent);
  const lecture = (date: string) =>
    school.instructor.client
      .request(CreateLectureDocument, { courseId, input: { date, startTime: "10:00" } })
      .then((r) => data(r).createLecture.id);
  lectureId = await lecture("2099-01-10");
  await lecture("2099-01-17");
  // Marked twice: the second entry has a list before and after.
  for (const present of [false, true]) {
    data(
      await school.instructor.client.request(MarkAttendanceDocument, {
        lectureId,
        marks: [
          { participantId: family.childIds[0]!, present, ...(present ? { rating: "8" } : {}) },
          { participantId: family.childIds[1]!, present: true, rating: "9" },
        ],
      }),
    );
  }
  const payment = data(
    await school.admin.client.request(RecordManualPaymentDocument, {
      input: { enrollmentId, amount: "100.00", idempotencyKey: "hardening-1" },
    }),
  ).recordManualPayment;
  data(
    await family.parent.client.request(RequestRefundDocument, {
      input: { paymentId: payment.id, amount: "10", reason: "x", idempotencyKey: "hardening-2" },
    }),
  );
  data(
    await school.admin.client.request(RequestRefundDocument, {
      input: { paymentId: payment.id, amount: "5", reason: "y", idempotencyKey: "hardening-3" },
    }),
  );
  const event = data(
    await school.admin.client.request(CreateEventDocument, {
      input: { title: "Open day", startsAt: inHours(48), endsAt: inHours(50), maxParticipants: 5 },
    }),
  ).createEvent;
  data(await school.admin.client.request(PublishEventDocument, { id: event.id }));
  eventId = event.id;
  data(await family.parent.client.request(RegisterForEventDocument, { eventId }));
  data(await school.instructor.client.request(RegisterForEventDocument, { eventId }));
  platform = await t.fixtures.login(await t.fixtures.user({ platformAdmin: true }));
  await t.fixtures.tenant();
});
afterAll(() => t?.close());

/** Every list that takes `after`, who may read it, and how to reach its connection. */
const LISTS = () => {
  const anonymous = t.client({ tenant: school.tenant.slug });
  const admin = school.admin.client;
  const page = "first: 1, after: $after) { pageInfo { endCursor hasNextPage } }";
  return [
    { name: "courses", client: anonymous, query: `query($after: String) { list: courses(${page} }` },
    { name: "events", client: anonymous, query: `query($after: String) { list: events(${page} }` },
    { name: "instructors", client: anonymous, query: `query($after: String) { list: instructors(${page} }` },
    { name: "students", client: admin, query: `query($after: String) { list: students(${page} }` },
    { name: "members", client: admin, query: `query($after: String) { list: members(${page} }` },
    { name: "auditLog", client: admin, query: `query($after: String) { list: auditLog(${page} }` },
    { name: "enrollments", client: admin, query: `query($after: String) { list: enrollments(${page} }` },
    { name: "enrollmentRequests", client: admin, query: `query($after: String) { list: enrollmentRequests(${page} }` },
    { name: "payments", client: admin, query: `query($after: String) { list: payments(${page} }` },
    { name: "refundRequests", client: admin, query: `query($after: String) { list: refundRequests(${page} }` },
    { name: "lectures", client: admin, query: `query($after: String) { list: lectures(${page} }` },
    { name: "notifications", client: family.parent.client, query: `query($after: String) { list: notifications(${page} }` },
    { name: "jobRuns", client: admin, query: `query($after: String) { list: jobRuns(${page} }` },
    { name: "tenants", client: platform.client, query: `query($after: String) { list: tenants(${page} }` },
    {
      name: "event.registrations",
      client: admin,
      query: `query($after: String) { event(id: "${eventId}") { list: registrations(${page} } }`,
      pick: (result: Result<any>) => result.data?.event?.list,
    },
  ];
};

const connectionOf = (list: { pick?: (result: Result<any>) => any }, result: Result<any>) =>
  list.pick ? list.pick(result) : result.data?.list;

describe("forged cursors", () => {
  it("every list pages with its own cursors", async () => {
    for (const list of LISTS()) {
      const first = await list.client.raw({ query: list.query, variables: {} });
      expect([list.name, first.errors]).toEqual([list.name, undefined]);
      const endCursor = connectionOf(list, first)?.pageInfo.endCursor;
      if (list.name === "jobRuns") continue; // no job ran in this test
      expect([list.name, typeof endCursor]).toEqual([list.name, "string"]);
      const next = await list.client.raw({ query: list.query, variables: { after: endCursor } });
      expect([list.name, next.errors]).toEqual([list.name, undefined]);
    }
  });

  it("a cursor this API did not make is BAD_USER_INPUT on `after` in every list, never a 500 or an error log", async () => {
    logs.clear();
    for (const list of LISTS()) {
      for (const after of FORGED) {
        const result = await list.client.raw({ query: list.query, variables: { after } });
        const error = result.errors?.[0];
        expect([list.name, after, result.status, error?.extensions?.code, error?.extensions?.field]).toEqual([
          list.name,
          after,
          200,
          "BAD_USER_INPUT",
          "after",
        ]);
      }
    }
    expect(logs.atLeast(LEVEL.warn)).toEqual([]);
  });

  it("checks the value a cursor keeps against the list's ordering", async () => {
    const anonymous = t.client({ tenant: school.tenant.slug });
    const courses =
      "query($after: String, $order: CourseOrder) { courses(first: 1, after: $after, orderBy: $order) { pageInfo { endCursor } } }";
    const events =
      "query($after: String, $order: EventOrder) { events(first: 1, after: $after, orderBy: $order) { pageInfo { endCursor } } }";
    const refused = [
      [courses, { field: "PRICE", direction: "ASC" }, ["cheap", UUID0]],
      [courses, { field: "CREATED_AT", direction: "DESC" }, ["2024-01-01", UUID0]],
      [courses, { field: "STARTS_ON", direction: "ASC" }, ["2024-13-01", UUID0]],
      [events, { field: "STARTS_AT", direction: "ASC" }, ["STARTS_AT", "ASC", "yesterday", UUID0]],
      [events, { field: "TITLE", direction: "ASC" }, ["TITLE", "ASC", {}, UUID0]],
      [events, { field: "STARTS_AT", direction: "ASC" }, ["STARTS_AT", "ASC", TS, "x"]],
      [events, { field: "STARTS_AT", direction: "ASC" }, ["TITLE", "ASC", "Open day", UUID0]],
    ] as const;
    for (const [query, order, key] of refused) {
      const result = await anonymous.raw({ query, variables: { order, after: b64(key) } });
      expect([key, codes(result), result.errors?.[0]?.extensions?.field]).toEqual([key, ["BAD_USER_INPUT"], "after"]);
    }
    // Each ordering reads back its own cursors.
    for (const [query, fields] of [
      [courses, ["STARTS_ON", "NAME", "PRICE", "CREATED_AT"]],
      [events, ["STARTS_AT", "CREATED_AT", "TITLE"]],
    ] as const) {
      for (const field of fields) {
        for (const direction of ["ASC", "DESC"]) {
          const order = { field, direction };
          const first = data(await anonymous.raw({ query, variables: { order } })) as any;
          const cursor = (first.courses ?? first.events).pageInfo.endCursor;
          expect(cursor).toEqual(expect.any(String));
          data(await anonymous.raw({ query, variables: { order, after: cursor } }));
        }
      }
    }
  });

  it("still checks permission before the cursor", async () => {
    const result = await family.parent.client.raw({
      query: "query($after: String) { auditLog(after: $after) { totalCount } }",
      variables: { after: "x!" },
    });
    expect(codes(result)).toEqual(["FORBIDDEN"]);
  });
});

describe("NUL bytes and other values the database refuses", () => {
  it("a login identifier with a NUL byte is BAD_USER_INPUT on identifier (phone and email), not a sign-in", async () => {
    logs.clear();
    const user = await t.fixtures.user();
    for (const identifier of [`${user.phone}\u0000`, `\u0000${user.phone}`, user.email.replace("@", "\u0000@"), `${user.email}\u0000`]) {
      const result = await t.client().request(LoginDocument, { input: { identifier, password: user.password } });
      expect([identifier, codes(result), result.errors?.[0]?.extensions?.field]).toEqual([
        identifier,
        ["BAD_USER_INPUT"],
        expect.stringMatching(/identifier$/),
      ]);
    }
    expect(logs.atLeast(LEVEL.warn)).toEqual([]);
  });

  it("register refuses NUL bytes in the phone number, email and names, naming the field", async () => {
    const anonymous = t.client({ tenant: school.tenant.slug });
    const base = { password: "a long password", firstName: "Nour" };
    for (const [input, field] of [
      [{ ...base, phoneNumber: "+201001234568", firstName: "No\u0000ur" }, /firstName$/],
      [{ ...base, phoneNumber: "+201001234569", lastName: "\u0000" }, /lastName$/],
    ] as const) {
      const result = await anonymous.request(RegisterDocument, { input });
      expect([codes(result), result.errors?.[0]?.extensions?.field]).toEqual([["BAD_USER_INPUT"], expect.stringMatching(field)]);
    }
    // The PhoneNumber and EmailAddress scalars refuse these before the service sees them.
    for (const input of [
      { ...base, phoneNumber: "+201001234567\u0000" },
      { ...base, email: "nour\u0000@example.com" },
    ]) {
      expect(codes(await anonymous.request(RegisterDocument, { input }))).toEqual(["BAD_USER_INPUT"]);
    }
    expect(logs.atLeast(LEVEL.error)).toEqual([]);
  });

  it("a search with a NUL byte is BAD_USER_INPUT, not a 500", async () => {
    logs.clear();
    const anonymous = t.client({ tenant: school.tenant.slug });
    const courses = await anonymous.raw({
      query: "query($s: String) { courses(filter: { search: $s }) { totalCount } }",
      variables: { s: "Rob\u0000" },
    });
    expect(codes(courses)).toEqual(["BAD_USER_INPUT"]);
    const members = await school.admin.client.raw({
      query: "query($s: String) { members(search: $s) { totalCount } }",
      variables: { s: "\u0000" },
    });
    expect(codes(members)).toEqual(["BAD_USER_INPUT"]);
    expect(logs.atLeast(LEVEL.error)).toEqual([]);
  });

  it("maps every class-22 data exception of PostgreSQL to BAD_USER_INPUT", async () => {
    const error = await t.deps.database.db.execute(sql`select ${"a\u0000b"}::text`).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(fromDatabaseError(error)?.code).toBe("BAD_USER_INPUT");
    expect(fromDatabaseError(error)?.message).toMatch(/NUL/);
    for (const code of ["22001", "22003", "22007", "22008", "22012", "22021", "22023", "22025", "2201B", "22P02", "22P05"]) {
      expect([code, fromDatabaseError({ code })?.code]).toEqual([code, "BAD_USER_INPUT"]);
    }
    expect(fromDatabaseError({ code: "23505" })?.code).toBe("CONFLICT");
    expect(fromDatabaseError({ code: "XX000" })).toBeUndefined();
  });
});

describe("the audit log keeps what each change stored", () => {
  it("reads attendance.mark entries (lists before and after) through auditLog, page by page", async () => {
    const filter = { action: "attendance.mark", entityId: lectureId };
    const first = data(await school.admin.client.request(AuditLogDocument, { filter, first: 1 })).auditLog;
    expect(first.totalCount).toBe(2);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const latest = first.nodes[0]!;
    expect(latest.entity).toBe("lecture");
    expect(Array.isArray(latest.after)).toBe(true);
    expect((latest.after as { present: boolean }[]).map((mark) => mark.present).sort()).toEqual([true, true]);
    expect((latest.before as { present: boolean }[]).map((mark) => mark.present).sort()).toEqual([false, true]);

    const second = data(
      await school.admin.client.request(AuditLogDocument, { filter, first: 1, after: first.pageInfo.endCursor }),
    ).auditLog;
    expect(second.pageInfo.hasNextPage).toBe(false);
    const earliest = second.nodes[0]!;
    expect(earliest.id).not.toBe(latest.id);
    expect((earliest.after as { present: boolean }[]).map((mark) => mark.present).sort()).toEqual([false, true]);
    // Scalars and objects still come back as stored.
    const payments = data(await school.admin.client.request(AuditLogDocument, { filter: { action: "payment.recordManual" } })).auditLog;
    expect(payments.nodes).toHaveLength(1);
    expect(payments.nodes[0]!.after).toEqual(expect.objectContaining({ amount: "100.00", status: "SUCCEEDED" }));
    expect(payments.nodes[0]!.before).toBeNull();
  });

  it("is for tenant admins only", async () => {
    expect(codes(await school.instructor.client.request(AuditLogDocument, {}))).toEqual(["FORBIDDEN"]);
    expect(codes(await t.client().request(AuditLogDocument, {}))).toEqual(["UNAUTHENTICATED"]);
  });
});

describe("the slow-request log", () => {
  it("logs count and fingerprint at warn, the SQL texts only at debug", async () => {
    const slowLogs = captureLog();
    const slow = await startTestServer({ SLOW_QUERY_MS: "1" }, { log: slowLogs.log });
    try {
      const tenant = await slow.fixtures.tenant();
      data(await slow.client({ tenant: tenant.slug }).raw({ query: "query Catalogue { courses { totalCount } }" }));
      const warn = slowLogs.lines.find((line) => line.msg === "slow request" && line.operation === "Catalogue")!;
      expect(warn).toMatchObject({
        level: LEVEL.warn,
        sqlStatements: expect.any(Number),
        sqlFingerprint: expect.stringMatching(/^[0-9a-f]{12}$/),
      });
      expect(warn).not.toHaveProperty("sql");
      const debug = slowLogs.lines.find((line) => line.msg === "slow request SQL" && line.operation === "Catalogue")!;
      expect(debug.level).toBe(LEVEL.debug);
      expect(debug.sql).toEqual(expect.arrayContaining([expect.stringMatching(/courses/)]));
      expect(debug.sqlFingerprint).toBe(warn.sqlFingerprint);
    } finally {
      await slow.close();
    }
  });

  it("measures deliberate password hashing apart: the slow threshold compares the rest", async () => {
    // Real argon2id, costly enough that hashing alone takes longer than the threshold.
    const params = { memoryCost: 65536, timeCost: 10, parallelism: 1 };
    const started = performance.now();
    await argon2.hash("measure", { type: argon2.argon2id, ...params });
    const hashMs = performance.now() - started;
    // Every request is "slow" at 1 ms: the Login line shows what the decision subtracts.
    const slowLogs = captureLog();
    const slow = await startTestServer({ SLOW_QUERY_MS: "1", ARGON2_MEMORY_KIB: "65536", ARGON2_TIME_COST: "10" }, { log: slowLogs.log });
    try {
      const user = await slow.fixtures.user();
      const login = await slow
        .client()
        .raw({ query: print(LoginDocument), variables: { input: { identifier: user.phone, password: user.password } } });
      data(login);
      const line = slowLogs.lines.find((entry) => entry.msg === "slow request" && entry.operation === "Login");
      // The hashing was measured as password time (so a threshold compares the rest) …
      expect(line?.passwordMs).toBeGreaterThanOrEqual(hashMs * 0.5);
      // … and is part of the request's time, not more than it.
      expect(line?.passwordMs).toBeLessThanOrEqual(line?.ms as number);
    } finally {
      await slow.close();
    }
  }, 60_000);
});

const pem = () => generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();

describe("production mode", () => {
  let prod: TestServer;
  let tenantSlug: string;
  beforeAll(async () => {
    prod = await startTestServer({ NODE_ENV: "production", JWT_PRIVATE_KEY: pem() });
    tenantSlug = (await prod.fixtures.tenant()).slug;
  });
  afterAll(() => prod?.close());

  const mistakes = [
    // An enum value in a variable (coercion), in the document (validation), a field, an argument.
    { query: "query($o: CourseOrder) { courses(orderBy: $o) { totalCount } }", variables: { o: { field: "NAMEE", direction: "ASC" } } },
    { query: "{ courses(orderBy: { field: NAMEE, direction: ASC }) { totalCount } }" },
    { query: "{ courses { totlCount } }" },
    { query: "{ courses(frist: 1) { totalCount } }" },
  ];

  it("hides every 'Did you mean' (fields, arguments and enum values) that development shows", async () => {
    for (const mistake of mistakes) {
      const dev = await t.client({ tenant: school.tenant.slug }).raw(mistake);
      expect(dev.errors?.[0]?.message).toMatch(/Did you mean/);
      const result = await prod.client({ tenant: tenantSlug }).raw(mistake);
      expect(result.status).toBe(400);
      expect(codes(result)[0]).toMatch(/^(BAD_USER_INPUT|GRAPHQL_VALIDATION_FAILED)$/);
      expect(result.errors?.[0]?.message).not.toMatch(/Did you mean|Suggestion|NAME\b|totalCount"|first"|\?$/);
    }
  });

  it("turns introspection and the Sandbox page off by default", async () => {
    for (const query of ["{ __schema { queryType { name } } }", '{ __type(name: "Course") { name } }']) {
      const result = await prod.client().raw({ query });
      expect(result.status).toBe(400);
      expect(new Set(codes(result))).toEqual(new Set(["GRAPHQL_VALIDATION_FAILED"]));
      expect(result.errors?.[0]?.message).toMatch(/introspection has been disabled/);
      expect(data(await t.client().raw({ query }))).toBeTruthy();
    }
    expect(data(await prod.client().raw({ query: "{ __typename }" }))).toEqual({ __typename: "Query" });
    const page = await fetch(`${prod.url}/graphql`, { headers: { accept: "text/html" } });
    expect(page.status).toBe(400);
    expect(await page.text()).not.toMatch(/embeddable-sandbox/);
  });

  it("refuses introspection over WebSocket too", async () => {
    const user = await prod.fixtures.member(await prod.fixtures.tenant(), ["STUDENT"]);
    const ws = prod.ws({ token: user.token });
    const subscription = ws.subscribe(parse("query { __schema { queryType { name } } }") as never);
    const event: { data?: unknown; errors?: unknown } = await subscription
      .next(5000)
      .catch((error: unknown) => ({ errors: [{ message: String(error) }] }));
    expect(event.data ?? null).toBeNull();
    expect(event.errors).toEqual(expect.arrayContaining([expect.anything()]));
    await ws.close();
    // The same query over the development server's WebSocket answers.
    const devUser = await t.fixtures.member(school.tenant, ["STUDENT"]);
    const devWs = t.ws({ token: devUser.token });
    const answered = await devWs.subscribe(parse("query { __schema { queryType { name } } }") as never).next(5000);
    expect(answered.data).toEqual({ __schema: { queryType: { name: "Query" } } });
    await devWs.close();
  });

  it("does not serve /metrics publicly without METRICS_TOKEN or METRICS_PORT", async () => {
    expect((await fetch(`${prod.url}/metrics`)).status).toBe(404);
    expect(prod.server.metricsUrl()).toBeUndefined();
  });

  it("GRAPHQL_INTROSPECTION=true turns both back on; METRICS_TOKEN guards /metrics", async () => {
    const token = "metrics-token-0123456789";
    const open = await startTestServer({
      NODE_ENV: "production",
      JWT_PRIVATE_KEY: pem(),
      GRAPHQL_INTROSPECTION: "true",
      METRICS_TOKEN: token,
    });
    try {
      expect(data(await open.client().raw({ query: "{ __schema { queryType { name } } }" }))).toEqual({
        __schema: { queryType: { name: "Query" } },
      });
      const page = await fetch(`${open.url}/graphql`, { headers: { accept: "text/html" } });
      expect(await page.text()).toMatch(/embeddable-sandbox/);

      for (const authorization of [undefined, "Bearer wrong-token-0123456789", token, `Basic ${token}`]) {
        const refused = await fetch(`${open.url}/metrics`, { headers: authorization ? { authorization } : {} });
        expect([authorization, refused.status]).toEqual([authorization, 401]);
        expect(refused.headers.get("www-authenticate")).toMatch(/^Bearer/);
        expect(((await refused.json()) as any).errors[0].extensions.code).toBe("UNAUTHENTICATED");
      }
      const metrics = await fetch(`${open.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toMatch(/roster_graphql_operations_total/);
      expect(open.server.metricsUrl()).toBe(`${open.url}/metrics`);
    } finally {
      await open.close();
    }
  });
});

describe("METRICS_PORT", () => {
  it("serves /metrics on its own listener only, with the token when one is set", async () => {
    const token = "metrics-token-0123456789";
    const separate = await startTestServer({ METRICS_PORT: "0", METRICS_TOKEN: token });
    try {
      const url = separate.server.metricsUrl()!;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      expect(url).not.toBe(`${separate.url}/metrics`);
      expect((await fetch(`${separate.url}/metrics`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(404);
      expect((await fetch(url)).status).toBe(401);
      const metrics = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toMatch(/roster_http_request_duration_seconds/);
      // The metrics listener serves nothing else.
      expect((await fetch(url.replace(/\/metrics$/, "/graphql"))).status).toBe(404);
    } finally {
      await separate.close();
    }
  });
});
