/**
 * The bench's database: created fresh per run (bench_<time>_<pid>), migrated with
 * Roster's own migrations, seeded with SQL as the owner, dropped at the end.
 */
import postgres from "postgres";

export const PG_ADMIN_URL = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export function databaseUrl(name: string): string {
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function createDatabase(name: string): Promise<void> {
  const admin = postgres(PG_ADMIN_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end({ timeout: 5 });
  }
}

export async function dropDatabase(name: string): Promise<void> {
  const admin = postgres(PG_ADMIN_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
  } finally {
    await admin.end({ timeout: 5 });
  }
}

/** An owner connection to the bench database (bypasses row-level security). */
export function ownerSql(name: string) {
  return postgres(databaseUrl(name), {
    max: 2,
    onnotice: () => {},
    connection: { application_name: "roster-bench" },
    types: { bigint: postgres.BigInt },
  });
}

export type Sql = ReturnType<typeof ownerSql>;

/** PIDs of the PostgreSQL backends serving the bench database (not the bench's own session). */
export async function backendPids(sql: Sql): Promise<number[]> {
  const rows = await sql<{ pid: number }[]>`
    select pid from pg_stat_activity
    where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend'`;
  return rows.map((row) => row.pid);
}

/** Committed transactions of the bench database so far (pg_stat_database, flushed ~1 s late). */
export async function committedTransactions(sql: Sql): Promise<number> {
  const [row] = await sql.begin(async (tx) => {
    await tx`select pg_stat_clear_snapshot()`;
    return tx<{ n: bigint }[]>`select xact_commit as n from pg_stat_database where datname = current_database()`;
  });
  return Number(row!.n);
}
