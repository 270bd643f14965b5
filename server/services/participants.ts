/**
 * Participants (a student, or a parent's child: exactly one) and who may act for
 * them: staff for anyone in the tenant, a student for themself, a parent for their
 * own children. Also children, and the people profiles (student, parent, instructor).
 */
import { and, asc, count, eq, getTableColumns, ilike, inArray, isNull, or } from "drizzle-orm";
import {
  children,
  enrollmentRequests,
  enrollments,
  examResults,
  guardianships,
  instructors,
  lectureAttendance,
  parents,
  students,
  users,
  type Child,
  type Instructor,
  type Student,
} from "../../drizzle/schema";
import type { Gender } from "../../drizzle/tables/enums-types";
import { requireMember, requireRole, requireTenant } from "../auth/guards";
import { actsFor, type GuardianAccess, type GuardianPermission, mayListChildren } from "../auth/policies";
import { hasRole, isStaff } from "../auth/viewer";
import { atomic, type Context } from "../context";
import { AppError, forbidden, notFound, wrongState } from "../errors";
import { by, page } from "../db/page";
import type { Page } from "../pagination";
import { audit } from "./audit";

/** The columns of a guardian's access, selected with a child. */
const guardianAccess = { userId: parents.userId, canEnroll: guardianships.canEnroll, receivesAlerts: guardianships.receivesAlerts };

/**
 * A participant resolved from its id: who it is and which accounts answer for it: `userId` is the
 * student, or the child's primary guardian; `guardians` every guardian of a child (empty for a student).
 */
export type Participant =
  | { kind: "student"; id: string; studentId: string; childId: null; userId: string; guardians: GuardianAccess[]; row: Student }
  | { kind: "child"; id: string; studentId: null; childId: string; userId: string; guardians: GuardianAccess[]; row: Child };

/** The participant columns of a row that has exactly one of student_id / child_id. */
export const participantColumns = (participant: Pick<Participant, "studentId" | "childId">) => ({
  studentId: participant.studentId,
  childId: participant.childId,
});

/** Looks a participant id up among the tenant's students and children. */
export async function findParticipant(ctx: Context, participantId: string): Promise<Participant | null> {
  return (await findParticipants(ctx, [participantId])).get(participantId) ?? null;
}

/** Students and children by id, in two statements however many (unknown ids are absent from the map). */
export async function findParticipants(ctx: Context, ids: readonly string[]): Promise<Map<string, Participant>> {
  requireTenant(ctx);
  const found = new Map<string, Participant>();
  if (ids.length === 0) return found;
  const [studentRows, childRows] = await Promise.all([
    ctx.db
      .select()
      .from(students)
      .where(and(ctx.scope.inTenant(students), inArray(students.id, [...ids]))),
    // One row per guardian: the child's guardians come with it (the primary is children.parent_id).
    ctx.db
      .select({ child: children, guardian: guardianAccess, guardianParentId: guardianships.parentId })
      .from(children)
      .innerJoin(guardianships, and(eq(guardianships.tenantId, children.tenantId), eq(guardianships.childId, children.id)))
      .innerJoin(parents, and(eq(parents.tenantId, guardianships.tenantId), eq(parents.id, guardianships.parentId)))
      .where(and(ctx.scope.inTenant(children), inArray(children.id, [...ids])))
      .orderBy(asc(guardianships.createdAt), asc(guardianships.id)),
  ]);
  for (const student of studentRows) {
    found.set(student.id, {
      kind: "student",
      id: student.id,
      studentId: student.id,
      childId: null,
      userId: student.userId,
      guardians: [],
      row: student,
    });
  }
  for (const { child, guardian, guardianParentId } of childRows) {
    let entry = found.get(child.id);
    if (!entry) {
      entry = { kind: "child", id: child.id, studentId: null, childId: child.id, userId: "", guardians: [], row: child };
      found.set(child.id, entry);
    }
    entry.guardians.push(guardian);
    if (guardianParentId === child.parentId) entry.userId = guardian.userId;
  }
  return found;
}

/** The participant, if it exists and the viewer may act for it (with `permission`, if given); NOT_FOUND / FORBIDDEN otherwise. */
export async function participantForViewer(ctx: Context, participantId: string, permission?: GuardianPermission): Promise<Participant> {
  requireMember(ctx);
  const participant = await findParticipant(ctx, participantId);
  if (!participant) throw notFound("Participant", participantId);
  if (!actsFor(ctx, participant, permission)) throw forbidden();
  return participant;
}

/** Display name of a participant (for messages). */
export async function participantName(ctx: Context, participant: Participant): Promise<string> {
  if (participant.kind === "child") return `${participant.row.firstName} ${participant.row.lastName}`.trim();
  const user = await ctx.loaders.user.load(participant.userId);
  return user ? `${user.firstName} ${user.lastName}`.trim() : "";
}

// ---------------------------------------------------------------- children

export interface ChildInput {
  firstName?: string | null;
  lastName?: string | null;
  dateOfBirth?: string | null;
  gender?: Gender | null;
  notes?: string | null;
}

function checkChild(input: ChildInput, creating: boolean) {
  if ((creating || input.firstName !== undefined) && !input.firstName?.trim()) {
    throw new AppError("BAD_USER_INPUT", "input.invalid", { field: "firstName", reason: "required" }, { field: "firstName" });
  }
  if (input.dateOfBirth && input.dateOfBirth > new Date().toISOString().slice(0, 10)) {
    throw new AppError("BAD_USER_INPUT", "input.invalid", { field: "dateOfBirth", reason: "in the future" }, { field: "dateOfBirth" });
  }
}

/** The parent profile a child is added to: the viewer's own, or (staff) the one given. */
async function parentFor(ctx: Context, parentId: string | null | undefined) {
  const viewer = requireMember(ctx);
  if (parentId) {
    if (!isStaff(viewer)) throw forbidden();
    const [parent] = await ctx.db
      .select()
      .from(parents)
      .where(and(ctx.scope.inTenant(parents), eq(parents.id, parentId)));
    if (!parent) throw notFound("Parent", parentId);
    return parent;
  }
  if (!hasRole(viewer, "PARENT")) throw forbidden();
  const [parent] = await ctx.db
    .select()
    .from(parents)
    .where(and(ctx.scope.inTenant(parents), eq(parents.userId, viewer.userId)));
  if (!parent) throw forbidden();
  return parent;
}

/** A parent adds a child (or staff add one for a parent). */
export async function addChild(ctx: Context, input: ChildInput & { parentId?: string | null }) {
  checkChild(input, true);
  return atomic(ctx, async (ctx) => {
    const parent = await parentFor(ctx, input.parentId);
    const [child] = await ctx.db
      .insert(children)
      .values({
        tenantId: parent.tenantId,
        parentId: parent.id,
        firstName: input.firstName!.trim(),
        lastName: input.lastName?.trim() ?? "",
        dateOfBirth: input.dateOfBirth ?? null,
        gender: input.gender ?? undefined,
        notes: input.notes ?? null,
      })
      .returning();
    await audit(ctx, { action: "child.add", entity: "child", entityId: child!.id, after: child });
    return child!;
  });
}

/** The parent (or staff) changes a child's details. */
export async function updateChild(ctx: Context, childId: string, input: ChildInput) {
  checkChild(input, false);
  return atomic(ctx, async (ctx) => {
    const participant = await participantForViewer(ctx, childId);
    if (participant.kind !== "child") throw notFound("Child", childId);
    const [after] = await ctx.db
      .update(children)
      .set({
        ...(input.firstName != null && { firstName: input.firstName.trim() }),
        ...(input.lastName !== undefined && { lastName: input.lastName?.trim() ?? "" }),
        ...(input.dateOfBirth !== undefined && { dateOfBirth: input.dateOfBirth }),
        ...(input.gender != null && { gender: input.gender }),
        ...(input.notes !== undefined && { notes: input.notes }),
      })
      .where(and(ctx.scope.inTenant(children), eq(children.id, childId)))
      .returning();
    await audit(ctx, { action: "child.update", entity: "child", entityId: childId, before: participant.row, after });
    return after!;
  });
}

/** CONFLICT when the participant is an archived child: no new enrolment requests or approvals. */
export function requireCurrentParticipant(participant: Participant): void {
  if (participant.kind === "child" && participant.row.archivedAt) {
    throw new AppError("CONFLICT", "child.archived", { name: participant.row.firstName }, { reason: "ARCHIVED" });
  }
}

/**
 * The parent (or staff) archives a child, or brings them back: left out of
 * myChildren unless asked for, every row kept (enrolments, payments, attendance,
 * results), and no new enrolment requests or approvals for them. Audited.
 */
export async function setChildArchived(ctx: Context, childId: string, archived: boolean) {
  return atomic(ctx, async (ctx) => {
    const participant = await participantForViewer(ctx, childId);
    if (participant.kind !== "child") throw notFound("Child", childId);
    const before = participant.row;
    if (Boolean(before.archivedAt) === archived)
      throw wrongState("Child", archived ? "ARCHIVED" : "CURRENT", archived ? "CURRENT" : "ARCHIVED");
    const [after] = await ctx.db
      .update(children)
      .set({ archivedAt: archived ? new Date() : null, updatedAt: new Date() })
      .where(and(ctx.scope.inTenant(children), eq(children.id, childId)))
      .returning();
    await audit(ctx, { action: archived ? "child.archive" : "child.unarchive", entity: "child", entityId: childId, before, after });
    return after!;
  });
}

/**
 * The parent (or staff) deletes a child added by mistake. A child with enrolment
 * requests, enrolments (and so payments), attendance or exam results is history:
 * CONFLICT, suggesting archiveChild.
 */
export async function deleteChild(ctx: Context, childId: string): Promise<boolean> {
  return atomic(ctx, async (ctx) => {
    const participant = await participantForViewer(ctx, childId);
    if (participant.kind !== "child") throw notFound("Child", childId);
    const uses = await Promise.all(
      [enrollmentRequests, enrollments, lectureAttendance, examResults].map((table) =>
        ctx.db
          .select({ n: count() })
          .from(table)
          .where(and(ctx.scope.inTenant(table), eq(table.childId, childId)))
          .then(([row]) => row?.n ?? 0),
      ),
    );
    if (uses.some((n) => n > 0)) {
      throw new AppError("CONFLICT", "child.hasHistory", {}, { reason: "HAS_HISTORY", suggestion: "archiveChild" });
    }
    await ctx.db.delete(children).where(and(ctx.scope.inTenant(children), eq(children.id, childId)));
    await audit(ctx, { action: "child.delete", entity: "child", entityId: childId, before: participant.row });
    return true;
  });
}

/** The children the viewer is a guardian of in the current tenant (archived ones only when asked). */
export async function myChildren(ctx: Context, includeArchived = false) {
  const viewer = requireMember(ctx);
  return ctx.db
    .select({ child: children })
    .from(children)
    .innerJoin(guardianships, and(eq(guardianships.tenantId, children.tenantId), eq(guardianships.childId, children.id)))
    .innerJoin(parents, and(eq(parents.tenantId, guardianships.tenantId), eq(parents.id, guardianships.parentId)))
    .where(and(ctx.scope.inTenant(children), eq(parents.userId, viewer.userId), includeArchived ? undefined : isNull(children.archivedAt)))
    .orderBy(asc(children.createdAt), asc(children.id))
    .then((rows) => rows.map((row) => row.child));
}

/** A parent's children, oldest added first: for the parent and staff of the parent's tenant; none for others. */
export async function childrenOfParent(ctx: Context, parent: { id: string; tenantId: string; userId: string }) {
  return mayListChildren(ctx, parent) ? ctx.loaders.childrenOfParent.load(parent.id) : [];
}

// ---------------------------------------------------------------- directories

/** Staff: students of the tenant, by name. */
export async function listStudents(ctx: Context, args: { search?: string | null; first?: number | null; after?: string | null }) {
  requireRole(ctx, "STAFF", "INSTRUCTOR");
  return listProfiles<Student>(ctx, students, args);
}

/** Instructors of the tenant (public: the catalogue shows who teaches). */
export async function listInstructors(ctx: Context, args: { search?: string | null; first?: number | null; after?: string | null }) {
  requireTenant(ctx);
  return listProfiles<Instructor>(ctx, instructors, args);
}

async function listProfiles<Row extends { id: string }>(
  ctx: Context,
  profiles: typeof students | typeof instructors,
  args: { search?: string | null; first?: number | null; after?: string | null },
) {
  // Both profile tables share tenant_id, id and user_id; one query shape serves both.
  const table = profiles as typeof students;
  const text = args.search?.trim();
  const rows = await page(ctx, {
    query: ctx.db.select(getTableColumns(table)).from(table).innerJoin(users, eq(users.id, table.userId)).$dynamic(),
    count: ctx.db.select({ value: count() }).from(table).innerJoin(users, eq(users.id, table.userId)).$dynamic(),
    where: and(ctx.scope.inTenant(table), text ? or(ilike(users.firstName, `%${text}%`), ilike(users.lastName, `%${text}%`)) : undefined),
    order: by("ASC", table.id),
    first: args.first,
    after: args.after,
  });
  return rows as unknown as Page<Row>;
}

/** Loads several participants by id (students and children), for DataLoaders. */
