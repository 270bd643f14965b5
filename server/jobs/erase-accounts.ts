/**
 * `erase-accounts`, every 15 minutes: erases the accounts whose deletion grace
 * period has ended (server/services/account-deletion.ts). The window is the run's
 * local time, e.g. `2026-11-23T18:15`.
 *
 * Users are platform rows, not a tenant's, but the runner claims windows per
 * tenant. Rather than teach the runner a second, tenant-less kind of job, each
 * tenant's run erases every due account (as the system, FOR UPDATE SKIP LOCKED,
 * one savepoint per account): the first run of a window that gets there erases
 * them, the others find nothing left. Counts land in the log of the tenant whose
 * run did the work. See docs/lifecycle.md#accounts.
 */
import { eraseDueAccounts } from "../services/account-deletion";
import { localDate, localTime } from "../time";
import type { Job } from "./job";

export const eraseAccounts: Job = {
  name: "erase-accounts",
  description: "Erases accounts whose deletion grace period has ended (personal fields wiped, records kept anonymised).",
  schedule: "*/15 * * * *",
  lookBack: 1,
  window: (at, timeZone) => `${localDate(at, timeZone)}T${localTime(at, timeZone).slice(0, 5)}`,
  windowOfDate: (date) => `${date}T00:00`,

  run: (ctx) => eraseDueAccounts(ctx, new Date()),
};
