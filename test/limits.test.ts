/**
 * One request must not take an instance down (issue 8 §1): every list is bounded,
 * a query's cost multiplies by list sizes and is refused before execution, and a
 * request that runs over its time or size budget ends with a typed error and its
 * writes rolled back, while /health keeps answering.
 */
import fs from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import {
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  parse,
  typeFromAST,
  type GraphQLInputType,
  type OperationDefinitionNode,
} from "graphql";
import { beforeAll, describe, expect, it } from "vitest";
import { courses, lectures } from "../drizzle/schema";
import { buildRosterSchema } from "../schema";
import { operationCost } from "../server/graphql/cost";
import { LIST_LIMITS } from "../server/pagination";
import { codes, data, expectFlatStatements } from "./helpers/client";
import { createSchool, type School } from "./helpers/school";
import { startTestServer, useTestServer } from "./helpers/server";
import { CourseDocument, type CourseQueryVariables } from "./sdk/graphql";

let school: School;
let courseId: string;

const t = useTestServer();
beforeAll(async () => {
  school = await createSchool(t);
  courseId = await school.createCourse({
    startsOn: "2099-01-03",
    endsOn: "2099-07-31",
    schedule: [
      { weekday: 0, startTime: "10:00" },
      { weekday: 2, startTime: "10:00" },
    ],
  });
  await school.admin.client.raw({ query: `mutation { generateLectures(courseId: "${courseId}") { created } }` });
});

/** `levels` nested course → lectures → course … selections, `first` per lectures field when given. */
function nested(levels: number, first?: number) {
  const page = first ? `(first: ${first})` : "";
  let inner = `lectures${page} { nodes { id } }`;
  for (let i = 1; i < levels; i++) inner = `lectures${page} { nodes { course { ${inner} } } }`;
  return `{ course(id: "${courseId}") { ${inner} } }`;
}

/** A valid value of an input type (required fields only), to price operations. */
function sampleOf(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return sampleOf(type.ofType);
  if (isListType(type)) return [sampleOf(type.ofType)];
  if (isEnumType(type)) return type.getValues()[0]!.value;
  if (isInputObjectType(type)) {
    return Object.fromEntries(
      Object.values(type.getFields())
        .filter((field) => isNonNullType(field.type))
        .map((field) => [field.name, sampleOf(field.type)]),
    );
  }
  const scalars: Record<string, unknown> = {
    UUID: "00000000-0000-4000-8000-000000000000",
    Int: 1,
    Float: 1,
    Boolean: true,
    String: "x",
    ID: "x",
    Decimal: "1.00",
    LocalDate: "2099-01-01",
    LocalTime: "10:00:00",
    DateTime: "2099-01-01T10:00:00Z",
    PhoneNumber: "+201000000001",
    EmailAddress: "a@example.com",
    CurrencyCode: "EGP",
    JSON: {},
    JSONObject: {},
  };
  if (!(type.name in scalars)) throw new Error(`no sample for ${type.name}`);
  return scalars[type.name];
}

describe("cost of a query", () => {
  it("the probe's query (lectures inside lectures, as a list) no longer validates: lists of lectures are pages", async () => {
    const probe = `{ course(id: "${courseId}") { lectures { course { lectures { course { lectures { id } } } } } } }`;
    const result = await school.admin.client.raw({ query: probe });
    expect(result.status).toBe(400);
    expect(codes(result)).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
  });

  it("refuses nested pages whose answer could hold more objects than the limit, naming limit and cost, before touching the database", async () => {
    for (const query of [nested(3, 100), nested(3, 50)]) {
      const started = performance.now();
      const result = await t.client({ tenant: school.tenant.slug }).raw({ query });
      expect(performance.now() - started).toBeLessThan(2_000);
      expect(result.status).toBe(400);
      expect(codes(result)).toEqual(["QUERY_TOO_COMPLEX"]);
      const { cost, limit } = result.errors![0]!.extensions as { cost: number; limit: number };
      expect(limit).toBe(50_000);
      expect(cost).toBeGreaterThan(limit);
      expect(result.errors![0]!.message).toContain(String(limit));
      // Refused before the database: no statement ran.
      expect(result.extensions?.diagnostics?.sqlStatements ?? 0).toBe(0);
    }
  });

  it("counts `first` given in variables", async () => {
    const query = `query($n: Int) { course(id: "${courseId}") { lectures(first: $n) { nodes { course { lectures(first: $n) { nodes { course { lectures(first: $n) { nodes { id } } } } } } } } } }`;
    expect(codes(await school.admin.client.raw({ query, variables: { n: 100 } }))).toEqual(["QUERY_TOO_COMPLEX"]);
    expect(data(await school.admin.client.raw({ query, variables: { n: 5 } })).course.lectures.nodes).toHaveLength(5);
  });

  it("deeper variants are refused too, by depth or by cost, in milliseconds", async () => {
    for (const levels of [4, 5, 6]) {
      const started = performance.now();
      const result = await t.client({ tenant: school.tenant.slug }).raw({ query: nested(levels) });
      expect(performance.now() - started).toBeLessThan(2_000);
      expect(result.status).toBe(400);
      expect(codes(result)[0]).toMatch(/GRAPHQL_VALIDATION_FAILED|QUERY_TOO_COMPLEX/);
    }
  });

  it("lets every operation of the test suite through, at its largest pages", async () => {
    const schema = await buildRosterSchema();
    const dir = path.join(import.meta.dirname, "operations");
    const text = fs
      .readdirSync(dir)
      .map((file) => fs.readFileSync(path.join(dir, file), "utf8"))
      .join("\n");
    const document = parse(text);
    const costs: [string, number][] = [];
    for (const definition of document.definitions) {
      if (definition.kind !== "OperationDefinition") continue;
      const operation = definition as OperationDefinitionNode;
      // Every page-size variable at its maximum, every other variable some valid value.
      const variables = Object.fromEntries(
        (operation.variableDefinitions ?? []).map((v) => [
          v.variable.name.value,
          /first$/i.test(v.variable.name.value) ? 100 : sampleOf(typeFromAST(schema, v.type as never) as GraphQLInputType),
        ]),
      );
      const cost = operationCost(schema, document, variables, operation.name!.value);
      if ("errors" in cost) throw new Error(`${operation.name!.value}: ${cost.errors[0]!.message}`);
      costs.push([operation.name!.value, cost.value]);
    }
    expect(costs.length).toBeGreaterThan(50);
    expect(costs.filter(([, cost]) => cost > 50_000)).toEqual([]);
  });

  it("every list that is not a page has a cap (the schema would not build otherwise)", async () => {
    const schema = await buildRosterSchema();
    const lists: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith("__") || type.name.endsWith("Connection")) continue;
      for (const field of Object.values(type.getFields())) {
        if (isListType(getNullableType(field.type))) lists.push(`${type.name}.${field.name}`);
      }
    }
    expect(lists.filter((name) => !LIST_LIMITS[name])).toEqual([]);
    expect(lists.length).toBeGreaterThan(20);
  });
});

describe("execution budget", () => {
  it("answers BUDGET_EXCEEDED at the time budget, even while waiting for a lock, and keeps none of the request's writes", async () => {
    const tight = await startTestServer({ QUERY_TIMEOUT: "1500ms" });
    try {
      const centre = await createSchool(tight);
      const id = await centre.createCourse({ name: "Locked" });
      // Another transaction holds the course's row (PGlite: the whole database) for 3 s.
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let locked!: () => void;
      const isLocked = new Promise<void>((resolve) => (locked = resolve));
      const holder = tight.deps.database.db.transaction(async (tx) => {
        await tx.select().from(courses).where(eq(courses.id, id)).for("update");
        locked();
        await held;
      });
      await isLocked;
      setTimeout(release, 3_000);
      const started = performance.now();
      const result = await centre.admin.client.raw({
        query: `mutation { updateCourse(id: "${id}", input: { name: "Changed" }) { name } }`,
      });
      const tookMs = performance.now() - started;
      expect(codes(result)).toEqual(["BUDGET_EXCEEDED"]);
      expect(result.status).toBe(503);
      expect(result.errors![0]!.extensions).toMatchObject({ budget: "time", limit: 1500 });
      expect(tookMs).toBeLessThan(2_900);
      await holder;
      // The abandoned request ran on once the lock was free, and wrote nothing.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const [row] = await tight.deps.database.db.select().from(courses).where(eq(courses.id, id));
      expect(row!.name).toBe("Locked");
      // The instance goes on serving.
      expect(data(await centre.admin.client.request(CourseDocument, { id })).course.name).toBe("Locked");
    } finally {
      await tight.close();
    }
  });

  it("refuses an answer larger than RESPONSE_MAX_BYTES with BUDGET_EXCEEDED and rolls its writes back", async () => {
    const small = await startTestServer({ RESPONSE_MAX_BYTES: "10000" });
    try {
      const centre = await createSchool(small);
      const id = await centre.createCourse({
        startsOn: "2099-01-03",
        endsOn: "2099-12-31",
        schedule: [{ weekday: 0, startTime: "10:00" }],
      });
      const result = await centre.admin.client.raw({
        query: `mutation { generateLectures(courseId: "${id}") { created lectures { id date startTime startsAt endsAt title status } } }`,
      });
      expect(codes(result)).toEqual(["BUDGET_EXCEEDED"]);
      expect(result.errors![0]!.extensions).toMatchObject({ budget: "size", limit: 10000 });
      expect(await small.deps.database.db.select().from(lectures).where(eq(lectures.courseId, id))).toEqual([]);
    } finally {
      await small.close();
    }
  });
});

describe("while a heavy request runs", () => {
  it("/health keeps answering", async () => {
    const query = `{ courses(first: 100) { nodes { lectures(first: 100) { nodes { id date course { name } attendanceSummary { present } } } } } }`;
    let finished = false;
    const heavy = Promise.all(Array.from({ length: 8 }, () => school.admin.client.raw({ query }))).then((results) => {
      finished = true;
      return results;
    });
    const answeredDuring: boolean[] = [];
    while (!finished) {
      const health = await fetch(`${t.url}/health`);
      expect(health.status).toBe(200);
      answeredDuring.push(!finished);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    for (const result of await heavy) expect(result.errors).toBeUndefined();
    expect(answeredDuring.filter(Boolean).length).toBeGreaterThan(0);
  });
});

describe("input no field takes", () => {
  it("a NUL byte in an argument or a variable is BAD_USER_INPUT naming it, before the database", async () => {
    const literal = await t
      .client({ tenant: school.tenant.slug })
      .raw({ query: `{ courses(filter: { search: "a\\u0000b" }) { totalCount } }` });
    expect(literal.status).toBe(400);
    expect(codes(literal)).toEqual(["BAD_USER_INPUT"]);
    expect(literal.errors![0]!.extensions!.field).toBe("filter");
    const variable = await t.client({ tenant: school.tenant.slug }).raw({
      query: `query($f: CourseFilter) { courses(filter: $f) { totalCount } }`,
      variables: { f: { search: "a\u0000b" } },
    });
    expect(codes(variable)).toEqual(["BAD_USER_INPUT"]);
    expect(variable.errors![0]!.extensions!.field).toBe("$f.search");
    const login = await t.client().raw({
      query: `mutation($i: LoginInput!) { login(input: $i) { accessToken } }`,
      variables: { i: { identifier: "+201000000001\u0000", password: "x" } },
    });
    expect(codes(login)).toEqual(["BAD_USER_INPUT"]);
    expect(login.errors![0]!.extensions!.field).toBe("$i.identifier");
  });
});

describe("a course's lectures, a page at a time", () => {
  it("pages by date with cursors, filters by date and status, and counts the total", async () => {
    const first = data(await school.admin.client.request(CourseDocument, { id: courseId, lecturesFirst: 5 })).course.lectures;
    expect(first.nodes).toHaveLength(5);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const all = await t.deps.database.db.select().from(lectures).where(eq(lectures.courseId, courseId));
    expect(first.totalCount).toBe(all.length);
    const next = data(
      await school.admin.client.request(CourseDocument, { id: courseId, lecturesFirst: 5, lecturesAfter: first.pageInfo.endCursor }),
    ).course.lectures;
    expect(next.pageInfo.hasPreviousPage).toBe(true);
    const dates = [...first.nodes, ...next.nodes].map((lecture) => `${lecture.date} ${lecture.startTime}`);
    expect(dates).toEqual([...dates].sort());
    expect(new Set([...first.nodes, ...next.nodes].map((lecture) => lecture.id)).size).toBe(10);
    const ranged = data(
      await school.admin.client.request(CourseDocument, {
        id: courseId,
        lecturesFirst: 100,
        lectureFilter: { from: "2099-02-01", to: "2099-02-28" },
      }),
    ).course.lectures;
    expect(ranged.nodes.every((lecture) => lecture.date >= "2099-02-01" && lecture.date <= "2099-02-28")).toBe(true);
    expect(ranged.totalCount).toBe(ranged.nodes.length);
    expect(ranged.nodes.every((lecture) => lecture.course.id === courseId)).toBe(true);
  });

  it("refuses a page size over 100, a forged cursor and a backwards range with BAD_USER_INPUT", async () => {
    const cases: CourseQueryVariables[] = [
      { id: courseId, lecturesFirst: 101 },
      { id: courseId, lecturesAfter: Buffer.from(JSON.stringify(["x", "y"])).toString("base64url") },
      { id: courseId, lecturesAfter: "not a cursor" },
      { id: courseId, lectureFilter: { from: "2099-03-01", to: "2099-02-01" } },
    ];
    for (const variables of cases) {
      const result = await school.admin.client.request(CourseDocument, variables);
      expect([variables, codes(result)]).toEqual([variables, ["BAD_USER_INPUT"]]);
    }
  });

  it("shows attendance counts to teachers only", async () => {
    const family = await school.family(1);
    const teacher = data(await school.instructor.client.request(CourseDocument, { id: courseId, lecturesFirst: 3 })).course.lectures.nodes;
    expect(teacher.every((lecture) => lecture.attendanceSummary !== null)).toBe(true);
    const parent = data(await family.parent.client.request(CourseDocument, { id: courseId, lecturesFirst: 3 })).course.lectures.nodes;
    expect(parent.every((lecture) => lecture.attendanceSummary === null)).toBe(true);
  });

  it("a page of courses with their lectures costs the same statements for 1 course as for 20, 1 lecture as for 50", async () => {
    for (let i = 0; i < 19; i++) await school.createCourse({ name: `Extra ${i}`, schedule: [{ weekday: 1, startTime: "09:00" }] });
    const query = `query($n: Int, $m: Int) { courses(first: $n) { nodes { id season { name } instructor { specialty } tags { name } schedule { weekday } lectures(first: $m) { totalCount nodes { id course { name } attendanceSummary { present } } } } } }`;
    const results = [];
    for (const [n, m] of [
      [1, 1],
      [20, 50],
    ]) {
      results.push(await school.admin.client.raw({ query, variables: { n, m } }));
    }
    expectFlatStatements(results[0]!, results[1]!);
  });
});
