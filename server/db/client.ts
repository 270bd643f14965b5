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

/** A statement with its parameters. */
export interface Statement {
  text: string;
  params: unknown[];
}

export interface Database {
  db: Db;
  kind: "pglite" | "postgres";
  /**
   * Runs one parameterised statement inside `tx` (a request's transaction) and
   * returns its rows; prepared (on PostgreSQL) so repeated shapes are planned once.
   * For statements built outside Drizzle's query builder (server/plan).
   */
  query(tx: Db, text: string, params: unknown[]): Promise<Record<string, unknown>[]>;
  /**
   * Runs `fn` in a transaction whose first statement, `opening`, is sent with its
   * BEGIN in one round trip (on PostgreSQL; PGlite has no round trips); `fn` gets
   * its rows. Commits when `fn` resolves, rolls back when it throws.
   */
  transaction<T>(fn: (tx: Db, opened: Record<string, unknown>[] | undefined) => Promise<T>, opening?: Statement): Promise<T>;
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
  if (config.database.embedded === "memory") return openPglite(undefined, logger, config.database.snapshot);
  return openPglite(config.dataDir, logger);
}

async function openPostgres(
  { url, poolSize, preparedStatements }: Config["database"] & { url: string },
  logger: Logger,
): Promise<Database> {
  const { default: postgres } = await import("postgres");
  const { drizzle, PostgresJsSession, PostgresJsTransaction } = await import("drizzle-orm/postgres-js");
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
      return driverOf<PostgresSql>(tx).unsafe(text, params as never[], { prepare: preparedStatements }) as unknown as Promise<
        Record<string, unknown>[]
      >;
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
    async transaction(fn, opening) {
      const reserved = await client.reserve();
      try {
        // Issued in the same tick, BEGIN and the opening statement leave in one write.
        const begun = reserved.unsafe("begin");
        const first = opening ? reserved.unsafe(opening.text, opening.params as never[], { prepare: preparedStatements }) : undefined;
        if (opening) recordStatement(opening.text);
        await begun;
        const opened = first ? ((await first) as unknown as Record<string, unknown>[]) : undefined;
        const result = await fn(
          transactionOver(reserved, db, { PostgresJsSession, PostgresJsTransaction } as never, preparedStatements),
          opened,
        );
        await reserved.unsafe("commit");
        return result;
      } catch (error) {
        await reserved.unsafe("rollback").catch(() => {});
        throw error;
      } finally {
        reserved.release();
      }
    },
    // Called once requests have drained: a query still running after a second is cut (shutdown stays bounded).
    close: () => client.end({ timeout: 1 }),
  };
}

/**
 * A Drizzle transaction over a reserved postgres.js connection on which BEGIN
 * was sent: Drizzle's own (client.begin) would wait for BEGIN's answer before the
 * first statement. Nested transactions are savepoints, as in Drizzle's.
 */
function transactionOver(
  reserved: import("postgres").ReservedSql,
  db: Db,
  { PostgresJsSession, PostgresJsTransaction }: typeof import("drizzle-orm/postgres-js"),
  prepare: boolean,
): Db {
  const base = (db as unknown as { session: { dialect: unknown; schema: unknown; options: unknown } }).session;
  const dialect = (db as unknown as { dialect: unknown }).dialect;
  let savepoints = 0;
  interface Client {
    unsafe(text: string, params?: unknown[], options?: Record<string, unknown>): unknown;
    savepoint<T>(fn: (nested: Client) => Promise<T>): Promise<T>;
  }
  const client: Client = {
    unsafe: (text: string, params?: unknown[], options?: Record<string, unknown>) =>
      reserved.unsafe(text, params as never[], { ...options, prepare }),
    async savepoint<T>(fn: (nested: Client) => Promise<T>): Promise<T> {
      const name = `s${++savepoints}`;
      await reserved.unsafe(`savepoint ${name}`);
      try {
        const result = await fn(client);
        await reserved.unsafe(`release savepoint ${name}`);
        return result;
      } catch (error) {
        await reserved.unsafe(`rollback to savepoint ${name}`);
        throw error;
      }
    },
  };
  const session = new PostgresJsSession(client as never, dialect as never, base.schema as never, base.options as never);
  return new PostgresJsTransaction(dialect as never, session, base.schema as never) as unknown as Db;
}

/**
 * Embedded PGlite in ROSTER_DATA_DIR/pglite, or in memory. The data directory is
 * locked first and until close (or exit): PGlite is single-process, and a second
 * process on the same files would silently fork and then ruin the database.
 */
async function openPglite(dataDir: string | undefined, logger: Logger, snapshot?: string): Promise<Database> {
  const lock = dataDir ? lockDataDir(dataDir) : undefined;
  try {
    const { PGlite, types } = await import("@electric-sql/pglite");
    const { drizzle } = await import("drizzle-orm/pglite");
    // Dates and timestamps as text, as Drizzle reads them (its columns map them).
    const asText = (value: string) => value;
    const parsers = { [types.TIMESTAMP]: asText, [types.TIMESTAMPTZ]: asText, [types.INTERVAL]: asText, [types.DATE]: asText };
    const pgliteDir = lock ? path.join(lock.dir, "pglite") : undefined;
    if (pgliteDir) fs.mkdirSync(pgliteDir, { recursive: true });
    // In memory, from a dump of a migrated database when given (a new one runs initdb: seconds).
    const client = await PGlite.create(
      pgliteDir ? { dataDir: pgliteDir } : snapshot ? { loadDataDir: new Blob([fs.readFileSync(snapshot)]) } : {},
    );
    const db = drizzle({ client, schema, casing: "snake_case", logger }) as unknown as Db;
    const query = async (tx: Db, text: string, params: unknown[]) => {
      recordStatement(text);
      return (await driverOf<PGliteInterface>(tx).query<Record<string, unknown>>(text, params, { parsers })).rows;
    };
    return {
      db,
      kind: "pglite",
      query,
      transaction: (fn, opening) =>
        db.transaction(async (tx) => fn(tx, opening ? await query(tx, opening.text, opening.params) : undefined)),
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
