/**
 * What the notice jobs (reminders, fees due, absence alerts, devices offline) share: the once-only
 * key table, and who is told about an enrolment's participant.
 */
import { and, eq, sql } from "drizzle-orm";
import { children, enrollments, guardianships, notificationsSent, parents, students, users } from "../../drizzle/schema";
import type { PgSelect } from "drizzle-orm/pg-core";
import type { Context } from "../context";

/**
 * Records notice keys as sent; returns those that were not sent before (only these are notified).
 * In the job's transaction: a rolled-back run records nothing, so its notices go out on the retry.
 */
export async function firstTime(ctx: Context, tenantId: string, keys: readonly string[]): Promise<Set<string>> {
  const unique = [...new Set(keys)];
  if (unique.length === 0) return new Set();
  const rows = await ctx.db
    .insert(notificationsSent)
    .values(unique.map((key) => ({ tenantId, key })))
    .onConflictDoNothing()
    .returning({ key: notificationsSent.key });
  return new Set(rows.map((row) => row.key));
}

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
