/**
 * `npm run bench`: throughput and latency of typical requests against a real
 * instance (embedded PGlite in memory by default; DATABASE_URL/REDIS_URL for
 * PostgreSQL and Redis). Writes bench/results/<date>-<database>.json.
 *
 *   npm run bench -- [--requests 2000] [--concurrency 20]
 */
import "reflect-metadata";
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { print } from "graphql";
import { DEMO_PASSWORD, DEMO_TENANT, DEMO_USERS, seedDemo } from "../drizzle/seed";
import { createDeps, createServer } from "../server/app";
import { loadConfig } from "../server/config";
import { CoursesWithRelationsDocument, LoginDocument, MeDocument, TenantBySlugDocument } from "../test/sdk/graphql";

const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "2000" },
    concurrency: { type: "string", default: "20" },
  },
});
const total = Number(values.requests);
const concurrency = Number(values.concurrency);

const config = loadConfig({
  ...process.env,
  NODE_ENV: "development",
  PORT: "0",
  HOST: "127.0.0.1",
  ROSTER_DB: process.env.ROSTER_DB ?? "memory",
  LOG_LEVEL: "warn",
  JOBS_ENABLED: "false",
  SEED_DEMO: "false",
  RATE_LIMIT_IP_PER_MINUTE: "1000000",
  RATE_LIMIT_USER_PER_MINUTE: "1000000",
  EXPOSE_DIAGNOSTICS: "true",
  SLOW_QUERY_MS: "600000",
});
const deps = await createDeps(config);
await seedDemo(deps.database, deps.passwords);
const server = await createServer(config, deps);
const url = `${await server.listen()}/graphql`;

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
  const started = performance.now();
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
  const seconds = (performance.now() - started) / 1000;
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

await server.close();
console.table(results);
const file = path.join("bench", "results", `${new Date().toISOString().slice(0, 10)}-${deps.database.kind}.json`);
fs.mkdirSync(path.dirname(file), { recursive: true });
fs.writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), node: process.version, database: deps.database.kind, pubsub: deps.redis ? "redis" : "memory", results }, null, 2) + "\n");
console.log(`written ${file}`);
