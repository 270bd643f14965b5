/**
 * Which database this is, as a short stable id: the default REDIS_PREFIX.
 *
 * It is the cluster's system identifier (pg_control_system(), random at initdb,
 * shared by its physical replicas) with the database's oid in that cluster,
 * hashed. So every instance of one deployment gets the same id whatever address
 * or pooler it reaches the database through, and any other database gets another:
 * a second database on the same server, a second server that answers to the same
 * host name in another network, a copy restored elsewhere. A hash of
 * DATABASE_URL would get the first and the second wrong both ways; an id kept in
 * a table would travel with a dump into a staging copy that shares the Redis.
 * Each embedded (PGlite) database has its own system identifier too.
 */
import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Log } from "../log";
import type { Database } from "./client";

type Row = Record<string, unknown>;
const rowsOf = (result: unknown): Row[] => (Array.isArray(result) ? result : (result as { rows: Row[] }).rows);

/** The database's identity, e.g. `7712836217435187309/16384`. */
export async function databaseIdentity(database: Database, log?: Log): Promise<string> {
  try {
    const [row] = rowsOf(
      await database.db.execute(
        sql`select (select system_identifier::text from pg_control_system()) as system, (select oid::text from pg_database where datname = current_database()) as oid`,
      ),
    );
    return `${row!.system}/${row!.oid}`;
  } catch (error) {
    // Some managed services hide pg_control_system(): the server's own address and the database name come next.
    log?.warn(
      { err: error },
      "pg_control_system() is not available: the default REDIS_PREFIX falls back to the server address and database name; set REDIS_PREFIX",
    );
    const [row] = rowsOf(
      await database.db.execute(
        sql`select coalesce(host(inet_server_addr()), 'local') || ':' || coalesce(inet_server_port(), 0) || '/' || current_database() as id`,
      ),
    );
    return String(row!.id);
  }
}

/** The default REDIS_PREFIX: `roster:` and 12 hex digits of the identity's hash. */
export async function defaultRedisPrefix(database: Database, log?: Log): Promise<string> {
  return `roster:${createHash("sha256")
    .update(await databaseIdentity(database, log))
    .digest("hex")
    .slice(0, 12)}`;
}
