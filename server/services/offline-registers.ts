/**
 * Offline registers (issue 13): a device (or a teacher) downloads a day's registers — the
 * lectures, their participants, the marks so far and a version — marks offline, and syncs the
 * queued marks later. See docs/offline-registers.md for the rules; in short:
 *
 * - idempotent per clientMarkId: a mark synced before answers what it answered then;
 * - conflicts: a staff member's mark beats a device's (whatever the times), the nightly
 *   AUTO_ABSENT loses to any real mark, and between marks of the same rank the latest
 *   markedAt wins (a tie keeps the mark already there);
 * - the result lists every mark as applied, overridden (with the winning mark) or rejected
 *   (why); rejected marks are not stored, so a replay is checked again.
 *
 * A fixed number of statements however many marks (≤ 500): one per step, plus a few per
 * lecture written (the after-commit announcement).
 */
import { createHash } from "node:crypto";
import { and, asc, eq, inArray, ne } from "drizzle-orm";
import {
  attendanceSyncMarks,
  enrollments,
  lectureAttendance,
  lectures,
  type AttendanceSyncMark,
  type Lecture,
  type LectureAttendance,
} from "../../drizzle/schema";
import type { AttendanceStatus } from "../../drizzle/tables/enums-types";
import { requireMember, requireTenant } from "../auth/guards";
import { participantIdOf, teaches, teachesCourse } from "../auth/policies";
import { hasRole } from "../auth/viewer";
import { atomic, type Context } from "../context";
import { emit } from "../domain-events/domain-events";
import { badInput, forbidden } from "../errors";
import { audit } from "./audit";
import { fromExcluded } from "./participant-rows";
import { findParticipants, participantName, type Participant } from "./participants";

export const MAX_SYNC_MARKS = 500;
const MAX_REGISTER_LECTURES = 200;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Who is syncing: a device of the tenant, or a person who teaches (staff, instructors). */
function requireRegisterUser(ctx: Context) {
  if (ctx.viewer.kind === "device") return { userId: null, deviceId: ctx.viewer.deviceId };
  const viewer = requireMember(ctx);
  if (!hasRole(viewer, "ADMIN", "STAFF", "INSTRUCTOR")) throw forbidden();
  return { userId: viewer.userId, deviceId: null };
}

/** A register's version: changes whenever one of its marks does (a hash of ids, statuses and times). */
export function registerVersion(marks: readonly LectureAttendance[]): string {
  const hash = createHash("sha256");
  for (const mark of [...marks].sort((a, b) => a.id.localeCompare(b.id))) {
    hash.update(`${mark.id}:${mark.status}:${mark.minutesLate ?? ""}:${mark.markedAt.toISOString()};`);
  }
  return hash.digest("base64url").slice(0, 16);
}

export interface OfflineRegister {
  lecture: Lecture;
  version: string;
  participantIds: string[];
  marks: LectureAttendance[];
}

/** The day's registers: non-cancelled lectures (the viewer's courses for an instructor), with ACTIVE participants and marks. */
export async function offlineRegisters(ctx: Context, date: string): Promise<OfflineRegister[]> {
  requireTenant(ctx);
  const marker = requireRegisterUser(ctx);
  if (!DATE.test(date) || Number.isNaN(Date.parse(date))) throw badInput("date", "a date, YYYY-MM-DD");
  const all = await ctx.db
    .select()
    .from(lectures)
    .where(and(ctx.scope.inTenant(lectures), eq(lectures.date, date), ne(lectures.status, "CANCELLED")))
    .orderBy(asc(lectures.startTime), asc(lectures.id))
    .limit(MAX_REGISTER_LECTURES);
  // The courses in one batch (the loader), then who teaches which.
  const courses = await Promise.all(all.map((lecture) => ctx.loaders.course.load(lecture.courseId)));
  const mine = await Promise.all(courses.map((course) => !marker.userId || teachesCourse(ctx, course)));
  const day = all.filter((_, index) => mine[index]);
  if (day.length === 0) return [];
  const courseIds = [...new Set(day.map((lecture) => lecture.courseId))];
  const [enrolled, marks] = await Promise.all([
    ctx.db
      .select({ courseId: enrollments.courseId, studentId: enrollments.studentId, childId: enrollments.childId })
      .from(enrollments)
      .where(and(ctx.scope.inTenant(enrollments), inArray(enrollments.courseId, courseIds), eq(enrollments.status, "ACTIVE")))
      .orderBy(asc(enrollments.enrolledAt), asc(enrollments.id)),
    ctx.db
      .select()
      .from(lectureAttendance)
      .where(
        and(
          ctx.scope.inTenant(lectureAttendance),
          inArray(
            lectureAttendance.lectureId,
            day.map((lecture) => lecture.id),
          ),
        ),
      )
      .orderBy(asc(lectureAttendance.markedAt), asc(lectureAttendance.id)),
  ]);
  return day.map((lecture) => {
    const ofLecture = marks.filter((mark) => mark.lectureId === lecture.id);
    return {
      lecture,
      version: registerVersion(ofLecture),
      participantIds: enrolled.filter((row) => row.courseId === lecture.courseId).map(participantIdOf),
      marks: ofLecture,
    };
  });
}

export interface SyncMarkInput {
  clientMarkId: string;
  lectureId: string;
  participantId: string;
  status: AttendanceStatus;
  minutesLate?: number | null;
  reason?: string | null;
  markedAt: Date;
}

export type SyncRejection =
  | "INVALID"
  | "DUPLICATE"
  | "UNKNOWN_LECTURE"
  | "CANCELLED_LECTURE"
  | "NOT_YOUR_LECTURE"
  | "UNKNOWN_PARTICIPANT"
  | "NOT_ENROLLED";

export interface SyncResult {
  applied: { clientMarkId: string; mark: LectureAttendance }[];
  overridden: { clientMarkId: string; mark: LectureAttendance }[];
  rejected: { clientMarkId: string; reason: SyncRejection; message: string }[];
}

/** How strong a mark is in a conflict: staff 2, device 1, the nightly job 0. */
const rank = (mark: Pick<LectureAttendance, "source" | "markedBy">) =>
  mark.source === "AUTO_ABSENT" ? 0 : mark.markedBy && mark.source !== "SELF_CHECK_IN" ? 2 : 1;

/** Why an input mark is malformed, or null. */
function malformed(mark: SyncMarkInput, now: Date): string | null {
  if (mark.status === "LATE") {
    if (mark.minutesLate == null || !Number.isInteger(mark.minutesLate) || mark.minutesLate < 1 || mark.minutesLate > 1440) {
      return "LATE needs minutesLate from 1 to 1440";
    }
  } else if (mark.minutesLate != null) return "minutesLate is only for LATE";
  if (mark.reason != null && (mark.status !== "EXCUSED" || mark.reason.length > 1000))
    return "reason is only for EXCUSED (≤ 1000 characters)";
  if (Number.isNaN(mark.markedAt.getTime())) return "markedAt is not a time";
  if (mark.markedAt.getTime() > now.getTime() + 5 * 60_000) return "markedAt is in the future";
  return null;
}

/** Syncs queued offline marks; see the module comment for the rules. */
export async function syncAttendance(ctx: Context, marks: readonly SyncMarkInput[]): Promise<SyncResult> {
  const tenant = requireTenant(ctx);
  const marker = requireRegisterUser(ctx);
  if (marks.length === 0) throw badInput("marks", "empty");
  if (marks.length > MAX_SYNC_MARKS) throw badInput("marks", `at most ${MAX_SYNC_MARKS} marks`);
  const now = new Date();
  return atomic(ctx, async (ctx) => {
    const rejected = new Map<number, { reason: SyncRejection; message: string }>();
    const reject = (index: number, reason: SyncRejection, message: string) => {
      if (!rejected.has(index)) rejected.set(index, { reason, message });
    };
    const seen = new Set<string>();
    marks.forEach((mark, index) => {
      if (seen.has(mark.clientMarkId)) reject(index, "DUPLICATE", "the same clientMarkId as an earlier mark of this sync");
      seen.add(mark.clientMarkId);
      const problem = malformed(mark, now);
      if (problem) reject(index, "INVALID", problem);
    });

    // Marks synced before answer what they answered then.
    const replayed = new Map(
      (
        await ctx.db
          .select()
          .from(attendanceSyncMarks)
          .where(
            and(
              ctx.scope.inTenant(attendanceSyncMarks),
              inArray(
                attendanceSyncMarks.clientMarkId,
                marks.map((mark) => mark.clientMarkId),
              ),
            ),
          )
      ).map((row) => [row.clientMarkId, row]),
    );
    const fresh = marks.flatMap((mark, index) => (replayed.has(mark.clientMarkId) || rejected.has(index) ? [] : [{ mark, index }]));

    // The lectures, locked (marking a lecture online locks it too).
    const lectureIds = [...new Set([...fresh.map(({ mark }) => mark.lectureId), ...[...replayed.values()].map((row) => row.lectureId)])];
    const lectureRows = lectureIds.length
      ? await ctx.db
          .select()
          .from(lectures)
          .where(and(ctx.scope.inTenant(lectures), inArray(lectures.id, lectureIds)))
          .orderBy(asc(lectures.id))
          .for("update")
      : [];
    const lectureById = new Map(lectureRows.map((lecture) => [lecture.id, lecture]));
    const courseIds = [...new Set(lectureRows.map((lecture) => lecture.courseId))];
    const taught = await Promise.all(courseIds.map((courseId) => !marker.userId || teaches(ctx, courseId)));
    const teaching = new Map(courseIds.map((courseId, index) => [courseId, taught[index]!]));
    const participants = await findParticipants(
      ctx,
      fresh.map(({ mark }) => mark.participantId),
    );
    for (const { mark, index } of fresh) {
      const lecture = lectureById.get(mark.lectureId);
      if (!lecture) reject(index, "UNKNOWN_LECTURE", "no such lecture in this organisation");
      else if (lecture.status === "CANCELLED") reject(index, "CANCELLED_LECTURE", "the lecture was cancelled");
      else if (!teaching.get(lecture.courseId)) reject(index, "NOT_YOUR_LECTURE", "you do not teach this lecture's course");
      else if (!participants.has(mark.participantId)) reject(index, "UNKNOWN_PARTICIPANT", "no such student or child in this organisation");
    }
    const candidates = fresh.filter(({ index }) => !rejected.has(index));
    const enrolled = new Set(
      candidates.length
        ? (
            await ctx.db
              .select({ courseId: enrollments.courseId, studentId: enrollments.studentId, childId: enrollments.childId })
              .from(enrollments)
              .where(
                and(
                  ctx.scope.inTenant(enrollments),
                  eq(enrollments.status, "ACTIVE"),
                  inArray(enrollments.courseId, [...new Set(candidates.map(({ mark }) => lectureById.get(mark.lectureId)!.courseId))]),
                ),
              )
          ).map((row) => `${row.courseId}:${participantIdOf(row)}`)
        : [],
    );
    for (const { mark, index } of candidates) {
      if (!enrolled.has(`${lectureById.get(mark.lectureId)!.courseId}:${mark.participantId}`)) {
        reject(index, "NOT_ENROLLED", "the participant is not ACTIVE in the lecture's course");
      }
    }
    const valid = candidates.filter(({ index }) => !rejected.has(index));

    // The marks as they are (of the lectures touched), then the batch applied in markedAt order.
    const key = (lectureId: string, participantId: string) => `${lectureId}:${participantId}`;
    const existing = lectureIds.length
      ? await ctx.db
          .select()
          .from(lectureAttendance)
          .where(and(ctx.scope.inTenant(lectureAttendance), inArray(lectureAttendance.lectureId, lectureIds)))
      : [];
    const current = new Map<string, Pick<LectureAttendance, "source" | "markedBy" | "markedAt"> & { fromIndex?: number }>(
      existing.map((row) => [key(row.lectureId, participantIdOf(row)), row]),
    );
    const before = new Map(existing.map((row) => [key(row.lectureId, participantIdOf(row)), row]));
    const incomingSource = marker.deviceId ? ("DEVICE" as const) : ("MANUAL" as const);
    const outcome = new Map<number, "APPLIED" | "OVERRIDDEN">();
    for (const { mark, index } of [...valid].sort((a, b) => a.mark.markedAt.getTime() - b.mark.markedAt.getTime() || a.index - b.index)) {
      const k = key(mark.lectureId, mark.participantId);
      const there = current.get(k);
      const incoming = { source: incomingSource, markedBy: marker.userId, markedAt: mark.markedAt };
      const wins = !there || rank(incoming) > rank(there) || (rank(incoming) === rank(there) && mark.markedAt > there.markedAt);
      if (!wins) {
        outcome.set(index, "OVERRIDDEN");
        continue;
      }
      if (there?.fromIndex !== undefined) outcome.set(there.fromIndex, "OVERRIDDEN");
      outcome.set(index, "APPLIED");
      current.set(k, { ...incoming, fromIndex: index });
    }

    // Write the winners: one upsert per kind of participant.
    const winners = valid.filter(({ index }) => outcome.get(index) === "APPLIED");
    // upsertPerParticipant keys its answer by participant (one lecture); here marks span lectures.
    const set = fromExcluded(lectureAttendance, [
      "status",
      "minutesLate",
      "reason",
      "rating",
      "source",
      "markedBy",
      "markedByDeviceId",
      "markedAt",
    ]);
    const written: LectureAttendance[] = [];
    for (const kind of ["student", "child"] as const) {
      const ofKind = winners.filter(({ mark }) => participants.get(mark.participantId)!.kind === kind);
      if (ofKind.length === 0) continue;
      written.push(
        ...(await ctx.db
          .insert(lectureAttendance)
          .values(
            ofKind.map(({ mark }) => ({
              tenantId: tenant.id,
              lectureId: mark.lectureId,
              ...participantColumnsOf(participants.get(mark.participantId)!),
              status: mark.status,
              minutesLate: mark.status === "LATE" ? mark.minutesLate! : null,
              reason: mark.status === "EXCUSED" ? mark.reason?.trim() || null : null,
              rating: null,
              source: incomingSource,
              markedBy: marker.userId,
              markedByDeviceId: marker.deviceId,
              markedAt: mark.markedAt,
            })),
          )
          .onConflictDoUpdate({
            target: [
              lectureAttendance.tenantId,
              lectureAttendance.lectureId,
              kind === "student" ? lectureAttendance.studentId : lectureAttendance.childId,
            ],
            set,
          })
          .returning()),
      );
    }
    const finalMarks = new Map(existing.map((row) => [key(row.lectureId, participantIdOf(row)), row]));
    for (const row of written) finalMarks.set(key(row.lectureId, participantIdOf(row)), row);

    const stored = valid.map(({ mark, index }) => ({
      tenantId: tenant.id,
      clientMarkId: mark.clientMarkId,
      lectureId: mark.lectureId,
      ...participantColumnsOf(participants.get(mark.participantId)!),
      status: mark.status,
      markedAt: mark.markedAt,
      deviceId: marker.deviceId,
      userId: marker.userId,
      outcome: outcome.get(index)!,
    }));
    if (stored.length) await ctx.db.insert(attendanceSyncMarks).values(stored).onConflictDoNothing();

    if (written.length) {
      const touched = [...new Set(written.map((row) => row.lectureId))];
      await ctx.db
        .update(lectures)
        .set({ attendanceTaken: true })
        .where(and(ctx.scope.inTenant(lectures), inArray(lectures.id, touched)));
      for (const id of touched) ctx.loaders.lecture.clear(id);
      for (const lectureId of touched) {
        await audit(ctx, {
          action: "attendance.sync",
          entity: "lecture",
          entityId: lectureId,
          before: [...before.values()].filter((row) => row.lectureId === lectureId),
          after: written.filter((row) => row.lectureId === lectureId),
        });
      }
      await announce(ctx, written, before, lectureById, participants);
    }

    const result: SyncResult = { applied: [], overridden: [], rejected: [] };
    marks.forEach((mark, index) => {
      const refusal = rejected.get(index);
      if (refusal) {
        result.rejected.push({ clientMarkId: mark.clientMarkId, ...refusal });
        return;
      }
      const replay: AttendanceSyncMark | undefined = outcome.has(index) ? undefined : replayed.get(mark.clientMarkId);
      const what = replay ? replay.outcome : outcome.get(index)!;
      const lectureId = replay ? replay.lectureId : mark.lectureId;
      const participantId = replay ? participantIdOf(replay) : mark.participantId;
      const final = finalMarks.get(key(lectureId, participantId));
      if (!final) {
        // The mark's row is gone (the participant or lecture deleted since): nothing to show.
        result.rejected.push({ clientMarkId: mark.clientMarkId, reason: "UNKNOWN_LECTURE", message: "the lecture or participant is gone" });
        return;
      }
      (what === "APPLIED" ? result.applied : result.overridden).push({ clientMarkId: mark.clientMarkId, mark: final });
    });
    return result;
  });
}

const participantColumnsOf = (participant: Participant) => ({ studentId: participant.studentId, childId: participant.childId });

/** attendance.marked per lecture written (after commit: live updates; families of the newly absent are told). */
async function announce(
  ctx: Context,
  written: LectureAttendance[],
  before: Map<string, LectureAttendance>,
  lectureById: Map<string, Lecture>,
  participants: Map<string, Participant>,
) {
  const tenant = requireTenant(ctx);
  const byLecture = new Map<string, LectureAttendance[]>();
  for (const row of written) byLecture.set(row.lectureId, [...(byLecture.get(row.lectureId) ?? []), row]);
  const lectureList = [...byLecture.keys()].map((id) => lectureById.get(id)!);
  const courses = await Promise.all(lectureList.map((lecture) => ctx.loaders.course.load(lecture.courseId)));
  const absentNames = await Promise.all(
    written.map(async (row) => {
      const was = before.get(`${row.lectureId}:${participantIdOf(row)}`);
      if (row.status !== "ABSENT" || was?.status === "ABSENT") return null;
      const participant = participants.get(participantIdOf(row))!;
      return { lectureId: row.lectureId, userId: participant.userId, participant: await participantName(ctx, participant) };
    }),
  );
  for (const [index, lecture] of lectureList.entries()) {
    const course = courses[index]!;
    await emit(ctx, {
      type: "attendance.marked",
      tenantId: tenant.id,
      courseId: course.id,
      courseName: course.name,
      lecture,
      marks: byLecture.get(lecture.id)!,
      absent: absentNames.flatMap((entry) =>
        entry && entry.lectureId === lecture.id ? [{ userId: entry.userId, participant: entry.participant }] : [],
      ),
    });
  }
}
