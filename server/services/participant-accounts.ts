/**
 * Who is told about an enrolment's participant, in SQL: the student's own account, or
 * each guardian of the child who receives alerts; and the participant's display name.
 * Used by the notice jobs and by the automatic absences of attendance.
 */
import { and, eq, sql } from "drizzle-orm";
import type { PgSelect } from "drizzle-orm/pg-core";
import { children, enrollments, guardianships, parents, students, users } from "../../drizzle/schema";

/**
 * SQL of an account told about an enrolment's participant: the student, or a guardian of the child who
 * receives alerts (one row per such guardian: a child with two gets two rows; with none, a null).
 */
export const participantUserId = sql<string>`coalesce(${students.userId}, ${parents.userId})`;
/** SQL of the participant's display name. */
export const participantDisplayName = sql<string>`trim(coalesce(${children.firstName} || ' ' || ${children.lastName}, ${users.firstName} || ' ' || ${users.lastName}, ''))`;

/** Joins what participantUserId / participantDisplayName read, on a query over `enrollments` (made `$dynamic()`). */
export function withParticipantAccounts<Query extends PgSelect>(query: Query) {
  return query
    .leftJoin(students, and(eq(students.tenantId, enrollments.tenantId), eq(students.id, enrollments.studentId)))
    .leftJoin(users, eq(users.id, students.userId))
    .leftJoin(children, and(eq(children.tenantId, enrollments.tenantId), eq(children.id, enrollments.childId)))
    .leftJoin(
      guardianships,
      and(eq(guardianships.tenantId, children.tenantId), eq(guardianships.childId, children.id), eq(guardianships.receivesAlerts, true)),
    )
    .leftJoin(parents, and(eq(parents.tenantId, guardianships.tenantId), eq(parents.id, guardianships.parentId)));
}
