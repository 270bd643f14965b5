import { Field, InputType, Int } from "type-graphql";
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
