import { Field, Int, ObjectType } from "type-graphql";
import type { JobRun as CronLogRow, InstructorAttendance as InstructorAttendanceRow } from "../../drizzle/schema";
import type { JobRunStatus as JobRunStatusValue } from "../../drizzle/tables/enums-types";
import { JobRunStatus } from "../shared/enums";
import { DateTime, JSONObject, LocalDate, UUID } from "../shared/scalars";

@ObjectType({ description: "One run of a scheduled job for this tenant and one window (a day, a week)." })
export class JobRun implements Pick<CronLogRow, "id" | "job" | "windowKey" | "status" | "startedAt" | "finishedAt" | "counts" | "error"> {
  @Field(() => UUID, { description: "The log row's id." })
  id: string;

  @Field(() => String, {
    description:
      "The job: mark-absent (daily 23:59), instructor-attendance (Sunday 00:05) or purge-idempotency-keys (daily 03:30), in the tenant's time zone.",
  })
  job: string;

  @Field(() => String, {
    description:
      "The window the run covers: the local date (mark-absent, purge-idempotency-keys) or the week's first date, a Sunday (instructor-attendance).",
  })
  windowKey: string;

  @Field(() => JobRunStatus, { description: "RUNNING, SUCCEEDED, or FAILED (retried later)." })
  status: JobRunStatusValue;

  @Field(() => DateTime, { description: "When the latest attempt started." })
  startedAt: Date;

  @Field(() => DateTime, { nullable: true, description: "When the latest attempt ended (null while RUNNING)." })
  finishedAt: Date | null;

  @Field(() => JSONObject, {
    nullable: true,
    description: "What the run did, e.g. { lectures, markedAbsent } or { instructors, lectures }.",
  })
  counts: Record<string, number> | null;

  @Field(() => String, { nullable: true, description: "Why the latest attempt failed (FAILED only)." })
  error: string | null;
}

@ObjectType({ description: "An instructor's lectures in one report week (Sunday to Saturday), computed by the weekly job." })
export class InstructorAttendance
  implements Pick<InstructorAttendanceRow, "id" | "weekStart" | "lecturesScheduled" | "lecturesTaken" | "lecturesCancelled" | "updatedAt">
{
  @Field(() => UUID, { description: "The report row's id." })
  id: string;

  @Field(() => LocalDate, { description: "The week's first date, a Sunday." })
  weekStart: string;

  @Field(() => Int, { description: "Lectures of the instructor's courses that week, not cancelled." })
  lecturesScheduled: number;

  @Field(() => Int, { description: "Of those, lectures whose attendance a teacher took." })
  lecturesTaken: number;

  @Field(() => Int, { description: "Lectures of the instructor's courses that week that were cancelled." })
  lecturesCancelled: number;

  @Field(() => DateTime, { description: "When the week was last computed." })
  updatedAt: Date;

  instructorId: string;
}
