/**
 * `npm run db:restore -- <file> [--force]`: puts a backup made by `npm run db:backup`
 * back into the configured database. Refuses (exit 73) to overwrite a database that
 * holds anything unless --force. Embedded: only while no instance runs on it (exit 75).
 * See docs/operations.md#backups-and-restores.
 */
import { parseArgs } from "node:util";
import { loadConfig } from "../server/config";
import { BACKUP_EXIT, BackupError, restoreDatabase } from "../server/db/backup";
import { exitOnStartupError } from "../server/startup-error";

const usage = "usage: npm run db:restore -- <file> [--force]";
try {
  const { positionals, values } = (() => {
    try {
      return parseArgs({ allowPositionals: true, options: { force: { type: "boolean", default: false } } });
    } catch (error) {
      throw new BackupError(`${(error as Error).message}; ${usage}`, BACKUP_EXIT.usage);
    }
  })();
  if (positionals.length !== 1) throw new BackupError(usage, BACKUP_EXIT.usage);
  const result = await restoreDatabase(loadConfig(), positionals[0]!, { force: values.force });
  console.log(`restored (${result.kind}) from ${result.file}`);
  if (result.replaced) console.log(`the replaced data directory was moved to ${result.replaced}; delete it once you are satisfied`);
} catch (error) {
  exitOnStartupError(error);
}
