/** Loaders for the catalogue: courses, seasons, their tags and weekly schedule. */
import { and, asc, eq, inArray } from "drizzle-orm";
import { courseSchedules, courseTags, courses, seasons, tags } from "../../drizzle/schema";
import { manyLoader, oneLoader } from "./batch";
import type { LoaderContext } from "./index";

export function courseLoaders(ctx: LoaderContext) {
  const { db } = ctx;
  /** The request's tenant, stated in every query (row-level security repeats it). */
  const { inTenant } = ctx.scope;

  return {
    course: oneLoader(
      (ids: readonly string[]) =>
        db
          .select()
          .from(courses)
          .where(and(inTenant(courses), inArray(courses.id, [...ids]))),
      (row) => row.id,
    ),
    season: oneLoader(
      (ids: readonly string[]) =>
        db
          .select()
          .from(seasons)
          .where(and(inTenant(seasons), inArray(seasons.id, [...ids]))),
      (row) => row.id,
    ),
    tagsOfCourse: manyLoader(
      (courseIds: readonly string[]) =>
        db
          .select({ courseId: courseTags.courseId, tag: tags })
          .from(courseTags)
          .innerJoin(tags, and(eq(tags.tenantId, courseTags.tenantId), eq(tags.id, courseTags.tagId)))
          .where(and(inTenant(courseTags), inArray(courseTags.courseId, [...courseIds])))
          .orderBy(asc(tags.name)),
      (row) => row.courseId,
    ),
    scheduleOfCourse: manyLoader(
      (courseIds: readonly string[]) =>
        db
          .select()
          .from(courseSchedules)
          .where(and(inTenant(courseSchedules), inArray(courseSchedules.courseId, [...courseIds])))
          .orderBy(asc(courseSchedules.weekday), asc(courseSchedules.startTime)),
      (row) => row.courseId,
    ),
  };
}
