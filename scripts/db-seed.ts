/** `npm run db:seed`: idempotent demo data in the configured database (pending migrations are applied first). */
import { DEMO_PASSWORD, DEMO_TENANT, DEMO_USERS, seedDemo } from "../server/seed/demo";
import { createPasswordHasher } from "../server/auth/passwords";
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
    // Seeding needs the tables; applying pending migrations first is idempotent.
    await migrateDatabase(database);
    await seedDemo(database, await createPasswordHasher(config.auth.argon2));
  } finally {
    await database.close();
  }
  console.log(`demo data in place (${database.kind}): tenant "${DEMO_TENANT.slug}", password "${DEMO_PASSWORD}" for`);
  for (const user of DEMO_USERS) console.log(`  ${user.key.padEnd(11)} ${user.phone}  ${user.email}`);
} catch (error) {
  exitOnStartupError(error);
}
