/**
 * The scheduler: one croner timer per instance (every minute by default), not one
 * per tenant. Each pass lists the tenants, works out from each tenant's time zone
 * which windows of which jobs are due (their local time has passed, looking back
 * a bounded number of windows so downtime is caught up), and claims and runs
 * those not known to have succeeded, oldest first. Every instance does the same;
 * the claim in the database makes each window run once (server/jobs/runner.ts),
 * and because a lost claim moves on to the next window, several instances share
 * the work of a busy night.
 */
import { Cron } from "croner";
import { and, eq, inArray } from "drizzle-orm";
import { jobRuns } from "../../drizzle/schema";
import type { AppDeps } from "../app-deps";
import { asSystem, inScope } from "../db/scope";
import { JOBS } from "./index";
import { dueWindows, type DueWindow, type Job } from "./job";
import { createJobRunner, listJobTenants, type JobTenant, type RunOutcome, type RunnerOptions } from "./runner";

export interface JobsOptions extends Partial<RunnerOptions> {
  app: AppDeps;
  /** The jobs to schedule (default: all of them). */
  jobs?: readonly Job[];
  /** Now, as the scheduler sees it (tests move it; default the system clock). */
  clock?: () => Date;
  /** Croner pattern of the timer that looks for due windows (default every minute). */
  every?: string;
  /** Only these tenants, by id (default every active tenant). */
  tenantIds?: readonly string[];
  /** Run a pass at once (default true): catches up what was missed while no instance ran. */
  catchUpOnStart?: boolean;
}

/** A window of a job for a tenant that is due. */
export interface PlannedRun {
  job: Job;
  tenant: JobTenant;
  window: string;
  scheduledAt: Date;
}

/** One window the scheduler tried, and what became of it. */
export interface WindowRun {
  job: string;
  tenant: string;
  window: string;
  outcome: RunOutcome;
}

export interface Jobs {
  /** Runs one pass now (what the timer does); a pass already under way is joined, not doubled. */
  tick(): Promise<WindowRun[]>;
  /** The pass started with the scheduler (catch-up), or an empty one. */
  started: Promise<WindowRun[]>;
  /** Stops the timer and waits for the window being run; the rest of the pass is left for later. */
  stop(): Promise<void>;
}

/**
 * Every due window of every job for every tenant at `now`, per tenant then per
 * job, oldest window first; windows whose key is in `done` (tenant|job|window)
 * are left out. A tenant whose time zone croner cannot use is reported, not run.
 */
export function planRuns(
  jobs: readonly Job[],
  tenants: readonly JobTenant[],
  now: Date,
  done: ReadonlySet<string> = new Set(),
): { runs: PlannedRun[]; problems: { tenant: JobTenant; error: string }[] } {
  const runs: PlannedRun[] = [];
  const problems: { tenant: JobTenant; error: string }[] = [];
  // Tenants share a handful of time zones: evaluating each schedule once per zone
  // keeps a pass over a thousand tenants to milliseconds instead of seconds.
  const byZone = new Map<string, DueWindow[]>();
  const windowsOf = (job: Job, timeZone: string) => {
    const key = `${job.name}|${timeZone}`;
    let due = byZone.get(key);
    if (!due) byZone.set(key, (due = dueWindows(job, { timeZone, createdAt: new Date(0) }, now)));
    return due;
  };
  for (const tenant of tenants) {
    try {
      for (const job of jobs) {
        for (const due of windowsOf(job, tenant.timeZone)) {
          if (due.scheduledAt < tenant.createdAt) continue;
          if (!done.has(runKey(tenant.id, job.name, due.window))) runs.push({ job, tenant, ...due });
        }
      }
    } catch (error) {
      problems.push({ tenant, error: (error as Error).message });
    }
  }
  return { runs, problems };
}

export const runKey = (tenantId: string, job: string, window: string) => `${tenantId}|${job}|${window}`;

/** Starts the scheduler of this instance; `stop()` before closing the database. */
export function startJobs(options: JobsOptions): Jobs {
  const { app } = options;
  const jobs = options.jobs ?? JOBS;
  const clock = options.clock ?? (() => new Date());
  const runner = createJobRunner(app, {
    instanceId: options.instanceId ?? app.config.instanceId,
    staleAfterMs: options.staleAfterMs,
    retryFailedAfterMs: options.retryFailedAfterMs,
  });
  const log = runner.instanceId === app.config.instanceId ? app.log : app.log.child({ runner: runner.instanceId });
  // Windows known to have succeeded: SUCCEEDED only ever changes by a forced re-run,
  // which ends SUCCEEDED again, so remembering them spares the database each minute.
  let succeeded = new Set<string>();
  const warned = new Set<string>();
  let stopping = false;
  let current: Promise<WindowRun[]> | undefined;

  async function pass(): Promise<WindowRun[]> {
    const now = clock();
    const tenants = await listJobTenants(app, options.tenantIds);
    const { runs, problems } = planRuns(jobs, tenants, now);
    for (const { tenant, error } of problems) {
      if (!warned.has(tenant.id))
        log.warn({ tenant: tenant.slug, timeZone: tenant.timeZone, error }, "jobs skip a tenant whose time zone is unusable");
      warned.add(tenant.id);
    }
    const due = new Set(runs.map((run) => runKey(run.tenant.id, run.job.name, run.window)));
    // Forget windows that have left the look-back, so the set stays small.
    succeeded = new Set([...succeeded].filter((key) => due.has(key)));
    const unknown = runs.filter((run) => !succeeded.has(runKey(run.tenant.id, run.job.name, run.window)));
    if (unknown.length === 0) return [];
    for (const key of await succeededAmong(unknown)) succeeded.add(key);

    const results: WindowRun[] = [];
    for (const run of unknown) {
      if (stopping) break;
      if (succeeded.has(runKey(run.tenant.id, run.job.name, run.window))) continue;
      const outcome = await runner.runWindow(run.job, run.tenant, run.window);
      if (outcome.status === "SUCCEEDED" || (outcome.status === "SKIPPED" && outcome.reason === "already succeeded")) {
        succeeded.add(runKey(run.tenant.id, run.job.name, run.window));
      }
      results.push({ job: run.job.name, tenant: run.tenant.slug, window: run.window, outcome });
    }
    return results;
  }

  /**
   * Which of these windows already SUCCEEDED, in one statement for every tenant.
   * Reading across tenants needs row-level security lifted (asSystem, read only);
   * every write of a run happens per tenant, scoped.
   */
  async function succeededAmong(runs: PlannedRun[]): Promise<string[]> {
    const rows = await inScope(app.database.db, { tenantId: null, userId: null }, (tx) =>
      asSystem(tx, (system) =>
        system
          .select({ tenantId: jobRuns.tenantId, job: jobRuns.job, window: jobRuns.windowKey })
          .from(jobRuns)
          .where(
            and(
              eq(jobRuns.status, "SUCCEEDED"),
              inArray(jobRuns.tenantId, [...new Set(runs.map((run) => run.tenant.id))]),
              inArray(jobRuns.job, [...new Set(runs.map((run) => run.job.name))]),
              inArray(jobRuns.windowKey, [...new Set(runs.map((run) => run.window))]),
            ),
          ),
      ),
    );
    return rows.map((row) => runKey(row.tenantId, row.job, row.window));
  }

  function tick(): Promise<WindowRun[]> {
    if (stopping) return Promise.resolve([]);
    current ??= pass()
      .catch((error) => {
        log.error({ err: error }, "job scheduler pass failed");
        return [] as WindowRun[];
      })
      .finally(() => (current = undefined));
    return current;
  }

  const timer = new Cron(options.every ?? "* * * * *", { unref: true }, () => void tick());
  const started = options.catchUpOnStart === false ? Promise.resolve([]) : tick();
  log.info({ jobs: jobs.map((job) => `${job.name} (${job.schedule})`) }, "job scheduler started");

  return {
    tick,
    started,
    async stop() {
      stopping = true;
      timer.stop();
      await current;
    },
  };
}
