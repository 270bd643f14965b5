/**
 * Absence excuses (issue 13): whoever acts for a participant (`actsFor`: the student, the
 * child's guardian, staff) submits one ahead of a lecture; staff or the course's instructor
 * accept it (the participant's mark becomes EXCUSED, with the reason) or reject it.
 */
import { and, eq, type SQL } from "drizzle-orm";
import { absenceExcuses, lectureAttendance, type AbsenceExcuse } from "../../drizzle/schema";
import type { ExcuseStatus } from "../../drizzle/tables/enums-types";
import { requireMember, requireTenant } from "../auth/guards";
import { ownParticipantIds, ownRowsOf, participantIdOf, teaches } from "../auth/policies";
import { isStaff } from "../auth/viewer";
import { atomic, type Context } from "../context";
import { newestFirst, page } from "../db/page";
import { emit } from "../domain-events/domain-events";
import { AppError, badInput, forbidden, notFound, wrongState } from "../errors";
import { zonedInstant } from "../time";
import { audit } from "./audit";
import { lockLecture } from "./lectures";
import { enrolledParticipants, fromExcluded, upsertPerParticipant } from "./participant-rows";
import { participantForViewer } from "./participants";

const trimmedReason = (reason: string, field = "reason") => {
  const value = reason.trim();
  if (!value || value.length > 1000) throw badInput(field, "1 to 1000 characters");
  return value;
};

/**
 * Submits (or, while still PENDING, replaces) an excuse for a lecture that has not started,
 * for a participant the viewer acts for who is ACTIVE in the course.
 */
export async function submitAbsenceExcuse(ctx: Context, input: { lectureId: string; participantId: string; reason: string }) {
  const tenant = requireTenant(ctx);
  const viewer = requireMember(ctx);
  const reason = trimmedReason(input.reason);
  return atomic(ctx, async (ctx) => {
    const participant = await participantForViewer(ctx, input.participantId);
    const lecture = await lockLecture(ctx, input.lectureId);
    if (lecture.status !== "SCHEDULED") throw wrongState("Lecture", lecture.status, "SCHEDULED");
    if (zonedInstant(lecture.date, lecture.startTime, tenant.timeZone) <= new Date()) {
      throw new AppError("CONFLICT", "attendance.excuseTooLate", {}, { field: "lectureId" });
    }
    await enrolledParticipants(ctx, lecture.courseId, [participant.id], ["ACTIVE"], () => ({ field: "participantId" }));
    const [existing] = await ctx.db
      .select()
      .from(absenceExcuses)
      .where(
        and(ctx.scope.inTenant(absenceExcuses), eq(absenceExcuses.lectureId, lecture.id), ownRowsOf(absenceExcuses, [participant.id])),
      );
    if (existing && existing.status !== "PENDING") throw wrongState("AbsenceExcuse", existing.status, "PENDING");
    const [saved] = await upsertPerParticipant(
      ctx,
      absenceExcuses,
      [absenceExcuses.tenantId, absenceExcuses.lectureId],
      [{ participant, values: { tenantId: tenant.id, lectureId: lecture.id, reason, submittedBy: viewer.userId } }],
      { ...fromExcluded(absenceExcuses, ["reason", "submittedBy"]), updatedAt: new Date() },
    );
    await audit(ctx, {
      action: existing ? "absenceExcuse.update" : "absenceExcuse.submit",
      entity: "absence_excuse",
      entityId: saved!.id,
      before: existing,
      after: saved,
    });
    return saved!;
  });
}

/**
 * Staff or the course's instructor decide a PENDING excuse. Accepting marks the participant
 * EXCUSED for the lecture (with the excuse's reason) unless they were marked PRESENT or LATE.
 */
export async function decideAbsenceExcuse(ctx: Context, id: string, accept: boolean, note?: string | null) {
  const tenant = requireTenant(ctx);
  const viewer = requireMember(ctx);
  if (note != null && note.length > 1000) throw badInput("note", "at most 1000 characters");
  return atomic(ctx, async (ctx) => {
    const [excuse] = await ctx.db
      .select()
      .from(absenceExcuses)
      .where(and(ctx.scope.inTenant(absenceExcuses), eq(absenceExcuses.id, id)))
      .for("update");
    if (!excuse) throw notFound("AbsenceExcuse", id);
    const lecture = await lockLecture(ctx, excuse.lectureId);
    if (!(await teaches(ctx, lecture.courseId))) {
      if ((await ownParticipantIds(ctx)).includes(participantIdOf(excuse))) throw forbidden();
      throw notFound("AbsenceExcuse", id);
    }
    if (excuse.status !== "PENDING") throw wrongState("AbsenceExcuse", excuse.status, "PENDING");
    const status: ExcuseStatus = accept ? "ACCEPTED" : "REJECTED";
    const [decided] = await ctx.db
      .update(absenceExcuses)
      .set({ status, decidedBy: viewer.userId, decidedAt: new Date(), decisionNote: note?.trim() || null, updatedAt: new Date() })
      .where(and(ctx.scope.inTenant(absenceExcuses), eq(absenceExcuses.id, id)))
      .returning();
    await audit(ctx, {
      action: `absenceExcuse.${accept ? "accept" : "reject"}`,
      entity: "absence_excuse",
      entityId: id,
      before: excuse,
      after: decided,
    });
    if (!accept) return decided!;

    const [mark] = await ctx.db
      .select()
      .from(lectureAttendance)
      .where(
        and(
          ctx.scope.inTenant(lectureAttendance),
          eq(lectureAttendance.lectureId, lecture.id),
          ownRowsOf(lectureAttendance, [participantIdOf(excuse)]),
        ),
      );
    if (mark?.present) throw new AppError("CONFLICT", "attendance.excuseAttended");
    const participant = excuse.studentId
      ? { id: excuse.studentId, kind: "student" as const, studentId: excuse.studentId, childId: null }
      : { id: excuse.childId!, kind: "child" as const, studentId: null, childId: excuse.childId! };
    const saved = await upsertPerParticipant(
      ctx,
      lectureAttendance,
      [lectureAttendance.tenantId, lectureAttendance.lectureId],
      [
        {
          participant,
          values: {
            tenantId: tenant.id,
            lectureId: lecture.id,
            status: "EXCUSED",
            reason: excuse.reason,
            minutesLate: null,
            rating: null,
            source: "MANUAL",
            markedBy: viewer.userId,
            markedByDeviceId: null,
            markedAt: new Date(),
          },
        },
      ],
      fromExcluded(lectureAttendance, ["status", "reason", "minutesLate", "rating", "source", "markedBy", "markedByDeviceId", "markedAt"]),
    );
    await audit(ctx, { action: "attendance.excused", entity: "lecture", entityId: lecture.id, before: mark ? [mark] : [], after: saved });
    const course = (await ctx.loaders.course.load(lecture.courseId))!;
    await emit(ctx, {
      type: "attendance.marked",
      tenantId: tenant.id,
      courseId: course.id,
      courseName: course.name,
      lecture,
      marks: saved,
      absent: [],
    });
    return decided!;
  });
}

/** Excuses, newest first: teachers see every one (staff) or their courses' (instructors); families their own. */
export async function listAbsenceExcuses(
  ctx: Context,
  args: { status?: ExcuseStatus | null; lectureId?: string | null; first?: number | null; after?: string | null },
) {
  requireTenant(ctx);
  requireMember(ctx);
  let visible: SQL | undefined = ownRowsOf(absenceExcuses, await ownParticipantIds(ctx)) ?? ctx.scope.none();
  if (isStaff(ctx.viewer)) visible = undefined;
  else if (args.lectureId) {
    const lecture = await ctx.loaders.lecture.load(args.lectureId);
    if (lecture && (await teaches(ctx, lecture.courseId))) visible = undefined;
  }
  return page(ctx, {
    from: absenceExcuses,
    where: and(
      ctx.scope.inTenant(absenceExcuses),
      args.status ? eq(absenceExcuses.status, args.status) : undefined,
      args.lectureId ? eq(absenceExcuses.lectureId, args.lectureId) : undefined,
      visible,
    ),
    order: newestFirst(absenceExcuses.createdAt, absenceExcuses.id),
    first: args.first,
    after: args.after,
  });
}

export type { AbsenceExcuse };
