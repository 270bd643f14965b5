/** Loaders for people: instructor, student and parent profiles, children, participants. */
import { and, asc, eq, inArray } from "drizzle-orm";
import { children, instructors, parents, students } from "../../drizzle/schema";
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
    childrenOfParent: manyLoader(
      (parentIds: readonly string[]) =>
        db
          .select()
          .from(children)
          .where(and(inTenant(children), inArray(children.parentId, [...parentIds])))
          .orderBy(asc(children.createdAt)),
      (row) => row.parentId,
    ),
    /** Ids of the participants an account answers for: its student profile and its children. */
    participantIdsOfUser: manyLoader(
      async (userIds: readonly string[]) => {
        const [own, kids] = await Promise.all([
          db
            .select({ id: students.id, userId: students.userId })
            .from(students)
            .where(and(inTenant(students), inArray(students.userId, [...userIds]))),
          db
            .select({ id: children.id, userId: parents.userId })
            .from(children)
            .innerJoin(parents, and(eq(parents.tenantId, children.tenantId), eq(parents.id, children.parentId)))
            .where(and(inTenant(children), inArray(parents.userId, [...userIds]))),
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
