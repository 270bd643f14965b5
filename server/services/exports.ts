/**
 * Staff exports (attendance, enrolments, payments, refunds): who may export what,
 * the columns, and the rows read in keyset batches inside the request's
 * transaction, so a large export never sits in memory as a whole. The formats
 * (CSV, XLSX) and the streaming are the transport's (server/http/exports.ts).
 *
 * Times are written in the tenant's time zone; lecture dates and times are the
 * local ones they were planned in.
 */
import { and, asc, eq, gte, lt, sql, type SQL } from "drizzle-orm";
import { alias, type AnyPgColumn, type PgSelect } from "drizzle-orm/pg-core";
import {
  children,
  courses,
  enrollments,
  lectureAttendance,
  lectures,
  payments,
  refundRequests,
  seasons,
  students,
  users,
} from "../../drizzle/schema";
import { requireMember, requireRole, requireTenant } from "../auth/guards";
import { teaches } from "../auth/policies";
import type { Context } from "../context";
import { AppError, badInput, notFound } from "../errors";
import { localDate, localTime, zonedInstant, addDays } from "../time";

export const EXPORT_KINDS = ["attendance", "enrollments", "payments", "refunds"] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

/** A cell: text (guarded against formulas in CSV), a number, a yes/no, or empty. */
export type Cell = string | number | boolean | null;

export interface ExportColumn {
  header: string;
  /** How the cell is typed: text is user data; number, amount, datetime and date are ours. */
  kind: "text" | "number" | "amount" | "date" | "datetime" | "boolean";
}

export interface ExportPlan {
  kind: ExportKind;
  /** The sheet's name and the file name's stem. */
  title: string;
  columns: ExportColumn[];
  /** Batches of rows, in order; read lazily (one statement per batch). */
  batches: () => AsyncGenerator<Cell[][]>;
}

/** Parameters of an export, from the query string (all optional, checked per kind). */
export interface ExportParams {
  courseId?: string;
  seasonId?: string;
  /** Local dates (YYYY-MM-DD) in the tenant's time zone, `from` included, `to` included. */
  from?: string;
  to?: string;
}

/** Rows per statement: large enough to be quick, small enough to keep memory flat. */
export const EXPORT_BATCH_ROWS = 500;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function uuidParam(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!UUID.test(value)) throw badInput(name, "must be a UUID");
  return value.toLowerCase();
}

function dateParam(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  // Round-trips only for a real calendar date (2099-02-30 would roll over to March).
  const parsed = DATE.test(value) ? new Date(`${value}T00:00:00Z`) : null;
  if (!parsed || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== value) {
    throw badInput(name, "must be a date, YYYY-MM-DD");
  }
  return value;
}

const studentUsers = alias(users, "student_users");
/** The participant's name: the student's account name or the child's. */
const participantName = sql<string>`coalesce(
  trim(${studentUsers.firstName} || ' ' || ${studentUsers.lastName}),
  trim(${children.firstName} || ' ' || ${children.lastName}))`;
const participantType = (table: { studentId: AnyPgColumn }) =>
  sql<string>`case when ${table.studentId} is not null then 'STUDENT' else 'CHILD' end`;

/** Checks who asks and what, before any byte is sent; returns the plan whose batches read the rows. */
export async function planExport(ctx: Context, kind: string, params: ExportParams): Promise<ExportPlan> {
  if (!EXPORT_KINDS.includes(kind as ExportKind)) throw notFound("export", kind);
  const courseId = uuidParam("courseId", params.courseId);
  const seasonId = uuidParam("seasonId", params.seasonId);
  const from = dateParam("from", params.from);
  const to = dateParam("to", params.to);
  if (from && to && from > to) throw badInput("to", "must not be before from");

  switch (kind as ExportKind) {
    case "attendance": {
      if (!courseId === !seasonId) throw badInput("courseId", "give exactly one of courseId and seasonId");
      if (courseId) {
        // Staff, or the course's instructor: their own course's register.
        requireMember(ctx);
        await requireCourse(ctx, courseId);
        if (!(await teaches(ctx, courseId))) throw new AppError("FORBIDDEN", "auth.forbidden");
      } else {
        requireRole(ctx, "STAFF");
        await requireSeason(ctx, seasonId!);
      }
      return attendancePlan(ctx, { courseId, seasonId });
    }
    case "enrollments":
      requireRole(ctx, "STAFF");
      if (courseId) await requireCourse(ctx, courseId);
      if (seasonId) await requireSeason(ctx, seasonId);
      return enrollmentsPlan(ctx, { courseId, seasonId });
    case "payments":
      requireRole(ctx, "STAFF");
      if (courseId) await requireCourse(ctx, courseId);
      return paymentsPlan(ctx, { courseId, ...instants(ctx, from, to) });
    case "refunds":
      requireRole(ctx, "STAFF");
      if (courseId) await requireCourse(ctx, courseId);
      return refundsPlan(ctx, { courseId, ...instants(ctx, from, to) });
  }
}

async function requireCourse(ctx: Context, id: string) {
  const [row] = await ctx.db
    .select({ id: courses.id })
    .from(courses)
    .where(and(ctx.scope.inTenant(courses), eq(courses.id, id)));
  if (!row) throw notFound("course", id);
}

async function requireSeason(ctx: Context, id: string) {
  const [row] = await ctx.db
    .select({ id: seasons.id })
    .from(seasons)
    .where(and(ctx.scope.inTenant(seasons), eq(seasons.id, id)));
  if (!row) throw notFound("season", id);
}

/** Local dates → the instants bounding them in the tenant's zone ([from 00:00, the day after `to` 00:00)). */
function instants(ctx: Context, from: string | undefined, to: string | undefined) {
  const zone = requireTenant(ctx).timeZone;
  return {
    since: from ? zonedInstant(from, "00:00:00", zone) : undefined,
    until: to ? zonedInstant(addDays(to, 1), "00:00:00", zone) : undefined,
  };
}

/** "YYYY-MM-DD HH:MM:SS" in the tenant's zone (what Excel and people read as a local time). */
function localStamp(ctx: Context, instant: Date | null): string | null {
  if (!instant) return null;
  const zone = requireTenant(ctx).timeZone;
  return `${localDate(instant, zone)} ${localTime(instant, zone)}`;
}

/**
 * Reads `read(after)` until a batch comes back short: keyset pagination, one
 * statement per batch, each batch mapped to cells before the next is read.
 */
async function* keysetBatches<Row>(read: (after: Row | undefined) => Promise<Row[]>, map: (row: Row) => Cell[]) {
  let after: Row | undefined;
  for (;;) {
    const rows = await read(after);
    if (rows.length > 0) yield rows.map(map);
    if (rows.length < EXPORT_BATCH_ROWS) return;
    after = rows[rows.length - 1];
  }
}

const afterKey = (columns: SQL[], values: unknown[]) =>
  sql`(${sql.join(columns, sql`, `)}) > (${sql.join(
    values.map((value) => sql`${value}`),
    sql`, `,
  )})`;

/** Rows after the last one read, for lists ordered by an instant then the id (enrolments, payments, refunds). */
const afterInstant = (instant: AnyPgColumn, id: AnyPgColumn, last: { at: Date; id: string } | undefined) =>
  last ? afterKey([sql`${instant}`, sql`${id}`], [sql`${last.at.toISOString()}::timestamptz`, sql`${last.id}::uuid`]) : undefined;

/** Joins what participantName reads for rows naming a student or a child (enrolments, marks). */
function withParticipant<Query extends PgSelect>(
  query: Query,
  of: { tenantId: AnyPgColumn; studentId: AnyPgColumn; childId: AnyPgColumn },
) {
  return query
    .leftJoin(students, and(eq(students.tenantId, of.tenantId), eq(students.id, of.studentId)))
    .leftJoin(studentUsers, eq(studentUsers.id, students.userId))
    .leftJoin(children, and(eq(children.tenantId, of.tenantId), eq(children.id, of.childId)));
}

// ---------------------------------------------------------------- attendance

function attendancePlan(ctx: Context, filter: { courseId?: string; seasonId?: string }): ExportPlan {
  const read = (after: { date: string; startTime: string; id: string } | undefined) => {
    const query = ctx.db
      .select({
        id: lectureAttendance.id,
        course: courses.name,
        date: lectures.date,
        startTime: lectures.startTime,
        lectureStatus: lectures.status,
        participant: participantName,
        participantType: participantType(lectureAttendance),
        present: lectureAttendance.present,
        status: lectureAttendance.status,
        minutesLate: lectureAttendance.minutesLate,
        reason: lectureAttendance.reason,
        rating: lectureAttendance.rating,
        notes: lectureAttendance.notes,
        source: lectureAttendance.source,
        markedAt: lectureAttendance.markedAt,
      })
      .from(lectureAttendance)
      .innerJoin(lectures, and(eq(lectures.tenantId, lectureAttendance.tenantId), eq(lectures.id, lectureAttendance.lectureId)))
      .innerJoin(courses, and(eq(courses.tenantId, lectures.tenantId), eq(courses.id, lectures.courseId)))
      .$dynamic();
    return withParticipant(query, lectureAttendance)
      .where(
        and(
          ctx.scope.inTenant(lectureAttendance),
          filter.courseId ? eq(lectures.courseId, filter.courseId) : eq(courses.seasonId, filter.seasonId!),
          after
            ? afterKey(
                [sql`${lectures.date}`, sql`${lectures.startTime}`, sql`${lectureAttendance.id}`],
                [sql`${after.date}::date`, sql`${after.startTime}::time`, sql`${after.id}::uuid`],
              )
            : undefined,
        ),
      )
      .orderBy(asc(lectures.date), asc(lectures.startTime), asc(lectureAttendance.id))
      .limit(EXPORT_BATCH_ROWS);
  };
  return {
    kind: "attendance",
    title: "Attendance",
    columns: [
      { header: "Course", kind: "text" },
      { header: "Lecture date", kind: "date" },
      { header: "Lecture start", kind: "text" },
      { header: "Lecture status", kind: "text" },
      { header: "Participant", kind: "text" },
      { header: "Participant type", kind: "text" },
      { header: "Present", kind: "boolean" },
      { header: "Status", kind: "text" },
      { header: "Minutes late", kind: "number" },
      { header: "Excuse", kind: "text" },
      { header: "Rating", kind: "number" },
      { header: "Notes", kind: "text" },
      { header: "Source", kind: "text" },
      { header: "Marked at", kind: "datetime" },
    ],
    batches: () =>
      keysetBatches(read, (row) => [
        row.course,
        row.date,
        row.startTime.slice(0, 5),
        row.lectureStatus,
        row.participant,
        row.participantType,
        row.present,
        row.status,
        row.minutesLate,
        row.reason,
        row.rating === null ? null : Number(row.rating),
        row.notes,
        row.source,
        localStamp(ctx, row.markedAt),
      ]),
  };
}

// ---------------------------------------------------------------- enrolments

function enrollmentsPlan(ctx: Context, filter: { courseId?: string; seasonId?: string }): ExportPlan {
  const read = (after: { enrolledAt: Date; id: string } | undefined) => {
    const query = ctx.db
      .select({
        id: enrollments.id,
        course: courses.name,
        participant: participantName,
        participantType: participantType(enrollments),
        status: enrollments.status,
        enrolledAt: enrollments.enrolledAt,
        endedAt: enrollments.endedAt,
      })
      .from(enrollments)
      .innerJoin(courses, and(eq(courses.tenantId, enrollments.tenantId), eq(courses.id, enrollments.courseId)))
      .$dynamic();
    return withParticipant(query, enrollments)
      .where(
        and(
          ctx.scope.inTenant(enrollments),
          filter.courseId ? eq(enrollments.courseId, filter.courseId) : undefined,
          filter.seasonId ? eq(courses.seasonId, filter.seasonId) : undefined,
          afterInstant(enrollments.enrolledAt, enrollments.id, after && { at: after.enrolledAt, id: after.id }),
        ),
      )
      .orderBy(asc(enrollments.enrolledAt), asc(enrollments.id))
      .limit(EXPORT_BATCH_ROWS);
  };
  return {
    kind: "enrollments",
    title: "Enrollments",
    columns: [
      { header: "Enrollment id", kind: "text" },
      { header: "Course", kind: "text" },
      { header: "Participant", kind: "text" },
      { header: "Participant type", kind: "text" },
      { header: "Status", kind: "text" },
      { header: "Enrolled at", kind: "datetime" },
      { header: "Ended at", kind: "datetime" },
    ],
    batches: () =>
      keysetBatches(read, (row) => [
        row.id,
        row.course,
        row.participant,
        row.participantType,
        row.status,
        localStamp(ctx, row.enrolledAt),
        localStamp(ctx, row.endedAt),
      ]),
  };
}

// ---------------------------------------------------------------- payments and refunds

interface MoneyFilter {
  courseId?: string;
  since?: Date;
  until?: Date;
}

function paymentsPlan(ctx: Context, filter: MoneyFilter): ExportPlan {
  const read = (after: { createdAt: Date; id: string } | undefined) => {
    const query = ctx.db
      .select({
        id: payments.id,
        course: courses.name,
        participant: participantName,
        amount: payments.amount,
        refundedAmount: payments.refundedAmount,
        currency: payments.currency,
        status: payments.status,
        provider: payments.provider,
        providerReference: payments.providerReference,
        createdAt: payments.createdAt,
        paidAt: payments.paidAt,
      })
      .from(payments)
      .innerJoin(enrollments, and(eq(enrollments.tenantId, payments.tenantId), eq(enrollments.id, payments.enrollmentId)))
      .innerJoin(courses, and(eq(courses.tenantId, enrollments.tenantId), eq(courses.id, enrollments.courseId)))
      .$dynamic();
    return withParticipant(query, enrollments)
      .where(
        and(
          ctx.scope.inTenant(payments),
          filter.courseId ? eq(enrollments.courseId, filter.courseId) : undefined,
          filter.since ? gte(payments.createdAt, filter.since) : undefined,
          filter.until ? lt(payments.createdAt, filter.until) : undefined,
          afterInstant(payments.createdAt, payments.id, after && { at: after.createdAt, id: after.id }),
        ),
      )
      .orderBy(asc(payments.createdAt), asc(payments.id))
      .limit(EXPORT_BATCH_ROWS);
  };
  return {
    kind: "payments",
    title: "Payments",
    columns: [
      { header: "Payment id", kind: "text" },
      { header: "Course", kind: "text" },
      { header: "Participant", kind: "text" },
      { header: "Amount", kind: "amount" },
      { header: "Refunded", kind: "amount" },
      { header: "Currency", kind: "text" },
      { header: "Status", kind: "text" },
      { header: "Provider", kind: "text" },
      { header: "Reference", kind: "text" },
      { header: "Created at", kind: "datetime" },
      { header: "Paid at", kind: "datetime" },
    ],
    batches: () =>
      keysetBatches(read, (row) => [
        row.id,
        row.course,
        row.participant,
        row.amount,
        row.refundedAmount,
        row.currency,
        row.status,
        row.provider,
        row.providerReference,
        localStamp(ctx, row.createdAt),
        localStamp(ctx, row.paidAt),
      ]),
  };
}

function refundsPlan(ctx: Context, filter: MoneyFilter): ExportPlan {
  const read = (after: { createdAt: Date; id: string } | undefined) => {
    const query = ctx.db
      .select({
        id: refundRequests.id,
        paymentId: refundRequests.paymentId,
        course: courses.name,
        participant: participantName,
        amount: refundRequests.amount,
        currency: payments.currency,
        status: refundRequests.status,
        reason: refundRequests.reason,
        createdAt: refundRequests.createdAt,
        decidedAt: refundRequests.decidedAt,
        decisionNote: refundRequests.decisionNote,
      })
      .from(refundRequests)
      .innerJoin(payments, and(eq(payments.tenantId, refundRequests.tenantId), eq(payments.id, refundRequests.paymentId)))
      .innerJoin(enrollments, and(eq(enrollments.tenantId, payments.tenantId), eq(enrollments.id, payments.enrollmentId)))
      .innerJoin(courses, and(eq(courses.tenantId, enrollments.tenantId), eq(courses.id, enrollments.courseId)))
      .$dynamic();
    return withParticipant(query, enrollments)
      .where(
        and(
          ctx.scope.inTenant(refundRequests),
          filter.courseId ? eq(enrollments.courseId, filter.courseId) : undefined,
          filter.since ? gte(refundRequests.createdAt, filter.since) : undefined,
          filter.until ? lt(refundRequests.createdAt, filter.until) : undefined,
          afterInstant(refundRequests.createdAt, refundRequests.id, after && { at: after.createdAt, id: after.id }),
        ),
      )
      .orderBy(asc(refundRequests.createdAt), asc(refundRequests.id))
      .limit(EXPORT_BATCH_ROWS);
  };
  return {
    kind: "refunds",
    title: "Refunds",
    columns: [
      { header: "Refund id", kind: "text" },
      { header: "Payment id", kind: "text" },
      { header: "Course", kind: "text" },
      { header: "Participant", kind: "text" },
      { header: "Amount", kind: "amount" },
      { header: "Currency", kind: "text" },
      { header: "Status", kind: "text" },
      { header: "Reason", kind: "text" },
      { header: "Requested at", kind: "datetime" },
      { header: "Decided at", kind: "datetime" },
      { header: "Decision note", kind: "text" },
    ],
    batches: () =>
      keysetBatches(read, (row) => [
        row.id,
        row.paymentId,
        row.course,
        row.participant,
        row.amount,
        row.currency,
        row.status,
        row.reason,
        localStamp(ctx, row.createdAt),
        localStamp(ctx, row.decidedAt),
        row.decisionNote,
      ]),
  };
}
