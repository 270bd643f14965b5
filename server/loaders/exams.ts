/** Loaders for exams and their results. */
import { and, asc, inArray } from "drizzle-orm";
import { examResults, exams } from "../../drizzle/schema";
import { manyLoader, oneLoader } from "./batch";
import type { LoaderContext } from "./index";

export function examLoaders(ctx: LoaderContext) {
  const { db } = ctx;
  const { inTenant } = ctx.scope;

  return {
    exam: oneLoader(
      (ids: readonly string[]) =>
        db
          .select()
          .from(exams)
          .where(and(inTenant(exams), inArray(exams.id, [...ids]))),
      (row) => row.id,
    ),
    examsOfCourse: manyLoader(
      (courseIds: readonly string[]) =>
        db
          .select()
          .from(exams)
          .where(and(inTenant(exams), inArray(exams.courseId, [...courseIds])))
          .orderBy(asc(exams.date)),
      (row) => row.courseId,
    ),
    resultsOfExam: manyLoader(
      (examIds: readonly string[]) =>
        db
          .select()
          .from(examResults)
          .where(and(inTenant(examResults), inArray(examResults.examId, [...examIds])))
          .orderBy(asc(examResults.createdAt)),
      (row) => row.examId,
    ),
  };
}
