/**
 * Exams of a course and their per-participant results. Staff and the course's
 * instructor manage them; a participant's results are visible to whoever acts
 * for the participant (the student, the child's parent) and to teachers.
 */
import { and, eq, sql } from "drizzle-orm";
import { examResults, exams, type Exam, type ExamResult } from "../../drizzle/schema";
import { requireTenant } from "../auth/guards";
import { teachersAllOthersOwn } from "../auth/policies";
import { atomic, type Context } from "../context";
import { AppError, badInput, notFound } from "../errors";
import { emit } from "../domain-events/domain-events";
import { audit } from "./audit";
import { courseForTeacher, getCourse } from "./courses";
import { enrolledParticipants, fromExcluded, upsertPerParticipant } from "./participant-rows";

export interface ExamInput {
  title?: string | null;
  date?: string | null;
  maxScore?: string | null;
}

function checkExam(input: ExamInput, creating: boolean) {
  if ((creating || input.title !== undefined) && !input.title?.trim()) throw badInput("title", "required");
  if (creating && !input.date) throw badInput("date", "required");
  if ((creating || input.maxScore != null) && !(Number(input.maxScore) > 0)) throw badInput("maxScore", "must be above 0");
}

export async function createExam(ctx: Context, courseId: string, input: ExamInput) {
  checkExam(input, true);
  return atomic(ctx, async (ctx) => {
    const course = await courseForTeacher(ctx, courseId);
    const [exam] = await ctx.db
      .insert(exams)
      .values({ tenantId: course.tenantId, courseId: course.id, title: input.title!.trim(), date: input.date!, maxScore: input.maxScore! })
      .returning();
    await audit(ctx, { action: "exam.create", entity: "exam", entityId: exam!.id, after: exam });
    return exam!;
  });
}

async function examForTeacher(ctx: Context, examId: string): Promise<Exam> {
  requireTenant(ctx);
  const [exam] = await ctx.db
    .select()
    .from(exams)
    .where(and(ctx.scope.inTenant(exams), eq(exams.id, examId)))
    .for("update");
  if (!exam) throw notFound("Exam", examId);
  await courseForTeacher(ctx, exam.courseId);
  return exam;
}

export async function updateExam(ctx: Context, examId: string, input: ExamInput) {
  checkExam(input, false);
  return atomic(ctx, async (ctx) => {
    const before = await examForTeacher(ctx, examId);
    if (input.maxScore != null) {
      const [highest] = await ctx.db
        .select({ score: sql<string | null>`max(${examResults.score})` })
        .from(examResults)
        .where(and(ctx.scope.inTenant(examResults), eq(examResults.examId, examId)));
      if (highest?.score != null && Number(highest.score) > Number(input.maxScore)) {
        throw new AppError("BAD_USER_INPUT", "exam.maxBelowResults", { score: highest.score }, { field: "maxScore" });
      }
    }
    const [after] = await ctx.db
      .update(exams)
      .set({
        ...(input.title != null && { title: input.title.trim() }),
        ...(input.date != null && { date: input.date }),
        ...(input.maxScore != null && { maxScore: input.maxScore }),
      })
      .where(and(ctx.scope.inTenant(exams), eq(exams.id, examId)))
      .returning();
    await audit(ctx, { action: "exam.update", entity: "exam", entityId: examId, before, after });
    return after!;
  });
}

export async function deleteExam(ctx: Context, examId: string) {
  return atomic(ctx, async (ctx) => {
    const before = await examForTeacher(ctx, examId);
    await ctx.db.delete(exams).where(and(ctx.scope.inTenant(exams), eq(exams.id, examId)));
    await audit(ctx, { action: "exam.delete", entity: "exam", entityId: examId, before });
    return true;
  });
}

export interface ResultInput {
  participantId: string;
  score: string;
  notes?: string | null;
}

/**
 * Records (or corrects) results of an exam, all or nothing. Each participant must
 * be enrolled in the course (ACTIVE or COMPLETED); scores from 0 to the exam's maximum.
 */
export async function recordExamResults(ctx: Context, examId: string, results: ResultInput[]) {
  if (results.length === 0) throw badInput("results", "empty");
  if (new Set(results.map((r) => r.participantId)).size !== results.length) throw badInput("results", "a participant twice");
  return atomic(ctx, async (ctx) => {
    const exam = await examForTeacher(ctx, examId);
    results.forEach((result, index) => {
      const score = Number(result.score);
      if (!(score >= 0) || score > Number(exam.maxScore)) {
        throw new AppError(
          "BAD_USER_INPUT",
          "exam.scoreOutOfRange",
          { row: index + 1, score: result.score, max: exam.maxScore },
          { field: `results[${index}].score` },
        );
      }
    });
    const participants = await enrolledParticipants(
      ctx,
      exam.courseId,
      results.map((result) => result.participantId),
      ["ACTIVE", "COMPLETED"],
      (index) => ({ field: `results[${index}].participantId` }),
    );
    // One upsert per kind of participant; correcting a result updates it. In the order of the input rows.
    const updatedAt = new Date();
    const saved: ExamResult[] = await upsertPerParticipant(
      ctx,
      examResults,
      [examResults.tenantId, examResults.examId],
      results.map((result, index) => ({
        participant: participants[index]!,
        values: { tenantId: exam.tenantId, examId, score: result.score, notes: result.notes ?? null, updatedAt },
      })),
      { ...fromExcluded(examResults, ["score", "notes"]), updatedAt },
    );
    await audit(ctx, { action: "exam.results", entity: "exam", entityId: examId, after: saved });
    const courseName = (await ctx.loaders.course.load(exam.courseId))?.name ?? "";
    await emit(ctx, { type: "exam.resultsRecorded", tenantId: exam.tenantId, exam, courseName, results: saved });
    return saved;
  });
}

/** The results of an exam the viewer may read: all for teachers, their own participants' otherwise. */
export async function visibleResults(ctx: Context, exam: Exam): Promise<ExamResult[]> {
  return teachersAllOthersOwn(ctx, exam.courseId, await ctx.loaders.resultsOfExam.load(exam.id));
}

/** Exams of a course the viewer may see. */
export async function examsOfCourse(ctx: Context, courseId: string) {
  await getCourse(ctx, courseId);
  return ctx.loaders.examsOfCourse.load(courseId);
}
