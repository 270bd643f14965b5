/**
 * `npm run db:backup` and `npm run db:restore` for both database modes.
 *
 * Embedded (PGlite): PGlite is single-process and the running instance holds the
 * data-directory lock, so no other process may open the database. The backup is
 * PGlite's own `dumpDataDir("gzip")` after a checkpoint, a tar.gz of the data
 * directory taken while no query runs (PGlite serialises it with its queries), so it
 * is consistent. While an instance runs, the command asks it for that snapshot
 * (POST /ops/backup on HOST:PORT, with the token the instance wrote to
 * ROSTER_DATA_DIR/backup.token: server/http/backup.ts); otherwise it takes the lock
 * and opens the database itself. A restore needs the instance stopped (exit 75
 * otherwise) and loads the tar.gz with `loadDataDir` into an empty directory.
 *
 * PostgreSQL (DATABASE_URL): `pg_dump --format=custom` and `pg_restore`, online,
 * when the client tools are on PATH (the same major version as the server or newer).
 *
 * A restore refuses to overwrite a database that holds anything (an embedded data
 * directory that exists; a PostgreSQL database with any table) unless `force` is given.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { Config } from "../config";
import { EXIT, StartupError } from "../startup-error";
import { lockDataDir } from "./data-dir-lock";

/** Exit codes of the backup commands besides EXIT.inUse (sysexits.h). */
export const BACKUP_EXIT = {
  /** EX_USAGE: wrong arguments. */
  usage: 64,
  /** EX_NOINPUT: the backup file (or the embedded database) does not exist. */
  noInput: 66,
  /** EX_UNAVAILABLE: pg_dump / pg_restore are not installed. */
  unavailable: 69,
  /** EX_CANTCREAT: the target database is not empty and --force was not given. */
  notEmpty: 73,
  /** EX_SOFTWARE: pg_dump / pg_restore / PGlite failed. */
  failed: 70,
} as const;

/** The instance's backup endpoint and the token file that authorises it (server/http/backup.ts). */
export const BACKUP_TOKEN_FILE = "backup.token";
export const BACKUP_PATH = "/ops/backup";

export class BackupError extends StartupError {
  override name = "BackupError";
}

export interface BackupResult {
  file: string;
  kind: "pglite" | "postgres";
  bytes: number;
  /** Embedded: taken by the running instance (true) or by this process with the instance stopped. */
  online?: boolean;
}

const stamp = () => new Date().toISOString().replace(/[-:]/g, "").replace(/\..*$/, "").replace("T", "-");

/** The default backup file name in the current directory. */
export function defaultBackupFile(config: Config): string {
  return path.resolve(`roster-${stamp()}.${config.database.url ? "dump" : "tar.gz"}`);
}

export async function backupDatabase(config: Config, file: string): Promise<BackupResult> {
  const target = path.resolve(file);
  if (config.database.url) {
    requireTool("pg_dump");
    const temporary = `${target}.partial`;
    const dumped = spawnSync("pg_dump", ["--format=custom", "--no-password", `--file=${temporary}`, `--dbname=${config.database.url}`], {
      encoding: "utf8",
    });
    if (dumped.status !== 0) {
      fs.rmSync(temporary, { force: true });
      throw new BackupError(`pg_dump failed: ${(dumped.stderr || dumped.error?.message || "").trim()}`, BACKUP_EXIT.failed);
    }
    fs.renameSync(temporary, target);
    return { file: target, kind: "postgres", bytes: fs.statSync(target).size };
  }
  const pgliteDir = embeddedDir(config);
  let lock: ReturnType<typeof lockDataDir>;
  try {
    lock = lockDataDir(config.dataDir);
  } catch (error) {
    if (!(error instanceof StartupError && error.exitCode === EXIT.inUse)) throw error;
    return await askInstance(config, target, error);
  }
  try {
    if (!fs.existsSync(path.join(pgliteDir, "PG_VERSION"))) {
      throw new BackupError(`no embedded database in ${pgliteDir}: nothing to back up`, BACKUP_EXIT.noInput);
    }
    const { PGlite } = await import("@electric-sql/pglite");
    const client = await PGlite.create({ dataDir: pgliteDir });
    try {
      // Written to the files now, so a restore starts without replaying the WAL.
      await client.exec("checkpoint");
      const dump = await client.dumpDataDir("gzip");
      const temporary = `${target}.partial`;
      fs.writeFileSync(temporary, Buffer.from(await dump.arrayBuffer()), { mode: 0o600 });
      fs.renameSync(temporary, target);
    } finally {
      await client.close();
    }
    return { file: target, kind: "pglite", bytes: fs.statSync(target).size };
  } finally {
    lock.release();
  }
}

export interface RestoreResult {
  file: string;
  kind: "pglite" | "postgres";
  /** Embedded with --force: where the replaced data directory was moved (delete it once satisfied). */
  replaced?: string;
}

export async function restoreDatabase(config: Config, file: string, { force = false } = {}): Promise<RestoreResult> {
  const source = path.resolve(file);
  if (!fs.existsSync(source)) throw new BackupError(`no backup file ${source}`, BACKUP_EXIT.noInput);
  if (config.database.url) {
    requireTool("pg_restore");
    const tables = await countTables(config.database.url);
    if (tables > 0 && !force) {
      throw new BackupError(
        `the database is not empty (${tables} tables): restoring would overwrite it; run again with --force to replace its contents`,
        BACKUP_EXIT.notEmpty,
      );
    }
    const args = [
      "--format=custom",
      "--no-password",
      "--no-owner",
      "--single-transaction",
      "--exit-on-error",
      `--dbname=${config.database.url}`,
    ];
    if (tables > 0) args.push("--clean", "--if-exists");
    const restored = spawnSync("pg_restore", [...args, source], { encoding: "utf8" });
    if (restored.status !== 0) {
      throw new BackupError(
        `pg_restore failed (nothing was changed): ${(restored.stderr || restored.error?.message || "").trim()}`,
        BACKUP_EXIT.failed,
      );
    }
    return { file: source, kind: "postgres" };
  }
  const pgliteDir = embeddedDir(config);
  const lock = lockEmbedded(config, "restored");
  try {
    let replaced: string | undefined;
    if (fs.existsSync(pgliteDir) && fs.readdirSync(pgliteDir).length > 0) {
      if (!force) {
        throw new BackupError(
          `the embedded database in ${pgliteDir} exists: restoring would overwrite it; run again with --force (it is kept, moved aside)`,
          BACKUP_EXIT.notEmpty,
        );
      }
      replaced = `${pgliteDir}.replaced-${stamp()}`;
      fs.renameSync(pgliteDir, replaced);
    }
    fs.mkdirSync(pgliteDir, { recursive: true });
    try {
      const { PGlite } = await import("@electric-sql/pglite");
      const client = await PGlite.create({ dataDir: pgliteDir, loadDataDir: new Blob([fs.readFileSync(source)]) });
      try {
        await client.query("select 1");
      } finally {
        await client.close();
      }
    } catch (error) {
      // Put back what was there: a failed restore changes nothing.
      fs.rmSync(pgliteDir, { recursive: true, force: true });
      if (replaced) fs.renameSync(replaced, pgliteDir);
      throw new BackupError(
        `${source} could not be loaded as an embedded database backup (nothing was changed): ${String(error)}`,
        BACKUP_EXIT.failed,
      );
    }
    return { file: source, kind: "pglite", replaced };
  } finally {
    lock.release();
  }
}

/** The running instance takes the snapshot (it alone may read its database). */
async function askInstance(config: Config, target: string, locked: StartupError): Promise<BackupResult> {
  let token: string;
  try {
    token = fs.readFileSync(path.join(config.dataDir, BACKUP_TOKEN_FILE), "utf8").trim();
  } catch {
    throw new StartupError(
      `the instance running on the embedded database wrote no ${BACKUP_TOKEN_FILE} (an older version?): stop it, run this again, then start it. ${locked.message}`,
      EXIT.inUse,
    );
  }
  const host = !config.host || config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${config.port || 4000}${BACKUP_PATH}`;
  let response: Response;
  try {
    response = await fetch(url, { method: "POST", headers: { authorization: `Bearer ${token}` } });
  } catch (error) {
    throw new StartupError(
      `the embedded database is in use, and the instance did not answer at ${url} (${(error as Error).cause ?? (error as Error).message}): set HOST and PORT to the instance's, or stop it and run this again. ${locked.message}`,
      EXIT.inUse,
    );
  }
  if (!response.ok) {
    const body = await response.text();
    throw new BackupError(`the instance refused the backup at ${url}: ${response.status} ${body.slice(0, 300)}`, BACKUP_EXIT.failed);
  }
  const dump = Buffer.from(await response.arrayBuffer());
  const temporary = `${target}.partial`;
  fs.writeFileSync(temporary, dump, { mode: 0o600 });
  fs.renameSync(temporary, target);
  return { file: target, kind: "pglite", bytes: dump.length, online: true };
}

function embeddedDir(config: Config): string {
  if (config.database.embedded === "memory") {
    throw new BackupError("ROSTER_DB=memory keeps nothing on disk: there is no database to back up or restore", BACKUP_EXIT.usage);
  }
  return path.join(config.dataDir, "pglite");
}

/** The data-directory lock, or a refusal that says the instance must be stopped first. */
function lockEmbedded(config: Config, what: string) {
  try {
    return lockDataDir(config.dataDir);
  } catch (error) {
    if (error instanceof StartupError && error.exitCode === EXIT.inUse) {
      throw new StartupError(
        `the embedded database can only be ${what} while no instance runs on it (PGlite is single-process): stop the instance, run this again, then start it. ${error.message}`,
        EXIT.inUse,
      );
    }
    throw error;
  }
}

function requireTool(tool: "pg_dump" | "pg_restore") {
  const probe = spawnSync(tool, ["--version"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) {
    throw new BackupError(
      `${tool} was not found on PATH: install the PostgreSQL client tools (the server's major version or newer, e.g. apt-get install postgresql-client) and run this again`,
      BACKUP_EXIT.unavailable,
    );
  }
}

async function countTables(url: string): Promise<number> {
  const { default: postgres } = await import("postgres");
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ n: number }[]>`
      select count(*)::int as n from pg_catalog.pg_tables
      where schemaname not in ('pg_catalog', 'information_schema')`;
    return row?.n ?? 0;
  } finally {
    await sql.end({ timeout: 1 });
  }
}
