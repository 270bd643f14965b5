/** `npm run db:migrate`: applies the migrations to the configured database (DATABASE_URL or embedded). */
import { loadConfig } from "../server/config";
import { openDatabase } from "../server/db/client";
import { migrateDatabase } from "../server/db/migrate";
import { createLog } from "../server/log";
import { exitOnStartupError } from "../server/startup-error";

try {
  const config = loadConfig();
  // Embedded: takes the data-directory lock, so it refuses (exit 75) while an instance runs.
  const database = await openDatabase(config, createLog(config));
  try {
    await migrateDatabase(database);
  } finally {
    await database.close();
  }
  console.log(`migrations applied (${database.kind})`);
} catch (error) {
  exitOnStartupError(error);
}
