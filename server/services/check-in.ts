/**
 * Check-in at the door (issue 13). Every participant has a signed QR code (per tenant,
 * revocable, no personal data: server/auth/check-in-codes.ts); a device of the tenant, staff
 * or the course's instructor scans it and the participant is marked PRESENT, or LATE when
 * more than the tenant's grace after the lecture's start, for the lecture of their courses
 * happening now (from 30 minutes before its start to its end, in the tenant's time zone).
 * Scanning again changes nothing. Students may also check themselves in with the rotating
 * code a lecture's screen shows (when the tenant allows it).
 */
import { and, eq, gte, inArray, lte, ne, sql } from "drizzle-orm";
import {
  checkInTokens,
  enrollments,
  lectureAttendance,
  lectures,
  students,
  type Lecture,
  type LectureAttendance,
} from "../../drizzle/schema";
import type { AttendanceSource } from "../../drizzle/tables/enums-types";
import { CODE_STEP_MS, codeStep, lectureCode, lectureCodeMatches, signQrToken, verifyQrToken } from "../auth/check-in-codes";
import { requireMember, requireTenant } from "../auth/guards";
import { ownRowsOf, teaches } from "../auth/policies";
import { hasRole } from "../auth/viewer";
import { atomic, type Context } from "../context";
import { emit } from "../domain-events/domain-events";
import { AppError, type ErrorCode, forbidden, wrongState } from "../errors";
import { consume, refuseWhenSpent } from "../rate-limits";
import type { MessageKey } from "../i18n";
import { addDays, localDate, zonedInstant } from "../time";
import { tenantAttendanceSettings } from "./attendance-settings";
import { audit } from "./audit";
import { lockLecture } from "./lectures";
import { fromExcluded, upsertPerParticipant } from "./participant-rows";
import { findParticipant, participantForViewer, participantName, type Participant } from "./participants";

/** How long before a lecture's start check-in opens. */
export const CHECK_IN_OPENS_MINUTES = 30;

const refuse = (reason: string, code: ErrorCode, key: MessageKey, params: Record<string, string> = {}) =>
  new AppError(code, key, params, { reason });

const invalidToken = () => new AppError("FORBIDDEN", "checkIn.invalidToken", {}, { reason: "INVALID_CHECK_IN_CODE" });

/** The window in which a lecture takes check-ins: [start − 30 min, end]. */
function lectureWindow(lecture: Pick<Lecture, "date" | "startTime" | "durationMinutes">, timeZone: string) {
  const start = zonedInstant(lecture.date, lecture.startTime, timeZone);
  return {
    start,
    opens: new Date(start.getTime() - CHECK_IN_OPENS_MINUTES * 60_000),
    ends: new Date(start.getTime() + lecture.durationMinutes * 60_000),
  };
}

const happeningNow = (lecture: Lecture, timeZone: string, now: Date) => {
  const { opens, ends } = lectureWindow(lecture, timeZone);
  return opens <= now && now <= ends;
};

/** Non-cancelled lectures around today (yesterday to tomorrow, local) happening now; of one participant's ACTIVE courses when given. */
async function lecturesNow(ctx: Context, now: Date, participant?: Pick<Participant, "id">): Promise<Lecture[]> {
  const tenant = requireTenant(ctx);
  const today = localDate(now, tenant.timeZone);
  const rows = await ctx.db
    .select({ lecture: lectures })
    .from(lectures)
    .where(
      and(
        ctx.scope.inTenant(lectures),
        gte(lectures.date, addDays(today, -1)),
        lte(lectures.date, addDays(today, 1)),
        ne(lectures.status, "CANCELLED"),
        participant
          ? inArray(
              lectures.courseId,
              ctx.db
                .select({ courseId: enrollments.courseId })
                .from(enrollments)
                .where(and(ctx.scope.inTenant(enrollments), eq(enrollments.status, "ACTIVE"), ownRowsOf(enrollments, [participant.id]))),
            )
          : undefined,
      ),
    )
    .limit(500);
  return rows.map((row) => row.lecture).filter((lecture) => happeningNow(lecture, tenant.timeZone, now));
}

/** Whether the participant holds an ACTIVE enrolment in the course. */
async function isEnrolled(ctx: Context, courseId: string, participant: Pick<Participant, "id">) {
  const [row] = await ctx.db
    .select({ one: sql`1` })
    .from(enrollments)
    .where(
      and(
        ctx.scope.inTenant(enrollments),
        eq(enrollments.courseId, courseId),
        eq(enrollments.status, "ACTIVE"),
        ownRowsOf(enrollments, [participant.id]),
      ),
    )
    .limit(1);
  return Boolean(row);
}

export interface CheckInResult {
  mark: LectureAttendance;
  lecture: Lecture;
  /** True when the participant was already checked in (present or late): nothing changed. */
  alreadyCheckedIn: boolean;
}

/**
 * Marks the participant PRESENT or LATE for the lecture, unless already there (idempotent).
 * A previous ABSENT / EXCUSED mark is replaced: the participant came after all.
 */
async function writeCheckIn(
  ctx: Context,
  lecture: Lecture,
  participant: Pick<Participant, "id" | "kind" | "studentId" | "childId">,
  source: AttendanceSource,
  marker: { userId: string | null; deviceId: string | null },
  now: Date,
): Promise<CheckInResult> {
  const tenant = requireTenant(ctx);
  const [existing] = await ctx.db
    .select()
    .from(lectureAttendance)
    .where(
      and(
        ctx.scope.inTenant(lectureAttendance),
        eq(lectureAttendance.lectureId, lecture.id),
        ownRowsOf(lectureAttendance, [participant.id]),
      ),
    );
  if (existing?.present) return { mark: existing, lecture, alreadyCheckedIn: true };
  const { lateGraceMinutes } = await tenantAttendanceSettings(ctx);
  const minutes = Math.floor((now.getTime() - lectureWindow(lecture, tenant.timeZone).start.getTime()) / 60_000);
  const late = minutes > lateGraceMinutes;
  const [mark] = await upsertPerParticipant(
    ctx,
    lectureAttendance,
    [lectureAttendance.tenantId, lectureAttendance.lectureId],
    [
      {
        participant,
        values: {
          tenantId: tenant.id,
          lectureId: lecture.id,
          status: late ? "LATE" : "PRESENT",
          minutesLate: late ? Math.min(minutes, 1440) : null,
          reason: null,
          rating: null,
          source,
          markedBy: marker.userId,
          markedByDeviceId: marker.deviceId,
          markedAt: now,
        },
      },
    ],
    fromExcluded(lectureAttendance, ["status", "minutesLate", "reason", "rating", "source", "markedBy", "markedByDeviceId", "markedAt"]),
  );
  await audit(ctx, {
    action: "attendance.checkIn",
    entity: "lecture",
    entityId: lecture.id,
    before: existing ? [existing] : [],
    after: [mark],
  });
  const course = (await ctx.loaders.course.load(lecture.courseId))!;
  await emit(ctx, {
    type: "attendance.marked",
    tenantId: tenant.id,
    courseId: course.id,
    courseName: course.name,
    lecture,
    marks: [mark!],
    absent: [],
  });
  return { mark: mark!, lecture, alreadyCheckedIn: false };
}

/** Who may scan: a device of the tenant, staff, or an instructor (of the lecture's course, checked per lecture). */
function requireScanner(ctx: Context) {
  if (ctx.viewer.kind === "device") return { userId: null, deviceId: ctx.viewer.deviceId };
  const viewer = requireMember(ctx);
  if (!hasRole(viewer, "ADMIN", "STAFF", "INSTRUCTOR")) throw forbidden();
  return { userId: viewer.userId, deviceId: null };
}

/** The current version of a participant's QR code (1 when never revoked). */
async function codeVersion(ctx: Context, participantId: string): Promise<number> {
  const [row] = await ctx.db
    .select({ version: checkInTokens.version })
    .from(checkInTokens)
    .where(and(ctx.scope.inTenant(checkInTokens), ownRowsOf(checkInTokens, [participantId])));
  return row?.version ?? 1;
}

/** The QR payload of a participant the viewer acts for (the student, the child's guardian, staff). */
export async function checkInCode(ctx: Context, participantId: string) {
  const tenant = requireTenant(ctx);
  const participant = await participantForViewer(ctx, participantId);
  const version = await codeVersion(ctx, participant.id);
  return {
    participantId: participant.id,
    version,
    token: await signQrToken(ctx.app.signingKey, { tenantId: tenant.id, participantId: participant.id, version }),
  };
}

/** Revokes a participant's QR code (a lost card): codes given out so far stop working; returns the new one. */
export async function revokeCheckInCode(ctx: Context, participantId: string) {
  const tenant = requireTenant(ctx);
  const participant = await participantForViewer(ctx, participantId);
  return atomic(ctx, async (ctx) => {
    const [row] = await upsertPerParticipant(
      ctx,
      checkInTokens,
      [checkInTokens.tenantId],
      [{ participant, values: { tenantId: tenant.id, version: 2 } }],
      { version: sql`${checkInTokens.version} + 1`, updatedAt: new Date() },
    );
    await audit(ctx, { action: "checkInCode.revoke", entity: "participant", entityId: participant.id, after: { version: row!.version } });
    const version = row!.version;
    return {
      participantId: participant.id,
      version,
      token: await signQrToken(ctx.app.signingKey, { tenantId: tenant.id, participantId: participant.id, version }),
    };
  });
}

/**
 * Checks a participant in by their QR code, for `lectureId` or the lecture of their courses
 * happening now. Refusals are typed (extensions.reason): INVALID_CHECK_IN_CODE (forged,
 * revoked, another tenant's), NOT_ENROLLED, NO_CURRENT_LECTURE, NOT_NOW.
 */
export async function checkIn(ctx: Context, token: string, lectureId?: string | null): Promise<CheckInResult> {
  const tenant = requireTenant(ctx);
  const marker = requireScanner(ctx);
  const claims = await verifyQrToken(ctx.app.signingKey, token);
  if (!claims || claims.tenantId !== tenant.id) throw invalidToken();
  return atomic(ctx, async (ctx) => {
    const participant = await findParticipant(ctx, claims.participantId);
    if (!participant || (await codeVersion(ctx, participant.id)) !== claims.version) throw invalidToken();
    const name = { participant: await participantName(ctx, participant) };
    const now = new Date();
    let lecture: Lecture;
    if (lectureId) {
      lecture = await lockLecture(ctx, lectureId);
      if (marker.userId && !(await teaches(ctx, lecture.courseId))) throw new AppError("FORBIDDEN", "attendance.notYourLecture");
      if (lecture.status === "CANCELLED") throw wrongState("Lecture", lecture.status, ["SCHEDULED", "COMPLETED"]);
      if (!(await isEnrolled(ctx, lecture.courseId, participant))) throw refuse("NOT_ENROLLED", "FORBIDDEN", "checkIn.notEnrolled", name);
      if (!happeningNow(lecture, tenant.timeZone, now)) throw refuse("NOT_NOW", "CONFLICT", "checkIn.notNow");
    } else {
      const scannable = async (found: Lecture[]) => {
        const allowed = await Promise.all(found.map((candidate) => !marker.userId || teaches(ctx, candidate.courseId)));
        return found.filter((_, index) => allowed[index]);
      };
      const mine = await scannable(await lecturesNow(ctx, now, participant));
      if (mine.length === 0) {
        // Someone with no lecture now: not enrolled in what is going on, or nothing is.
        const going = await scannable(await lecturesNow(ctx, now));
        if (going.length > 0) throw refuse("NOT_ENROLLED", "FORBIDDEN", "checkIn.notEnrolled", name);
        throw refuse("NO_CURRENT_LECTURE", "CONFLICT", "checkIn.noLecture", name);
      }
      const distance = (l: Lecture) => Math.abs(lectureWindow(l, tenant.timeZone).start.getTime() - now.getTime());
      lecture = mine.sort((a, b) => distance(a) - distance(b))[0]!;
    }
    return writeCheckIn(ctx, lecture, participant, "CHECK_IN", marker, now);
  });
}

/** The lecture's rotating self check-in code (a device of the tenant, staff, the course's instructor). */
export async function lectureCheckInCode(ctx: Context, lectureId: string) {
  const tenant = requireTenant(ctx);
  const marker = requireScanner(ctx);
  const lecture = await ctx.loaders.lecture.load(lectureId);
  if (!lecture) throw new AppError("NOT_FOUND", "notFound", { entity: "Lecture", id: lectureId });
  if (marker.userId && !(await teaches(ctx, lecture.courseId))) throw new AppError("FORBIDDEN", "attendance.notYourLecture");
  if (lecture.status === "CANCELLED") throw wrongState("Lecture", lecture.status, ["SCHEDULED", "COMPLETED"]);
  const step = codeStep(new Date());
  return { code: lectureCode(ctx.app.signingKey, tenant.id, lecture.id, step), validUntil: new Date((step + 1) * CODE_STEP_MS), lecture };
}

/** A signed-in student checks themself in with the code on the lecture's screen (this step's or the previous one). */
export async function checkInMyself(ctx: Context, code: string): Promise<CheckInResult> {
  const tenant = requireTenant(ctx);
  const viewer = requireMember(ctx);
  if (!/^\d{8}$/.test(code)) throw new AppError("BAD_USER_INPUT", "checkIn.invalidCode", {}, { field: "code", reason: "INVALID_CODE" });
  if (!hasRole(viewer, "STUDENT")) throw forbidden();
  const { selfCheckIn } = await tenantAttendanceSettings(ctx);
  if (!selfCheckIn) throw refuse("SELF_CHECK_IN_OFF", "FORBIDDEN", "checkIn.selfOff");
  // Wrong codes count against the student (RATE_LIMIT_LOGIN_PER_15_MIN): guessing 8 digits stays hopeless.
  const guesses = ctx.app.rateLimits.login;
  const guessKey = `check-in:${tenant.id}:${viewer.userId}`;
  await refuseWhenSpent(guesses, guessKey);
  return atomic(ctx, async (ctx) => {
    const [student] = await ctx.db
      .select()
      .from(students)
      .where(and(ctx.scope.inTenant(students), eq(students.userId, viewer.userId)));
    if (!student) throw forbidden();
    const participant = { id: student.id, kind: "student" as const, studentId: student.id, childId: null };
    const now = new Date();
    const lecture = (await lecturesNow(ctx, now, participant)).find((candidate) =>
      lectureCodeMatches(ctx.app.signingKey, tenant.id, candidate.id, code, now),
    );
    if (!lecture) {
      await consume(guesses, guessKey);
      throw new AppError("BAD_USER_INPUT", "checkIn.invalidCode", {}, { field: "code", reason: "INVALID_CODE" });
    }
    return writeCheckIn(ctx, lecture, participant, "SELF_CHECK_IN", { userId: viewer.userId, deviceId: null }, now);
  });
}
