import { Arg, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from "type-graphql";
import type { Context } from "../../server/context";
import * as policies from "../../server/services/refund-policies";
import { cancelEnrollmentWithRefund } from "../../server/services/self-cancellation";
import { Course } from "../courses/course.type";
import { DateTime, UUID } from "../shared/scalars";
import { CancelEnrollmentWithRefundInput, RefundPolicyInput } from "./refund-policy.input";
import { CancelEnrollmentWithRefundPayload, RefundPolicy, RefundQuote } from "./refund-policy.type";

@Resolver(() => Course)
export class CourseRefundPolicyResolver {
  @FieldResolver(() => RefundPolicy, {
    nullable: true,
    description: "How much of a payment comes back when asked for, by date; null when the course has none (refunds in full).",
  })
  refundPolicy(@Root() course: Course, @Ctx() ctx: Context) {
    return policies.refundPolicyOfCourse(ctx, course as never);
  }

  @Mutation(() => Course, {
    description: "Staff: sets a course's refund policy (replacing any), or removes it with null (audited as refundPolicy.set).",
  })
  setCourseRefundPolicy(
    @Arg("courseId", () => UUID, { description: "The course." }) courseId: string,
    @Arg("policy", () => RefundPolicyInput, { nullable: true, description: "The policy; null removes it." })
    policy: RefundPolicyInput | null,
    @Ctx() ctx: Context,
  ) {
    return policies.setCourseRefundPolicy(ctx, courseId, policy ?? null);
  }

  @Mutation(() => CancelEnrollmentWithRefundPayload, {
    description:
      "Leaves a course (the student, the child's parent, or staff) and asks, in the same step, for the refund its policy gives now (refundQuote); staff then approve it as any refund request.",
  })
  cancelEnrollmentWithRefund(
    @Arg("input", () => CancelEnrollmentWithRefundInput, { description: "The enrolment, a reason and an idempotency key." })
    input: CancelEnrollmentWithRefundInput,
    @Ctx() ctx: Context,
  ) {
    return cancelEnrollmentWithRefund(ctx, input);
  }

  @Query(() => RefundQuote, {
    description:
      "What a refund of an enrolment gives now (or at `at`), under its course's policy, before the family asks: staff, or who acts for its participant.",
  })
  refundQuote(
    @Arg("enrollmentId", () => UUID, { description: "The enrolment." }) enrollmentId: string,
    @Arg("at", () => DateTime, { nullable: true, description: "The instant to quote for (default now): to see when it changes." })
    at: Date | null,
    @Ctx() ctx: Context,
  ) {
    return policies.refundQuote(ctx, enrollmentId, at);
  }
}
