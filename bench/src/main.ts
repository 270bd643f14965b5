/**
 * `npm run bench` — Roster against PostGraphile 5 and a one-statement limit
 * server, on a fresh PostgreSQL database seeded for the run, plus Roster's
 * mutation, contention, embedded and subscription fan-out scenarios.
 * Writes bench/results/<date>-<set>.json and .md. See bench/README.md.
 *
 *   npm run bench                      every scenario (under 10 minutes)
 *   npm run bench -- --quick           short rounds, small audiences (development)
 *   npm run bench -- --only nested,me  some scenarios (names below; "reads", "subscriptions" are groups)
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import type { Bench, Options, ReadServers } from "./context";
import { elapsed } from "./context";
import { createDatabase, databaseUrl, dropDatabase, ownerSql } from "./db";
import { killAllNow, stopAll } from "./proc";
import { writeResults, type Results } from "./report";
import { login, schemaShape } from "./roster";
import { runContention } from "./scenarios/contention";
import { runEmbedded } from "./scenarios/embedded";
import { runFanout } from "./scenarios/fanout";
import { runMark } from "./scenarios/mark";
import { runReads } from "./scenarios/reads";
import { datasetCounts, PASSWORD, seed } from "./seed";
import {
  benchPackageVersion,
  BENCH_DIR,
  hashWithRoster,
  migrateWithRoster,
  NODE22,
  ROSTER_DIR,
  rosterRevision,
  startLimit,
  startPostgraphile,
  startRoster,
} from "./servers";

const SCENARIOS = ["nested", "nested10", "course", "me", "mark", "contention", "fanout", "register", "churn", "embedded"] as const;
const GROUPS: Record<string, string[]> = {
  reads: ["nested", "nested10", "course", "me"],
  subscriptions: ["fanout", "register", "churn"],
};

const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    rounds: { type: "string" },
    seconds: { type: "string" },
    connections: { type: "string" },
    fanout: { type: "string" },
    marks: { type: "string" },
    churn: { type: "string" },
    "keep-db": { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});

if (args.help) {
  console.log(`npm run bench -- [--quick] [--only ${SCENARIOS.join(",")}|reads|subscriptions]
  [--rounds 3] [--seconds 5] [--connections 10] [--fanout 200,1000,2000] [--marks 50] [--churn 10000] [--keep-db]`);
  process.exit(0);
}

function parseOnly(raw: string | undefined): Set<string> | null {
  if (!raw) return null;
  const names = raw.split(",").flatMap((name) => GROUPS[name.trim()] ?? [name.trim()]);
  const unknown = names.filter((name) => !(SCENARIOS as readonly string[]).includes(name));
  if (unknown.length) {
    console.error(`unknown scenario(s): ${unknown.join(", ")} (known: ${SCENARIOS.join(", ")}, reads, subscriptions)`);
    process.exit(2);
  }
  return new Set(names);
}

const quick = args.quick!;
const options: Options = {
  quick,
  only: parseOnly(args.only),
  load: {
    rounds: Number(args.rounds ?? (quick ? 2 : 3)),
    seconds: Number(args.seconds ?? (quick ? 2 : 4)),
    warmupSeconds: quick ? 1 : 2,
    connections: Number(args.connections ?? 10),
  },
  fanoutSizes: (args.fanout ?? (quick ? "50,200" : "200,1000,2000")).split(",").map(Number),
  fanoutMarks: Number(args.marks ?? (quick ? 10 : 50)),
  registerSize: quick ? 100 : 1000,
  churnCycles: Number(args.churn ?? (quick ? 1000 : 10_000)),
  drainMs: quick ? 20_000 : 45_000,
  budgetSeconds: 580,
  keepDatabase: args["keep-db"]!,
};
const wants = (name: string) => !options.only || options.only.has(name);

const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\..*/, "").replace("T", "_");
const dbName = `bench_${stamp}_${process.pid}`.toLowerCase();
const logDir = fs.mkdtempSync(path.join(os.tmpdir(), "roster-bench-"));
const started = Date.now();
const progress = (line: string) => console.log(line);

let cleaned = false;
async function cleanup() {
  if (cleaned) return;
  cleaned = true;
  await stopAll().catch(() => killAllNow());
  if (!options.keepDatabase) await dropDatabase(dbName).catch((error) => console.error(`could not drop ${dbName}: ${error.message}`));
}
process.on("exit", killAllNow);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    console.error(`\n${signal}: stopping servers and dropping ${dbName}`);
    void cleanup().finally(() => process.exit(130));
  });
}

async function main() {
  if (!fs.existsSync(NODE22)) throw new Error(`${NODE22} is missing: run npm ci --prefix bench`);
  progress(`Roster bench — ROSTER_DIR=${ROSTER_DIR}, database ${dbName}, logs in ${logDir}`);
  progress(`  servers on ${NODE22.replace(BENCH_DIR, "bench")} (${process.versions.node} runs the load generator)`);

  await createDatabase(dbName);
  const dbUrl = databaseUrl(dbName);
  const sql = ownerSql(dbName);
  let t = Date.now();
  await migrateWithRoster(dbUrl);
  const passwordHash = await hashWithRoster(PASSWORD);
  const ids = await seed(sql, passwordHash);
  const counts = await datasetCounts(sql, ids.tenantA);
  progress(`  [${Math.round((Date.now() - started) / 1000)} s] migrated and seeded in ${((Date.now() - t) / 1000).toFixed(1)} s: per tenant ${JSON.stringify(counts)}`);

  const bench: Bench = {
    options,
    dbName,
    dbUrl,
    sql,
    ids,
    logDir,
    lecturesForm: "list",
    hasAttendanceSummary: false,
    started,
    progress,
    notes: [],
  };
  const results: Results = {
    startedAt: new Date(started).toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? "unknown",
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      loadAverageAtStart: os.loadavg().map((n) => Math.round(n * 10) / 10),
    },
    versions: {
      serverNode: "",
      loadGeneratorNode: process.version,
      postgraphile: benchPackageVersion("postgraphile"),
      postgres: String((await sql`select current_setting('server_version') as v`)[0]!.v),
      roster: await rosterRevision(),
    },
    options: { ...options, only: options.only ? [...options.only] : null },
    dataset: counts,
    notes: bench.notes,
    reads: [],
  };
  results.versions.serverNode = (await import("node:child_process")).execFileSync(NODE22, ["--version"]).toString().trim();

  const readNames = ["nested", "nested10", "course", "me"];
  const needsRoster = readNames.some(wants) || wants("mark") || wants("contention");
  if (needsRoster) {
    t = Date.now();
    const roster = await startRoster({ name: "roster", logDir, databaseUrl: dbUrl, cpuProfileDir: process.env.BENCH_CPU_PROFILE });
    const adminToken = await login(roster.baseUrl, ids.adminEmail);
    Object.assign(bench, await schemaShape(roster.baseUrl, adminToken));
    progress(`  [${elapsed(bench)}] Roster up in ${((Date.now() - t) / 1000).toFixed(1)} s (Course.lectures: ${bench.lecturesForm}${bench.hasAttendanceSummary ? ", Lecture.attendanceSummary" : ""})`);

    if (readNames.some(wants)) {
      t = Date.now();
      const scope = { tenantId: ids.tenantA, userId: ids.adminId };
      const [postgraphile, limit] = await Promise.all([startPostgraphile(logDir, dbUrl, scope), startLimit(logDir, dbUrl, scope)]);
      progress(`  [${elapsed(bench)}] PostGraphile ${results.versions.postgraphile} and the limit server up in ${((Date.now() - t) / 1000).toFixed(1)} s`);
      const servers: ReadServers = { roster, postgraphile, limit, adminToken };
      progress(`\nReads (${options.load.rounds} interleaved rounds × ${options.load.seconds} s per server, -c ${options.load.connections}):`);
      results.reads = await runReads(bench, servers);
      await Promise.all([postgraphile.stop(), limit.stop()]);
    }
    if (wants("mark")) results.mark = await runMark(bench, roster, adminToken);
    if (wants("contention")) results.contention = await runContention(bench, roster, adminToken);
    await roster.stop();
  }

  if (wants("embedded")) results.embedded = await runEmbedded(bench);
  if (["fanout", "register", "churn"].some(wants)) results.fanout = await runFanout(bench);

  results.durationSeconds = Math.round((Date.now() - started) / 1000);
  results.machine.loadAverageAtEnd = os.loadavg().map((n) => Math.round(n * 10) / 10);
  const setName = (args.only ? args.only.replace(/[^a-z0-9,]/gi, "").replace(/,/g, "+") : "full") + (quick ? "-quick" : "");
  const files = writeResults(results, setName, lecturesNote(bench));
  await sql.end({ timeout: 5 });
  progress(`\nDone in ${results.durationSeconds} s. Results: ${files.join(", ")}`);
}

const lecturesNote = (bench: Bench) => `Course.lectures form: ${bench.lecturesForm}`;

main()
  .then(cleanup)
  .catch(async (error) => {
    console.error(`\nbench failed: ${error instanceof Error ? (error.stack ?? error.message) : error}`);
    console.error(`server logs: ${logDir}`);
    await cleanup();
    process.exit(1);
  });
