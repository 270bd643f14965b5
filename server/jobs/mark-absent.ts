/**
 * `mark-absent`, daily at 23:59 local time: every participant with an ACTIVE
 * enrolment in a course that had a (non-cancelled) lecture that day, and no mark
 * for it, is marked absent (source AUTO_ABSENT, no rating, marked by nobody).
 * Families are notified and attendanceUpdated subscribers told through the same
 * domain event a manual mark emits.
 */
import { markUnmarkedAbsent } from "../services/attendance";
import { localDate } from "../time";
import type { Job } from "./job";

export const markAbsent: Job = {
  name: "mark-absent",
  description: "Marks absent every ACTIVE participant left unmarked on the day's lectures; families are notified.",
  schedule: "59 23 * * *",
  lookBack: 7,
  // The run at 23:59 covers its own local date, whatever the date is in UTC.
  window: (at, timeZone) => localDate(at, timeZone),
  windowOfDate: (date) => date,

  run: (ctx, day) => markUnmarkedAbsent(ctx, day),
};
