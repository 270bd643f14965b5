/**
 * Roster in embedded mode (PGlite in memory, in-memory pub/sub) holding a
 * bench dataset instead of the demo, for the nested read on PGlite. Built from
 * Roster's own createDeps/createServer (what server/main.ts does), with the
 * seed SQL (BENCH_SEED_FILE) run on the embedded database before listening.
 * Runs on bench's Node 22 with cwd = ROSTER_DIR and Roster's tsx.
 */
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const rosterDir = process.cwd();
createRequire(path.join(rosterDir, "package.json"))("reflect-metadata");
const { createDeps, createServer } = await import(path.join(rosterDir, "server/app.ts"));
const { loadConfig } = await import(path.join(rosterDir, "server/config.ts"));

const config = loadConfig({ ...process.env, ROSTER_DB: "memory", SEED_DEMO: "false" });
const deps = await createDeps(config);
const seedFile = process.env.BENCH_SEED_FILE;
if (seedFile) await (deps.database.db as unknown as { $client: { exec(sql: string): Promise<unknown> } }).$client.exec(fs.readFileSync(seedFile, "utf8"));
const server = await createServer(config, deps);
await server.listen();

const stop = async () => {
  await server.close();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
