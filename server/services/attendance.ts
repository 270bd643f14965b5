/**
 * Attendance: marks per participant per lecture, made in bulk for a lecture by
 * the course's instructor, staff, or an attendance device of the tenant; the
 * per-participant and per-course summaries; instructor ratings.
 */
import { and, eq, inArray, or, sql } from "drizzle-orm";
import {
  enrollments,
  instructorRatings,
  lectureAttendance,
  lectures,
  type Lecture,
  type LectureAttendance,
} from "../../drizzle/schema";
import { requireMember, requireTenant } from "../auth/guards";
import { hasRole, isStaff } from "../auth/viewer";
import { atomic, type Context } from "../context";
import { AppError, badInput, forbidden, notFound, wrongState } from "../errors";
import { emit } from "../events/domain-events";
import { audit } from "./audit";
import { canSeeCourse, getCourse, viewerInstructorId } from "./courses";
import { lockLecture } from "./lectures";
import { actsFor, findParticipant, findParticipants, ownParticipantIds, participantColumns, participantName, type Participant } from "./participants";

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
  if (isStaff(viewer)) return { userId: viewer.userId, deviceId: null };
  const course = await ctx.loaders.course.load(courseId);
  const instructorId = await viewerInstructorId(ctx);
  if (course && instructorId && course.instructorId === instructorId) return { userId: viewer.userId, deviceId: null };
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
      throw new AppError("BAD_USER_INPUT", "attendance.duplicateRow", { row: index + 1, first: seen.get(mark.participantId)! + 1 }, { row: index + 1 });
    }
    seen.set(mark.participantId, index);
  });

  return atomic(ctx, async (ctx) => {
    const lecture = await lockLecture(ctx, lectureId);
    const marker = await requireMarker(ctx, lecture.courseId);
    if (lecture.status === "CANCELLED") throw wrongState("Lecture", lecture.status, ["SCHEDULED", "COMPLETED"]);

    // Every participant must exist and hold an ACTIVE enrolment in the course.
    const known = await findParticipants(ctx, marks.map((mark) => mark.participantId));
    const participants: Participant[] = marks.map((mark, index) => {
      const participant = known.get(mark.participantId);
      if (!participant) {
        throw new AppError("BAD_USER_INPUT", "enrollment.unknownParticipant", { row: index + 1 }, { field: `marks[${index}].participantId`, row: index + 1 });
      }
      return participant;
    });
    const active = await ctx.db
      .select({ studentId: enrollments.studentId, childId: enrollments.childId })
      .from(enrollments)
      .where(
        and(
          ctx.scope.inTenant(enrollments),
          eq(enrollments.courseId, lecture.courseId),
          eq(enrollments.status, "ACTIVE"),
          or(
            // inArray of no ids matches nothing.
            inArray(enrollments.studentId, participants.flatMap((p) => (p.studentId ? [p.studentId] : []))),
            inArray(enrollments.childId, participants.flatMap((p) => (p.childId ? [p.childId] : []))),
          ),
        ),
      );
    const enrolled = new Set(active.map((row) => (row.studentId ?? row.childId)!));
    participants.forEach((participant, index) => {
      if (!enrolled.has(participant.id)) {
        throw new AppError("BAD_USER_INPUT", "enrollment.notEnrolledRow", { row: index + 1 }, { field: `marks[${index}].participantId`, row: index + 1 });
      }
    });

    const previous = await ctx.db
      .select()
      .from(lectureAttendance)
      .where(and(ctx.scope.inTenant(lectureAttendance), eq(lectureAttendance.lectureId, lectureId)));
    const before = new Map(previous.map((row) => [(row.studentId ?? row.childId)!, row]));
    const now = new Date();
    const common = {
      tenantId: tenant.id,
      lectureId,
      source: marker.deviceId ? ("DEVICE" as const) : ("MANUAL" as const),
      markedBy: marker.userId,
      markedByDeviceId: marker.deviceId,
      markedAt: now,
    };
    const rowsOf = (kind: Participant["kind"]) =>
      marks.flatMap((mark, index) =>
        participants[index]!.kind === kind
          ? [
              {
                ...common,
                ...participantColumns(participants[index]!),
                present: mark.present,
                rating: mark.present ? Number(mark.rating).toFixed(2) : null,
                notes: mark.notes?.trim() || null,
              },
            ]
          : [],
      );
    // One upsert per kind of participant (their unique keys differ); re-marking updates.
    const update = {
      present: sql`excluded.present`,
      rating: sql`excluded.rating`,
      notes: sql`excluded.notes`,
      source: sql`excluded.source`,
      markedBy: sql`excluded.marked_by`,
      markedByDeviceId: sql`excluded.marked_by_device_id`,
      markedAt: sql`excluded.marked_at`,
    };
    const [studentMarks, childMarks] = [rowsOf("student"), rowsOf("child")];
    const written = [
      ...(studentMarks.length
        ? await ctx.db
            .insert(lectureAttendance)
            .values(studentMarks)
            .onConflictDoUpdate({ target: [lectureAttendance.tenantId, lectureAttendance.lectureId, lectureAttendance.studentId], set: update })
            .returning()
        : []),
      ...(childMarks.length
        ? await ctx.db
            .insert(lectureAttendance)
            .values(childMarks)
            .onConflictDoUpdate({ target: [lectureAttendance.tenantId, lectureAttendance.lectureId, lectureAttendance.childId], set: update })
            .returning()
        : []),
    ];
    // In the order of the input rows.
    const byParticipant = new Map(written.map((row) => [(row.studentId ?? row.childId)!, row]));
    const saved: LectureAttendance[] = participants.map((participant) => byParticipant.get(participant.id)!);
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
        const was = before.get((row.studentId ?? row.childId)!);
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
  const own = new Set(await ownParticipantIds(ctx));
  return rows.filter((row) => own.has((row.studentId ?? row.childId)!));
}

/** Staff, or the instructor of the course. */
export async function teaches(ctx: Context, courseId: string): Promise<boolean> {
  if (isStaff(ctx.viewer)) return true;
  const course = await ctx.loaders.course.load(courseId);
  const instructorId = await viewerInstructorId(ctx);
  return Boolean(course && instructorId && course.instructorId === instructorId);
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
        participant.studentId ? eq(lectureAttendance.studentId, participant.studentId) : eq(lectureAttendance.childId, participant.childId!),
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
    const own = await ownParticipantIds(ctx);
    const [enrolled] = own.length
      ? await ctx.db
          .select({ id: enrollments.id })
          .from(enrollments)
          .where(
            and(
              ctx.scope.inTenant(enrollments),
              eq(enrollments.courseId, course.id),
              inArray(enrollments.status, ["ACTIVE", "COMPLETED"]),
              or(inArray(enrollments.studentId, own), inArray(enrollments.childId, own)),
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
