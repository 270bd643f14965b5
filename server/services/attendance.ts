/**
 * Attendance: marks per participant per lecture, made in bulk for a lecture by
 * the course's instructor, staff, or an attendance device of the tenant; the
 * per-participant and per-course summaries; instructor ratings.
 */
import { and, asc, eq, inArray, lt, ne, notExists, sql } from "drizzle-orm";
import {
  courses,
  enrollments,
  instructorRatings,
  lectureAttendance,
  lectures,
  type Lecture,
  type LectureAttendance,
} from "../../drizzle/schema";
import type { AttendanceStatus } from "../../drizzle/tables/enums-types";
import { requireMember, requireTenant } from "../auth/guards";
import { actsFor, alertUserIds, onlyOwn, ownParticipantIds, ownRowsOf, participantIdOf, teaches } from "../auth/policies";
import { hasRole } from "../auth/viewer";
import { atomic, type Context } from "../context";
import { AppError, badInput, forbidden, notFound, wrongState } from "../errors";
import { emit } from "../domain-events/domain-events";
import { addDays, zonedInstant } from "../time";
import { audit } from "./audit";
import { requireNotArchived } from "./archive-rules";
import { canSeeCourse, getCourse } from "./courses";
import { lockLecture } from "./lectures";
import { tenantAttendanceSettings } from "./attendance-settings";
import { enrolledParticipants, fromExcluded, upsertPerParticipant } from "./participant-rows";
import { participantDisplayName, participantUserId, withParticipantAccounts } from "./participant-accounts";
import { findParticipant, participantName } from "./participants";

export interface MarkInput {
  participantId: string;
  /** Shorthand for PRESENT / ABSENT when no status is given. */
  present?: boolean | null;
  status?: AttendanceStatus | null;
  minutesLate?: number | null;
  reason?: string | null;
  rating?: string | null;
  notes?: string | null;
}

/** A mark's status: `status`, or PRESENT / ABSENT from `present`; both given must agree. */
function statusOf(mark: MarkInput, field: string): AttendanceStatus {
  if (mark.status) {
    if (mark.present != null && mark.present !== (mark.status === "PRESENT" || mark.status === "LATE")) {
      throw badInput(`${field}.present`, `contradicts status ${mark.status}`);
    }
    return mark.status;
  }
  if (mark.present == null) throw badInput(`${field}.status`, "give a status (or present)");
  return mark.present ? "PRESENT" : "ABSENT";
}

/** Whether a status means the participant was there. */
export const attended = (status: AttendanceStatus) => status === "PRESENT" || status === "LATE";

/** Checks a status's own fields: LATE → minutesLate 1–1440; EXCUSED → an optional reason (≤ 1000); others neither. */
export function checkStatusFields(
  status: AttendanceStatus,
  minutesLate: number | null | undefined,
  reason: string | null | undefined,
  field: string,
) {
  if (status === "LATE") {
    if (minutesLate == null || !Number.isInteger(minutesLate) || minutesLate < 1 || minutesLate > 1440) {
      throw badInput(`${field}.minutesLate`, "LATE needs minutesLate from 1 to 1440");
    }
  } else if (minutesLate != null) throw badInput(`${field}.minutesLate`, "only for LATE");
  if (reason != null) {
    if (status !== "EXCUSED") throw badInput(`${field}.reason`, "only for EXCUSED");
    if (reason.length > 1000) throw badInput(`${field}.reason`, "at most 1000 characters");
  }
}

const RATING = /^\d{1,2}(\.\d{1,2})?$/;

/** Staff, the course's instructor, or a device of the tenant may mark; others may not. */
async function requireMarker(ctx: Context, courseId: string) {
  if (ctx.viewer.kind === "device") return { userId: null, deviceId: ctx.viewer.deviceId };
  const viewer = requireMember(ctx);
  if (await teaches(ctx, courseId)) return { userId: viewer.userId, deviceId: null };
  throw new AppError("FORBIDDEN", "attendance.notYourLecture");
}

/** Checks one mark; the error names the row (1-based) and the field. */
function checkMark(mark: MarkInput, index: number): AttendanceStatus {
  const row = index + 1;
  const field = `marks[${index}]`;
  const status = statusOf(mark, field);
  checkStatusFields(status, mark.minutesLate, mark.reason, field);
  if (attended(status)) {
    if (mark.rating == null) throw new AppError("BAD_USER_INPUT", "attendance.ratingRequired", { row }, { field: `${field}.rating`, row });
    const rating = Number(mark.rating);
    if (!RATING.test(mark.rating) || rating < 1 || rating > 10) {
      throw new AppError("BAD_USER_INPUT", "attendance.ratingRange", { row, rating: mark.rating }, { field: `${field}.rating`, row });
    }
  } else if (mark.rating != null) {
    throw new AppError("BAD_USER_INPUT", "attendance.ratingWhenAbsent", { row }, { field: `${field}.rating`, row });
  }
  if (mark.notes != null && mark.notes.length > 1000) throw badInput(`${field}.notes`, "at most 1000 characters");
  return status;
}

/**
 * Marks a whole lecture in one transaction: every row is checked first (and
 * the first bad one named), then marks are written (re-marking updates them),
 * the lecture becomes attendanceTaken, and subscribers are told after commit.
 */
export async function markAttendance(ctx: Context, lectureId: string, marks: MarkInput[]) {
  const tenant = requireTenant(ctx);
  if (marks.length === 0) throw badInput("marks", "empty");
  if (marks.length > 500) throw badInput("marks", "at most 500 rows");
  const statuses = marks.map(checkMark);
  const seen = new Map<string, number>();
  marks.forEach((mark, index) => {
    if (seen.has(mark.participantId)) {
      throw new AppError(
        "BAD_USER_INPUT",
        "attendance.duplicateRow",
        { row: index + 1, first: seen.get(mark.participantId)! + 1 },
        { row: index + 1 },
      );
    }
    seen.set(mark.participantId, index);
  });

  return atomic(ctx, async (ctx) => {
    const lecture = await lockLecture(ctx, lectureId);
    const marker = await requireMarker(ctx, lecture.courseId);
    if (lecture.status === "CANCELLED") throw wrongState("Lecture", lecture.status, ["SCHEDULED", "COMPLETED"]);
    const ofLecture = await ctx.loaders.course.load(lecture.courseId);
    if (ofLecture) requireNotArchived(ofLecture);

    // Every participant must exist and hold an ACTIVE enrolment in the course.
    const participants = await enrolledParticipants(
      ctx,
      lecture.courseId,
      marks.map((mark) => mark.participantId),
      ["ACTIVE"],
      (index) => ({ field: `marks[${index}].participantId`, row: index + 1 }),
    );

    const previous = await ctx.db
      .select()
      .from(lectureAttendance)
      .where(and(ctx.scope.inTenant(lectureAttendance), eq(lectureAttendance.lectureId, lectureId)));
    const before = new Map(previous.map((row) => [participantIdOf(row), row]));
    const now = new Date();
    const source = marker.deviceId ? ("DEVICE" as const) : ("MANUAL" as const);
    // One upsert per kind of participant; re-marking updates. In the order of the input rows.
    const saved: LectureAttendance[] = await upsertPerParticipant(
      ctx,
      lectureAttendance,
      [lectureAttendance.tenantId, lectureAttendance.lectureId],
      marks.map((mark, index) => ({
        participant: participants[index]!,
        values: {
          tenantId: tenant.id,
          lectureId,
          source,
          markedBy: marker.userId,
          markedByDeviceId: marker.deviceId,
          markedAt: now,
          status: statuses[index]!,
          minutesLate: statuses[index] === "LATE" ? mark.minutesLate! : null,
          reason: statuses[index] === "EXCUSED" ? mark.reason?.trim() || null : null,
          rating: attended(statuses[index]!) ? Number(mark.rating).toFixed(2) : null,
          notes: mark.notes?.trim() || null,
        },
      })),
      fromExcluded(lectureAttendance, [
        "status",
        "minutesLate",
        "reason",
        "rating",
        "notes",
        "source",
        "markedBy",
        "markedByDeviceId",
        "markedAt",
      ]),
    );
    await ctx.db
      .update(lectures)
      .set({ attendanceTaken: true })
      .where(and(ctx.scope.inTenant(lectures), eq(lectures.id, lectureId)));
    ctx.loaders.lecture.clear(lectureId);
    await audit(ctx, {
      action: "attendance.mark",
      entity: "lecture",
      entityId: lectureId,
      before: previous,
      after: saved,
    });

    const course = (await ctx.loaders.course.load(lecture.courseId))!;
    // Names of the newly absent (loaders batch them into one statement).
    const newlyAbsent = await Promise.all(
      saved.flatMap((row, index) => {
        const was = before.get(participantIdOf(row));
        if (row.status !== "ABSENT" || was?.status === "ABSENT") return [];
        const participant = participants[index]!;
        // One entry per account told: the student, or each guardian who receives alerts.
        return [
          participantName(ctx, participant).then((name) => alertUserIds(participant).map((userId) => ({ userId, participant: name }))),
        ];
      }),
    ).then((entries) => entries.flat());
    await emit(ctx, {
      type: "attendance.marked",
      tenantId: tenant.id,
      courseId: course.id,
      courseName: course.name,
      lecture,
      marks: saved,
      absent: newlyAbsent,
    });
    return { lecture: { ...lecture, attendanceTaken: true }, marks: saved };
  });
}

/** The marks of a lecture the viewer may read: teachers all, families their own participants'. */
export async function attendanceOfLecture(ctx: Context, lectureId: string): Promise<LectureAttendance[]> {
  requireTenant(ctx);
  const lecture = await ctx.loaders.lecture.load(lectureId);
  if (!lecture) throw notFound("Lecture", lectureId);
  const course = await ctx.loaders.course.load(lecture.courseId);
  if (!course || (ctx.viewer.kind !== "device" && !(await canSeeCourse(ctx, course)))) throw notFound("Lecture", lectureId);
  const rows = await ctx.loaders.attendanceOfLecture.load(lectureId);
  if (ctx.viewer.kind === "device" || (await teaches(ctx, course.id))) return rows;
  requireMember(ctx);
  return onlyOwn(ctx, rows);
}

/** A participant's marks (optionally in one course), with their attendance rate. */
export async function attendanceOfParticipant(ctx: Context, participantId: string, courseId?: string | null) {
  requireTenant(ctx);
  requireMember(ctx);
  const participant = await findParticipant(ctx, participantId);
  if (!participant) throw notFound("Participant", participantId);
  if (courseId) await getCourse(ctx, courseId);
  if (!actsFor(ctx, participant) && !(courseId ? await teaches(ctx, courseId) : hasRole(ctx.viewer, "INSTRUCTOR"))) throw forbidden();
  const rows = await ctx.db
    .select({ mark: lectureAttendance, courseId: lectures.courseId, date: lectures.date })
    .from(lectureAttendance)
    .innerJoin(lectures, and(eq(lectures.tenantId, lectureAttendance.tenantId), eq(lectures.id, lectureAttendance.lectureId)))
    .where(
      and(
        ctx.scope.inTenant(lectureAttendance),
        participant.studentId
          ? eq(lectureAttendance.studentId, participant.studentId)
          : eq(lectureAttendance.childId, participant.childId!),
        courseId ? eq(lectures.courseId, courseId) : undefined,
      ),
    )
    .orderBy(lectures.date, lectures.startTime);
  // An instructor without a course filter sees only the courses they teach.
  const visible = [];
  for (const row of rows) {
    if (actsFor(ctx, participant) || (await teaches(ctx, row.courseId))) visible.push(row.mark);
  }
  const { lateWeight } = await tenantAttendanceSettings(ctx);
  const counts = countStatuses(visible.map((mark) => mark.status));
  return { participant, records: visible, ...counts, rate: attendanceRate(counts, lateWeight) };
}

/** Marks by status. */
export interface StatusCounts {
  present: number;
  late: number;
  absent: number;
  excused: number;
}

export function countStatuses(statuses: readonly AttendanceStatus[]): StatusCounts {
  const counts: StatusCounts = { present: 0, late: 0, absent: 0, excused: 0 };
  for (const status of statuses) counts[status.toLowerCase() as keyof StatusCounts] += 1;
  return counts;
}

/**
 * The attendance rate, as Moodle's attendance module counts it: PRESENT counts 1, LATE the
 * tenant's lateWeight (1 by default), ABSENT 0, and EXCUSED is left out of both sides.
 * Null before any mark that counts.
 */
export function attendanceRate(counts: StatusCounts, lateWeight: string | number): number | null {
  const counted = counts.present + counts.late + counts.absent;
  return counted ? (counts.present + counts.late * Number(lateWeight)) / counted : null;
}

/** A lecture's counts by status, ACTIVE participants not marked (none for a cancelled lecture), rate. */
export function attendanceSummary(lecture: Pick<Lecture, "status">, counts: StatusCounts, enrolled: number, lateWeight: string | number) {
  const marked = counts.present + counts.late + counts.absent + counts.excused;
  return {
    ...counts,
    unmarked: lecture.status === "CANCELLED" ? 0 : Math.max(0, enrolled - marked),
    rate: attendanceRate(counts, lateWeight),
  };
}

/** Per-lecture summary of a course (teachers only): present, absent, not marked, rate. */
export async function attendanceOfCourse(ctx: Context, courseId: string) {
  requireTenant(ctx);
  requireMember(ctx);
  const course = await getCourse(ctx, courseId);
  if (!(await teaches(ctx, courseId))) throw new AppError("FORBIDDEN", "attendance.notYourLecture");
  const rows = await ctx.db
    .select({
      lectureId: lectures.id,
      present: sql<number>`count(*) filter (where ${lectureAttendance.status} = 'PRESENT')::int`,
      late: sql<number>`count(*) filter (where ${lectureAttendance.status} = 'LATE')::int`,
      absent: sql<number>`count(*) filter (where ${lectureAttendance.status} = 'ABSENT')::int`,
      excused: sql<number>`count(*) filter (where ${lectureAttendance.status} = 'EXCUSED')::int`,
    })
    .from(lectures)
    .leftJoin(lectureAttendance, and(eq(lectureAttendance.tenantId, lectures.tenantId), eq(lectureAttendance.lectureId, lectures.id)))
    .where(and(ctx.scope.inTenant(lectures), eq(lectures.courseId, courseId)))
    .groupBy(lectures.id);
  const counts = new Map(rows.map((row) => [row.lectureId, row]));
  const all = await ctx.loaders.lecturesOfCourse.load(courseId);
  const enrolled = course.activeEnrollments;
  const { lateWeight } = await tenantAttendanceSettings(ctx);
  const none: StatusCounts = { present: 0, late: 0, absent: 0, excused: 0 };
  const total: StatusCounts = { ...none };
  const lecturesSummary = all.map((lecture) => {
    const { present, late, absent, excused } = counts.get(lecture.id) ?? none;
    const row = { present, late, absent, excused };
    for (const key of Object.keys(total) as (keyof StatusCounts)[]) total[key] += row[key];
    return { lecture, ...attendanceSummary(lecture, row, enrolled, lateWeight) };
  });
  return { course, lectures: lecturesSummary, ...total, rate: attendanceRate(total, lateWeight) };
}

// ---------------------------------------------------------------- instructor ratings

/**
 * A student (or a parent, for their child) rates the course's instructor, once
 * per course; rating again replaces the first rating.
 */
export async function rateInstructor(ctx: Context, input: { courseId: string; rating: string; comment?: string | null }) {
  const viewer = requireMember(ctx);
  if (!hasRole(viewer, "STUDENT", "PARENT")) throw forbidden();
  const rating = Number(input.rating);
  if (!RATING.test(input.rating) || rating < 1 || rating > 10) throw badInput("rating", "1.00 to 10.00");
  if (input.comment && input.comment.length > 2000) throw badInput("comment", "at most 2000 characters");
  return atomic(ctx, async (ctx) => {
    const course = await getCourse(ctx, input.courseId);
    if (!course.instructorId) throw new AppError("CONFLICT", "rating.noInstructor");
    const own = ownRowsOf(enrollments, await ownParticipantIds(ctx));
    const [enrolled] = own
      ? await ctx.db
          .select({ id: enrollments.id })
          .from(enrollments)
          .where(
            and(
              ctx.scope.inTenant(enrollments),
              eq(enrollments.courseId, course.id),
              inArray(enrollments.status, ["ACTIVE", "COMPLETED"]),
              own,
            ),
          )
          .limit(1)
      : [];
    if (!enrolled) throw new AppError("FORBIDDEN", "rating.notEnrolled");
    const values = { rating: rating.toFixed(2), comment: input.comment?.trim() || null, instructorId: course.instructorId };
    const [row] = await ctx.db
      .insert(instructorRatings)
      .values({ tenantId: course.tenantId, courseId: course.id, raterId: viewer.userId, ...values })
      .onConflictDoUpdate({
        target: [instructorRatings.tenantId, instructorRatings.courseId, instructorRatings.raterId],
        set: { ...values, updatedAt: new Date() },
      })
      .returning();
    await audit(ctx, { action: "instructor.rate", entity: "instructor_rating", entityId: row!.id, after: row });
    return row!;
  });
}

// ---------------------------------------------------------------- automatic absences

/**
 * Marks absent every participant with an ACTIVE enrolment (begun before the day
 * ended) in a course that had a non-cancelled lecture on `day` and no mark for it
 * (source AUTO_ABSENT, no rating, marked by nobody). A mark made at this very moment
 * wins; only the rows written are audited and announced, through the same domain
 * event a manual mark emits. attendanceTaken stays as it was.
 */
export async function markUnmarkedAbsent(ctx: Context, day: string): Promise<{ lectures: number; markedAbsent: number }> {
  const tenant = requireTenant(ctx);
  // A late (caught-up) run must not mark people who enrolled after the day ended.
  const dayEnd = zonedInstant(addDays(day, 1), "00:00", tenant.timeZone);
  const unmarked = await withParticipantAccounts(
    ctx.db
      .select({
        lecture: lectures,
        courseName: courses.name,
        studentId: enrollments.studentId,
        childId: enrollments.childId,
        // An account told about the participant: the student, or each guardian of the child who receives
        // alerts (one row each; null when none does).
        userId: sql<string | null>`${participantUserId}`,
        name: participantDisplayName,
      })
      .from(lectures)
      .innerJoin(courses, and(eq(courses.tenantId, lectures.tenantId), eq(courses.id, lectures.courseId)))
      .innerJoin(
        enrollments,
        and(
          eq(enrollments.tenantId, lectures.tenantId),
          eq(enrollments.courseId, lectures.courseId),
          eq(enrollments.status, "ACTIVE"),
          lt(enrollments.enrolledAt, dayEnd),
        ),
      )
      .$dynamic(),
  )
    .where(
      and(
        ctx.scope.inTenant(lectures),
        eq(lectures.date, day),
        ne(lectures.status, "CANCELLED"),
        notExists(
          ctx.db
            .select({ one: sql`1` })
            .from(lectureAttendance)
            .where(
              and(
                eq(lectureAttendance.tenantId, lectures.tenantId),
                eq(lectureAttendance.lectureId, lectures.id),
                sql`(${lectureAttendance.studentId} = ${enrollments.studentId} or ${lectureAttendance.childId} = ${enrollments.childId})`,
              ),
            ),
        ),
      ),
    )
    .orderBy(asc(lectures.startTime), asc(lectures.id), asc(enrollments.id));

  const [{ count: lectureCount } = { count: 0 }] = await ctx.db
    .select({ count: sql<number>`count(*)::int` })
    .from(lectures)
    .where(and(ctx.scope.inTenant(lectures), eq(lectures.date, day), ne(lectures.status, "CANCELLED")));

  const byLecture = new Map<string, { lecture: Lecture; courseName: string; rows: typeof unmarked }>();
  for (const row of unmarked) {
    const entry = byLecture.get(row.lecture.id) ?? { lecture: row.lecture, courseName: row.courseName, rows: [] };
    entry.rows.push(row);
    byLecture.set(row.lecture.id, entry);
  }

  let markedAbsent = 0;
  const now = new Date();
  for (const { lecture, courseName, rows } of byLecture.values()) {
    // DO NOTHING: a person marking the lecture at this very moment wins; only the
    // rows actually written count, are notified and announced.
    // One mark per participant (a child's guardians made several rows).
    const marked = [...new Map(rows.map((row) => [participantIdOf(row), row])).values()];
    const saved = await upsertPerParticipant(
      ctx,
      lectureAttendance,
      [lectureAttendance.tenantId, lectureAttendance.lectureId],
      marked.map((row) => ({
        participant: {
          id: participantIdOf(row),
          kind: row.studentId ? ("student" as const) : ("child" as const),
          studentId: row.studentId,
          childId: row.childId,
        },
        values: {
          tenantId: tenant.id,
          lectureId: lecture.id,
          status: "ABSENT" as const,
          rating: null,
          source: "AUTO_ABSENT" as const,
          markedBy: null,
          markedAt: now,
        },
      })),
      null,
    );
    if (saved.length === 0) continue;
    markedAbsent += saved.length;
    // attendanceTaken stays as it was: it records that a teacher took attendance,
    // which the weekly instructor report counts.
    await audit(ctx, { action: "attendance.autoAbsent", entity: "lecture", entityId: lecture.id, after: saved });
    const written = new Set(saved.map(participantIdOf));
    await emit(ctx, {
      type: "attendance.marked",
      tenantId: tenant.id,
      courseId: lecture.courseId,
      courseName,
      lecture,
      marks: saved,
      absent: rows.flatMap((row) =>
        row.userId && written.has(participantIdOf(row)) ? [{ userId: row.userId, participant: row.name }] : [],
      ),
    });
  }
  return { lectures: lectureCount, markedAbsent };
}
