/**
 * Opens the database: embedded PGlite (default) or PostgreSQL through postgres.js
 * when DATABASE_URL is set. Both give the same Drizzle API over the same schema.
 */
import fs from "node:fs";
import path from "node:path";
import type { ExtractTablesWithRelations, Logger } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import * as schema from "../../drizzle/schema";
import type { Config } from "../config";
import type { Log } from "../log";
import { recordStatement } from "../request-store";
import { lockDataDir } from "./data-dir-lock";

export type Schema = typeof schema;
/** A Drizzle database or transaction, whichever driver is underneath. */
export type Db = PgDatabase<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;

export interface Database {
  db: Db;
  kind: "pglite" | "postgres";
  /**
   * Runs one parameterised statement inside `tx` (a request's transaction) and
   * returns its rows; prepared (on PostgreSQL) so repeated shapes are planned once.
   * For statements built outside Drizzle's query builder (server/plan).
   */
  query(tx: Db, text: string, params: unknown[]): Promise<Record<string, unknown>[]>;
  /** Runs `fn` while holding a cluster-wide advisory lock (migrations, seeding). */
  withAdvisoryLock<T>(key: number, fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Counts statements per request (diagnostics, N+1 tests) and logs them at trace level. */
function queryLogger(log: Log): Logger {
  return {
    logQuery(query) {
      recordStatement(query);
      log.trace({ sql: query }, "sql");
    },
  };
}

type PostgresSql = import("postgres").Sql;
type PGliteInterface = import("@electric-sql/pglite").PGliteInterface;

/** The driver's own client under a Drizzle database or transaction (Drizzle keeps it on its session). */
function driverOf<T>(db: Db): T {
  return (db as unknown as { session: { client: T } }).session.client;
}

/**
 * A postgres.js client whose every statement is prepared, including inside the
 * transactions and savepoints it opens (Drizzle calls `unsafe` without `prepare`).
 */
function preparing<T extends object>(client: T): T {
  return new Proxy(client, {
    get(target, property) {
      const value = Reflect.get(target, property);
      if (typeof value !== "function") return value;
      if (property === "unsafe") {
        return (text: string, params?: unknown[], options?: Record<string, unknown>) =>
          value.call(target, text, params, { ...options, prepare: true });
      }
      if (property === "begin" || property === "savepoint") {
        return (...args: unknown[]) => {
          const fn = args.pop() as (tx: object) => unknown;
          return value.call(target, ...args, (tx: object) => fn(preparing(tx)));
        };
      }
      return value.bind(target);
    },
  });
}

export async function openDatabase(config: Config, log: Log): Promise<Database> {
  const logger = queryLogger(log);
  if (config.database.url) return openPostgres({ ...config.database, url: config.database.url }, logger);
  return openPglite(config.database.embedded === "memory" ? undefined : config.dataDir, logger);
}

async function openPostgres(
  { url, poolSize, preparedStatements }: Config["database"] & { url: string },
  logger: Logger,
): Promise<Database> {
  const { default: postgres } = await import("postgres");
  const { drizzle } = await import("drizzle-orm/postgres-js");
  const client = postgres(url, {
    max: poolSize,
    onnotice: () => {},
    prepare: preparedStatements,
    connection: { application_name: "roster" },
  });
  // Drizzle prepares only named queries; this makes every statement prepared (parsed
  // and planned once per connection) unless DATABASE_PREPARED_STATEMENTS is off.
  const db = drizzle({ client: preparedStatements ? preparing(client) : client, schema, casing: "snake_case", logger }) as unknown as Db;
  return {
    db,
    kind: "postgres",
    query(tx, text, params) {
      recordStatement(text);
      return driverOf<PostgresSql>(tx).unsafe(text, params as never[], { prepare: preparedStatements }) as unknown as Promise<Record<string, unknown>[]>;
    },
    async withAdvisoryLock(key, fn) {
      const reserved = await client.reserve();
      try {
        await reserved`select pg_advisory_lock(${key})`;
        return await fn();
      } finally {
        await reserved`select pg_advisory_unlock(${key})`.catch(() => {});
        reserved.release();
      }
    },
    // Called once requests have drained: a query still running after a second is cut (shutdown stays bounded).
    close: () => client.end({ timeout: 1 }),
  };
}

/**
 * Embedded PGlite in ROSTER_DATA_DIR/pglite, or in memory. The data directory is
 * locked first and until close (or exit): PGlite is single-process, and a second
 * process on the same files would silently fork and then ruin the database.
 */
async function openPglite(dataDir: string | undefined, logger: Logger): Promise<Database> {
  const lock = dataDir ? lockDataDir(dataDir) : undefined;
  try {
    const { PGlite } = await import("@electric-sql/pglite");
    const { drizzle } = await import("drizzle-orm/pglite");
    const pgliteDir = lock ? path.join(lock.dir, "pglite") : undefined;
    if (pgliteDir) fs.mkdirSync(pgliteDir, { recursive: true });
    const client = await PGlite.create(pgliteDir ? { dataDir: pgliteDir } : {});
    const db = drizzle({ client, schema, casing: "snake_case", logger }) as unknown as Db;
    return {
      db,
      kind: "pglite",
      async query(tx, text, params) {
        recordStatement(text);
        return (await driverOf<PGliteInterface>(tx).query<Record<string, unknown>>(text, params)).rows;
      },
      // The data-directory lock keeps every other process out, so there is nobody to lock out here.
      withAdvisoryLock: (_key, fn) => fn(),
      async close() {
        try {
          if (!client.closed) await client.close();
        } finally {
          lock?.release();
        }
      },
    };
  } catch (error) {
    lock?.release();
    throw error;
  }
}
