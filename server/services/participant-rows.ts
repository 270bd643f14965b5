/**
 * Bulk per-participant writes (attendance marks, exam results, automatic absences):
 * find the participants, check their enrolment, write one upsert per kind of
 * participant (students and children have different unique keys). A fixed number
 * of statements however many rows: never one per row.
 */
import { and, eq, inArray, or, sql, type SQL } from "drizzle-orm";
import { toSnakeCase } from "drizzle-orm/casing";
import type { AnyPgColumn, PgTable, PgUpdateSetSource } from "drizzle-orm/pg-core";
import { enrollments } from "../../drizzle/schema";
import type { EnrollmentStatus } from "../../drizzle/tables/enums-types";
import { requireTenant } from "../auth/guards";
import { participantIdOf } from "../auth/policies";
import type { Context } from "../context";
import { AppError } from "../errors";
import { findParticipants, participantColumns, type Participant } from "./participants";

/** Where a bad row is named: the error's `field` (e.g. `marks[2].participantId`) and any other extensions. */
export type RowPlace = (index: number) => Record<string, unknown>;

/**
 * The participants of the input rows, in their order, each existing in the tenant and
 * holding an enrolment in the course with one of `statuses`; the first bad row is named
 * (enrollment.unknownParticipant, enrollment.notEnrolledRow). Three statements.
 */
export async function enrolledParticipants(
  ctx: Context,
  courseId: string,
  participantIds: readonly string[],
  statuses: readonly EnrollmentStatus[],
  place: RowPlace,
): Promise<Participant[]> {
  requireTenant(ctx);
  const known = await findParticipants(ctx, participantIds);
  const participants = participantIds.map((id, index) => {
    const participant = known.get(id);
    if (!participant) throw new AppError("BAD_USER_INPUT", "enrollment.unknownParticipant", { row: index + 1 }, place(index));
    return participant;
  });
  const enrolledRows = await ctx.db
    .select({ studentId: enrollments.studentId, childId: enrollments.childId })
    .from(enrollments)
    .where(
      and(
        ctx.scope.inTenant(enrollments),
        eq(enrollments.courseId, courseId),
        inArray(enrollments.status, [...statuses]),
        ofParticipants(enrollments, participants),
      ),
    );
  const enrolled = new Set(enrolledRows.map(participantIdOf));
  participants.forEach((participant, index) => {
    if (!enrolled.has(participant.id)) throw new AppError("BAD_USER_INPUT", "enrollment.notEnrolledRow", { row: index + 1 }, place(index));
  });
  return participants;
}

/** SQL: the rows of a participant-owning table that belong to one of `participants`. */
function ofParticipants(table: { studentId: AnyPgColumn; childId: AnyPgColumn }, participants: readonly Participant[]): SQL | undefined {
  const studentIds = participants.flatMap((p) => (p.studentId ? [p.studentId] : []));
  const childIds = participants.flatMap((p) => (p.childId ? [p.childId] : []));
  return or(
    studentIds.length ? inArray(table.studentId, studentIds) : undefined,
    childIds.length ? inArray(table.childId, childIds) : undefined,
  );
}

/** `set` for an upsert: the named columns take the values of the row that was refused (`excluded.<column>`). */
export function fromExcluded<Table extends PgTable>(table: Table, keys: readonly (keyof Table["$inferInsert"] & string)[]) {
  const columns = table as unknown as Record<string, AnyPgColumn>;
  // The database is snake_case (server/db/client.ts): a column named by its key is that key in snake case.
  const nameOf = (column: AnyPgColumn) => (column.keyAsName ? toSnakeCase(column.name) : column.name);
  return Object.fromEntries(keys.map((key) => [key, sql`excluded.${sql.identifier(nameOf(columns[key]!))}`])) as PgUpdateSetSource<Table>;
}

type ParticipantTable = PgTable & { studentId: AnyPgColumn; childId: AnyPgColumn };

/**
 * Writes one row per participant with one INSERT per kind of participant. `key` is the
 * unique key without its participant column; on a conflict the row is updated with `set`
 * or, with `set: null`, left as it is (and not returned). Returns the written rows in
 * the order of `rows` (rows left alone are absent).
 */
export async function upsertPerParticipant<Table extends ParticipantTable>(
  ctx: Context,
  table: Table,
  key: readonly AnyPgColumn[],
  rows: readonly {
    participant: Pick<Participant, "id" | "kind" | "studentId" | "childId">;
    values: Omit<Table["$inferInsert"], "studentId" | "childId">;
  }[],
  set: PgUpdateSetSource<Table> | null,
): Promise<Table["$inferSelect"][]> {
  const written: Table["$inferSelect"][] = [];
  for (const kind of ["student", "child"] as const) {
    const ofKind = rows.filter((row) => row.participant.kind === kind);
    if (ofKind.length === 0) continue;
    const insert = ctx.db
      .insert(table)
      .values(ofKind.map((row) => ({ ...row.values, ...participantColumns(row.participant) }) as Table["$inferInsert"]));
    const target = [...key, kind === "student" ? table.studentId : table.childId];
    const done = set ? insert.onConflictDoUpdate({ target, set }) : insert.onConflictDoNothing({ target });
    written.push(...((await done.returning()) as Table["$inferSelect"][]));
  }
  const byParticipant = new Map(written.map((row) => [participantIdOf(row as { studentId: string | null; childId: string | null }), row]));
  return rows.flatMap((row) => {
    const saved = byParticipant.get(row.participant.id);
    return saved ? [saved] : [];
  });
}
