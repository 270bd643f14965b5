/**
 * Who may see or do what to whom: the policy rules services, plans and the schema's
 * privacy checker share, each written once.
 *
 * - `teaches(ctx, courseId)`: staff, or the course's instructor.
 * - `actsFor(ctx, participant, permission?)`: staff, or the account answering for the participant
 *   (the student, any of the child's guardians; enrolling needs the guardian's canEnroll);
 *   `alertUserIds`: who is told about a participant (guardians with receivesAlerts); `ownParticipantIds`, `isOwn`, `onlyOwn`,
 *   `ownRowsOf`: "only the viewer's participants", in memory or in SQL.
 * - `canSeePrivate(ctx, person)`: private details (phones, email, date of birth …).
 * - `participantIdOf(row)`: the participant of a row holding exactly one of
 *   student_id / child_id.
 */
import { inArray, or, type SQL } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import type { Context } from "../context";
import { isStaff } from "./viewer";

// ---------------------------------------------------------------- participants

/** A row that belongs to exactly one participant: a student or a child. */
export interface ParticipantRow {
  studentId: string | null;
  childId: string | null;
}

/** The participant id of a row with exactly one of student_id / child_id. */
export const participantIdOf = (row: ParticipantRow): string => (row.studentId ?? row.childId)!;

/** A guardian's account and what it may do for the child (guardianships). */
export interface GuardianAccess {
  userId: string;
  canEnroll: boolean;
  receivesAlerts: boolean;
}

/** Whom a participant is answered for by: the student's own account, or the child's guardians (the primary's in `userId`). */
export interface AnsweredFor {
  userId: string;
  /** A child's guardians; absent or empty for a student. */
  guardians?: readonly GuardianAccess[];
}

/** What a guardian needs a permission for; anything else any guardian may do. */
export type GuardianPermission = "enroll";

/**
 * May the viewer act for this participant (enrol, pay, request refunds, rate)? Staff, the student,
 * or any of the child's guardians; with `permission`, only a guardian holding it (enrol: canEnroll).
 */
export function actsFor(ctx: Context, participant: AnsweredFor, permission?: GuardianPermission): boolean {
  if (isStaff(ctx.viewer)) return true;
  if (ctx.viewer.kind !== "user") return false;
  const viewerId = ctx.viewer.userId;
  if (participant.guardians?.length) {
    return participant.guardians.some((g) => g.userId === viewerId && (permission !== "enroll" || g.canEnroll));
  }
  return isSelf(ctx, participant.userId);
}

/** Accounts told about a participant (absences, reminders, fees, decisions): the student, or the guardians who receive alerts. */
export function alertUserIds(participant: AnsweredFor): string[] {
  if (!participant.guardians?.length) return [participant.userId];
  return participant.guardians.filter((g) => g.receivesAlerts).map((g) => g.userId);
}

/** Ids of the participants the viewer answers for (their student profile and their children). */
export async function ownParticipantIds(ctx: Context): Promise<string[]> {
  if (ctx.viewer.kind !== "user" || !ctx.tenant) return [];
  return (await ctx.loaders.participantIdsOfUser.load(ctx.viewer.userId)).map((row) => row.id);
}

/** Does the row belong to one of the viewer's own participants? */
export async function isOwn(ctx: Context, row: ParticipantRow): Promise<boolean> {
  return (await ownParticipantIds(ctx)).includes(participantIdOf(row));
}

/** Only the rows of the viewer's own participants. */
export async function onlyOwn<Row extends ParticipantRow>(ctx: Context, rows: readonly Row[]): Promise<Row[]> {
  const own = new Set(await ownParticipantIds(ctx));
  return rows.filter((row) => own.has(participantIdOf(row)));
}

/** SQL: rows of a participant-owning table that belong to one of `own`; undefined when `own` is empty. */
export function ownRowsOf(table: { studentId: AnyPgColumn; childId: AnyPgColumn }, own: readonly string[]): SQL | undefined {
  return own.length ? or(inArray(table.studentId, [...own]), inArray(table.childId, [...own])) : undefined;
}

// ---------------------------------------------------------------- teaching

/** The viewer's instructor profile id in this tenant, if any. */
export async function viewerInstructorId(ctx: Context): Promise<string | null> {
  if (ctx.viewer.kind !== "user" || !ctx.viewer.roles.includes("INSTRUCTOR")) return null;
  const profile = await ctx.loaders.instructorByUser.load(ctx.viewer.userId);
  return profile?.id ?? null;
}

/** Is the viewer this course's instructor (whatever their other roles)? */
export async function instructs(ctx: Context, course: { instructorId: string | null } | null | undefined): Promise<boolean> {
  if (!course) return false;
  const instructorId = await viewerInstructorId(ctx);
  return instructorId !== null && course.instructorId === instructorId;
}

/** Staff, or the instructor of the course (given as a row). */
export async function teachesCourse(ctx: Context, course: { instructorId: string | null } | null | undefined): Promise<boolean> {
  return isStaff(ctx.viewer) || (await instructs(ctx, course));
}

/** Staff, or the instructor of the course. */
export async function teaches(ctx: Context, courseId: string): Promise<boolean> {
  if (isStaff(ctx.viewer)) return true;
  return instructs(ctx, await ctx.loaders.course.load(courseId));
}

/** Rows of a course: all for who teaches it, the viewer's own participants' for everyone else. */
export async function teachersAllOthersOwn<Row extends ParticipantRow>(
  ctx: Context,
  courseId: string,
  rows: readonly Row[],
): Promise<Row[]> {
  return (await teaches(ctx, courseId)) ? [...rows] : onlyOwn(ctx, rows);
}

// ---------------------------------------------------------------- privacy

/** Is the viewer this account? */
export function isSelf(ctx: Context, userId: string): boolean {
  return ctx.viewer.kind === "user" && ctx.viewer.userId === userId;
}

/**
 * Whose private details: an account (`userId`), or a child (children have no account).
 *
 * Private: a person's phone numbers, email, date of birth, gender, national id,
 * password-change time and their student/parent profiles; a child's date of birth
 * and notes. They are readable by
 * - the person themself;
 * - staff of the request's tenant, while the person is an ACTIVE member of it
 *   (an invited account is not a member until it accepts; a deactivated member's
 *   details stop being shown; staff of another tenant see nothing);
 * - for a child: any of the child's guardians (guardianships, whatever their permissions),
 *   and staff of the child's tenant. No account is another account's guardian.
 * Platform admins get no exception: they are staff only where they are members.
 */
export type PrivatePerson = { userId: string } | { child: { id: string; tenantId: string; parentId: string } };

/** May the viewer read this person's private details? */
export async function canSeePrivate(ctx: Context, person: PrivatePerson): Promise<boolean> {
  const viewer = ctx.viewer;
  if (viewer.kind !== "user") return false;
  if ("userId" in person) {
    if (viewer.userId === person.userId) return true;
    // Staff roles are those of the request's tenant; the loader reads memberships of that tenant.
    if (!viewer.tenantId || !isStaff(viewer)) return false;
    const membership = await ctx.loaders.membershipByUser.load(person.userId);
    return membership?.tenantId === viewer.tenantId && membership.isActive;
  }
  const { child } = person;
  if (viewer.tenantId === child.tenantId && isStaff(viewer)) return true;
  if (viewer.tenantId !== child.tenantId) return false;
  const guardians = await ctx.loaders.guardiansOfChild.load(child.id);
  return guardians.some((g) => g.userId === viewer.userId);
}

/** May the viewer list a parent's children (the parent themself, or staff of the parent's tenant)? */
export function mayListChildren(ctx: Context, parent: { tenantId: string; userId: string }): boolean {
  const viewer = ctx.viewer;
  if (viewer.kind !== "user") return false;
  return viewer.userId === parent.userId || (viewer.tenantId === parent.tenantId && isStaff(viewer));
}

/** The privacy rules a GraphQL field can name with `@Authorized(rule)` (schema/shared/privacy.ts). */
export type PrivacyRule = "PERSON" | "CHILD";

/** Whether the viewer may read a field guarded by `rule` on `root` (the field's parent object). */
export function mayRead(ctx: Context, rule: PrivacyRule, root: unknown): Promise<boolean> {
  switch (rule) {
    case "PERSON":
      return canSeePrivate(ctx, { userId: (root as { id: string }).id });
    case "CHILD":
      return canSeePrivate(ctx, { child: root as { id: string; tenantId: string; parentId: string } });
  }
}
