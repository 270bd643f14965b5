/**
 * `npm run db:backup [-- <file>]`: a backup of the configured database.
 * PostgreSQL (DATABASE_URL): pg_dump custom format, while instances run.
 * Embedded: a tar.gz of the PGlite data directory, taken by the running instance
 * (POST /ops/backup at HOST:PORT) or, with none running, by this process. See docs/operations.md#backups-and-restores.
 */
import { parseArgs } from "node:util";
import { loadConfig } from "../server/config";
import { BACKUP_EXIT, BackupError, backupDatabase, defaultBackupFile } from "../server/db/backup";
import { exitOnStartupError } from "../server/startup-error";

try {
  const { positionals } = (() => {
    try {
      return parseArgs({ allowPositionals: true, options: {} });
    } catch (error) {
      throw new BackupError(`${(error as Error).message}; usage: npm run db:backup [-- <file>]`, BACKUP_EXIT.usage);
    }
  })();
  if (positionals.length > 1) throw new BackupError("usage: npm run db:backup [-- <file>]", BACKUP_EXIT.usage);
  const config = loadConfig();
  const result = await backupDatabase(config, positionals[0] ?? defaultBackupFile(config));
  const how = result.kind === "pglite" ? (result.online ? ", taken by the running instance" : ", no instance running") : "";
  console.log(`backup written (${result.kind}${how}): ${result.file} (${result.bytes} bytes)`);
} catch (error) {
  exitOnStartupError(error);
}
