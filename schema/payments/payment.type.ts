import { Field, ObjectType } from "type-graphql";
import type { Payment as PaymentRow, RefundRequest as RefundRow } from "../../drizzle/schema";
import type { PaymentStatus as PaymentStatusValue, RefundStatus as RefundStatusValue } from "../../drizzle/tables/enums-types";
import { PaymentStatus, RefundStatus } from "../shared/enums";
import { DateTime, JSONObject, UUID } from "../shared/scalars";

@ObjectType({
  description: "Money paid, or being paid, for an enrolment through a provider (manual, sandbox, clickpesa, selcom, polar, paymob).",
})
export class Payment
  implements Pick<PaymentRow, "id" | "status" | "provider" | "providerReference" | "nextAction" | "failureReason" | "paidAt" | "createdAt">
{
  @Field(() => UUID, { description: "The payment's id." })
  id: string;

  @Field(() => PaymentStatus, {
    description: "PENDING until the gateway confirms; SUCCEEDED or FAILED; (PARTIALLY_)REFUNDED after refunds.",
  })
  status: PaymentStatusValue;

  @Field(() => String, { description: "The provider that carries it: manual, sandbox, clickpesa, selcom, polar or paymob." })
  provider: string;

  @Field(() => String, { description: "The provider's reference (what its webhooks and receipts name)." })
  providerReference: string;

  @Field(() => JSONObject, {
    nullable: true,
    description:
      "What the payer must do next, from the provider: `type` (USSD_PUSH, REDIRECT with a checkout `url`, SANDBOX_CONFIRMATION) and its details.",
  })
  nextAction: unknown;

  @Field(() => String, { nullable: true, description: "Why it failed, when it did." })
  failureReason: string | null;

  @Field(() => DateTime, { nullable: true, description: "When the money was received." })
  paidAt: Date | null;

  @Field(() => DateTime, { description: "When the payment was started or recorded." })
  createdAt: Date;

  amount: string;
  refundedAmount: string;
  currency: string;
  enrollmentId: string;
  payerId: string | null;
  recordedBy: string | null;
  tenantId: string;
}

@ObjectType({ description: "A request to give back part or all of a payment, decided by staff." })
export class RefundRequest
  implements Pick<RefundRow, "id" | "status" | "reason" | "decisionNote" | "providerReference" | "decidedAt" | "createdAt">
{
  @Field(() => UUID, { description: "The refund request's id." })
  id: string;

  @Field(() => RefundStatus, { description: "REQUESTED → REFUNDED (or FAILED at the gateway), or REJECTED." })
  status: RefundStatusValue;

  @Field(() => String, { description: "Why the money is asked back." })
  reason: string;

  @Field(() => String, { nullable: true, description: "Staff's reason for a rejection, or the gateway's for a failure." })
  decisionNote: string | null;

  @Field(() => String, { nullable: true, description: "The provider's reference of the refund, once made." })
  providerReference: string | null;

  @Field(() => DateTime, { nullable: true, description: "When staff decided." })
  decidedAt: Date | null;

  @Field(() => DateTime, { description: "When it was requested." })
  createdAt: Date;

  amount: string;
  paymentId: string;
  requestedBy: string;
  decidedBy: string | null;
  tenantId: string;
}
