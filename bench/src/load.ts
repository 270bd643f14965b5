/**
 * Interleaved load rounds with autocannon: every round runs each target once
 * (the starting target rotates), so drift on a shared machine hits all alike.
 * Around each run: CPU ticks of the server process and of the database's
 * PostgreSQL backends, the load generator's own CPU, and the server's peak RSS.
 */
import autocannon from "autocannon";
import { backendPids, type Sql } from "./db";
import { cpuSecondsBetween, cpuTicks, rssSampler, ticksOf } from "./proc";
import type { Server } from "./servers";

export interface Target {
  label: string;
  server: Server;
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface LoadOptions {
  rounds: number;
  seconds: number;
  warmupSeconds: number;
  connections: number;
}

export interface TargetResult {
  label: string;
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  /** req/s of each round, to show the spread. */
  roundRps: number[];
  p50Ms: number;
  p99Ms: number;
  serverCpuMsPerRequest: number;
  postgresCpuMsPerRequest: number;
  loadGeneratorCpuMsPerRequest: number;
  peakRssMiB: number;
  non2xx: number;
  errors: number;
  bytesPerResponse: number;
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const round2 = (n: number) => Math.round(n * 100) / 100;

async function fire(target: Target, seconds: number, connections: number, onResponse?: (ms: number, status: number, bytes: number) => void) {
  const instance = autocannon({
    url: `${target.server.baseUrl}${target.path}`,
    method: "POST",
    headers: { "content-type": "application/json", "accept-language": "en", ...target.headers },
    body: target.body,
    connections,
    duration: seconds,
    timeout: 30,
  });
  if (onResponse) {
    instance.on("response", (_client: unknown, status: number, bytes: number, ms: number) => onResponse(ms, status, bytes));
  }
  return (await instance) as autocannon.Result;
}

export async function interleaved(
  targets: Target[],
  options: LoadOptions,
  sql: Sql,
  progress: (line: string) => void,
): Promise<TargetResult[]> {
  const acc = targets.map(() => ({
    latencies: [] as number[],
    requests: 0,
    seconds: 0,
    roundRps: [] as number[],
    serverCpu: 0,
    pgCpu: 0,
    loadCpu: 0,
    peakRss: 0,
    non2xx: 0,
    errors: 0,
    bytes: 0,
  }));

  if (options.warmupSeconds > 0) {
    for (const target of targets) await fire(target, options.warmupSeconds, options.connections);
  }

  for (let round = 0; round < options.rounds; round++) {
    for (let i = 0; i < targets.length; i++) {
      const index = (i + round) % targets.length;
      const target = targets[index]!;
      const a = acc[index]!;
      const pidsBefore = await backendPids(sql);
      const pgBefore = ticksOf(pidsBefore);
      const serverBefore = cpuTicks(target.server.proc.pid);
      const loadBefore = process.cpuUsage();
      const rss = rssSampler(target.server.proc.pid);
      const started = performance.now();
      let ok = 0;
      const result = await fire(target, options.seconds, options.connections, (ms, status, bytes) => {
        if (status >= 200 && status < 300) {
          a.latencies.push(ms);
          ok++;
          a.bytes += bytes;
        }
      });
      const elapsed = (performance.now() - started) / 1000;
      const load = process.cpuUsage(loadBefore);
      const serverCpu = (cpuTicks(target.server.proc.pid) - serverBefore) / 100;
      const pidsAfter = await backendPids(sql);
      const pgCpu = cpuSecondsBetween(pgBefore, ticksOf([...new Set([...pidsBefore, ...pidsAfter])]));
      a.peakRss = Math.max(a.peakRss, rss.stop());
      a.requests += ok;
      a.seconds += elapsed;
      a.roundRps.push(Math.round(ok / elapsed));
      a.serverCpu += serverCpu;
      a.pgCpu += pgCpu;
      a.loadCpu += (load.user + load.system) / 1e6;
      a.non2xx += result.non2xx;
      a.errors += result.errors + result.timeouts;
      progress(`    round ${round + 1}/${options.rounds} ${target.label.padEnd(13)} ${String(Math.round(ok / elapsed)).padStart(5)} req/s  p50 ${round1(result.latency.p50)} ms`);
    }
  }

  return targets.map((target, index) => {
    const a = acc[index]!;
    const sorted = a.latencies.sort((x, y) => x - y);
    const perRequest = (seconds: number) => (a.requests ? round2((seconds * 1000) / a.requests) : NaN);
    return {
      label: target.label,
      requests: a.requests,
      seconds: round1(a.seconds),
      requestsPerSecond: Math.round(a.requests / a.seconds),
      roundRps: a.roundRps,
      p50Ms: round1(percentile(sorted, 0.5)),
      p99Ms: round1(percentile(sorted, 0.99)),
      serverCpuMsPerRequest: perRequest(a.serverCpu),
      postgresCpuMsPerRequest: perRequest(a.pgCpu),
      loadGeneratorCpuMsPerRequest: perRequest(a.loadCpu),
      peakRssMiB: Math.round(a.peakRss / 1048576),
      non2xx: a.non2xx,
      errors: a.errors,
      bytesPerResponse: a.requests ? Math.round(a.bytes / a.requests) : 0,
    };
  });
}
