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

export type Schema = typeof schema;
/** A Drizzle database or transaction, whichever driver is underneath. */
export type Db = PgDatabase<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;

export interface Database {
  db: Db;
  kind: "pglite" | "postgres";
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

export async function openDatabase(config: Config, log: Log): Promise<Database> {
  const logger = queryLogger(log);
  if (config.database.url) return openPostgres({ ...config.database, url: config.database.url }, logger);
  return openPglite(config.database.embedded === "memory" ? undefined : path.join(config.dataDir, "pglite"), logger);
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
  const db = drizzle({ client, schema, casing: "snake_case", logger }) as unknown as Db;
  return {
    db,
    kind: "postgres",
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
    close: () => client.end({ timeout: 5 }),
  };
}

async function openPglite(dataDir: string | undefined, logger: Logger): Promise<Database> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  if (dataDir) fs.mkdirSync(dataDir, { recursive: true });
  const client = await PGlite.create(dataDir ? { dataDir } : {});
  const db = drizzle({ client, schema, casing: "snake_case", logger }) as unknown as Db;
  return {
    db,
    kind: "pglite",
    // One process owns an embedded database, so there is nobody to lock out.
    withAdvisoryLock: (_key, fn) => fn(),
    close: () => client.close(),
  };
}
