import { Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import type { Context } from "../../server/context";
import * as payments from "../../server/services/payments";
import { Enrollment } from "../enrollments/enrollment.type";
import { Connection, toConnection } from "../shared/connection";
import { Money, money } from "../shared/money.type";
import { UUID } from "../shared/scalars";
import { User } from "../users/user.type";
import {
  ApproveRefundInput,
  PaymentFilter,
  RecordManualPaymentInput,
  RefundRequestFilter,
  RequestRefundInput,
  StartPaymentInput,
} from "./payment.input";
import { Payment, RefundRequest } from "./payment.type";

const PaymentConnection = Connection(Payment, "Payment");
const RefundRequestConnection = Connection(RefundRequest, "RefundRequest");

@Resolver(() => Payment)
export class PaymentResolver {
  @Query(() => Payment, { description: "A payment you may see (staff: any; families: their own participants')." })
  payment(@Arg("id", () => UUID, { description: "The payment's id." }) id: string, @Ctx() ctx: Context) {
    return payments.getPayment(ctx, id);
  }

  @Query(() => PaymentConnection, { description: "Payments you may see (staff: all; families: their own participants'), newest first." })
  async payments(
    @Ctx() ctx: Context,
    @Arg("filter", () => PaymentFilter, { nullable: true, description: "Conditions the payments must meet." }) filter?: PaymentFilter,
    @Arg("first", () => Int, { nullable: true, description: "Page size, 1 to 100 (default 20)." }) first?: number,
    @Arg("after", () => String, { nullable: true, description: "endCursor of the previous page." }) after?: string,
  ) {
    return toConnection(await payments.listPayments(ctx, { filter, first, after }), (row) => row);
  }

  @Mutation(() => Payment, {
    description:
      "Starts paying for an enrolment through an online provider: PENDING with `nextAction`, or FAILED when the gateway declines.",
  })
  startPayment(
    @Arg("input", () => StartPaymentInput, { description: "The enrolment, provider, amount and idempotency key." })
    input: StartPaymentInput,
    @Ctx() ctx: Context,
  ) {
    return payments.startPayment(ctx, input);
  }

  @Mutation(() => Payment, { description: "Staff: records money taken in person; SUCCEEDED at once." })
  recordManualPayment(
    @Arg("input", () => RecordManualPaymentInput, { description: "The enrolment, amount received and idempotency key." })
    input: RecordManualPaymentInput,
    @Ctx() ctx: Context,
  ) {
    return payments.recordManualPayment(ctx, input);
  }

  @FieldResolver(() => Money, { description: "How much." })
  amount(@Root() payment: Payment) {
    return money(payment.amount, payment.currency);
  }

  @FieldResolver(() => Money, { description: "How much of it has been refunded." })
  refundedAmount(@Root() payment: Payment) {
    return money(payment.refundedAmount, payment.currency);
  }

  @FieldResolver(() => Enrollment, { description: "The enrolment paid for." })
  enrollment(@Root() payment: Payment, @Ctx() ctx: Context) {
    return ctx.loaders.enrollment.load(payment.enrollmentId);
  }

  @FieldResolver(() => User, { nullable: true, description: "Whose money it is: the participant's account (a child's parent)." })
  payer(@Root() payment: Payment, @Ctx() ctx: Context) {
    return payment.payerId ? ctx.loaders.user.load(payment.payerId) : null;
  }

  @FieldResolver(() => User, { nullable: true, description: "Who started or recorded it (staff, for manual payments)." })
  recordedBy(@Root() payment: Payment, @Ctx() ctx: Context) {
    return payment.recordedBy ? ctx.loaders.user.load(payment.recordedBy) : null;
  }

  @FieldResolver(() => [RefundRequest], { description: "Refund requests of this payment, oldest first." })
  refunds(@Root() payment: Payment, @Ctx() ctx: Context) {
    return ctx.loaders.refundsOfPayment.load(payment.id);
  }
}

@Resolver(() => RefundRequest)
export class RefundRequestResolver {
  @Query(() => RefundRequestConnection, {
    description: "Refund requests you may see (staff: all, e.g. filter status REQUESTED; families: their own), newest first.",
  })
  async refundRequests(
    @Ctx() ctx: Context,
    @Arg("filter", () => RefundRequestFilter, { nullable: true, description: "Conditions the refund requests must meet." })
    filter?: RefundRequestFilter,
    @Arg("first", () => Int, { nullable: true, description: "Page size, 1 to 100 (default 20)." }) first?: number,
    @Arg("after", () => String, { nullable: true, description: "endCursor of the previous page." }) after?: string,
  ) {
    return toConnection(await payments.listRefundRequests(ctx, { filter, first, after }), (row) => row);
  }

  @Mutation(() => RefundRequest, { description: "Asks for money back (who acts for the participant, or staff): REQUESTED." })
  requestRefund(
    @Arg("input", () => RequestRefundInput, { description: "The payment, amount, reason and idempotency key." }) input: RequestRefundInput,
    @Ctx() ctx: Context,
  ) {
    return payments.requestRefund(ctx, input);
  }

  @Mutation(() => RefundRequest, {
    description:
      "Staff: pays a REQUESTED refund back through the provider: REFUNDED (payment and, when all is returned, enrolment too) or FAILED.",
  })
  approveRefund(
    @Arg("input", () => ApproveRefundInput, { description: "The refund request and idempotency key." }) input: ApproveRefundInput,
    @Ctx() ctx: Context,
  ) {
    return payments.approveRefund(ctx, input);
  }

  @Mutation(() => RefundRequest, { description: "Staff: declines a REQUESTED refund with a reason the family is told." })
  rejectRefund(
    @Arg("refundRequestId", () => UUID, { description: "The refund request to decline." }) refundRequestId: string,
    @Arg("reason", () => String, { description: "Why (the family is told)." }) reason: string,
    @Ctx() ctx: Context,
  ) {
    return payments.rejectRefund(ctx, refundRequestId, reason);
  }

  @FieldResolver(() => Money, { description: "How much is asked back." })
  async amount(@Root() refund: RefundRequest, @Ctx() ctx: Context) {
    const payment = await ctx.loaders.payment.load(refund.paymentId);
    return money(refund.amount, payment!.currency);
  }

  @FieldResolver(() => Payment, { description: "The payment to refund." })
  payment(@Root() refund: RefundRequest, @Ctx() ctx: Context) {
    return ctx.loaders.payment.load(refund.paymentId);
  }

  @FieldResolver(() => User, { description: "Who asked." })
  requestedBy(@Root() refund: RefundRequest, @Ctx() ctx: Context) {
    return ctx.loaders.user.load(refund.requestedBy);
  }

  @FieldResolver(() => User, { nullable: true, description: "Who decided (staff)." })
  decidedBy(@Root() refund: RefundRequest, @Ctx() ctx: Context) {
    return refund.decidedBy ? ctx.loaders.user.load(refund.decidedBy) : null;
  }
}

/** Money fields of an enrolment (type-graphql merges them into Enrollment). */
@Resolver(() => Enrollment)
export class EnrollmentPaymentsResolver {
  @FieldResolver(() => [Payment], { description: "Payments for this enrolment, newest first (staff and the family; empty for others)." })
  payments(@Root() enrollment: Enrollment, @Ctx() ctx: Context) {
    return payments.paymentsOfEnrollmentForViewer(ctx, enrollment);
  }

  @FieldResolver(() => Money, { nullable: true, description: "Received less refunded (null for viewers who may not see money)." })
  async amountPaid(@Root() enrollment: Enrollment, @Ctx() ctx: Context) {
    const due = await payments.moneyOfEnrollmentForViewer(ctx, enrollment);
    return due && money(due.amountPaid, due.currency);
  }

  @FieldResolver(() => Money, {
    nullable: true,
    description: "Course price less amountPaid, never below 0 (null for viewers who may not see money).",
  })
  async balance(@Root() enrollment: Enrollment, @Ctx() ctx: Context) {
    const due = await payments.moneyOfEnrollmentForViewer(ctx, enrollment);
    return due && money(due.balance, due.currency);
  }
}
