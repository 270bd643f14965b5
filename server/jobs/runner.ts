/**
 * Runs one window of one job for one tenant, once, however many instances try.
 *
 * 1. Claim (its own short transaction): insert the job_runs row as
 *    RUNNING; the unique (tenant_id, job, window_key) lets exactly one insert win.
 *    A loser may still take the window over when the row is FAILED (after a
 *    retry delay), RUNNING for longer than `staleAfterMs` (its instance died),
 *    or — forced by an operator — SUCCEEDED; that UPDATE … WHERE status … has
 *    one winner too, because the row lock makes the others re-check the status.
 * 2. Run (a second transaction, as the system in the tenant, row-level security
 *    on): the job's writes and the SUCCEEDED row commit together, so a crash
 *    leaves either both or neither.
 * 3. On failure that transaction rolls back, and the row is marked FAILED with
 *    the error in a third one, so the log survives the failed work.
 *
 * Jobs are idempotent (they only fill in what is missing, or recompute), so a
 * window taken over from a crashed instance is safe to run again.
 */
import { randomUUID } from "node:crypto";
import { and, eq, inArray, lte, or, sql } from "drizzle-orm";
import { jobRuns, tenants } from "../../drizzle/schema";
import type { AppDeps } from "../app-deps";
import { withSystemContext } from "../context";
import { inScope } from "../db/scope";
import { reportError } from "../observability/sentry";
import type { Counts, Job } from "./job";

/** A tenant as the jobs see it. */
export interface JobTenant {
  id: string;
  slug: string;
  timeZone: string;
  createdAt: Date;
}

export type SkipReason = "claimed elsewhere" | "already succeeded" | "failed recently";

/** What became of one attempt to run a window. */
export type RunOutcome =
  | { status: "SUCCEEDED"; counts: Counts; ms: number }
  | { status: "FAILED"; error: string; ms: number }
  | { status: "SKIPPED"; reason: SkipReason; instanceId: string | null };

export interface RunnerOptions {
  /** Written into the log row: which instance ran the window. */
  instanceId: string;
  /** A RUNNING row older than this is taken to be from a crashed instance (default 1 hour). */
  staleAfterMs?: number;
  /** A FAILED window is tried again once this long has passed since it failed (default 10 minutes). */
  retryFailedAfterMs?: number;
}

export const DEFAULT_STALE_AFTER_MS = 60 * 60_000;
export const DEFAULT_RETRY_FAILED_AFTER_MS = 10 * 60_000;

/** Longest error text kept in the log row. */
const MAX_ERROR = 2000;

/** Thrown inside the run when the claim turned out to have been taken over: rolls the work back. */
class ClaimLost extends Error {
  override name = "ClaimLost";
}

/** Active tenants (all, or those with the given ids), oldest first. Tenants are public rows. */
export async function listJobTenants(app: Pick<AppDeps, "database">, ids?: readonly string[]): Promise<JobTenant[]> {
  return inScope(app.database.db, { tenantId: null, userId: null }, (tx) =>
    tx
      .select({ id: tenants.id, slug: tenants.slug, timeZone: tenants.timeZone, createdAt: tenants.createdAt })
      .from(tenants)
      .where(and(eq(tenants.isActive, true), ids ? inArray(tenants.id, [...ids]) : undefined))
      .orderBy(tenants.createdAt, tenants.id),
  );
}

type Claim = { id: string } | { skipped: SkipReason; instanceId: string | null };

export type JobRunner = ReturnType<typeof createJobRunner>;

export function createJobRunner(app: AppDeps, options: RunnerOptions) {
  const { instanceId } = options;
  const staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  const retryFailedAfterMs = options.retryFailedAfterMs ?? DEFAULT_RETRY_FAILED_AFTER_MS;
  // Lines carry the instance already; name the runner only when it is another one (tests, the CLI).
  const log = instanceId === app.config.instanceId ? app.log : app.log.child({ runner: instanceId });
  const ago = (ms: number) => sql`clock_timestamp() - make_interval(secs => ${ms / 1000})`;

  /** Claims the window for this instance: the log row's id, or why not. */
  async function claim(job: Job, tenant: JobTenant, window: string, force: boolean): Promise<Claim> {
    return inScope<Claim>(app.database.db, { tenantId: tenant.id, userId: null }, async (tx) => {
      const [inserted] = await tx
        .insert(jobRuns)
        .values({ tenantId: tenant.id, job: job.name, windowKey: window, status: "RUNNING", instanceId, startedAt: sql`clock_timestamp()` })
        .onConflictDoNothing()
        .returning({ id: jobRuns.id });
      if (inserted) return { id: inserted.id };

      const row = and(eq(jobRuns.tenantId, tenant.id), eq(jobRuns.job, job.name), eq(jobRuns.windowKey, window));
      const [taken] = await tx
        .update(jobRuns)
        .set({ status: "RUNNING", instanceId, startedAt: sql`clock_timestamp()`, finishedAt: null, counts: null, error: null })
        .where(
          and(
            row,
            or(
              // A live RUNNING row is never taken, not even by force: two runs would overlap.
              and(eq(jobRuns.status, "RUNNING"), lte(jobRuns.startedAt, ago(staleAfterMs))),
              and(eq(jobRuns.status, "FAILED"), force ? undefined : lte(jobRuns.finishedAt, ago(retryFailedAfterMs))),
              force ? eq(jobRuns.status, "SUCCEEDED") : undefined,
            ),
          ),
        )
        .returning({ id: jobRuns.id });
      if (taken) return { id: taken.id };

      const [current] = await tx.select({ status: jobRuns.status, instanceId: jobRuns.instanceId }).from(jobRuns).where(row);
      const reason: SkipReason =
        current?.status === "SUCCEEDED" ? "already succeeded" : current?.status === "FAILED" ? "failed recently" : "claimed elsewhere";
      return { skipped: reason, instanceId: current?.instanceId ?? null };
    });
  }

  /**
   * Claims and runs one window for one tenant; never throws for the job's own
   * failure (that is the FAILED outcome, logged and recorded).
   * `force` re-runs a window that already SUCCEEDED (or FAILED moments ago).
   */
  async function runWindow(job: Job, tenant: JobTenant, window: string, { force = false } = {}): Promise<RunOutcome> {
    const fields = { job: job.name, tenant: tenant.slug, window };
    const claimed = await claim(job, tenant, window, force);
    if ("skipped" in claimed) {
      log.debug({ ...fields, reason: claimed.skipped, holder: claimed.instanceId }, "job window skipped");
      return { status: "SKIPPED", reason: claimed.skipped, instanceId: claimed.instanceId };
    }

    // The log row as this instance claimed it: still RUNNING and still ours.
    const ourClaim = and(
      eq(jobRuns.tenantId, tenant.id),
      eq(jobRuns.id, claimed.id),
      eq(jobRuns.status, "RUNNING"),
      eq(jobRuns.instanceId, instanceId),
    );
    const started = performance.now();
    const elapsed = () => Math.round((performance.now() - started) * 10) / 10;
    try {
      const counts = await withSystemContext(app, tenant, `job:${randomUUID()}`, async (ctx) => {
        const counts = await job.run(ctx, window);
        const [done] = await ctx.db
          .update(jobRuns)
          .set({ status: "SUCCEEDED", finishedAt: sql`clock_timestamp()`, counts })
          .where(ourClaim)
          .returning({ id: jobRuns.id });
        if (!done) throw new ClaimLost("another instance took this window over as crashed; this run's work was rolled back");
        return counts;
      });
      const ms = elapsed();
      log.info({ ...fields, counts, ms }, "job run succeeded");
      return { status: "SUCCEEDED", counts, ms };
    } catch (error) {
      const ms = elapsed();
      const message = (error instanceof Error ? error.message : String(error)).slice(0, MAX_ERROR);
      log.error({ ...fields, err: error, ms }, "job run failed");
      if (!(error instanceof ClaimLost)) reportError(error, { transport: "job", job: job.name, tenantId: tenant.id, window });
      await inScope(app.database.db, { tenantId: tenant.id, userId: null }, (tx) =>
        tx.update(jobRuns).set({ status: "FAILED", finishedAt: sql`clock_timestamp()`, error: message }).where(ourClaim),
      ).catch((logError) =>
        // The row stays RUNNING and is taken over once stale: the window is not lost.
        log.error({ ...fields, err: logError }, "could not record the failed job run"),
      );
      return { status: "FAILED", error: message, ms };
    }
  }

  return { instanceId, runWindow };
}
