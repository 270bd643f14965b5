/** Loaders for people: instructor, student and parent profiles, children, participants. */
import { and, asc, eq, getTableColumns, inArray, sql } from "drizzle-orm";
import { children, guardianships, instructors, parents, students } from "../../drizzle/schema";
import { manyLoader, oneLoader } from "./batch";
import type { LoaderContext } from "./index";

export function peopleLoaders(ctx: LoaderContext) {
  const { db } = ctx;
  const { inTenant } = ctx.scope;

  return {
    instructor: oneLoader(
      (ids: readonly string[]) =>
        db
          .select()
          .from(instructors)
          .where(and(inTenant(instructors), inArray(instructors.id, [...ids]))),
      (row) => row.id,
    ),
    instructorByUser: oneLoader(
      (userIds: readonly string[]) =>
        db
          .select()
          .from(instructors)
          .where(and(inTenant(instructors), inArray(instructors.userId, [...userIds]))),
      (row) => row.userId,
    ),
    studentByUser: oneLoader(
      (userIds: readonly string[]) =>
        db
          .select()
          .from(students)
          .where(and(inTenant(students), inArray(students.userId, [...userIds]))),
      (row) => row.userId,
    ),
    parentByUser: oneLoader(
      (userIds: readonly string[]) =>
        db
          .select()
          .from(parents)
          .where(and(inTenant(parents), inArray(parents.userId, [...userIds]))),
      (row) => row.userId,
    ),
    parent: oneLoader(
      (ids: readonly string[]) =>
        db
          .select()
          .from(parents)
          .where(and(inTenant(parents), inArray(parents.id, [...ids]))),
      (row) => row.id,
    ),
    /** The children a parent profile is a guardian of (primary or not), oldest added first. */
    childrenOfParent: manyLoader(
      (parentIds: readonly string[]) =>
        db
          .select({ ...getTableColumns(children), guardianParentId: guardianships.parentId })
          .from(guardianships)
          .innerJoin(children, and(eq(children.tenantId, guardianships.tenantId), eq(children.id, guardianships.childId)))
          .where(and(inTenant(guardianships), inArray(guardianships.parentId, [...parentIds])))
          .orderBy(asc(children.createdAt), asc(children.id)),
      (row) => row.guardianParentId,
    ),
    /** A child's guardians (with the guardian's account id), the primary first, then by when they were added. */
    guardiansOfChild: manyLoader(
      (childIds: readonly string[]) =>
        db
          .select({
            ...getTableColumns(guardianships),
            userId: parents.userId,
            isPrimary: sql<boolean>`(${children.parentId} = ${guardianships.parentId})`,
          })
          .from(guardianships)
          .innerJoin(parents, and(eq(parents.tenantId, guardianships.tenantId), eq(parents.id, guardianships.parentId)))
          .innerJoin(children, and(eq(children.tenantId, guardianships.tenantId), eq(children.id, guardianships.childId)))
          .where(and(inTenant(guardianships), inArray(guardianships.childId, [...childIds])))
          .orderBy(sql`(${children.parentId} = ${guardianships.parentId}) desc`, asc(guardianships.createdAt), asc(guardianships.id)),
      (row) => row.childId,
    ),
    /** Ids of the participants an account answers for: its student profile and the children it is a guardian of. */
    participantIdsOfUser: manyLoader(
      async (userIds: readonly string[]) => {
        const [own, kids] = await Promise.all([
          db
            .select({ id: students.id, userId: students.userId })
            .from(students)
            .where(and(inTenant(students), inArray(students.userId, [...userIds]))),
          db
            .select({ id: guardianships.childId, userId: parents.userId })
            .from(guardianships)
            .innerJoin(parents, and(eq(parents.tenantId, guardianships.tenantId), eq(parents.id, guardianships.parentId)))
            .where(and(inTenant(guardianships), inArray(parents.userId, [...userIds]))),
        ]);
        return [...own, ...kids];
      },
      (row) => row.userId,
    ),
    /** A student or a child, by id. */
    participant: oneLoader(
      async (ids: readonly string[]) => {
        const [studentRows, childRows] = await Promise.all([
          db
            .select()
            .from(students)
            .where(and(inTenant(students), inArray(students.id, [...ids]))),
          db
            .select()
            .from(children)
            .where(and(inTenant(children), inArray(children.id, [...ids]))),
        ]);
        return [
          ...studentRows.map((row) => ({ kind: "student" as const, id: row.id, row })),
          ...childRows.map((row) => ({ kind: "child" as const, id: row.id, row })),
        ];
      },
      (row) => row.id,
    ),
  };
}
