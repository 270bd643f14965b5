/**
 * `npm run health -- [--all] [--verbose] [--check-db] [--check-pubsub] [--check-disk]`:
 * the readiness checks of GET /ready, from a shell.
 *
 * With DATABASE_URL set it checks PostgreSQL, Redis (REDIS_URL) and the data
 * directory's disk itself. Without it the database is an embedded PGlite that
 * belongs to the running instance (PGlite is single-process: opening its
 * directory from a second process can corrupt it), so it asks that instance's
 * GET http://HOST:PORT/ready instead (HOST defaults to localhost, PORT to 4000).
 *
 * Exit code 0 when every selected check passes, 1 when one fails or the instance
 * does not answer, 78 on a configuration error (like `npm start`).
 */
import { parseArgs } from "node:util";
import { loadConfigOrExit, type Config } from "../server/config";
import type { CheckResult } from "../server/http/health";

const CHECKS = ["database", "pubsub", "disk"] as const;
const READY_TIMEOUT_MS = 5000;

const { values } = parseArgs({
  options: {
    all: { type: "boolean", default: false },
    verbose: { type: "boolean", short: "v", default: false },
    "check-db": { type: "boolean", default: false },
    "check-pubsub": { type: "boolean", default: false },
    "check-disk": { type: "boolean", default: false },
  },
});
const flags = [values["check-db"], values["check-pubsub"], values["check-disk"]];
const selected: string[] = values.all || !flags.some(Boolean) ? [...CHECKS] : CHECKS.filter((_, index) => flags[index]);

const config: Config = loadConfigOrExit({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? "silent" });

const results = config.database.url ? await checkDirectly(config) : await askInstance(config);
const shown = selected.map(
  (name) => results.find((check) => check.name === name) ?? { name, ok: false, ms: 0, detail: "not reported by the instance" },
);
for (const check of shown) {
  const line = `${check.ok ? "ok  " : "FAIL"} ${check.name.padEnd(9)} ${String(check.ms).padStart(7)} ms`;
  // Drizzle puts the failed SQL on its own lines; one line per check keeps the output greppable.
  console.log(values.verbose && check.detail ? `${line}  ${check.detail.replace(/\s+/g, " ").trim()}` : line);
}
process.exit(shown.every((check) => check.ok) ? 0 : 1);

/** PostgreSQL and Redis are shared services, so a second client is harmless. */
async function checkDirectly(config: Config): Promise<CheckResult[]> {
  const [{ openDatabase }, { readinessChecks }, { createLog }, { openRedis }] = await Promise.all([
    import("../server/db/client"),
    import("../server/http/health"),
    import("../server/log"),
    import("../server/redis"),
  ]);
  const database = await openDatabase(config, createLog(config));
  // Only PING: no key is read or written, so the namespace does not matter here.
  const redis = config.redisUrl ? await openRedis(config.redisUrl, config.redisPrefix ?? "roster").catch(() => undefined) : undefined;
  try {
    const checks = await readinessChecks({ database, redis, config });
    if (config.redisUrl && !redis) {
      return checks.map((check) =>
        check.name === "pubsub" ? { name: "pubsub", ok: false, ms: 0, detail: "cannot connect to REDIS_URL" } : check,
      );
    }
    return checks;
  } finally {
    await redis?.close();
    await database.close();
  }
}

/** The embedded database is the instance's own: ask it rather than open it. */
async function askInstance(config: Config): Promise<CheckResult[]> {
  const host = !config.host || config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${config.port || 4000}/ready`;
  const started = performance.now();
  let reason: string;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(READY_TIMEOUT_MS) });
    // /ready answers 503 with the same body when a check fails.
    const body = (await response.json().catch(() => undefined)) as { checks?: CheckResult[] } | undefined;
    if (Array.isArray(body?.checks)) return body.checks;
    reason = `HTTP ${response.status} without readiness checks`;
  } catch (error) {
    const cause = (error as Error & { cause?: Error }).cause;
    reason = cause?.message ?? (error as Error).message;
  }
  const ms = Math.round((performance.now() - started) * 10) / 10;
  console.error(
    `no answer from ${url}: ${reason} (is roster running there? set HOST and PORT, or DATABASE_URL to check PostgreSQL directly)`,
  );
  return CHECKS.map((name) => ({ name, ok: false, ms, detail: `no answer from ${url}: ${reason}` }));
}
