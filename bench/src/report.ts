/** Writes the results as JSON and as a markdown report in bench/results/. */
import fs from "node:fs";
import path from "node:path";
import type { ContentionResult } from "./scenarios/contention";
import type { EmbeddedResult } from "./scenarios/embedded";
import type { FanoutResult } from "./scenarios/fanout";
import type { MarkResult } from "./scenarios/mark";
import type { ReadResult } from "./scenarios/reads";
import { BENCH_DIR } from "./servers";

export interface Results {
  startedAt: string;
  durationSeconds?: number;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; loadAverageAtStart: number[]; loadAverageAtEnd?: number[] };
  versions: { serverNode: string; loadGeneratorNode: string; postgraphile: string; postgres: string; roster: string };
  options: Record<string, unknown>;
  dataset: Record<string, number>;
  notes: string[];
  reads: ReadResult[];
  mark?: MarkResult;
  contention?: ContentionResult;
  fanout?: FanoutResult;
  embedded?: EmbeddedResult;
}

const fmt = (n: number | null | undefined, digits = 1) =>
  n === null || n === undefined || Number.isNaN(n) ? "—" : Number.isInteger(n) && digits <= 1 ? String(n) : n.toFixed(digits);
const ms = (n: number | null | undefined) => (n === null || n === undefined || Number.isNaN(n) ? "—" : `${fmt(n)} ms`);

export function markdown(results: Results, setName: string, extraNote: string): string {
  const lines: string[] = [];
  const { machine, versions, options } = results;
  const load = options.load as { rounds: number; seconds: number; connections: number };
  lines.push(`# Roster bench — ${results.startedAt.slice(0, 10)} (${setName})`, "");
  lines.push(
    `Machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB. Servers on Node ${versions.serverNode}, load generator on Node ${versions.loadGeneratorNode}. ` +
      `PostgreSQL ${versions.postgres}, PostGraphile ${versions.postgraphile} (amber preset), Roster ${versions.roster}. ` +
      `Run took ${results.durationSeconds ?? "?"} s. Load average (1/5/15 min) at start ${machine.loadAverageAtStart.join(" / ")}, at end ${machine.loadAverageAtEnd?.join(" / ") ?? "?"} (the machine is shared: interleaved rounds spread the noise over all servers).`,
    "",
  );
  lines.push(`Dataset, per tenant (two tenants, row-level security on): ${Object.entries(results.dataset).map(([k, v]) => `${v} ${k}`).join(", ")}. ${extraNote}.`, "");

  if (results.reads.length) {
    lines.push(
      `## Reads`,
      "",
      `autocannon -c ${load.connections}, ${load.rounds} interleaved rounds (${results.reads.map((r) => `${r.scenario} ${r.roundSeconds} s`).join(", ")} per server per round, after a warm-up); ` +
        `every answer checked identical before loading. CPU per request: the server process, and the bench database's PostgreSQL backends. Latency: all requests of all rounds.`,
      "",
    );
    lines.push("| scenario | Roster req/s | PostGraphile req/s | limit req/s | Roster/PostGraphile | Roster/limit | Roster SQL statements/request |");
    lines.push("|---|---|---|---|---|---|---|");
    for (const read of results.reads) {
      const [roster, pgl, limit] = read.results;
      lines.push(
        `| ${read.scenario} | ${roster!.requestsPerSecond} | ${pgl!.requestsPerSecond} | ${limit!.requestsPerSecond} | **${fmt(read.ratios.rosterVsPostgraphile, 2)}×** | ${fmt(read.ratios.rosterVsLimit, 2)}× | ${fmt(read.rosterSqlStatements)} |`,
      );
    }
    for (const read of results.reads) {
      lines.push("", `### ${read.scenario}: ${read.title}`, "");
      lines.push("| server | req/s (per round) | p50 | p99 | CPU/request: server + PostgreSQL | peak RSS | response bytes |");
      lines.push("|---|---|---|---|---|---|---|");
      for (const r of read.results) {
        const label = r.label === "PostGraphile" ? `PostGraphile ${versions.postgraphile}` : r.label === "limit" ? "limit (one SQL statement)" : "Roster (production, Redis)";
        lines.push(
          `| ${label} | ${r.requestsPerSecond} (${r.roundRps.join(", ")}) | ${ms(r.p50Ms)} | ${ms(r.p99Ms)} | ${fmt(r.serverCpuMsPerRequest, 2)} + ${fmt(r.postgresCpuMsPerRequest, 2)} ms | ${r.peakRssMiB} MiB | ${r.bytesPerResponse} |`,
        );
      }
      lines.push(
        "",
        `Roster/PostGraphile **${fmt(read.ratios.rosterVsPostgraphile, 2)}×**, Roster/limit ${fmt(read.ratios.rosterVsLimit, 2)}×. Roster SQL statements per request: ${fmt(read.rosterSqlStatements)} (one request), ${fmt(read.rosterSqlStatementsUnderLoad, 2)} (average under load)` +
          (read.rosterSqlStatementsByPageSize
            ? `; by page size (courses × lectures per course): ${Object.entries(read.rosterSqlStatementsByPageSize).map(([k, v]) => `${k} → ${fmt(v)}`).join(", ")}`
            : "") +
          `. Load generator CPU per request: ${read.results.map((r) => `${r.label} ${fmt(r.loadGeneratorCpuMsPerRequest, 2)} ms`).join(", ")}.`,
      );
    }
    lines.push("");
  }

  if (results.mark) {
    const m = results.mark;
    lines.push(`## Mutation: markAttendance for a ${m.students}-student lecture (Roster)`, "");
    lines.push(`${m.requests} requests, ${m.concurrency === 1 ? "one at a time" : `${m.concurrency} at a time`}, re-marking the same lectures (repeatable).`, "");
    lines.push("| p50 | p99 | max | req/s | SQL statements/request | CPU/request: server + PostgreSQL |", "|---|---|---|---|---|---|");
    lines.push(`| ${ms(m.p50Ms)} | ${ms(m.p99Ms)} | ${ms(m.maxMs)} | ${fmt(m.requestsPerSecond)} | ${fmt(m.sqlStatements)} | ${fmt(m.serverCpuMsPerRequest, 2)} + ${fmt(m.postgresCpuMsPerRequest, 2)} ms |`, "");
  }

  if (results.contention) {
    lines.push(`## Contention (Roster)`, "");
    lines.push("| race | attempts | places | succeeded | refused (CONFLICT) | other errors | overbooked | stored count | wall time | attempts/s |", "|---|---|---|---|---|---|---|---|---|---|");
    for (const c of results.contention.races) {
      lines.push(`| ${c.name} | ${c.attempts} | ${c.places} | ${c.succeeded} | ${c.conflicts} | ${c.otherErrors} | **${c.overbooked}** | ${c.storedCount} | ${ms(c.wallMs)} | ${fmt(c.attemptsPerSecond)} |`);
    }
    lines.push("");
  }

  if (results.fanout) {
    const f = results.fanout;
    lines.push(`## Subscriptions (two Roster instances, Redis)`, "");
    if (f.bursts.length) {
      lines.push(
        `graphql-ws clients (staff of tenant A) split evenly across both instances, all on one course's attendanceUpdated; ${f.marks} marks at ${f.marksPerSecond} per second through instance A, each marking one student in a lecture of its own. ` +
          `Payload "minimal" selects \`{ lectureId }\`; "register screen" selects the lecture and the marks with each participant's name. ` +
          `Latency: from the moment the bench sent a mark's mutation to each client's receipt. Deliveries are awaited up to ${Math.round(f.drainMs / 1000)} s after the last mark. ` +
          `Mutation latency with no audience: p50 ${ms(f.idleMutation.p50Ms)}, p99 ${ms(f.idleMutation.p99Ms)}.`,
        "",
        `| subscribers | payload | delivered | lost (or later than ${Math.round(f.drainMs / 1000)} s) | duplicated | latency p50 | p99 | max | after the mutation's answer p50 / p99 | mutation p50 / p99 during burst | PostgreSQL CPU (burst) | Roster CPU A + B | transactions/event | SQL statements/event | per idle connection: heap, RSS | RSS A / B: after, peak |`,
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
      );
      for (const b of f.bursts) {
        lines.push(
          `| ${b.subscribers} | ${b.payload} | ${b.delivered} / ${b.expected} | **${b.lost}** | ${b.duplicated} | ${ms(b.latency.p50Ms)} | ${ms(b.latency.p99Ms)} | ${ms(b.latency.maxMs)} | ${ms(b.afterAnswer.p50Ms)} / ${ms(b.afterAnswer.p99Ms)} | ${ms(b.mutation.p50Ms)} / ${ms(b.mutation.p99Ms)} | ${fmt(b.postgresCpuSeconds)} s | ${fmt(b.rosterCpuSeconds[0])} + ${fmt(b.rosterCpuSeconds[1])} s | ${fmt(b.transactionsPerEvent)} | ${fmt(b.sqlStatementsPerEvent)} | ${b.heapPerConnectionKiB === null ? "—" : `${b.heapPerConnectionKiB} KiB, ${b.memoryPerConnectionKiB} KiB`} | ${b.rssMiB[0]} / ${b.rssMiB[1]} MiB, ${b.peakRssMiB[0]} / ${b.peakRssMiB[1]} MiB |`,
        );
      }
      lines.push(
        "",
        `Load generator: two client processes, ${f.bursts.map((b) => `${fmt(b.clientCpuSeconds)} s CPU during the ${b.subscribers}-subscriber ${b.payload} burst`).join(", ")}; ${f.clientCpuSeconds.map((s) => `${fmt(s)} s`).join(" + ")} over the whole scenario.`,
      );
    }
    if (f.churn) {
      const c = f.churn;
      lines.push(
        "",
        `### Churn: ${c.cycles} subscribe/complete cycles over ${c.sockets} sockets`,
        "",
        "| | before | after | delta |",
        "|---|---|---|---|",
        `| heap used, instance A (after a forced GC) | ${c.heapBeforeMiB[0]} MiB | ${c.heapAfterMiB[0]} MiB | ${fmt(c.heapAfterMiB[0]! - c.heapBeforeMiB[0]!, 1)} MiB |`,
        `| heap used, instance B (after a forced GC) | ${c.heapBeforeMiB[1]} MiB | ${c.heapAfterMiB[1]} MiB | ${fmt(c.heapAfterMiB[1]! - c.heapBeforeMiB[1]!, 1)} MiB |`,
        `| active subscriptions (roster_ws_subscriptions, A + B) | ${c.subscriptionsBefore} | ${c.subscriptionsAfter} | ${c.subscriptionsAfter - c.subscriptionsBefore} |`,
        `| Redis channels of tenant A (PUBSUB CHANNELS) | ${c.redisChannelsBefore} | ${c.redisChannelsAfter} | ${c.redisChannelsAfter - c.redisChannelsBefore} |`,
        "",
        `${c.cycles} cycles (each: subscribe, ~20 ms, complete; 8 in flight per socket) in ${fmt(c.seconds)} s until both servers were idle again (${fmt(c.cyclesPerSecond)} per second; the clients were done after ${fmt(c.clientSeconds)} s), ${c.errors} errors. ` +
          `Back to baseline (heap within max(2 MiB, 5 %), subscriptions and channels equal): **${c.backToBaseline ? "yes" : "no"}**.` +
          (c.redisChannelNamesAfter.length ? ` Channels left: ${c.redisChannelNamesAfter.join(", ")}.` : ""),
      );
    }
    lines.push("");
  }

  if (results.embedded) {
    const e = results.embedded;
    lines.push(`## Embedded mode (PGlite in memory, Roster only)`, "");
    lines.push(
      `Start-up (process start → /health answers; \`npm start\` equivalent with ROSTER_DB=memory: migrations, demo data, production mode): **${e.startupMs.map(ms).join(", ")}**; RSS after start ${e.rssAfterStartMiB} MiB.`,
      "",
    );
    if (e.read) {
      lines.push(
        `Nested read on PGlite (the same query, ${e.read.courses} courses with all their lectures; dataset ${e.read.dataset}), ${load.rounds} rounds × ${load.seconds} s, -c ${load.connections}: ${e.read.requestsPerSecond} req/s, p50 ${ms(e.read.p50Ms)}, p99 ${ms(e.read.p99Ms)}, CPU ${fmt(e.read.serverCpuMsPerRequest, 2)} ms/request, peak RSS ${e.read.peakRssMiB} MiB.`,
        "",
      );
    }
  }

  if (results.notes.length) lines.push("## Notes", "", ...results.notes.map((note) => `- ${note}`), "");
  return lines.join("\n");
}

export function writeResults(results: Results, setName: string, extraNote: string): string[] {
  const dir = path.join(BENCH_DIR, "results");
  fs.mkdirSync(dir, { recursive: true });
  const base = path.join(dir, `${results.startedAt.slice(0, 10)}-${setName}`);
  fs.writeFileSync(`${base}.json`, JSON.stringify(results, null, 2) + "\n");
  const md = markdown(results, setName, extraNote);
  fs.writeFileSync(`${base}.md`, md);
  console.log("\n" + md);
  return [`${base}.json`, `${base}.md`].map((file) => path.relative(path.join(BENCH_DIR, ".."), file));
}
