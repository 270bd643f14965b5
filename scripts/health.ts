/**
 * `npm run health -- [--all] [--verbose] [--check-db] [--check-pubsub] [--check-disk]`:
 * the readiness checks of GET /ready, from a shell, against the configured services.
 * Exit code 0 when every selected check passes, 1 otherwise.
 */
import { parseArgs } from "node:util";
import { loadConfig } from "../server/config";
import { openDatabase } from "../server/db/client";
import { readinessChecks } from "../server/http/health";
import { createLog } from "../server/log";
import { openRedis } from "../server/redis";

const { values } = parseArgs({
  options: {
    all: { type: "boolean", default: false },
    verbose: { type: "boolean", short: "v", default: false },
    "check-db": { type: "boolean", default: false },
    "check-pubsub": { type: "boolean", default: false },
    "check-disk": { type: "boolean", default: false },
  },
});
const config = loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? "silent", ROSTER_DB: process.env.ROSTER_DB ?? "file" });
const selected = ["database", "pubsub", "disk"].filter((name, index) =>
  values.all || ![values["check-db"], values["check-pubsub"], values["check-disk"]].some(Boolean)
    ? true
    : [values["check-db"], values["check-pubsub"], values["check-disk"]][index],
);
const database = await openDatabase(config, createLog(config));
const redis = config.redisUrl ? await openRedis(config.redisUrl).catch(() => undefined) : undefined;
const results = (await readinessChecks({ database, redis, config })).filter((check) => selected.includes(check.name));
if (config.redisUrl && !redis) results.push({ name: "pubsub", ok: false, ms: 0, detail: "cannot connect to REDIS_URL" });
for (const check of results) {
  const line = `${check.ok ? "ok  " : "FAIL"} ${check.name.padEnd(9)} ${String(check.ms).padStart(7)} ms`;
  console.log(values.verbose && check.detail ? `${line}  ${check.detail}` : line);
}
await redis?.close();
await database.close();
process.exit(results.every((check) => check.ok) ? 0 : 1);
