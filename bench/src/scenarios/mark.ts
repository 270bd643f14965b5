/**
 * Scenario 5, the mutation path: markAttendance for a whole 30-student lecture,
 * one request at a time. The same marks are written again and again (a warm-up
 * pass writes them first), so every run measures the same re-marking work.
 */
import { elapsed, type Bench } from "../context";
import { backendPids } from "../db";
import { dataOf, gql, metricsText, metricValue } from "../http";
import { percentile } from "../load";
import { cpuSecondsBetween, cpuTicks, ticksOf } from "../proc";
import { rosterQueries } from "../queries";
import type { Server } from "../servers";

export interface MarkResult {
  students: number;
  requests: number;
  concurrency: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  requestsPerSecond: number;
  sqlStatements: number | null;
  serverCpuMsPerRequest: number;
  postgresCpuMsPerRequest: number;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

export async function runMark(bench: Bench, roster: Server, adminToken: string): Promise<MarkResult> {
  const { lectureIds, studentIds } = bench.ids.bigCourse;
  const lectures = lectureIds.slice(0, 5);
  const marks = studentIds.map((participantId, i) => (i % 5 === 0 ? { participantId, present: false } : { participantId, present: true, rating: "8.50" }));
  const query = rosterQueries(bench.lecturesForm).markAttendance;
  const url = `${roster.baseUrl}/graphql`;
  const auth = { authorization: `Bearer ${adminToken}` };
  const requests = bench.options.quick ? 20 : 100;
  bench.progress(`\n[${elapsed(bench)}] mark: markAttendance for a ${marks.length}-student lecture, ${requests} requests one at a time`);

  for (const lectureId of lectures) dataOf(await gql(url, query, { lectureId, marks }, auth), "markAttendance (warm-up)");

  const before = await metricsText(roster.baseUrl);
  const pidsBefore = await backendPids(bench.sql);
  const pgBefore = ticksOf(pidsBefore);
  const serverBefore = cpuTicks(roster.proc.pid);
  const latencies: number[] = [];
  const begun = performance.now();
  for (let i = 0; i < requests; i++) {
    const result = await gql(url, query, { lectureId: lectures[i % lectures.length], marks }, auth);
    const data = dataOf(result, "markAttendance");
    if (data.markAttendance.marks.length !== marks.length) throw new Error(`markAttendance wrote ${data.markAttendance.marks.length} marks, expected ${marks.length}`);
    latencies.push(result.ms);
  }
  const seconds = (performance.now() - begun) / 1000;
  const serverCpu = (cpuTicks(roster.proc.pid) - serverBefore) / 100;
  const pgCpu = cpuSecondsBetween(pgBefore, ticksOf([...new Set([...pidsBefore, ...(await backendPids(bench.sql))])]));
  const after = await metricsText(roster.baseUrl);
  const delta = (name: string) => (metricValue(after, name) ?? NaN) - (metricValue(before, name) ?? NaN);
  const statements = delta("roster_sql_statements_per_request_sum") / delta("roster_sql_statements_per_request_count");
  latencies.sort((a, b) => a - b);
  const result: MarkResult = {
    students: marks.length,
    requests,
    concurrency: 1,
    p50Ms: round1(percentile(latencies, 0.5)),
    p99Ms: round1(percentile(latencies, 0.99)),
    maxMs: round1(latencies[latencies.length - 1]!),
    requestsPerSecond: round1(requests / seconds),
    sqlStatements: Number.isFinite(statements) ? round1(statements) : null,
    serverCpuMsPerRequest: Math.round((serverCpu * 1000 * 100) / requests) / 100,
    postgresCpuMsPerRequest: Math.round((pgCpu * 1000 * 100) / requests) / 100,
  };
  bench.progress(`    p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, ${result.sqlStatements} SQL statements per request`);
  return result;
}
