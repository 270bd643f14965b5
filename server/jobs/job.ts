/**
 * What a scheduled job is, and which of its windows are due. A job runs once per
 * tenant and window (a local date, a week …) at a cron schedule read in the
 * tenant's own time zone; everything here is pure, so it is tested with any clock.
 */
import { Cron } from "croner";
import type { Context } from "../context";
import { addDays, weekdayOf } from "../time";

/** What a run did, e.g. `{ lectures: 3, markedAbsent: 7 }` (stored in job_runs.counts). */
export type Counts = Record<string, number>;

export interface Job {
  /** Stable name: the `job` column of job_runs and the CLI's argument. */
  name: string;
  description: string;
  /** Cron expression (croner, 5 fields) in the tenant's local time. */
  schedule: string;
  /** How many past windows the scheduler looks back to catch up after downtime. */
  lookBack: number;
  /** The window a run scheduled at `at` covers, as its key (e.g. the local date `2026-11-23`). */
  window(at: Date, timeZone: string): string;
  /** The window a local date belongs to (the CLI's `--date`). */
  windowOfDate(date: string): string;
  /** Does the work for one tenant and window in the caller's transaction; returns what it did. */
  run(ctx: Context, window: string): Promise<Counts>;
}

/** A window whose scheduled time has passed. */
export interface DueWindow {
  window: string;
  /** When the run of this window was (or is) scheduled. */
  scheduledAt: Date;
}

/** The tenant facts the schedule depends on. */
export interface ScheduleTenant {
  timeZone: string;
  /** Windows scheduled before the tenant existed are never due. */
  createdAt: Date;
}

/**
 * The windows of `job` for one tenant whose scheduled time is at or before `now`:
 * at most `lookBack` of them, oldest first. The scheduler runs those without a
 * SUCCEEDED (or live RUNNING) log, so a run missed while no instance was up is
 * caught up, and a window is never run before its time.
 */
export function dueWindows(job: Job, tenant: ScheduleTenant, now: Date, lookBack = job.lookBack): DueWindow[] {
  const cron = new Cron(job.schedule, { timezone: tenant.timeZone, paused: true });
  // previousRuns leaves out a run exactly at the reference; a run due this very millisecond is due.
  return cron
    .previousRuns(lookBack, new Date(now.getTime() + 1))
    .filter((at) => at.getTime() >= tenant.createdAt.getTime())
    .reverse()
    .map((scheduledAt) => ({ window: job.window(scheduledAt, tenant.timeZone), scheduledAt }));
}

/** When the run covering `window` is scheduled (the first scheduled time whose window it is). */
export function scheduledTimeOf(job: Job, window: string, timeZone: string): Date | null {
  const cron = new Cron(job.schedule, { timezone: timeZone, paused: true });
  // Windows are at most a week long and start with their local date ("2026-11-23", or
  // "2026-11-23T18:15" for jobs that run several times a day); starting a day early finds the run.
  let at: Date | null = new Date(`${addDays(window.slice(0, 10), -1)}T00:00:00Z`);
  for (let step = 0; step < 2000 && at; step++) {
    at = cron.nextRun(at);
    if (!at) return null;
    const key = job.window(at, timeZone);
    if (key === window) return at;
    if (key > window) return null;
  }
  return null;
}

/** Throws unless `schedule` is a valid croner expression (checked when the job list loads). */
export function checkSchedule(job: Pick<Job, "name" | "schedule">): void {
  try {
    new Cron(job.schedule, { paused: true });
  } catch (error) {
    throw new Error(`job ${job.name}: bad schedule "${job.schedule}": ${(error as Error).message}`);
  }
}

/** The Sunday on or before a date: report weeks run Sunday to Saturday. */
export function sundayOnOrBefore(date: string): string {
  // weekdayOf counts the centre's week from Saturday=0, so Sunday is 1.
  return addDays(date, -((weekdayOf(date) + 6) % 7));
}
