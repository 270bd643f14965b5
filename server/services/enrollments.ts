/**
 * Enrolment: a request (PENDING → APPROVED / REJECTED / CANCELLED) decided by
 * staff; approval makes an ACTIVE enrolment (→ COMPLETED / DROPPED / REFUNDED).
 *
 * Capacity is enforced where several instances cannot race past it: approval
 * locks the course row, checks the count, and the trigger-maintained counter
 * carries a CHECK (active_enrollments ≤ capacity) as the last line of defence.
 */
import { and, eq, inArray, or, type SQL } from "drizzle-orm";
import { courses, enrollmentRequests, enrollments, type Enrollment, type EnrollmentRequest } from "../../drizzle/schema";
import type { EnrollmentRequestStatus, EnrollmentStatus } from "../../drizzle/tables/enums-types";
import { requireMember, requireRole, requireTenant } from "../auth/guards";
import {
  actsFor,
  alertUserIds,
  isOwn,
  ownParticipantIds,
  ownRowsOf,
  participantIdOf,
  teachersAllOthersOwn,
  teaches,
  viewerInstructorId,
} from "../auth/policies";
import { isStaff } from "../auth/viewer";
import { atomic, type Context } from "../context";
import { AppError, forbidden, notFound, onConstraint, wrongState } from "../errors";
import { emit } from "../domain-events/domain-events";
import { newestFirst, page } from "../db/page";
import { localDate } from "../time";
import { audit } from "./audit";
import { offerFreedPlaces } from "./course-waitlist";
import { requireNotArchived } from "./archive-rules";
import { canSeeCourse } from "./courses";
import {
  findParticipant,
  participantColumns,
  participantForViewer,
  participantName,
  requireCurrentParticipant,
  type Participant,
} from "./participants";

onConstraint("enrollment_requests_pending_student_key", () => new AppError("CONFLICT", "enrollment.pendingExists"));
onConstraint("enrollment_requests_pending_child_key", () => new AppError("CONFLICT", "enrollment.pendingExists"));
onConstraint("enrollments_course_student_key", () => new AppError("CONFLICT", "enrollment.alreadyEnrolled"));
onConstraint("enrollments_course_child_key", () => new AppError("CONFLICT", "enrollment.alreadyEnrolled"));

/** The participant's enrolment in a course, if any (whatever its status). */
async function enrollmentOf(ctx: Context, courseId: string, participant: Participant, lock = false) {
  const query = ctx.db
    .select()
    .from(enrollments)
    .where(
      and(
        ctx.scope.inTenant(enrollments),
        eq(enrollments.courseId, courseId),
        participant.studentId ? eq(enrollments.studentId, participant.studentId) : eq(enrollments.childId, participant.childId!),
      ),
    );
  const [row] = lock ? await query.for("update") : await query;
  return row ?? null;
}

/**
 * Asks for a place: parents for their own children, students for themselves,
 * staff for anyone of the tenant. The course must be visible, published (staff
 * excepted) and not over.
 */
export async function requestEnrollment(ctx: Context, input: { courseId: string; participantId: string; note?: string | null }) {
  const viewer = requireMember(ctx);
  return atomic(ctx, async (ctx) => {
    const participant = await participantForViewer(ctx, input.participantId, "enroll");
    requireCurrentParticipant(participant);
    const course = await ctx.loaders.course.load(input.courseId);
    if (!course || !(await canSeeCourse(ctx, course))) throw notFound("Course", input.courseId);
    requireNotArchived(course);
    if (!course.isPublished && !isStaff(viewer)) throw new AppError("CONFLICT", "course.notOpen");
    if (course.endsOn < localDate(new Date(), ctx.tenant!.timeZone)) throw new AppError("CONFLICT", "course.ended");
    const existing = await enrollmentOf(ctx, course.id, participant);
    if (existing?.status === "ACTIVE") {
      throw new AppError("CONFLICT", "enrollment.alreadyEnrolled", { participant: await participantName(ctx, participant) });
    }
    const [request] = await ctx.db
      .insert(enrollmentRequests)
      .values({
        tenantId: course.tenantId,
        courseId: course.id,
        ...participantColumns(participant),
        requestedBy: viewer.userId,
        note: input.note?.trim() || null,
      })
      .returning();
    await audit(ctx, { action: "enrollment.request", entity: "enrollment_request", entityId: request!.id, after: request });
    await emit(ctx, {
      type: "enrollment.requested",
      tenantId: course.tenantId,
      participant: await participantName(ctx, participant),
      course: course.name,
      courseId: course.id,
      requestId: request!.id,
    });
    return request!;
  });
}

/** The request, locked, after checking it exists in this tenant. */
async function lockRequest(ctx: Context, requestId: string): Promise<EnrollmentRequest> {
  requireTenant(ctx);
  const [request] = await ctx.db
    .select()
    .from(enrollmentRequests)
    .where(and(ctx.scope.inTenant(enrollmentRequests), eq(enrollmentRequests.id, requestId)))
    .for("update");
  if (!request) throw notFound("EnrollmentRequest", requestId);
  return request;
}

/** The participant of a row with student_id / child_id, or NOT_FOUND. */
export async function participantOfRow(ctx: Context, row: { studentId: string | null; childId: string | null }) {
  const participant = await findParticipant(ctx, participantIdOf(row));
  if (!participant) throw notFound("Participant", participantIdOf(row));
  return participant;
}

/** Staff approve a pending request: an ACTIVE enrolment, if a place is left. */
export async function approveEnrollmentRequest(ctx: Context, requestId: string) {
  const viewer = requireRole(ctx, "STAFF");
  return atomic(ctx, async (ctx) => {
    const request = await lockRequest(ctx, requestId);
    if (request.status !== "PENDING") throw wrongState("EnrollmentRequest", request.status, "PENDING");
    // Serialises approvals of one course across every instance.
    const [course] = await ctx.db
      .select()
      .from(courses)
      .where(and(ctx.scope.inTenant(courses), eq(courses.id, request.courseId)))
      .for("update");
    requireNotArchived(course!);
    const participant = await participantOfRow(ctx, request);
    requireCurrentParticipant(participant);
    // Places held for waitlist offers are not free.
    if (course!.activeEnrollments + course!.heldPlaces >= course!.capacity) {
      throw new AppError("CONFLICT", "course.full", { name: course!.name, capacity: course!.capacity });
    }
    const existing = await enrollmentOf(ctx, course!.id, participant, true);
    if (existing?.status === "ACTIVE") {
      throw new AppError("CONFLICT", "enrollment.alreadyEnrolled", { participant: await participantName(ctx, participant) });
    }
    const now = new Date();
    const [enrollment] = existing
      ? await ctx.db
          .update(enrollments)
          .set({ status: "ACTIVE", requestId: request.id, enrolledAt: now, endedAt: null })
          .where(and(ctx.scope.inTenant(enrollments), eq(enrollments.id, existing.id)))
          .returning()
      : await ctx.db
          .insert(enrollments)
          .values({ tenantId: request.tenantId, courseId: course!.id, ...participantColumns(participant), requestId: request.id })
          .returning();
    const [decided] = await ctx.db
      .update(enrollmentRequests)
      .set({ status: "APPROVED", decidedBy: viewer.userId, decidedAt: now })
      .where(and(ctx.scope.inTenant(enrollmentRequests), eq(enrollmentRequests.id, request.id)))
      .returning();
    ctx.loaders.course.clear(course!.id);
    await audit(ctx, { action: "enrollment.approve", entity: "enrollment_request", entityId: request.id, before: request, after: decided });
    await audit(ctx, {
      action: "enrollment.activate",
      entity: "enrollment",
      entityId: enrollment!.id,
      before: existing,
      after: enrollment,
    });
    await emit(ctx, {
      type: "enrollment.approved",
      tenantId: request.tenantId,
      recipients: [request.requestedBy, ...alertUserIds(participant)],
      participant: await participantName(ctx, participant),
      course: course!.name,
      enrollmentId: enrollment!.id,
      requestId: request.id,
    });
    return { request: decided!, enrollment: enrollment! };
  });
}

/** Staff decline a pending request, with a reason the family sees. */
export async function rejectEnrollmentRequest(ctx: Context, requestId: string, reason: string) {
  const viewer = requireRole(ctx, "STAFF");
  if (!reason.trim()) throw new AppError("BAD_USER_INPUT", "input.invalid", { field: "reason", reason: "required" }, { field: "reason" });
  return atomic(ctx, async (ctx) => {
    const request = await lockRequest(ctx, requestId);
    if (request.status !== "PENDING") throw wrongState("EnrollmentRequest", request.status, "PENDING");
    const [decided] = await ctx.db
      .update(enrollmentRequests)
      .set({ status: "REJECTED", decisionReason: reason.trim(), decidedBy: viewer.userId, decidedAt: new Date() })
      .where(and(ctx.scope.inTenant(enrollmentRequests), eq(enrollmentRequests.id, request.id)))
      .returning();
    const participant = await participantOfRow(ctx, request);
    const course = await ctx.loaders.course.load(request.courseId);
    await audit(ctx, { action: "enrollment.reject", entity: "enrollment_request", entityId: request.id, before: request, after: decided });
    await emit(ctx, {
      type: "enrollment.rejected",
      tenantId: request.tenantId,
      recipients: [request.requestedBy, ...alertUserIds(participant)],
      participant: await participantName(ctx, participant),
      course: course?.name ?? "",
      reason: reason.trim(),
      requestId: request.id,
    });
    return decided!;
  });
}

/** The requester (or staff) withdraws a pending request. */
export async function cancelEnrollmentRequest(ctx: Context, requestId: string) {
  const viewer = requireMember(ctx);
  return atomic(ctx, async (ctx) => {
    const request = await lockRequest(ctx, requestId);
    const participant = await participantOfRow(ctx, request);
    if (!actsFor(ctx, participant) && request.requestedBy !== viewer.userId) throw forbidden();
    if (request.status !== "PENDING") throw wrongState("EnrollmentRequest", request.status, "PENDING");
    const [after] = await ctx.db
      .update(enrollmentRequests)
      .set({ status: "CANCELLED", decidedBy: viewer.userId, decidedAt: new Date() })
      .where(and(ctx.scope.inTenant(enrollmentRequests), eq(enrollmentRequests.id, request.id)))
      .returning();
    await audit(ctx, { action: "enrollment.cancelRequest", entity: "enrollment_request", entityId: request.id, before: request, after });
    return after!;
  });
}

/** The enrolment, locked, if the viewer may change it (staff, or who acts for its participant). */
async function lockEnrollment(ctx: Context, enrollmentId: string, staffOnly: boolean): Promise<Enrollment> {
  const viewer = requireMember(ctx);
  if (staffOnly && !isStaff(viewer)) throw forbidden();
  const [enrollment] = await ctx.db
    .select()
    .from(enrollments)
    .where(and(ctx.scope.inTenant(enrollments), eq(enrollments.id, enrollmentId)))
    .for("update");
  if (!enrollment) throw notFound("Enrollment", enrollmentId);
  if (!isStaff(viewer)) {
    const participant = await participantOfRow(ctx, enrollment);
    // A guardian who may enrol the child may end its enrolment; others do not see it here.
    if (!actsFor(ctx, participant, "enroll")) throw notFound("Enrollment", enrollmentId);
  }
  return enrollment;
}

async function endEnrollment(ctx: Context, enrollmentId: string, status: Extract<EnrollmentStatus, "DROPPED" | "COMPLETED">) {
  return atomic(ctx, async (ctx) => {
    const before = await lockEnrollment(ctx, enrollmentId, status === "COMPLETED");
    if (before.status !== "ACTIVE") throw wrongState("Enrollment", before.status, "ACTIVE");
    const [after] = await ctx.db
      .update(enrollments)
      .set({ status, endedAt: new Date() })
      .where(and(ctx.scope.inTenant(enrollments), eq(enrollments.id, before.id)))
      .returning();
    ctx.loaders.course.clear(before.courseId);
    await audit(ctx, { action: `enrollment.${status.toLowerCase()}`, entity: "enrollment", entityId: before.id, before, after });
    // The freed place goes to the course's waitlist first (in this transaction, under the course lock).
    await offerFreedPlaces(ctx, before.courseId);
    return after!;
  });
}

/** Leaves a course (staff, or the student / the child's parent): the place frees up. */
export const dropEnrollment = (ctx: Context, enrollmentId: string) => endEnrollment(ctx, enrollmentId, "DROPPED");
/** Staff mark an enrolment as completed. */
export const completeEnrollment = (ctx: Context, enrollmentId: string) => endEnrollment(ctx, enrollmentId, "COMPLETED");

// ---------------------------------------------------------------- queries

/**
 * Which rows of a participant-owning table the viewer may list: staff all, an
 * instructor those of the courses they teach, others their own participants'.
 */
async function participantScope(ctx: Context, table: typeof enrollments | typeof enrollmentRequests): Promise<SQL | undefined> {
  if (isStaff(ctx.viewer)) return undefined;
  const mine = ownRowsOf(table, await ownParticipantIds(ctx));
  const instructorId = await viewerInstructorId(ctx);
  const taught = instructorId
    ? inArray(
        table.courseId,
        ctx.db
          .select({ id: courses.id })
          .from(courses)
          .where(and(ctx.scope.inTenant(courses), eq(courses.instructorId, instructorId))),
      )
    : undefined;
  const requested =
    table === enrollmentRequests && ctx.viewer.kind === "user" ? eq(enrollmentRequests.requestedBy, ctx.viewer.userId) : undefined;
  return or(mine, taught, requested) ?? ctx.scope.none();
}

export interface EnrollmentFilter {
  courseId?: string | null;
  participantId?: string | null;
  status?: EnrollmentStatus | null;
}

/** Enrolments the viewer may see, newest first. */
export async function listEnrollments(
  ctx: Context,
  args: { filter?: EnrollmentFilter | null; first?: number | null; after?: string | null },
) {
  requireMember(ctx);
  const f = args.filter ?? {};
  const where = and(
    ctx.scope.inTenant(enrollments),
    await participantScope(ctx, enrollments),
    f.courseId ? eq(enrollments.courseId, f.courseId) : undefined,
    f.participantId ? or(eq(enrollments.studentId, f.participantId), eq(enrollments.childId, f.participantId)) : undefined,
    f.status ? eq(enrollments.status, f.status) : undefined,
  );
  const order = newestFirst(enrollments.enrolledAt, enrollments.id);
  return page(ctx, { from: enrollments, where, order, first: args.first, after: args.after, prime: ctx.loaders.enrollment });
}

export interface EnrollmentRequestFilter {
  courseId?: string | null;
  status?: EnrollmentRequestStatus | null;
}

/** Enrolment requests the viewer may see (staff: all, e.g. the PENDING queue), newest first. */
export async function listEnrollmentRequests(
  ctx: Context,
  args: { filter?: EnrollmentRequestFilter | null; first?: number | null; after?: string | null },
) {
  requireMember(ctx);
  const f = args.filter ?? {};
  const where = and(
    ctx.scope.inTenant(enrollmentRequests),
    await participantScope(ctx, enrollmentRequests),
    f.courseId ? eq(enrollmentRequests.courseId, f.courseId) : undefined,
    f.status ? eq(enrollmentRequests.status, f.status) : undefined,
  );
  const order = newestFirst(enrollmentRequests.createdAt, enrollmentRequests.id);
  return page(ctx, { from: enrollmentRequests, where, order, first: args.first, after: args.after });
}

/** An enrolment the viewer may see, or NOT_FOUND. */
export async function getEnrollment(ctx: Context, id: string): Promise<Enrollment> {
  const viewer = requireMember(ctx);
  const enrollment = await ctx.loaders.enrollment.load(id);
  if (!enrollment) throw notFound("Enrollment", id);
  if (isStaff(viewer) || (await isOwn(ctx, enrollment)) || (await teaches(ctx, enrollment.courseId))) return enrollment;
  throw notFound("Enrollment", id);
}

/** Enrolments of a course: teachers see all, others only their own participants'. */
export async function enrollmentsOfCourseForViewer(ctx: Context, courseId: string): Promise<Enrollment[]> {
  return teachersAllOthersOwn(ctx, courseId, await ctx.loaders.enrollmentsOfCourse.load(courseId));
}
