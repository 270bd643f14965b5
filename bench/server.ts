/** The instance under test for bench/api.ts, in its own process (so the load generator does not share its CPU). */
import "reflect-metadata";
import { seedDemo } from "../drizzle/seed";
import { createDeps, createServer } from "../server/app";
import { loadConfig } from "../server/config";

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
const url = await server.listen();
process.send?.({ url, database: deps.database.kind, pubsub: deps.redis ? "redis" : "memory" });
process.on("disconnect", () => void server.close().then(() => process.exit(0)));
