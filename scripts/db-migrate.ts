/** `npm run db:migrate`: applies the migrations to the configured database (DATABASE_URL or embedded). */
import { loadConfig } from "../server/config";
import { openDatabase } from "../server/db/client";
import { migrateDatabase } from "../server/db/migrate";
import { createLog } from "../server/log";

const config = loadConfig();
const database = await openDatabase(config, createLog(config));
await migrateDatabase(database);
await database.close();
console.log(`migrations applied (${database.kind})`);
