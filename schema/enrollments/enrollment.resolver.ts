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
import { participantIdOf } from "../../server/auth/policies";

const EnrollmentConnection = Connection(Enrollment, "Enrollment");
const EnrollmentRequestConnection = Connection(EnrollmentRequest, "EnrollmentRequest");

/** Shared relation fields of enrolments and requests. */
const participantOf = async (row: { studentId: string | null; childId: string | null }, ctx: Context) =>
  (await ctx.loaders.participant.load(participantIdOf(row)))?.row;

@Resolver(() => Enrollment)
export class EnrollmentResolver {
  @Query(() => Enrollment, {
    description: "An enrolment you may see (staff; the course's instructor; who acts for the participant); NOT_FOUND otherwise.",
  })
  enrollment(@Arg("id", () => UUID, { description: "The enrolment's id." }) id: string, @Ctx() ctx: Context) {
    return enrollments.getEnrollment(ctx, id);
  }

  @Query(() => EnrollmentConnection, {
    description: "Enrolments you may see (staff: all; instructors: their courses'; families: their own), newest first.",
  })
  async enrollments(
    @Ctx() ctx: Context,
    @Arg("filter", () => EnrollmentFilter, { nullable: true, description: "Conditions the enrolments must meet." })
    filter?: EnrollmentFilter,
    @Arg("first", () => Int, { nullable: true, description: "Page size, 1 to 100 (default 20)." }) first?: number,
    @Arg("after", () => String, { nullable: true, description: "endCursor of the previous page." }) after?: string,
  ) {
    return toConnection(await enrollments.listEnrollments(ctx, { filter, first, after }), (row) => row);
  }

  @Mutation(() => Enrollment, {
    description: "Leaves a course (staff, the student, or the child's parent): an ACTIVE enrolment becomes DROPPED and its place frees up.",
  })
  dropEnrollment(@Arg("id", () => UUID, { description: "The ACTIVE enrolment to end." }) id: string, @Ctx() ctx: Context) {
    return enrollments.dropEnrollment(ctx, id);
  }

  @Mutation(() => Enrollment, { description: "Staff: an ACTIVE enrolment becomes COMPLETED and its place frees up." })
  completeEnrollment(@Arg("id", () => UUID, { description: "The ACTIVE enrolment to complete." }) id: string, @Ctx() ctx: Context) {
    return enrollments.completeEnrollment(ctx, id);
  }

  @FieldResolver(() => Course, { description: "The course." })
  course(@Root() enrollment: Enrollment, @Ctx() ctx: Context) {
    return ctx.loaders.course.load(enrollment.courseId);
  }

  @FieldResolver(() => Participant, { description: "Who is enrolled: a student or a child." })
  participant(@Root() enrollment: Enrollment, @Ctx() ctx: Context) {
    return participantOf(enrollment, ctx);
  }

  @FieldResolver(() => EnrollmentRequest, {
    nullable: true,
    description: "The approved request that (last) made it ACTIVE; null when none.",
  })
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
    @Arg("filter", () => EnrollmentRequestFilter, { nullable: true, description: "Conditions the requests must meet." })
    filter?: EnrollmentRequestFilter,
    @Arg("first", () => Int, { nullable: true, description: "Page size, 1 to 100 (default 20)." }) first?: number,
    @Arg("after", () => String, { nullable: true, description: "endCursor of the previous page." }) after?: string,
  ) {
    return toConnection(await enrollments.listEnrollmentRequests(ctx, { filter, first, after }), (row) => row);
  }

  @Mutation(() => EnrollmentRequest, {
    description:
      "Asks for a place (parents for their children, students for themselves, staff for anyone): a PENDING request. CONFLICT when the participant is already ACTIVE in the course or has a PENDING request for it, or the course is unpublished or over.",
  })
  requestEnrollment(
    @Arg("input", () => RequestEnrollmentInput, { description: "The course, the participant and a note." }) input: RequestEnrollmentInput,
    @Ctx() ctx: Context,
  ) {
    return enrollments.requestEnrollment(ctx, input);
  }

  @Mutation(() => ApproveEnrollmentPayload, {
    description: "Staff: approves a PENDING request if a place is left (CONFLICT when full); the family is notified.",
  })
  approveEnrollmentRequest(@Arg("id", () => UUID, { description: "The PENDING request." }) id: string, @Ctx() ctx: Context) {
    return enrollments.approveEnrollmentRequest(ctx, id);
  }

  @Mutation(() => EnrollmentRequest, { description: "Staff: declines a PENDING request with a reason; the family is notified." })
  rejectEnrollmentRequest(
    @Arg("id", () => UUID, { description: "The PENDING request." }) id: string,
    @Arg("reason", () => String, { description: "Why (not empty); sent to the family." }) reason: string,
    @Ctx() ctx: Context,
  ) {
    return enrollments.rejectEnrollmentRequest(ctx, id, reason);
  }

  @Mutation(() => EnrollmentRequest, {
    description: "Withdraws a PENDING request (its requester, who acts for the participant, or staff): CANCELLED.",
  })
  cancelEnrollmentRequest(@Arg("id", () => UUID, { description: "The PENDING request." }) id: string, @Ctx() ctx: Context) {
    return enrollments.cancelEnrollmentRequest(ctx, id);
  }

  @FieldResolver(() => Course, { description: "The course asked for." })
  course(@Root() request: EnrollmentRequest, @Ctx() ctx: Context) {
    return ctx.loaders.course.load(request.courseId);
  }

  @FieldResolver(() => Participant, { description: "Who the place is for: a student or a child." })
  participant(@Root() request: EnrollmentRequest, @Ctx() ctx: Context) {
    return participantOf(request, ctx);
  }

  @FieldResolver(() => User, { description: "Who asked (a parent, the student, or staff)." })
  requestedBy(@Root() request: EnrollmentRequest, @Ctx() ctx: Context) {
    return ctx.loaders.user.load(request.requestedBy);
  }
}
