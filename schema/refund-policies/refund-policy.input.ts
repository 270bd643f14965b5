import { Field, InputType, Int } from "type-graphql";
import { UUID } from "../shared/scalars";
import type { RefundCutoff as CutoffValue } from "../../drizzle/schema";
import type { RefundPolicyInput as PolicyFields, RefundTierInput as TierFields } from "../../server/services/refund-policies";
import { Decimal } from "../shared/scalars";
import { RefundCutoff } from "./refund-policy.type";

@InputType({ description: "One refund tier." })
export class RefundTierInput implements TierFields {
  @Field(() => Int, { description: "Whole percent of what was paid, 0 to 100." })
  percent: number;

  @Field(() => RefundCutoff, { description: "Where the tier ends." })
  until: CutoffValue;

  @Field(() => Int, { nullable: true, description: "DAYS_BEFORE_START only (required there): 0 to 365." })
  days?: number | null;
}

@InputType({ description: "A course's refund policy: tiers in time order and a fee." })
export class RefundPolicyInput implements PolicyFields {
  @Field(() => Decimal, { nullable: true, description: "Taken off every computed refund; 0 or more (default 0)." })
  fee?: string | null;

  @Field(() => [RefundTierInput], { description: "1 to 10 tiers whose cut-offs, for this course, are in time order." })
  tiers: RefundTierInput[];
}

@InputType({ description: "Leave a course and ask for what its refund policy gives back now." })
export class CancelEnrollmentWithRefundInput {
  @Field(() => UUID, { description: "The ACTIVE enrolment (the family's own; staff: any)." })
  enrollmentId: string;

  @Field(() => String, { description: "Why (staff read it with the refund request)." })
  reason: string;

  @Field(() => String, { description: "A fresh random key per cancellation: a retry with the same key asks for no second refund." })
  idempotencyKey: string;
}
