/** Scheduled jobs: one row per run, per tenant and window (the job log). */
import { jsonb, pgTable, primaryKey, text, timestamp, unique } from "drizzle-orm/pg-core";
import { id, tenantIsolation } from "./columns";
import { jobRunStatusEnum } from "./enums";
import { tenantId } from "./tenants";

/** One run of a scheduled job for one tenant and window; the unique key makes it run once. */
export const jobRuns = pgTable(
  "job_runs",
  {
    tenantId: tenantId(),
    id: id(),
    job: text().notNull(),
    /** The window the run covers, e.g. the local date `2026-11-23` or week `2026-W47`. */
    windowKey: text().notNull(),
    status: jobRunStatusEnum().notNull().default("RUNNING"),
    startedAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    finishedAt: timestamp({ withTimezone: true, precision: 3 }),
    counts: jsonb().$type<Record<string, number>>(),
    error: text(),
    instanceId: text(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), unique("job_runs_window_key").on(t.tenantId, t.job, t.windowKey), tenantIsolation()],
);

export type JobRun = typeof jobRuns.$inferSelect;
