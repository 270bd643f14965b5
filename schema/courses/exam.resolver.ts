import type { GraphQLResolveInfo } from "graphql";
import { Arg, Ctx, FieldResolver, Info, Mutation, Resolver, Root } from "type-graphql";
import type { Context } from "../../server/context";
import * as exams from "../../server/services/exams";
import { Participant } from "../people/people.type";
import { UUID } from "../shared/scalars";
import { CreateExamInput, UpdateExamInput, ExamResultInput } from "./course.input";
import { Course, Exam, ExamResult } from "./course.type";
import { participantIdOf } from "../../server/auth/policies";

@Resolver(() => Exam)
export class ExamResolver {
  @Mutation(() => Exam, { description: "Staff or the course's instructor: a new exam." })
  createExam(
    @Arg("courseId", () => UUID, { description: "The course the exam belongs to." }) courseId: string,
    @Arg("input", () => CreateExamInput, { description: "The new exam." }) input: CreateExamInput,
    @Ctx() ctx: Context,
  ) {
    return exams.createExam(ctx, courseId, input);
  }

  @Mutation(() => Exam, { description: "Staff or the course's instructor: changes an exam." })
  updateExam(
    @Arg("id", () => UUID, { description: "The exam to change." }) id: string,
    @Arg("input", () => UpdateExamInput, { description: "The fields to change." }) input: UpdateExamInput,
    @Ctx() ctx: Context,
  ) {
    return exams.updateExam(ctx, id, input);
  }

  @Mutation(() => Boolean, { description: "Staff or the course's instructor: deletes an exam and its results; true when done." })
  deleteExam(@Arg("id", () => UUID, { description: "The exam to delete." }) id: string, @Ctx() ctx: Context) {
    return exams.deleteExam(ctx, id);
  }

  @Mutation(() => [ExamResult], {
    description:
      "Staff or the course's instructor: records or corrects scores, all or nothing. Each participant must be enrolled in the course (ACTIVE or COMPLETED). Answers the results written, in input order.",
  })
  recordExamResults(
    @Arg("examId", () => UUID, { description: "The exam." }) examId: string,
    @Arg("results", () => [ExamResultInput], { description: "One score per participant (each participant once; not empty)." })
    results: ExamResultInput[],
    @Ctx() ctx: Context,
  ) {
    return exams.recordExamResults(ctx, examId, results);
  }

  @FieldResolver(() => Course, { description: "The course it belongs to." })
  course(@Root() exam: Exam, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo) {
    return ctx.planner.load(exam, info);
  }

  @FieldResolver(() => [ExamResult], { description: "Teachers see all results; families their own participants'." })
  results(@Root() exam: Exam, @Ctx() ctx: Context) {
    return exams.visibleResults(ctx, exam as never);
  }
}

@Resolver(() => ExamResult)
export class ExamResultResolver {
  @FieldResolver(() => Participant, { description: "Whose result it is." })
  async participant(@Root() result: ExamResult, @Ctx() ctx: Context) {
    return (await ctx.loaders.participant.load(participantIdOf(result)))?.row;
  }
}
