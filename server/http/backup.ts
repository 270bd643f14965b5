/**
 * `POST /ops/backup`: a consistent snapshot of the embedded database taken by the
 * running instance, for `npm run db:backup` (server/db/backup.ts). PGlite is
 * single-process and the instance holds the data-directory lock, so only the
 * instance itself can read its database: it runs a checkpoint and PGlite's
 * `dumpDataDir("gzip")`, which no query runs alongside (requests wait meanwhile).
 *
 * Authorised by a random token the instance writes at start to
 * ROSTER_DATA_DIR/backup.token (mode 600): whoever can read the data directory can
 * ask for what it holds, nobody else. Only in embedded file mode (PostgreSQL has
 * pg_dump; a memory database has nothing to keep), and only from this machine's
 * loopback address.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { Router } from "express";
import type { AppDeps } from "../app-deps";
import { BACKUP_PATH, BACKUP_TOKEN_FILE } from "../db/backup";

type PGliteLike = { exec(sql: string): Promise<unknown>; dumpDataDir(compression?: "gzip" | "none" | "auto"): Promise<Blob> };

const loopback = (address: string | undefined) =>
  !!address && (address === "::1" || address.startsWith("127.") || address.startsWith("::ffff:127."));

export function backupRoutes(app: AppDeps): Router {
  const router = Router();
  if (app.database.kind !== "pglite" || app.config.database.embedded !== "file") return router;

  const token = randomBytes(32).toString("hex");
  const file = path.join(app.config.dataDir, BACKUP_TOKEN_FILE);
  const partial = `${file}.${process.pid}`;
  fs.writeFileSync(partial, `${token}\n`, { mode: 0o600 });
  fs.renameSync(partial, file);
  const expected = Buffer.from(`Bearer ${token}`);
  let running = false;

  router.post(BACKUP_PATH, async (req, res, next) => {
    const given = Buffer.from(req.header("authorization") ?? "");
    if (!loopback(req.socket.remoteAddress) || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return void res.status(401).json({
        errors: [
          {
            message: "backups need the token in ROSTER_DATA_DIR/backup.token, from this machine",
            extensions: { code: "UNAUTHENTICATED" },
          },
        ],
      });
    }
    if (running)
      return void res.status(409).json({ errors: [{ message: "a backup is already running", extensions: { code: "CONFLICT" } }] });
    running = true;
    try {
      const started = performance.now();
      const client = (app.database.db as unknown as { session: { client: PGliteLike } }).session.client;
      // Written to the files now, so a restore starts without replaying the WAL.
      await client.exec("checkpoint");
      const dump = Buffer.from(await (await client.dumpDataDir("gzip")).arrayBuffer());
      app.log.info({ bytes: dump.length, ms: Math.round(performance.now() - started) }, "embedded database backed up");
      res.type("application/gzip").send(dump);
    } catch (error) {
      next(error);
    } finally {
      running = false;
    }
  });
  return router;
}
