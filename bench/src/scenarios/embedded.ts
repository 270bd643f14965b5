/**
 * Scenario 7, embedded mode (Roster only): how long `npm start` with PGlite in
 * memory takes to answer (migrations and the demo data included), and the
 * nested read on PGlite with a smaller copy of the bench dataset.
 */
import fs from "node:fs";
import path from "node:path";
import { elapsed, type Bench } from "../context";
import { dataOf, gql } from "../http";
import { interleaved, type TargetResult } from "../load";
import { freePort, memoryOf, startProcess, stopProcess, waitFor } from "../proc";
import { normalRosterCourse, rosterQueries } from "../queries";
import { login, schemaShape } from "../roster";
import { ADMIN_EMAIL, PASSWORD, SIZES, seedScript } from "../seed";
import { BENCH_DIR, hashWithRoster, NODE22, ROSTER_DIR, rosterEnv, type Server } from "../servers";

export interface EmbeddedResult {
  /** Each start's time to a /health answer (two when embedded runs alone: the first may fill tsx's transform cache). */
  startupMs: number[];
  rssAfterStartMiB: number;
  read?: TargetResult & { courses: number; dataset: string };
}

/** Small enough to seed in PGlite in seconds; still 50+ courses of 20 lectures for the nested read. */
const EMBEDDED_SIZES = { ...SIZES, courses: 60, markedLectures: 5, students: 300, staff: 2, instructors: 10 };

async function start(bench: Bench, name: string, script: string[], env: Record<string, string>, timeoutMs: number) {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(bench.logDir, `${name}-data-`));
  const begun = performance.now();
  const proc = startProcess(name, NODE22, ["--import", "tsx", ...script], {
    cwd: ROSTER_DIR,
    env: { ...rosterEnv(port, { name, logDir: bench.logDir }), ROSTER_DB: "memory", ROSTER_DATA_DIR: dataDir, MIGRATE_ON_START: "true", ...env },
    logDir: bench.logDir,
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitFor(`${name} /health`, async () => (await fetch(`${baseUrl}/health`)).ok, timeoutMs, proc);
  return { proc, baseUrl, ms: performance.now() - begun };
}

export async function runEmbedded(bench: Bench): Promise<EmbeddedResult> {
  bench.progress(`\n[${elapsed(bench)}] embedded: PGlite in memory`);
  const result: EmbeddedResult = { startupMs: [], rssAfterStartMiB: 0 };
  for (let i = 0; i < (bench.options.only?.has("embedded") ? 2 : 1); i++) {
    const startup = await start(bench, `embedded-start-${i + 1}`, ["server/main.ts"], { SEED_DEMO: "true", ALLOW_DEMO_LOGINS: "true" }, 120_000);
    result.startupMs.push(Math.round(startup.ms));
    result.rssAfterStartMiB = Math.round(memoryOf(startup.proc.pid).rss / 1048576);
    await stopProcess(startup.proc);
  }
  bench.progress(`    npm start (PGlite in memory, demo data) answers /health after ${result.startupMs.join(" ms, then ")} ms; RSS ${result.rssAfterStartMiB} MiB`);

  const seedFile = path.join(bench.logDir, "embedded-seed.sql");
  fs.writeFileSync(seedFile, seedScript(await hashWithRoster(PASSWORD), EMBEDDED_SIZES));
  const seeded = await start(bench, "embedded-read", [path.join(BENCH_DIR, "servers", "embedded.ts")], { BENCH_SEED_FILE: seedFile }, 180_000);
  try {
    bench.progress(`    PGlite seeded with ${EMBEDDED_SIZES.courses} courses × ${EMBEDDED_SIZES.lecturesPerCourse} lectures per tenant in ${(seeded.ms / 1000).toFixed(1)} s`);
    const token = await login(seeded.baseUrl, ADMIN_EMAIL);
    const shape = await schemaShape(seeded.baseUrl, token);
    const query = rosterQueries(shape.lecturesForm).nested;
    const answer = dataOf(await gql(`${seeded.baseUrl}/graphql`, query, {}, { authorization: `Bearer ${token}` }), "nested read on PGlite");
    const courses = answer.courses.nodes.map(normalRosterCourse);
    if (courses.length !== 50 || courses.some((c: { lectures: unknown[] }) => c.lectures.length !== EMBEDDED_SIZES.lecturesPerCourse)) {
      throw new Error("embedded: the nested read did not return 50 courses with their lectures");
    }
    const server: Server = { kind: "roster", name: "embedded-read", proc: seeded.proc, baseUrl: seeded.baseUrl, stop: () => stopProcess(seeded.proc) };
    const [measured] = await interleaved(
      [{ label: "Roster (PGlite)", server, path: "/graphql", headers: { authorization: `Bearer ${token}` }, body: JSON.stringify({ query }) }],
      bench.options.load,
      bench.sql,
      bench.progress,
    );
    if (measured!.non2xx || measured!.errors) throw new Error(`embedded: ${measured!.non2xx} non-2xx and ${measured!.errors} errors under load`);
    result.read = { ...measured!, courses: 50, dataset: `${EMBEDDED_SIZES.courses} courses × ${EMBEDDED_SIZES.lecturesPerCourse} lectures per tenant, two tenants` };
  } finally {
    await stopProcess(seeded.proc);
  }
  return result;
}
