import { Field, InputType } from "type-graphql";
import type { PaymentStatus as PaymentStatusValue, RefundStatus as RefundStatusValue } from "../../drizzle/tables/enums-types";
import type {
  ApproveRefundInput as ApproveRefundFields,
  PaymentFilter as PaymentFilterFields,
  RecordManualPaymentInput as RecordManualPaymentFields,
  RefundRequestFilter as RefundRequestFilterFields,
  RequestRefundInput as RequestRefundFields,
  StartPaymentInput as StartPaymentFields,
} from "../../server/services/payments";
import { PaymentStatus, RefundStatus } from "../shared/enums";
import { Decimal, PhoneNumber, UUID } from "../shared/scalars";

const IDEMPOTENCY_KEY =
  "Unique per intended operation (1–200 printable characters, e.g. a UUID). Retrying with the same key and input returns the first result and never moves money twice; the same key with other input is a CONFLICT. Keys are kept 24 hours.";

@InputType({ description: "Start paying for an enrolment through an online provider." })
export class StartPaymentInput implements StartPaymentFields {
  @Field(() => UUID, { description: "The enrolment to pay for (one you act for, or any as staff)." })
  enrollmentId: string;

  @Field(() => String, {
    description:
      'An enabled online provider: "sandbox" (outside production); when configured, "clickpesa" and "selcom" (TZS mobile money), "polar" (cards, in its configured currency), "paymob" (EGP: cards, wallets, kiosks).',
  })
  provider: string;

  @Field(() => Decimal, {
    nullable: true,
    description: "How much (more than 0); default: all that is still owed (course price less what was paid).",
  })
  amount?: string | null;

  @Field(() => PhoneNumber, { nullable: true, description: "Mobile money number for USSD-push providers; default: the payer's phone." })
  phoneNumber?: string | null;

  @Field(() => String, { description: IDEMPOTENCY_KEY })
  idempotencyKey: string;
}

@InputType({ description: "Staff: record money taken in person (cash, a checked bank transfer)." })
export class RecordManualPaymentInput implements RecordManualPaymentFields {
  @Field(() => UUID, { description: "The enrolment paid for." })
  enrollmentId: string;

  @Field(() => Decimal, { description: "How much was received (more than 0, at most what is owed)." })
  amount: string;

  @Field(() => String, { nullable: true, description: "Receipt or transfer number; unique among manual payments." })
  reference?: string | null;

  @Field(() => String, { nullable: true, description: "A note for the audit log." })
  note?: string | null;

  @Field(() => String, { description: IDEMPOTENCY_KEY })
  idempotencyKey: string;
}

@InputType({ description: "Ask for part or all of a payment back." })
export class RequestRefundInput implements RequestRefundFields {
  @Field(() => UUID, { description: "A SUCCEEDED or PARTIALLY_REFUNDED payment." })
  paymentId: string;

  @Field(() => Decimal, { description: "How much (more than 0; with other open requests, never more than is left to refund)." })
  amount: string;

  @Field(() => String, { description: "Why (staff read it)." })
  reason: string;

  @Field(() => String, { description: IDEMPOTENCY_KEY })
  idempotencyKey: string;

  @Field(() => String, {
    nullable: true,
    description:
      "Staff only (FORBIDDEN otherwise): why more than the course's refund policy allows (refundQuote) is asked for; audited as refund.policyOverride. Without it, more is BAD_USER_INPUT.",
  })
  overridePolicyReason?: string | null;
}

@InputType({ description: "Staff: approve a REQUESTED refund (the provider pays it back)." })
export class ApproveRefundInput implements ApproveRefundFields {
  @Field(() => UUID, { description: "The refund request to approve." })
  refundRequestId: string;

  @Field(() => String, { description: IDEMPOTENCY_KEY })
  idempotencyKey: string;
}

@InputType({ description: "Which payments to list." })
export class PaymentFilter implements PaymentFilterFields {
  @Field(() => UUID, { nullable: true, description: "Payments of this enrolment." })
  enrollmentId?: string | null;

  @Field(() => PaymentStatus, { nullable: true, description: "Payments in this state." })
  status?: PaymentStatusValue | null;

  @Field(() => String, { nullable: true, description: "Payments through this provider." })
  provider?: string | null;
}

@InputType({ description: "Which refund requests to list." })
export class RefundRequestFilter implements RefundRequestFilterFields {
  @Field(() => UUID, { nullable: true, description: "Refund requests of this payment." })
  paymentId?: string | null;

  @Field(() => RefundStatus, { nullable: true, description: "Refund requests in this state (REQUESTED: staff's queue)." })
  status?: RefundStatusValue | null;
}
