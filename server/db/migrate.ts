/** Applies the committed drizzle-kit migrations (the same SQL on PGlite and PostgreSQL). */
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Database } from "./client";

export const MIGRATIONS_FOLDER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../drizzle/migrations");

/** Advisory-lock key shared by every instance: only one migrates at a time. */
const MIGRATION_LOCK = 0x0705_7e12;

export async function migrateDatabase(database: Database): Promise<void> {
  await database.withAdvisoryLock(MIGRATION_LOCK, async () => {
    if (database.kind === "pglite") {
      const { migrate } = await import("drizzle-orm/pglite/migrator");
      await migrate(database.db as never, { migrationsFolder: MIGRATIONS_FOLDER });
    } else {
      const { migrate } = await import("drizzle-orm/postgres-js/migrator");
      await migrate(database.db as never, { migrationsFolder: MIGRATIONS_FOLDER });
    }
  });
}
