/**
 * Scenarios 1–4, reads on three servers: the nested read, the same with 10
 * lectures and an attendance count each, one course by id, and `me`. Each is
 * first checked (the three answers hold the same data, or the bench fails),
 * then loaded in interleaved rounds.
 */
import { elapsed, type Bench, type ReadServers } from "../context";
import { dataOf, gql, metricsText, metricValue } from "../http";
import { interleaved, type Target, type TargetResult } from "../load";
import {
  firstDifference,
  normalPglCourse,
  normalPglMe,
  normalRosterCourse,
  normalRosterMe,
  PGL,
  rosterQueries,
} from "../queries";

export interface ReadResult {
  scenario: string;
  title: string;
  /** Length of each server's turn in a round. */
  roundSeconds: number;
  /** SQL statements Roster issued for one request (from /metrics). */
  rosterSqlStatements: number | null;
  /** Roster's average statements per request over the measured rounds. */
  rosterSqlStatementsUnderLoad: number | null;
  /** nested only: statements for other page sizes ("courses×lectures" → count); constant is the goal. */
  rosterSqlStatementsByPageSize?: Record<string, number | null>;
  results: TargetResult[];
  ratios: { rosterVsPostgraphile: number; rosterVsLimit: number };
}

interface ReadScenario {
  name: string;
  title: string;
  /** Small, fast answers: shorter rounds still collect thousands of samples. */
  short?: boolean;
  roster: { query: string; variables: Record<string, unknown> };
  pgl: { query: string; variables: Record<string, unknown> };
  limit: { path: string; body: Record<string, unknown> };
  normalRoster(data: any): unknown;
  normalPgl(data: any): unknown;
  /** Checks the normalised answer is the expected size (the comparison would pass on three empty answers). */
  check(normal: any): string | null;
}

export function readScenarios(bench: Bench): ReadScenario[] {
  const q = rosterQueries(bench.lecturesForm);
  const { tenantA, adminId, singleCourseId } = bench.ids;
  const coursesCheck = (lectures: number) => (courses: any[]) =>
    courses.length !== 50
      ? `expected 50 courses, got ${courses.length}`
      : courses.some((c) => c.lectures.length !== lectures)
        ? `expected ${lectures} lectures per course`
        : null;
  const all: ReadScenario[] = [
    {
      name: "nested",
      title: "50 courses by name → price, season, instructor, tags, all their lectures (20 each)",
      roster: { query: q.nested, variables: {} },
      pgl: { query: PGL.nested, variables: {} },
      limit: { path: "/nested", body: {} },
      normalRoster: (d) => d.courses.nodes.map(normalRosterCourse),
      normalPgl: (d) => d.allCourses.nodes.map(normalPglCourse),
      check: coursesCheck(20),
    },
    {
      name: "nested10",
      title: "the same with lectures(first: 10) and each lecture's attendance counts",
      roster: { query: q.nested10, variables: {} },
      pgl: { query: PGL.nested10, variables: {} },
      limit: { path: "/nested10", body: {} },
      normalRoster: (d) => d.courses.nodes.map(normalRosterCourse),
      normalPgl: (d) => d.allCourses.nodes.map(normalPglCourse),
      check: (courses) => coursesCheck(10)(courses) ?? (courses[0].lectures[0].present === undefined ? "no attendance counts" : null),
    },
    {
      name: "course",
      title: "course(id) with the same relations",
      short: true,
      roster: { query: q.course, variables: { id: singleCourseId } },
      pgl: { query: PGL.course, variables: { tenantId: tenantA, id: singleCourseId } },
      limit: { path: "/course", body: { id: singleCourseId } },
      normalRoster: (d) => normalRosterCourse(d.course),
      normalPgl: (d) => normalPglCourse(d.courseByTenantIdAndRowId),
      check: (course) => (course.lectures.length === 20 && course.instructor ? null : "expected a course with an instructor and 20 lectures"),
    },
    {
      name: "me",
      title: "me (signed in)",
      short: true,
      roster: { query: q.me, variables: {} },
      pgl: { query: PGL.me, variables: { userId: adminId, tenantId: tenantA } },
      limit: { path: "/me", body: {} },
      normalRoster: (d) => normalRosterMe(d.me),
      normalPgl: (d) => normalPglMe(d.userByRowId),
      check: (me) => (me.id === adminId && me.roles.includes("ADMIN") ? null : "expected the admin with role ADMIN"),
    },
  ];
  return all.filter((scenario) => {
    if (bench.options.only && !bench.options.only.has(scenario.name)) return false;
    if (scenario.name === "nested10" && (bench.lecturesForm !== "connection" || !bench.hasAttendanceSummary)) {
      bench.notes.push("nested10 skipped: Roster's schema has no Course.lectures connection with Lecture.attendanceSummary yet.");
      bench.progress("  nested10 skipped: Roster's schema lacks lectures(first:) / Lecture.attendanceSummary");
      return false;
    }
    return true;
  });
}

/** Fetches the three answers and fails loudly if they differ. */
async function verify(bench: Bench, servers: ReadServers, scenario: ReadScenario): Promise<void> {
  const auth = { authorization: `Bearer ${servers.adminToken}` };
  const roster = dataOf(await gql(`${servers.roster.baseUrl}/graphql`, scenario.roster.query, scenario.roster.variables, auth), `Roster ${scenario.name}`);
  const pgl = dataOf(await gql(`${servers.postgraphile.baseUrl}/graphql`, scenario.pgl.query, scenario.pgl.variables), `PostGraphile ${scenario.name}`);
  const limitResponse = await fetch(`${servers.limit.baseUrl}${scenario.limit.path}`, { method: "POST", body: JSON.stringify(scenario.limit.body) });
  const limitJson = (await limitResponse.json()) as Record<string, unknown>;
  const limit = dataOf({ status: limitResponse.status, ...limitJson, ms: 0 }, `limit ${scenario.name}`);
  const normal = { roster: scenario.normalRoster(roster), postgraphile: scenario.normalPgl(pgl), limit: scenario.normalRoster(limit) };
  const problem = scenario.check(normal.roster);
  if (problem) throw new Error(`${scenario.name}: Roster's answer is not what the dataset holds: ${problem}`);
  for (const other of ["postgraphile", "limit"] as const) {
    const diff = firstDifference(normal.roster, normal[other]);
    if (diff) throw new Error(`${scenario.name}: Roster and ${other} answer different data — ${diff}`);
  }
}

/** SQL statements of one Roster request, from the roster_sql_statements_per_request histogram. */
async function statementsOfOneRequest(servers: ReadServers, scenario: Pick<ReadScenario, "name" | "roster">): Promise<number | null> {
  const before = await metricsText(servers.roster.baseUrl);
  const result = await gql(`${servers.roster.baseUrl}/graphql`, scenario.roster.query, scenario.roster.variables, { authorization: `Bearer ${servers.adminToken}` });
  dataOf(result, `Roster ${scenario.name}`);
  const after = await metricsText(servers.roster.baseUrl);
  const sum = (text: string) => metricValue(text, "roster_sql_statements_per_request_sum");
  const count = (text: string) => metricValue(text, "roster_sql_statements_per_request_count");
  if (sum(after) === undefined || count(after)! - count(before)! !== 1) return null;
  return sum(after)! - sum(before)!;
}

export async function runReads(bench: Bench, servers: ReadServers): Promise<ReadResult[]> {
  const results: ReadResult[] = [];
  for (const scenario of readScenarios(bench)) {
    bench.progress(`  [${elapsed(bench)}] ${scenario.name}: ${scenario.title}`);
    await verify(bench, servers, scenario);
    bench.progress("    answers match (Roster = PostGraphile = limit)");
    const statements = await statementsOfOneRequest(servers, scenario);
    let byPageSize: Record<string, number | null> | undefined;
    if (scenario.name === "nested" && bench.lecturesForm === "connection") {
      // Statements should not grow with the rows per level (no N+1): 1 to 50 courses, 1 to 100 lectures.
      byPageSize = {};
      for (const [courses, lectures] of [[1, 1], [10, 10], [50, 1], [50, 100]] as const) {
        const query = scenario.roster.query.replace("courses(first: 50", `courses(first: ${courses}`).replace("lectures(first: 100)", `lectures(first: ${lectures})`);
        byPageSize[`${courses}×${lectures}`] = await statementsOfOneRequest(servers, { name: `nested ${courses}×${lectures}`, roster: { query, variables: {} } });
      }
      bench.progress(`    Roster SQL statements by page size (courses×lectures): ${Object.entries(byPageSize).map(([k, v]) => `${k} → ${v}`).join(", ")}`);
    }
    const targets: Target[] = [
      {
        label: "Roster",
        server: servers.roster,
        path: "/graphql",
        headers: { authorization: `Bearer ${servers.adminToken}` },
        body: JSON.stringify({ query: scenario.roster.query, variables: scenario.roster.variables }),
      },
      {
        label: "PostGraphile",
        server: servers.postgraphile,
        path: "/graphql",
        headers: {},
        body: JSON.stringify({ query: scenario.pgl.query, variables: scenario.pgl.variables }),
      },
      { label: "limit", server: servers.limit, path: scenario.limit.path, headers: {}, body: JSON.stringify(scenario.limit.body) },
    ];
    const metricsBefore = await metricsText(servers.roster.baseUrl);
    const load = { ...bench.options.load };
    if (scenario.short) load.seconds = Math.min(load.seconds, 3);
    const measured = await interleaved(targets, load, bench.sql, bench.progress);
    const metricsAfter = await metricsText(servers.roster.baseUrl);
    for (const result of measured) {
      if (result.non2xx || result.errors) {
        throw new Error(`${scenario.name}: ${result.label} answered ${result.non2xx} non-2xx responses and ${result.errors} errors under load`);
      }
    }
    const delta = (name: string) => (metricValue(metricsAfter, name) ?? NaN) - (metricValue(metricsBefore, name) ?? NaN);
    const underLoad = delta("roster_sql_statements_per_request_sum") / delta("roster_sql_statements_per_request_count");
    const [roster, pgl, limit] = measured as [TargetResult, TargetResult, TargetResult];
    results.push({
      scenario: scenario.name,
      title: scenario.title,
      roundSeconds: load.seconds,
      rosterSqlStatements: statements,
      rosterSqlStatementsUnderLoad: Number.isFinite(underLoad) ? Math.round(underLoad * 100) / 100 : null,
      rosterSqlStatementsByPageSize: byPageSize,
      results: measured,
      ratios: {
        rosterVsPostgraphile: Math.round((roster.requestsPerSecond / pgl.requestsPerSecond) * 100) / 100,
        rosterVsLimit: Math.round((roster.requestsPerSecond / limit.requestsPerSecond) * 100) / 100,
      },
    });
  }
  return results;
}
