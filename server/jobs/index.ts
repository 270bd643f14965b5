/** The scheduled jobs of Roster, in the order the scheduler runs them. */
import { absenceAlerts } from "./absence-alerts";
import { deviceOffline } from "./device-offline";
import { eraseAccounts } from "./erase-accounts";
import { feesDue } from "./fees-due";
import { instructorAttendanceJob } from "./instructor-attendance";
import { checkSchedule, type Job } from "./job";
import { markAbsent } from "./mark-absent";
import { purgeIdempotencyKeys } from "./purge-idempotency-keys";
import { reminders } from "./reminders";
import { waitlistOffers } from "./waitlist-offers";

export const JOBS: readonly Job[] = [
  markAbsent,
  instructorAttendanceJob,
  purgeIdempotencyKeys,
  absenceAlerts,
  feesDue,
  reminders,
  deviceOffline,
  waitlistOffers,
  eraseAccounts,
];
JOBS.forEach(checkSchedule);

/** The job called `name`, if there is one. */
export const findJob = (name: string): Job | undefined => JOBS.find((job) => job.name === name);

export type { Counts, DueWindow, Job } from "./job";
