/**
 * Raw subtrees (server/plan/raw.ts): over HTTP, PostgreSQL writes a planned
 * relation's JSON text and the executor splices it in. Every answer here is
 * compared with the same operation over WebSocket, where the executor walks
 * objects as before: the two must hold the same data, for every shape — and the
 * diagnostics say which answers took the raw path, so the comparison is not vacuous.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { parse, type DocumentNode } from "graphql";
import {
  CancelLectureDocument,
  CreateCourseDocument,
  CreateExamDocument,
  CreateLectureDocument,
  CreateSeasonDocument,
  CreateTagDocument,
} from "./sdk/graphql";
import { data, type Result } from "./helpers/client";
import { createSchool, type School } from "./helpers/school";
import { useTestServer } from "./helpers/server";

const t = useTestServer();
let school: School;
let courseId: string;
let emptyCourseId: string;

// Text that JSON must escape, text it must not, and text that looks like the executor's splice markers.
const TITLES = ['Quotes " and \\ backslash', "Line\nbreak\ttab", "الدرس الأول ✓ 😀", "\\u0000raw:0", '"\\u0000raw:1"', null];

beforeAll(async () => {
  school = await createSchool(t);
  const staff = school.admin.client;
  const season = data(
    await staff.request(CreateSeasonDocument, {
      input: { name: "Autumn «2099»", kind: "SCHOOL", startsOn: "2099-01-01", endsOn: "2099-06-30" },
    }),
  ).createSeason.id;
  const tags = [];
  for (const name of ["Zeta", "alpha", 'Tag "quoted"']) tags.push(data(await staff.request(CreateTagDocument, { name })).createTag.id);
  courseId = data(
    await staff.request(CreateCourseDocument, {
      input: {
        name: "Raw course",
        startsOn: "2099-01-03",
        endsOn: "2099-03-31",
        capacity: 20,
        price: "250.50",
        isPublished: true,
        seasonId: season,
        tagIds: tags,
        instructorId: school.instructor.instructorId,
        schedule: [{ weekday: 1, startTime: "09:30", durationMinutes: 90 }],
      },
    }),
  ).createCourse.id;
  emptyCourseId = await school.createCourse({ name: "Empty course" });
  for (const [i, title] of TITLES.entries()) {
    const lecture = data(
      await staff.request(CreateLectureDocument, {
        courseId,
        input: { date: `2099-02-0${i + 1}`, startTime: "10:15:30", durationMinutes: 45 + i, ...(title === null ? {} : { title }) },
      }),
    ).createLecture;
    if (i === 2) data(await staff.request(CancelLectureDocument, { id: lecture.id, reason: "Snow «day»" }));
  }
  data(await staff.request(CreateExamDocument, { courseId, input: { title: "Final", date: "2099-03-30", maxScore: "100.50" } }));
});

/** The answer over HTTP (raw subtrees allowed) and over WebSocket (walked), with HTTP's diagnostics. */
async function both(query: string, variables: Record<string, unknown> = {}, client = school.admin) {
  const http: Result<unknown> = await client.client.raw({ query, variables });
  const ws = t.ws({ token: client.token });
  try {
    const walked = (await ws.execute(parse(query) as DocumentNode as never, variables as never)) as Result<unknown>;
    return { http, walked, raw: http.extensions?.diagnostics?.rawSubtrees ?? 0 };
  } finally {
    await ws.close();
  }
}

const COURSE = `
  id name
  season { __typename id name kind startsOn endsOn isActive }
  tags { id name }
  schedule { weekday startTime durationMinutes }
  exams { id title date maxScore }
  lectures(first: 100) { __typename totalCount nodes { __typename id date startTime durationMinutes title status attendanceTaken cancelledReason } }`;

describe("raw subtrees answer what walking answers", () => {
  it("a page of courses with every plain relation", async () => {
    const { http, walked, raw } = await both(`{ courses(first: 10, orderBy: { field: NAME, direction: ASC }) { nodes { ${COURSE} } } }`);
    expect(http.errors).toBeUndefined();
    expect(http.data).toEqual(walked.data);
    // season, tags, schedule, exams and lectures of each of the two courses (the empty one's null season is no subtree).
    expect(raw).toBe(9);
    const course = (http.data as any).courses.nodes.find((node: { id: string }) => node.id === courseId);
    expect(course.lectures.nodes.map((lecture: { title: string | null }) => lecture.title)).toEqual(TITLES);
    expect(course.lectures.totalCount).toBe(TITLES.length);
    expect(course.tags.map((tag: { name: string }) => tag.name)).toEqual(
      ['Tag "quoted"', "Zeta", "alpha"].sort((a, b) => (a < b ? -1 : 1)),
    );
  });

  it("one course, with aliases, fragments, directives and filters", async () => {
    const query = `query ($id: UUID!, $withTags: Boolean!, $skipExams: Boolean!) {
      course(id: $id) {
        ...Bits
        labels: tags @include(if: $withTags) { key: id label: name }
        exams @skip(if: $skipExams) { id }
        cancelled: lectures(filter: { status: CANCELLED }) { count: totalCount nodes { id why: cancelledReason } }
        firstTwo: lectures(first: 2) { nodes { ... on Lecture { id when: date } } }
        dated: lectures(filter: { from: "2099-02-03", to: "2099-02-04" }) { nodes { date } }
      }
    }
    fragment Bits on Course { season { name } lectures(first: 1) { nodes { title } } }`;
    for (const variables of [
      { id: courseId, withTags: true, skipExams: false },
      { id: courseId, withTags: false, skipExams: true },
      { id: emptyCourseId, withTags: true, skipExams: false },
    ]) {
      const { http, walked, raw } = await both(query, variables);
      expect(http.errors).toBeUndefined();
      expect(http.data).toEqual(walked.data);
      expect(raw).toBeGreaterThan(0);
    }
    const { http } = await both(query, { id: courseId, withTags: true, skipExams: true });
    const course = (http.data as any).course;
    expect(course.cancelled).toEqual({ count: 1, nodes: [{ id: expect.any(String), why: "Snow «day»" }] });
    expect(course.dated.nodes).toEqual([{ date: "2099-02-03" }, { date: "2099-02-04" }]);
    expect(course.season).toEqual({ name: "Autumn «2099»" });
    expect(course.exams).toBeUndefined();
  });

  it("a page after a cursor", async () => {
    const first = await school.admin.client.raw({
      query: `query ($id: UUID!) { course(id: $id) { lectures(first: 2) { pageInfo { endCursor } } } }`,
      variables: { id: courseId },
    });
    const after = (first.data as any).course.lectures.pageInfo.endCursor;
    const { http, walked, raw } = await both(
      `query ($id: UUID!, $after: String) { course(id: $id) { lectures(first: 2, after: $after) { nodes { id date } } } }`,
      { id: courseId, after },
    );
    expect(http.data).toEqual(walked.data);
    expect(raw).toBe(1);
    expect((http.data as any).course.lectures.nodes.map((lecture: { date: string }) => lecture.date)).toEqual(["2099-02-03", "2099-02-04"]);
  });

  it("selections that need Node are walked, and still agree", async () => {
    for (const query of [
      // pageInfo and cursors, a resolver (startsAt), a non-null relation back to the course, a private count.
      `{ courses(first: 5) { nodes { id lectures { pageInfo { hasNextPage } nodes { id } } } } }`,
      // Aliased nodes and totalCount (once planned by response key, so aliases lost their fields and counts).
      `{ courses(first: 5) { list: nodes { id lectures { pageInfo { hasNextPage } items: nodes { id title } n: totalCount } } } }`,
      `{ courses(first: 5) { nodes { id lectures { nodes { id startsAt endsAt } } } } }`,
      `{ courses(first: 5) { nodes { id lectures { nodes { id course { id name } } } } } }`,
      `{ courses(first: 5) { nodes { id lectures { nodes { id attendanceSummary { present } } } } } }`,
      `{ courses(first: 5) { nodes { id instructor { id user { firstName } } } } }`,
    ]) {
      const { http, walked, raw } = await both(query);
      expect(http.errors, query).toBeUndefined();
      expect(http.data, query).toEqual(walked.data);
      expect(raw, query).toBe(0);
    }
  });

  it("errors stay typed, and a forged cursor is refused as before", async () => {
    const query = `query ($id: UUID!, $after: String) { course(id: $id) { lectures(first: 2, after: $after) { nodes { id } } } }`;
    const { http, walked } = await both(query, { id: courseId, after: "forged" });
    expect(http.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(walked.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    const tooMany = await school.admin.client.raw({ query: `{ courses(first: 2) { nodes { lectures(first: 101) { nodes { id } } } } }` });
    expect(tooMany.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("other viewers see what row-level security and the services let them see", async () => {
    const family = await school.family(1);
    const other = await createSchool(t);
    for (const client of [family.parent, other.admin]) {
      const { http, walked } = await both(`{ courses(first: 10) { nodes { ${COURSE} } } }`, {}, client);
      expect(http.errors).toBeUndefined();
      expect(http.data).toEqual(walked.data);
    }
    const { http } = await both(`{ courses(first: 10) { nodes { id } } }`, {}, other.admin);
    expect((http.data as any).courses.nodes).toEqual([]);
    const foreign = await other.admin.client.raw({
      query: `query ($id: UUID!) { course(id: $id) { ${COURSE} } }`,
      variables: { id: courseId },
    });
    expect(foreign.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
  });
});
