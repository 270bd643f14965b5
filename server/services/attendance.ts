/**
 * Attendance: marks per participant per lecture, made in bulk for a lecture by
 * the course's instructor, staff, or an attendance device of the tenant; the
 * per-participant and per-course summaries; instructor ratings.
 */
import { and, asc, eq, inArray, lt, ne, notExists, sql } from "drizzle-orm";
import {
  children,
  courses,
  enrollments,
  instructorRatings,
  lectureAttendance,
  lectures,
  parents,
  students,
  users,
  type Lecture,
  type LectureAttendance,
} from "../../drizzle/schema";
import { requireMember, requireTenant } from "../auth/guards";
import { actsFor, onlyOwn, ownParticipantIds, ownRowsOf, participantIdOf, teaches } from "../auth/policies";
import { hasRole } from "../auth/viewer";
import { atomic, type Context } from "../context";
import { AppError, badInput, forbidden, notFound, wrongState } from "../errors";
import { emit } from "../domain-events/domain-events";
import { addDays, zonedInstant } from "../time";
import { audit } from "./audit";
import { canSeeCourse, getCourse, requireNotArchived } from "./courses";
import { lockLecture } from "./lectures";
import { enrolledParticipants, fromExcluded, upsertPerParticipant } from "./participant-rows";
import { findParticipant, participantName } from "./participants";

export interface MarkInput {
  participantId: string;
  present: boolean;
  rating?: string | null;
  notes?: string | null;
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
function checkMark(mark: MarkInput, index: number) {
  const row = index + 1;
  const field = `marks[${index}]`;
  if (mark.present) {
    if (mark.rating == null) throw new AppError("BAD_USER_INPUT", "attendance.ratingRequired", { row }, { field: `${field}.rating`, row });
    const rating = Number(mark.rating);
    if (!RATING.test(mark.rating) || rating < 1 || rating > 10) {
      throw new AppError("BAD_USER_INPUT", "attendance.ratingRange", { row, rating: mark.rating }, { field: `${field}.rating`, row });
    }
  } else if (mark.rating != null) {
    throw new AppError("BAD_USER_INPUT", "attendance.ratingWhenAbsent", { row }, { field: `${field}.rating`, row });
  }
  if (mark.notes != null && mark.notes.length > 1000) throw badInput(`${field}.notes`, "at most 1000 characters");
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
  marks.forEach(checkMark);
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
          present: mark.present,
          rating: mark.present ? Number(mark.rating).toFixed(2) : null,
          notes: mark.notes?.trim() || null,
        },
      })),
      fromExcluded(lectureAttendance, ["present", "rating", "notes", "source", "markedBy", "markedByDeviceId", "markedAt"]),
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
        if (row.present || (was && !was.present)) return [];
        const participant = participants[index]!;
        return [participantName(ctx, participant).then((name) => ({ userId: participant.userId, participant: name }))];
      }),
    );
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
  const present = visible.filter((mark) => mark.present).length;
  return {
    participant,
    records: visible,
    present,
    absent: visible.length - present,
    rate: visible.length ? present / visible.length : null,
  };
}

/** A lecture's counts: present, absent, ACTIVE participants not marked (none for a cancelled lecture), rate. */
export function attendanceSummary(lecture: Pick<Lecture, "status">, present: number, absent: number, enrolled: number) {
  const marked = present + absent;
  return {
    present,
    absent,
    unmarked: lecture.status === "CANCELLED" ? 0 : Math.max(0, enrolled - marked),
    rate: marked ? present / marked : null,
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
      present: sql<number>`count(*) filter (where ${lectureAttendance.present})::int`,
      absent: sql<number>`count(*) filter (where not ${lectureAttendance.present})::int`,
    })
    .from(lectures)
    .leftJoin(lectureAttendance, and(eq(lectureAttendance.tenantId, lectures.tenantId), eq(lectureAttendance.lectureId, lectures.id)))
    .where(and(ctx.scope.inTenant(lectures), eq(lectures.courseId, courseId)))
    .groupBy(lectures.id);
  const counts = new Map(rows.map((row) => [row.lectureId, row]));
  const all = await ctx.loaders.lecturesOfCourse.load(courseId);
  const enrolled = course.activeEnrollments;
  const lecturesSummary = all.map((lecture) => {
    const { present = 0, absent = 0 } = counts.get(lecture.id) ?? {};
    return { lecture, ...attendanceSummary(lecture, present, absent, enrolled) };
  });
  const present = lecturesSummary.reduce((sum, row) => sum + row.present, 0);
  const marked = lecturesSummary.reduce((sum, row) => sum + row.present + row.absent, 0);
  return { course, lectures: lecturesSummary, rate: marked ? present / marked : null };
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
  const unmarked = await ctx.db
    .select({
      lecture: lectures,
      courseName: courses.name,
      studentId: enrollments.studentId,
      childId: enrollments.childId,
      // The account answering for the participant: the student, or the child's parent.
      userId: sql<string>`coalesce(${students.userId}, ${parents.userId})`,
      name: sql<string>`trim(coalesce(${children.firstName} || ' ' || ${children.lastName}, ${users.firstName} || ' ' || ${users.lastName}, ''))`,
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
    .leftJoin(students, and(eq(students.tenantId, enrollments.tenantId), eq(students.id, enrollments.studentId)))
    .leftJoin(users, eq(users.id, students.userId))
    .leftJoin(children, and(eq(children.tenantId, enrollments.tenantId), eq(children.id, enrollments.childId)))
    .leftJoin(parents, and(eq(parents.tenantId, children.tenantId), eq(parents.id, children.parentId)))
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
    const saved = await upsertPerParticipant(
      ctx,
      lectureAttendance,
      [lectureAttendance.tenantId, lectureAttendance.lectureId],
      rows.map((row) => ({
        participant: {
          id: participantIdOf(row),
          kind: row.studentId ? ("student" as const) : ("child" as const),
          studentId: row.studentId,
          childId: row.childId,
        },
        values: {
          tenantId: tenant.id,
          lectureId: lecture.id,
          present: false,
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
    const who = new Map(rows.map((row) => [participantIdOf(row), row]));
    await emit(ctx, {
      type: "attendance.marked",
      tenantId: tenant.id,
      courseId: lecture.courseId,
      courseName,
      lecture,
      marks: saved,
      absent: saved.map((mark) => {
        const row = who.get(participantIdOf(mark))!;
        return { userId: row.userId, participant: row.name };
      }),
    });
  }
  return { lectures: lectureCount, markedAbsent };
}
