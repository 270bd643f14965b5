/**
 * `npm run db:backup` and `npm run db:restore`, run as an operator would: back up,
 * change the data, restore, and find the old data again. Embedded always; PostgreSQL
 * when DATABASE_URL is set (in scratch databases created and dropped here).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { tenants } from "../drizzle/schema";
import { loadConfig } from "../server/config";
import { openDatabase, type Database } from "../server/db/client";
import { lockDataDir } from "../server/db/data-dir-lock";
import { migrateDatabase } from "../server/db/migrate";
import { createLog } from "../server/log";
import { npmRun, run } from "./helpers/cli";
import { startTestServer } from "./helpers/server";

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "roster-backup-"));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** The environment of a command against one database (nothing inherited from the test run's own database). */
const envFor = (target: { dataDir: string } | { url: string }) => ({
  NODE_ENV: "test",
  LOG_LEVEL: "silent",
  SEED_DEMO: "false",
  ROSTER_DB: undefined,
  ROSTER_DB_SNAPSHOT: undefined,
  ...("url" in target
    ? { DATABASE_URL: target.url, ROSTER_DATA_DIR: undefined }
    : { DATABASE_URL: undefined, ROSTER_DATA_DIR: target.dataDir }),
});

async function withDatabase<T>(env: Record<string, string | undefined>, fn: (database: Database) => Promise<T>): Promise<T> {
  const clean = Object.fromEntries(Object.entries({ ...process.env, ...env }).filter(([, value]) => value !== undefined)) as Record<
    string,
    string
  >;
  const config = loadConfig(clean);
  const database = await openDatabase(config, createLog(config));
  try {
    return await fn(database);
  } finally {
    await database.close();
  }
}

const names = (database: Database) =>
  database.db
    .select({ slug: tenants.slug, name: tenants.name })
    .from(tenants)
    .where(eq(tenants.timeZone, "Pacific/Chatham"))
    .orderBy(tenants.slug);

/** The scenario both modes share: migrate and write, back up, change, refuse without --force, restore, read. */
async function backupChangeRestore(env: Record<string, string | undefined>, file: string) {
  await withDatabase(env, async (database) => {
    await migrateDatabase(database);
    await database.db.insert(tenants).values({ slug: "backup-alpha", name: "Alpha before", timeZone: "Pacific/Chatham" });
  });

  const backup = await npmRun("db:backup", [file], env);
  expect(backup.stderr).toBe("");
  expect(backup.code).toBe(0);
  expect(backup.stdout).toContain(`backup written`);
  expect(fs.statSync(file).size).toBeGreaterThan(0);

  await withDatabase(env, async (database) => {
    await database.db.update(tenants).set({ name: "Alpha after" }).where(eq(tenants.slug, "backup-alpha"));
    await database.db.insert(tenants).values({ slug: "backup-beta", name: "Beta", timeZone: "Pacific/Chatham" });
    expect(await names(database)).toEqual([
      { slug: "backup-alpha", name: "Alpha after" },
      { slug: "backup-beta", name: "Beta" },
    ]);
  });

  const refused = await npmRun("db:restore", [file], env);
  expect(refused.code).toBe(73);
  expect(refused.stderr).toMatch(/not empty|exists/);
  expect(refused.stderr).toContain("--force");
  await withDatabase(env, async (database) => expect(await names(database)).toHaveLength(2));

  const restored = await npmRun("db:restore", [file, "--force"], env);
  expect(restored.stderr).toBe("");
  expect(restored.code).toBe(0);
  await withDatabase(env, async (database) => {
    expect(await names(database)).toEqual([{ slug: "backup-alpha", name: "Alpha before" }]);
  });
}

describe("embedded (PGlite data directory)", () => {
  const dataDir = path.join(scratch, "data");
  const env = envFor({ dataDir });

  it("backs up, and a restore brings back the old data after it was changed", { timeout: 420_000 }, async () => {
    await backupChangeRestore(env, path.join(scratch, "embedded.tar.gz"));
    // The database that was replaced is kept aside, not deleted.
    expect(fs.readdirSync(dataDir).some((name) => name.startsWith("pglite.replaced-"))).toBe(true);
  });

  it("restores into a new data directory without --force", { timeout: 300_000 }, async () => {
    const other = envFor({ dataDir: path.join(scratch, "fresh") });
    const restored = await npmRun("db:restore", [path.join(scratch, "embedded.tar.gz")], other);
    expect(restored.code).toBe(0);
    await withDatabase(other, async (database) => expect(await names(database)).toEqual([{ slug: "backup-alpha", name: "Alpha before" }]));
  });

  it("refuses while another process holds the data directory and offers no backup endpoint, saying to stop it", {
    timeout: 180_000,
  }, async () => {
    const lock = lockDataDir(dataDir);
    try {
      const restore = await npmRun("db:restore", [path.join(scratch, "embedded.tar.gz"), "--force"], env);
      expect(restore.code).toBe(75);
      expect(restore.stderr).toContain("can only be restored while no instance runs on it");
      expect(restore.stderr).toContain(`in use by pid ${process.pid}`);
      // A holder that wrote no backup token (a command such as db:seed, or an older server).
      const backup = await npmRun("db:backup", [path.join(scratch, "while-running.tar.gz")], env);
      expect(backup.code).toBe(75);
      expect(backup.stderr).toContain("stop it, run this again");
      expect(fs.existsSync(path.join(scratch, "while-running.tar.gz"))).toBe(false);
    } finally {
      lock.release();
    }
  });

  it("while an instance runs, the instance takes the snapshot (POST /ops/backup with its token)", { timeout: 420_000 }, async () => {
    const liveDir = path.join(scratch, "live");
    const t = await startTestServer({ ROSTER_DB: "file", ROSTER_DATA_DIR: liveDir, DATABASE_URL: "", REDIS_URL: "" });
    const file = path.join(scratch, "live.tar.gz");
    try {
      await t.deps.database.db.insert(tenants).values({ slug: "backup-live", name: "Live", timeZone: "Pacific/Chatham" });
      const port = new URL(t.url).port;
      const liveEnv = { ...envFor({ dataDir: liveDir }), HOST: "127.0.0.1", PORT: port };
      const backup = await npmRun("db:backup", [file], liveEnv);
      expect(backup.stderr).toBe("");
      expect(backup.code).toBe(0);
      expect(backup.stdout).toContain("taken by the running instance");
      // The instance went on serving.
      expect((await fetch(`${t.url}/health`)).status).toBe(200);
      // Restoring under a running instance is refused.
      const restore = await npmRun("db:restore", [file, "--force"], liveEnv);
      expect(restore.code).toBe(75);
      // The endpoint wants the token of the data directory.
      const forged = await fetch(`${t.url}/ops/backup`, { method: "POST", headers: { authorization: "Bearer nope" } });
      expect(forged.status).toBe(401);
      expect((fs.statSync(path.join(liveDir, "backup.token")).mode & 0o777).toString(8)).toBe("600");
    } finally {
      await t.close();
    }
    const other = envFor({ dataDir: path.join(scratch, "from-live") });
    const restored = await npmRun("db:restore", [file], other);
    expect(restored.code).toBe(0);
    await withDatabase(other, async (database) => expect(await names(database)).toEqual([{ slug: "backup-live", name: "Live" }]));
  });

  it("answers a missing file and a bad file clearly, changing nothing", { timeout: 180_000 }, async () => {
    const missing = await npmRun("db:restore", [path.join(scratch, "nope.tar.gz")], env);
    expect(missing.code).toBe(66);
    expect(missing.stderr).toContain("no backup file");

    const junk = path.join(scratch, "junk.tar.gz");
    fs.writeFileSync(junk, "not a backup");
    const bad = await npmRun("db:restore", [junk, "--force"], env);
    expect(bad.code).toBe(70);
    expect(bad.stderr).toContain("nothing was changed");
    await withDatabase(env, async (database) => expect(await names(database)).toEqual([{ slug: "backup-alpha", name: "Alpha before" }]));

    const usage = await npmRun("db:restore", [], env);
    expect(usage.code).toBe(64);
  });
});

describe("PostgreSQL client tools", () => {
  it("says clearly when pg_dump / pg_restore are not installed", { timeout: 120_000 }, async () => {
    // The scripts with node directly and a PATH without the PostgreSQL client tools.
    const env = { ...envFor({ url: "postgres://postgres@127.0.0.1:5432/roster_absent" }), PATH: "/nonexistent" };
    const backup = await run(process.execPath, ["--import", "tsx", "scripts/db-backup.ts", path.join(scratch, "x.dump")], env);
    expect(backup.code).toBe(69);
    expect(backup.stderr).toContain("pg_dump was not found on PATH");
    fs.writeFileSync(path.join(scratch, "x.dump"), "");
    const restore = await run(process.execPath, ["--import", "tsx", "scripts/db-restore.ts", path.join(scratch, "x.dump")], env);
    expect(restore.code).toBe(69);
    expect(restore.stderr).toContain("pg_restore was not found on PATH");
  });
});

describe.runIf(process.env.DATABASE_URL)("PostgreSQL (pg_dump / pg_restore)", () => {
  const base = new URL(process.env.DATABASE_URL ?? "postgres://localhost/postgres");
  const databaseNamed = (name: string) => Object.assign(new URL(base), { pathname: `/${name}` }).toString();
  const names_ = [`roster_backup_${process.pid}_a`, `roster_backup_${process.pid}_b`];
  const admin = async (statement: string) => {
    const { default: postgres } = await import("postgres");
    const sql = postgres(base.toString(), { max: 1, onnotice: () => {} });
    try {
      await sql.unsafe(statement);
    } finally {
      await sql.end({ timeout: 1 });
    }
  };
  afterAll(async () => {
    for (const name of names_) await admin(`drop database if exists ${name} with (force)`);
  });

  it("backs up, and a restore brings back the old data after it was changed", { timeout: 420_000 }, async () => {
    for (const name of names_) {
      await admin(`drop database if exists ${name} with (force)`);
      await admin(`create database ${name}`);
    }
    const file = path.join(scratch, "postgres.dump");
    await backupChangeRestore(envFor({ url: databaseNamed(names_[0]!) }), file);

    // Into an empty database no --force is needed.
    const other = envFor({ url: databaseNamed(names_[1]!) });
    const restored = await npmRun("db:restore", [file], other);
    expect(restored.stderr).toBe("");
    expect(restored.code).toBe(0);
    await withDatabase(other, async (database) => expect(await names(database)).toEqual([{ slug: "backup-alpha", name: "Alpha before" }]));
  });
});
