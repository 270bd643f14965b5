import { Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import type { Context } from "../../server/context";
import * as enrollments from "../../server/services/enrollments";
import { Course } from "../courses/course.type";
import { Participant } from "../people/people.type";
import { Connection, toConnection } from "../shared/connection";
import { UUID } from "../shared/scalars";
import { User } from "../users/user.type";
import { EnrollmentFilter, EnrollmentRequestFilter, RequestEnrollmentInput } from "./enrollment.input";
import { ApproveEnrollmentPayload, Enrollment, EnrollmentRequest } from "./enrollment.type";

const EnrollmentConnection = Connection(Enrollment, "Enrollment");
const EnrollmentRequestConnection = Connection(EnrollmentRequest, "EnrollmentRequest");

/** Shared relation fields of enrolments and requests. */
const participantOf = async (row: { studentId: string | null; childId: string | null }, ctx: Context) =>
  (await ctx.loaders.participant.load((row.studentId ?? row.childId)!))?.row;

@Resolver(() => Enrollment)
export class EnrollmentResolver {
  @Query(() => Enrollment, { description: "An enrolment you may see." })
  enrollment(@Arg("id", () => UUID) id: string, @Ctx() ctx: Context) {
    return enrollments.getEnrollment(ctx, id);
  }

  @Query(() => EnrollmentConnection, {
    description: "Enrolments you may see (staff: all; instructors: their courses'; families: their own), newest first.",
  })
  async enrollments(
    @Ctx() ctx: Context,
    @Arg("filter", () => EnrollmentFilter, { nullable: true }) filter?: EnrollmentFilter,
    @Arg("first", () => Int, { nullable: true }) first?: number,
    @Arg("after", () => String, { nullable: true }) after?: string,
  ) {
    return toConnection(await enrollments.listEnrollments(ctx, { filter, first, after }), (row) => row);
  }

  @Mutation(() => Enrollment, { description: "Leaves a course (staff, the student, or the child's parent)." })
  dropEnrollment(@Arg("id", () => UUID) id: string, @Ctx() ctx: Context) {
    return enrollments.dropEnrollment(ctx, id);
  }

  @Mutation(() => Enrollment, { description: "Staff: marks an enrolment completed." })
  completeEnrollment(@Arg("id", () => UUID) id: string, @Ctx() ctx: Context) {
    return enrollments.completeEnrollment(ctx, id);
  }

  @FieldResolver(() => Course)
  course(@Root() enrollment: Enrollment, @Ctx() ctx: Context) {
    return ctx.loaders.course.load(enrollment.courseId);
  }

  @FieldResolver(() => Participant)
  participant(@Root() enrollment: Enrollment, @Ctx() ctx: Context) {
    return participantOf(enrollment, ctx);
  }

  @FieldResolver(() => EnrollmentRequest, { nullable: true })
  request(@Root() enrollment: Enrollment, @Ctx() ctx: Context) {
    return enrollment.requestId ? ctx.loaders.enrollmentRequest.load(enrollment.requestId) : null;
  }
}

@Resolver(() => EnrollmentRequest)
export class EnrollmentRequestResolver {
  @Query(() => EnrollmentRequestConnection, {
    description: "Enrolment requests you may see (staff: all, e.g. filter status PENDING), newest first.",
  })
  async enrollmentRequests(
    @Ctx() ctx: Context,
    @Arg("filter", () => EnrollmentRequestFilter, { nullable: true }) filter?: EnrollmentRequestFilter,
    @Arg("first", () => Int, { nullable: true }) first?: number,
    @Arg("after", () => String, { nullable: true }) after?: string,
  ) {
    return toConnection(await enrollments.listEnrollmentRequests(ctx, { filter, first, after }), (row) => row);
  }

  @Mutation(() => EnrollmentRequest, { description: "Asks for a place (parents for their children, students for themselves, staff for anyone)." })
  requestEnrollment(@Arg("input", () => RequestEnrollmentInput) input: RequestEnrollmentInput, @Ctx() ctx: Context) {
    return enrollments.requestEnrollment(ctx, input);
  }

  @Mutation(() => ApproveEnrollmentPayload, { description: "Staff: approves a PENDING request if a place is left." })
  approveEnrollmentRequest(@Arg("id", () => UUID) id: string, @Ctx() ctx: Context) {
    return enrollments.approveEnrollmentRequest(ctx, id);
  }

  @Mutation(() => EnrollmentRequest, { description: "Staff: declines a PENDING request with a reason." })
  rejectEnrollmentRequest(@Arg("id", () => UUID) id: string, @Arg("reason", () => String) reason: string, @Ctx() ctx: Context) {
    return enrollments.rejectEnrollmentRequest(ctx, id, reason);
  }

  @Mutation(() => EnrollmentRequest, { description: "Withdraws a PENDING request (its requester or staff)." })
  cancelEnrollmentRequest(@Arg("id", () => UUID) id: string, @Ctx() ctx: Context) {
    return enrollments.cancelEnrollmentRequest(ctx, id);
  }

  @FieldResolver(() => Course)
  course(@Root() request: EnrollmentRequest, @Ctx() ctx: Context) {
    return ctx.loaders.course.load(request.courseId);
  }

  @FieldResolver(() => Participant)
  participant(@Root() request: EnrollmentRequest, @Ctx() ctx: Context) {
    return participantOf(request, ctx);
  }

  @FieldResolver(() => User)
  requestedBy(@Root() request: EnrollmentRequest, @Ctx() ctx: Context) {
    return ctx.loaders.user.load(request.requestedBy);
  }
}
