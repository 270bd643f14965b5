/**
 * Once per test run: a migrated embedded database, dumped to a file that every
 * in-memory test server starts from (ROSTER_DB_SNAPSHOT), instead of running
 * initdb and the migrations for each (about 2 s a server). The file is named
 * after the migrations, so a new migration makes a new one.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { PGlite } from "@electric-sql/pglite";

export default async function setup() {
  if (process.env.DATABASE_URL) return;
  const dir = path.resolve(import.meta.dirname, "../drizzle/migrations");
  const hash = createHash("sha256");
  for (const file of fs.readdirSync(dir, { recursive: true }).map(String).sort()) {
    const full = path.join(dir, file);
    if (fs.statSync(full).isFile()) hash.update(file).update(fs.readFileSync(full));
  }
  const file = path.join(os.tmpdir(), `roster-test-db-${hash.digest("hex").slice(0, 16)}.tar`);
  if (!fs.existsSync(file)) {
    const { loadConfig } = await import("../server/config");
    const { openDatabase } = await import("../server/db/client");
    const { migrateDatabase } = await import("../server/db/migrate");
    const { createLog } = await import("../server/log");
    const config = loadConfig({ ...process.env, NODE_ENV: "test", ROSTER_DB: "memory", LOG_LEVEL: "silent", ROSTER_DB_SNAPSHOT: "" });
    const database = await openDatabase(config, createLog(config));
    await migrateDatabase(database);
    const client = (database.db as unknown as { session: { client: PGlite } }).session.client;
    const dump = await client.dumpDataDir("none");
    // Written whole, then renamed: a parallel run never reads half a file.
    const partial = `${file}.${process.pid}`;
    fs.writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
    fs.renameSync(partial, file);
    await database.close();
  }
  process.env.ROSTER_DB_SNAPSHOT = file;
}
