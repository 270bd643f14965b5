/**
 * Lectures: generated from a course's weekly schedule in the tenant's time zone,
 * added by hand, rescheduled, completed or cancelled. Staff manage every course's
 * lectures; an instructor only their own courses'.
 */
import { and, asc, count, eq, gte, inArray, lte, sql, type SQL } from "drizzle-orm";
import {
  children,
  courseSchedules,
  courses,
  enrollments,
  lectureAttendance,
  lectures,
  guardianships,
  parents,
  students,
  type Course,
  type CourseSchedule,
  type Lecture,
} from "../../drizzle/schema";
import type { LectureStatus } from "../../drizzle/tables/enums-types";
import { requireTenant } from "../auth/guards";
import { isStaff } from "../auth/viewer";
import { atomic, type Context } from "../context";
import { AppError, badInput, notFound, onConstraint, wrongState } from "../errors";
import { emit } from "../domain-events/domain-events";
import { CURSOR_KINDS, keyset, page, sortKey } from "../db/page";
import { datesBetween, weekdayOf } from "../time";
import { asIs, type LoadRows } from "../plan/model";
import { audit } from "./audit";
import { requireNotArchived } from "./archive-rules";
import { canSeeCourse, courseForTeacher, courseVisibility, getCourse } from "./courses";

onConstraint("lectures_slot_key", () => new AppError("CONFLICT", "lecture.slotTaken"));

/**
 * The lectures a course's weekly slots give between its dates. Weekdays of
 * calendar dates do not depend on the time zone; the instants (Lecture.startsAt)
 * are computed in the tenant's zone when read.
 */
export function planLectures(
  course: Pick<Course, "tenantId" | "id" | "startsOn" | "endsOn">,
  slots: Pick<CourseSchedule, "weekday" | "startTime" | "durationMinutes">[],
) {
  const planned = [];
  for (const date of datesBetween(course.startsOn, course.endsOn)) {
    const weekday = weekdayOf(date);
    for (const slot of slots) {
      if (slot.weekday === weekday) {
        planned.push({
          tenantId: course.tenantId,
          courseId: course.id,
          date,
          startTime: slot.startTime,
          durationMinutes: slot.durationMinutes,
        });
      }
    }
  }
  return planned;
}

/**
 * Creates the lectures of every scheduled slot between the course's dates.
 * Idempotent: a slot that already has a lecture (even a cancelled one) is skipped.
 */
export async function generateLectures(ctx: Context, courseId: string) {
  return atomic(ctx, async (ctx) => {
    const course = await courseForTeacher(ctx, courseId);
    requireNotArchived(course);
    const slots = await ctx.db
      .select()
      .from(courseSchedules)
      .where(and(ctx.scope.inTenant(courseSchedules), eq(courseSchedules.courseId, course.id)));
    if (slots.length === 0) throw new AppError("BAD_USER_INPUT", "lecture.noSchedule", {}, { field: "schedule" });
    const planned = planLectures(course, slots);
    if (planned.length > 2000) throw badInput("endsOn", "more than 2000 lectures; shorten the course");
    const created = planned.length
      ? await ctx.db.insert(lectures).values(planned).onConflictDoNothing().returning({ id: lectures.id })
      : [];
    await audit(ctx, { action: "lecture.generate", entity: "course", entityId: course.id, after: { created: created.length } });
    const all = await ctx.db
      .select()
      .from(lectures)
      .where(and(ctx.scope.inTenant(lectures), eq(lectures.courseId, course.id)))
      .orderBy(asc(lectures.date), asc(lectures.startTime));
    return { created: created.length, lectures: all };
  });
}

export interface LectureInput {
  date?: string | null;
  startTime?: string | null;
  durationMinutes?: number | null;
  title?: string | null;
}

function checkDuration(minutes: number | null | undefined) {
  if (minutes != null && (!Number.isInteger(minutes) || minutes < 1 || minutes > 1440)) {
    throw badInput("durationMinutes", "1 to 1440");
  }
}

/** Adds one lecture outside the weekly schedule. */
export async function createLecture(ctx: Context, courseId: string, input: LectureInput) {
  if (!input.date) throw badInput("date", "required");
  if (!input.startTime) throw badInput("startTime", "required");
  checkDuration(input.durationMinutes);
  return atomic(ctx, async (ctx) => {
    const course = await courseForTeacher(ctx, courseId);
    requireNotArchived(course);
    const [lecture] = await ctx.db
      .insert(lectures)
      .values({
        tenantId: course.tenantId,
        courseId: course.id,
        date: input.date!,
        startTime: input.startTime!,
        durationMinutes: input.durationMinutes ?? 60,
        title: input.title?.trim() || null,
      })
      .returning();
    await audit(ctx, { action: "lecture.create", entity: "lecture", entityId: lecture!.id, after: lecture });
    return lecture!;
  });
}

/** A lecture of the tenant, locked for change (NOT_FOUND otherwise). */
export async function lockLecture(ctx: Context, lectureId: string): Promise<Lecture> {
  requireTenant(ctx);
  const [lecture] = await ctx.db
    .select()
    .from(lectures)
    .where(and(ctx.scope.inTenant(lectures), eq(lectures.id, lectureId)))
    .for("update");
  if (!lecture) throw notFound("Lecture", lectureId);
  return lecture;
}

/** A lecture of a course the viewer teaches or manages, locked for change. */
async function lectureForTeacher(ctx: Context, lectureId: string): Promise<Lecture> {
  const lecture = await lockLecture(ctx, lectureId);
  await courseForTeacher(ctx, lecture.courseId);
  return lecture;
}

/** Reschedules or renames a scheduled lecture; `status: COMPLETED` closes it. */
export async function updateLecture(ctx: Context, lectureId: string, input: LectureInput & { status?: LectureStatus | null }) {
  checkDuration(input.durationMinutes);
  return atomic(ctx, async (ctx) => {
    const before = await lectureForTeacher(ctx, lectureId);
    if (input.status === "CANCELLED") throw badInput("status", "use cancelLecture");
    if (before.status !== "SCHEDULED") throw wrongState("Lecture", before.status, "SCHEDULED");
    const [after] = await ctx.db
      .update(lectures)
      .set({
        ...(input.date != null && { date: input.date }),
        ...(input.startTime != null && { startTime: input.startTime }),
        ...(input.durationMinutes != null && { durationMinutes: input.durationMinutes }),
        ...(input.title !== undefined && { title: input.title?.trim() || null }),
        ...(input.status != null && { status: input.status }),
      })
      .where(and(ctx.scope.inTenant(lectures), eq(lectures.id, lectureId)))
      .returning();
    ctx.loaders.lecture.clear(lectureId).prime(lectureId, after!);
    await audit(ctx, { action: "lecture.update", entity: "lecture", entityId: lectureId, before, after });
    if (after!.status === "SCHEDULED" && (after!.date !== before.date || after!.startTime !== before.startTime)) {
      const course = (await ctx.loaders.course.load(after!.courseId))!;
      await emit(ctx, {
        type: "lecture.rescheduled",
        tenantId: after!.tenantId,
        before,
        after: after!,
        courseName: course.name,
        recipients: await enrolledUserIds(ctx, after!.courseId),
      });
    }
    return after!;
  });
}

/**
 * Deletes a lecture entered by mistake (staff or the course's instructor). One
 * with attendance marks is history: CONFLICT, suggesting cancelLecture (which
 * keeps it, marked CANCELLED, and tells the people enrolled). Deleting tells nobody.
 * A lecture of an archived course stays as it is.
 */
export async function deleteLecture(ctx: Context, lectureId: string): Promise<boolean> {
  return atomic(ctx, async (ctx) => {
    const before = await lectureForTeacher(ctx, lectureId);
    requireNotArchived((await ctx.loaders.course.load(before.courseId))!);
    const [marked] = await ctx.db
      .select({ n: count() })
      .from(lectureAttendance)
      .where(and(ctx.scope.inTenant(lectureAttendance), eq(lectureAttendance.lectureId, lectureId)));
    if (before.attendanceTaken || (marked?.n ?? 0) > 0) {
      throw new AppError("CONFLICT", "lecture.hasAttendance", {}, { reason: "HAS_HISTORY", suggestion: "cancelLecture" });
    }
    await ctx.db.delete(lectures).where(and(ctx.scope.inTenant(lectures), eq(lectures.id, lectureId)));
    ctx.loaders.lecture.clear(lectureId);
    await audit(ctx, { action: "lecture.delete", entity: "lecture", entityId: lectureId, before });
    return true;
  });
}

/** Cancels a scheduled lecture and tells everyone enrolled. */
export async function cancelLecture(ctx: Context, lectureId: string, reason?: string | null) {
  return atomic(ctx, async (ctx) => {
    const before = await lectureForTeacher(ctx, lectureId);
    if (before.status !== "SCHEDULED") throw wrongState("Lecture", before.status, "SCHEDULED");
    const [after] = await ctx.db
      .update(lectures)
      .set({ status: "CANCELLED", cancelledReason: reason?.trim() || null })
      .where(and(ctx.scope.inTenant(lectures), eq(lectures.id, lectureId)))
      .returning();
    ctx.loaders.lecture.clear(lectureId).prime(lectureId, after!);
    await audit(ctx, { action: "lecture.cancel", entity: "lecture", entityId: lectureId, before, after });
    const course = (await ctx.loaders.course.load(after!.courseId))!;
    await emit(ctx, {
      type: "lecture.cancelled",
      tenantId: after!.tenantId,
      lecture: after!,
      courseName: course.name,
      recipients: await enrolledUserIds(ctx, after!.courseId),
    });
    return after!;
  });
}

/** Accounts told about the ACTIVE participants of a course: students and children's guardians who receive alerts. */
export async function enrolledUserIds(ctx: Context, courseId: string): Promise<string[]> {
  requireTenant(ctx);
  const active = and(ctx.scope.inTenant(enrollments), eq(enrollments.courseId, courseId), eq(enrollments.status, "ACTIVE"));
  const [studentUsers, parentUsers] = await Promise.all([
    ctx.db
      .select({ userId: students.userId })
      .from(enrollments)
      .innerJoin(students, and(eq(students.tenantId, enrollments.tenantId), eq(students.id, enrollments.studentId)))
      .where(active),
    ctx.db
      .select({ userId: parents.userId })
      .from(enrollments)
      .innerJoin(children, and(eq(children.tenantId, enrollments.tenantId), eq(children.id, enrollments.childId)))
      .innerJoin(
        guardianships,
        and(eq(guardianships.tenantId, children.tenantId), eq(guardianships.childId, children.id), eq(guardianships.receivesAlerts, true)),
      )
      .innerJoin(parents, and(eq(parents.tenantId, guardianships.tenantId), eq(parents.id, guardianships.parentId)))
      .where(active),
  ]);
  return [...new Set([...studentUsers, ...parentUsers].map((row) => row.userId))];
}

export interface LectureFilter {
  courseId?: string | null;
  from?: string | null;
  to?: string | null;
  status?: LectureStatus | null;
}

/** Lectures by date: of one course (anyone who may see it) or of every course the viewer may see. */
export async function listLectures(
  ctx: Context,
  args: { filter?: LectureFilter | null; first?: number | null; after?: string | null },
  load: LoadRows = asIs,
) {
  requireTenant(ctx);
  const order = LECTURE_ORDER; // checks the cursor before any statement
  order.after(args.after);
  const f = args.filter ?? {};
  if (f.from && f.to && f.to < f.from) throw badInput("filter.to", "before filter.from");
  let courseScope: SQL | undefined;
  if (f.courseId) {
    await getCourse(ctx, f.courseId);
    courseScope = eq(lectures.courseId, f.courseId);
  } else if (!isStaff(ctx.viewer)) {
    courseScope = await visibleCourses(ctx);
  }
  const where = and(
    ctx.scope.inTenant(lectures),
    courseScope,
    f.from ? gte(lectures.date, f.from) : undefined,
    f.to ? lte(lectures.date, f.to) : undefined,
    f.status ? eq(lectures.status, f.status) : undefined,
  );
  return page(ctx, { from: lectures, where, order, first: args.first, after: args.after, load, prime: ctx.loaders.lecture });
}

/** Lectures by date and start time (one sortable text "YYYY-MM-DD HH:MM:SS" in the cursor), then id. */
const LECTURE_ORDER = keyset<Lecture>(
  "ASC",
  [
    {
      column: sql`(${lectures.date}::text || ' ' || ${lectures.startTime}::text)`,
      kind: CURSOR_KINDS.localDateTime,
      of: (row) => `${row.date} ${row.startTime}`,
    },
    sortKey(lectures.id),
  ],
  { orderBy: [asc(lectures.date), asc(lectures.startTime), asc(lectures.id)] },
);

/** Courses the viewer may see, as a condition on lectures.course_id. */
async function visibleCourses(ctx: Context): Promise<SQL> {
  const visible = await courseVisibility(ctx);
  return inArray(
    lectures.courseId,
    ctx.db
      .select({ id: courses.id })
      .from(courses)
      .where(and(ctx.scope.inTenant(courses), visible)),
  );
}

/** A lecture the viewer may see (its course is visible to them). */
export async function getLecture(ctx: Context, lectureId: string, load?: LoadRows): Promise<Lecture> {
  requireTenant(ctx);
  let lecture: Lecture | null;
  if (load) {
    [lecture = null] = await load(
      ctx.db
        .select()
        .from(lectures)
        .where(and(ctx.scope.inTenant(lectures), eq(lectures.id, lectureId))),
    );
    if (lecture) ctx.loaders.lecture.prime(lectureId, lecture);
  } else {
    lecture = await ctx.loaders.lecture.load(lectureId);
  }
  if (!lecture) throw notFound("Lecture", lectureId);
  const course = await ctx.loaders.course.load(lecture.courseId);
  if (!course || !(await canSeeCourse(ctx, course))) throw notFound("Lecture", lectureId);
  return lecture;
}
