/**
 * `npm run jobs -- list` and
 * `npm run jobs -- run <job> [--date YYYY-MM-DD] [--tenant <slug>] [--force]`:
 * the scheduled jobs by hand, for every active tenant or one.
 *
 * `run` claims and runs one window per tenant exactly as the scheduler would
 * (same log rows, same once-only claim, so it is safe next to running instances):
 * the window containing `--date`, or else the latest one whose scheduled time
 * has passed in the tenant's time zone. A window whose time has not come yet is
 * refused (marking a day absent before it ends would be wrong, and the night's
 * run would then find it done). A window that already SUCCEEDED is skipped;
 * `--force` runs it again: mark-absent marks whoever is still unmarked (nobody
 * twice, families of the newly absent are notified), instructor-attendance
 * recomputes the week and overwrites it; the log row then shows the new run.
 * `--force` never takes a window another instance is running right now.
 *
 * Against PostgreSQL (DATABASE_URL) this is harmless next to running instances.
 * The embedded database (PGlite) is single-process: like every command that opens
 * it, this one takes the data-directory lock first, so while an instance runs on
 * ROSTER_DATA_DIR it refuses with one line naming that instance (exit 75).
 * `--embedded` is still accepted and does nothing (the lock made it unnecessary).
 *
 * Exit codes: 0 when every tenant's window succeeded or was skipped, 1 when one
 * failed or was refused, 2 on a usage error, 75 when the embedded data directory
 * is in use, 78 on a configuration error.
 */
import os from "node:os";
import { parseArgs } from "node:util";
import { loadConfigOrExit, type Config } from "../server/config";
import { exitOnStartupError } from "../server/startup-error";
import { findJob, JOBS } from "../server/jobs";
import { dueWindows, scheduledTimeOf } from "../server/jobs/job";
import type { RunOutcome } from "../server/jobs/runner";
import { localDate, localTime } from "../server/time";

const USAGE = `usage:
  npm run jobs -- list
  npm run jobs -- run <job> [--date YYYY-MM-DD] [--tenant <slug>] [--force]

  --date      the window containing this local date (default: the latest window that is due)
  --tenant    only this tenant (default: every active tenant)
  --force     run a window again even though it already succeeded`;

function usage(message?: string): never {
  if (message) console.error(message);
  console.error(USAGE);
  process.exit(2);
}

function parse() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        date: { type: "string" },
        tenant: { type: "string" },
        force: { type: "boolean", default: false },
        // Kept so existing scripts still run: the data-directory lock does its job now.
        embedded: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    usage((error as Error).message);
  }
}
const { values, positionals } = parse();
const [command, jobName, ...extra] = positionals;
if (values.help || !command) usage();

if (command === "list") {
  for (const job of JOBS) {
    console.log(`${job.name.padEnd(22)} ${job.schedule.padEnd(12)} local time of each tenant; catches up ${job.lookBack} missed windows`);
    console.log(`${"".padEnd(22)} ${job.description}`);
  }
  process.exit(0);
}
if (command !== "run") usage(`unknown command "${command}"`);
if (extra.length) usage(`unexpected arguments: ${extra.join(" ")}`);
const job = jobName ? findJob(jobName) : undefined;
if (!job)
  usage(jobName ? `unknown job "${jobName}"; the jobs are: ${JOBS.map((j) => j.name).join(", ")}` : "which job? (npm run jobs -- list)");
const date = values.date;
if (date !== undefined && !(/^\d{4}-\d{2}-\d{2}$/.test(date) && new Date(`${date}T00:00:00Z`).toISOString().startsWith(date))) {
  usage(`--date must be a date such as 2026-11-23 (got "${date}")`);
}

const config: Config = loadConfigOrExit({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? "silent" });

const { closeDeps, createDeps } = await import("../server/app");
const { createJobRunner, listJobTenants } = await import("../server/jobs/runner");
// Embedded: takes the data-directory lock, so it refuses (exit 75) while an instance runs.
const deps = await createDeps(config).catch(exitOnStartupError);
let failed = false;
try {
  if (config.database.embedded === "memory" && config.database.seedDemo) {
    const { seedDemo } = await import("../server/seed/demo");
    await seedDemo(deps.database, deps.passwords);
  }
  const all = await listJobTenants(deps);
  const tenants = values.tenant ? all.filter((tenant) => tenant.slug === values.tenant!.toLowerCase()) : all;
  if (values.tenant && tenants.length === 0) {
    console.error(`no active tenant "${values.tenant}"`);
    failed = true;
  } else if (tenants.length === 0) {
    console.log("no active tenants");
  }
  const runner = createJobRunner(deps, { instanceId: `cli-${os.hostname()}-${process.pid}` });
  const now = new Date();
  for (const tenant of tenants) {
    const window = date ? job.windowOfDate(date) : dueWindows(job, tenant, now, 1)[0]?.window;
    const label = `${tenant.slug.padEnd(24)} ${job.name} ${window ?? "-"}`;
    if (!window) {
      console.log(`${label}  nothing due yet (the tenant is newer than the last scheduled run)`);
      continue;
    }
    const at = scheduledTimeOf(job, window, tenant.timeZone);
    if (!at || at > now) {
      const when = at ? `${localDate(at, tenant.timeZone)} ${localTime(at, tenant.timeZone).slice(0, 5)} ${tenant.timeZone}` : "never";
      console.log(`${label}  REFUSED not due until ${when}`);
      failed = true;
      continue;
    }
    const outcome = await runner.runWindow(job, tenant, window, { force: values.force });
    console.log(`${label}  ${describe(outcome)}`);
    if (outcome.status === "FAILED") failed = true;
  }
} finally {
  await closeDeps(deps);
}
process.exit(failed ? 1 : 0);

function describe(outcome: RunOutcome): string {
  switch (outcome.status) {
    case "SUCCEEDED":
      return `SUCCEEDED ${Object.entries(outcome.counts)
        .map(([key, value]) => `${key}=${value}`)
        .join(" ")} (${outcome.ms} ms)`;
    case "FAILED":
      return `FAILED ${outcome.error}`;
    case "SKIPPED":
      return outcome.reason === "already succeeded"
        ? "SKIPPED already succeeded (--force runs it again)"
        : `SKIPPED ${outcome.reason}${outcome.instanceId ? ` (${outcome.instanceId})` : ""}`;
  }
}
