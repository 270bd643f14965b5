/**
 * Liveness and readiness. /health answers while the process runs; /ready checks
 * the database, pub/sub (Redis when configured) and the data directory's disk,
 * with timings, and answers 503 when one fails. `npm run health` runs the same checks.
 */
import fs from "node:fs/promises";
import { sql } from "drizzle-orm";
import type { AppDeps } from "../app-deps";

export interface CheckResult {
  name: string;
  ok: boolean;
  ms: number;
  detail?: string;
}

// biome-ignore lint/suspicious/noConfusingVoidType: a check either says something or returns nothing
async function timed(name: string, check: () => Promise<string | void>, timeoutMs = 3000): Promise<CheckResult> {
  const started = performance.now();
  try {
    const detail = await Promise.race([
      check(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs).unref()),
    ]);
    return { name, ok: true, ms: Math.round((performance.now() - started) * 10) / 10, ...(detail ? { detail } : {}) };
  } catch (error) {
    // Drizzle wraps driver errors ("Failed query: select 1"); the cause says what is wrong.
    const cause = (error as { cause?: Error }).cause ?? (error as Error);
    return { name, ok: false, ms: Math.round((performance.now() - started) * 10) / 10, detail: cause.message };
  }
}

/** Runs every readiness check in parallel. */
export async function readinessChecks(app: Pick<AppDeps, "database" | "redis" | "config">): Promise<CheckResult[]> {
  const checks = [
    timed("database", async () => {
      await app.database.db.execute(sql`select 1`);
      return app.database.kind;
    }),
    timed("pubsub", async () => {
      if (!app.redis) return "memory";
      const pong = await app.redis.commands.ping();
      if (pong !== "PONG") throw new Error(`unexpected reply ${pong}`);
      return "redis";
    }),
    timed("disk", async () => {
      await fs.mkdir(app.config.dataDir, { recursive: true });
      const stats = await fs.statfs(app.config.dataDir);
      const freeMb = Math.floor((stats.bavail * stats.bsize) / 1_048_576);
      if (freeMb < 100) throw new Error(`only ${freeMb} MB free in ${app.config.dataDir}`);
      return `${freeMb} MB free`;
    }),
  ];
  return Promise.all(checks);
}
