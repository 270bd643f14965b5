import { Arg, Ctx, FieldResolver, Int, Query, Resolver, Root } from "type-graphql";
import type { Context } from "../../server/context";
import * as jobs from "../../server/jobs/logs";
import { Instructor } from "../people/people.type";
import { Connection, toConnection } from "../shared/connection";
import { LocalDate, UUID } from "../shared/scalars";
import { JobRun, InstructorAttendance } from "./job.type";

const JobRunConnection = Connection(JobRun, "JobRun");

@Resolver(() => JobRun)
export class JobRunResolver {
  @Query(() => JobRunConnection, { description: "Staff: runs of this tenant's scheduled jobs, newest first." })
  async jobRuns(
    @Ctx() ctx: Context,
    @Arg("job", () => String, { nullable: true, description: "Only this job (mark-absent, instructor-attendance)." }) job?: string,
    @Arg("first", () => Int, { nullable: true, description: "Page size, 1 to 100 (default 20)." }) first?: number,
    @Arg("after", () => String, { nullable: true, description: "endCursor of the previous page." }) after?: string,
  ) {
    return toConnection(await jobs.listJobRuns(ctx, { job, first, after }), (row) => row);
  }

  @Query(() => JobRunConnection, {
    description: "The old name of jobRuns.",
    deprecationReason: "Use jobRuns: the log covers every scheduled job, not only attendance.",
  })
  async attendanceCronLogs(
    @Ctx() ctx: Context,
    @Arg("job", () => String, { nullable: true, description: "Only this job." }) job?: string,
    @Arg("first", () => Int, { nullable: true, description: "Page size, 1 to 100 (default 20)." }) first?: number,
    @Arg("after", () => String, { nullable: true, description: "endCursor of the previous page." }) after?: string,
  ) {
    return this.jobRuns(ctx, job, first, after);
  }
}

@Resolver(() => InstructorAttendance)
export class InstructorAttendanceResolver {
  @Query(() => [InstructorAttendance], {
    description: "Weekly instructor attendance, newest week first: staff for every instructor, an instructor for themself.",
  })
  instructorAttendance(
    @Ctx() ctx: Context,
    @Arg("weekStart", () => LocalDate, { nullable: true, description: "One week, by its first date (a Sunday); default the last 8 weeks." })
    weekStart?: string,
    @Arg("instructorId", () => UUID, { nullable: true, description: "Only this instructor (staff; an instructor always gets their own)." })
    instructorId?: string,
  ) {
    return jobs.listInstructorAttendance(ctx, { weekStart, instructorId });
  }

  @FieldResolver(() => Instructor, { description: "Whose week this is." })
  async instructor(@Root() row: InstructorAttendance, @Ctx() ctx: Context) {
    return ctx.loaders.instructor.load(row.instructorId);
  }
}
