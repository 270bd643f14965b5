/**
 * `npm run bench`: throughput and latency of typical requests against a real
 * instance in its own process (embedded PGlite in memory by default;
 * DATABASE_URL/REDIS_URL for PostgreSQL and Redis). Writes
 * bench/results/<date>-<database>.json.
 *
 *   npm run bench -- [--requests 2000] [--concurrency 20]
 */
import "reflect-metadata";
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { print } from "graphql";
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { DEMO_PASSWORD, DEMO_TENANT, DEMO_USERS } from "../drizzle/seed";
import { CoursesWithRelationsDocument, LoginDocument, MeDocument, TenantBySlugDocument } from "../test/sdk/graphql";

const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "2000" },
    concurrency: { type: "string", default: "20" },
  },
});
const total = Number(values.requests);
const concurrency = Number(values.concurrency);

// The server runs in a child process: on a small machine the load generator would
// otherwise take half of the server's CPU and the numbers would say little.
// BENCH_CPU_PROFILE=<dir> writes the server's CPU profile there.
const profile = process.env.BENCH_CPU_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE}`] : [];
const child = fork(fileURLToPath(new URL("./server.ts", import.meta.url)), [], { execArgv: ["--import", "tsx", ...profile], stdio: "inherit" });
const started = await new Promise<{ url: string; database: string; pubsub: string }>((resolve, reject) => {
  child.once("message", (message) => resolve(message as never));
  child.once("exit", (code) => reject(new Error(`bench server exited with ${code}`)));
});
const url = `${started.url}/graphql`;

async function post(body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  const json = (await response.json()) as { data?: any; errors?: unknown[]; extensions?: { diagnostics?: { sqlStatements: number } } };
  if (json.errors) throw new Error(JSON.stringify(json.errors));
  return json;
}

const admin = DEMO_USERS.find((user) => user.key === "admin")!;
const login = await post({ query: print(LoginDocument), variables: { input: { identifier: admin.phone, password: DEMO_PASSWORD } } }, { "x-tenant": DEMO_TENANT.slug });
const auth = { authorization: `Bearer ${login.data.login.accessToken}` };

const scenarios = [
  { name: "tenantBySlug (anonymous, 1 row)", body: { query: print(TenantBySlugDocument), variables: { slug: DEMO_TENANT.slug } }, headers: {} },
  { name: "me (signed in)", body: { query: print(MeDocument) }, headers: auth },
  { name: "courses page with season, instructor, tags", body: { query: print(CoursesWithRelationsDocument), variables: { first: 20 } }, headers: auth },
];

const results = [];
for (const scenario of scenarios) {
  const { extensions } = await post(scenario.body, scenario.headers); // warm-up, and the SQL count
  const latencies: number[] = [];
  let next = 0;
  const begun = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next += 1;
        const t0 = performance.now();
        await post(scenario.body, scenario.headers);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - begun) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]! * 10) / 10;
  results.push({
    scenario: scenario.name,
    requests: latencies.length,
    concurrency,
    requestsPerSecond: Math.round(latencies.length / seconds),
    p50ms: pct(0.5),
    p95ms: pct(0.95),
    p99ms: pct(0.99),
    sqlStatements: extensions?.diagnostics?.sqlStatements,
  });
}

child.disconnect();
console.table(results);
const file = path.join("bench", "results", `${new Date().toISOString().slice(0, 10)}-${started.database}.json`);
fs.mkdirSync(path.dirname(file), { recursive: true });
fs.writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), node: process.version, database: started.database, pubsub: started.pubsub, results }, null, 2) + "\n");
console.log(`written ${file}`);
