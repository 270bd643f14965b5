/**
 * Reports of the scheduled jobs (server/jobs): the run log of a tenant's jobs,
 * and the weekly instructor attendance they produce.
 */
import { and, asc, desc, eq, gte } from "drizzle-orm";
import { jobRuns, instructorAttendance, type InstructorAttendance } from "../../drizzle/schema";
import { requireMember, requireRole } from "../auth/guards";
import { viewerInstructorId } from "../auth/policies";
import { isStaff } from "../auth/viewer";
import type { Context } from "../context";
import { AppError, forbidden } from "../errors";
import { findJob, JOBS } from "./index";
import { sundayOnOrBefore } from "./job";
import { newestFirst, page } from "../db/page";
import { addDays, localDate } from "../time";

/** Weeks of instructor attendance listed when no week is asked for. */
const RECENT_WEEKS = 8;

/** Staff: the runs of the tenant's scheduled jobs (optionally one job), newest first. */
export async function listJobRuns(ctx: Context, args: { job?: string | null; first?: number | null; after?: string | null }) {
  requireRole(ctx, "STAFF");
  if (args.job != null && !findJob(args.job)) {
    throw new AppError(
      "BAD_USER_INPUT",
      "jobs.unknownJob",
      { job: args.job, jobs: JOBS.map((job) => job.name).join(", ") },
      { field: "job" },
    );
  }
  return page(ctx, {
    from: jobRuns,
    where: and(ctx.scope.inTenant(jobRuns), args.job != null ? eq(jobRuns.job, args.job) : undefined),
    order: newestFirst(jobRuns.startedAt, jobRuns.id),
    first: args.first,
    after: args.after,
  });
}

/**
 * Weekly instructor attendance: staff see every instructor (or the one asked
 * for), an instructor only themself. One week, or the last eight report weeks,
 * newest week first.
 */
export async function listInstructorAttendance(
  ctx: Context,
  args: { weekStart?: string | null; instructorId?: string | null },
): Promise<InstructorAttendance[]> {
  const viewer = requireMember(ctx);
  let instructorId = args.instructorId ?? null;
  if (!isStaff(viewer)) {
    const own = await viewerInstructorId(ctx);
    if (!own) throw forbidden();
    if (instructorId && instructorId !== own) throw new AppError("FORBIDDEN", "jobs.notYourReport");
    instructorId = own;
  }
  if (args.weekStart && sundayOnOrBefore(args.weekStart) !== args.weekStart) {
    throw new AppError("BAD_USER_INPUT", "jobs.weekStart", { date: args.weekStart }, { field: "weekStart" });
  }
  const recent = addDays(sundayOnOrBefore(localDate(new Date(), ctx.tenant!.timeZone)), -7 * RECENT_WEEKS);
  return ctx.db
    .select()
    .from(instructorAttendance)
    .where(
      and(
        ctx.scope.inTenant(instructorAttendance),
        args.weekStart ? eq(instructorAttendance.weekStart, args.weekStart) : gte(instructorAttendance.weekStart, recent),
        instructorId ? eq(instructorAttendance.instructorId, instructorId) : undefined,
      ),
    )
    .orderBy(desc(instructorAttendance.weekStart), asc(instructorAttendance.instructorId));
}
