/** The scheduled jobs of Roster, in the order the scheduler runs them. */
import { instructorAttendanceJob } from "./instructor-attendance";
import { checkSchedule, type Job } from "./job";
import { markAbsent } from "./mark-absent";
import { purgeIdempotencyKeys } from "./purge-idempotency-keys";

export const JOBS: readonly Job[] = [markAbsent, instructorAttendanceJob, purgeIdempotencyKeys];
JOBS.forEach(checkSchedule);

/** The job called `name`, if there is one. */
export const findJob = (name: string): Job | undefined => JOBS.find((job) => job.name === name);

export type { Counts, DueWindow, Job } from "./job";
