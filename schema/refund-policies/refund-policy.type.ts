import { Field, Int, ObjectType, registerEnumType } from "type-graphql";
import type { Enrollment as EnrollmentRow, RefundRequest as RefundRow } from "../../drizzle/schema";
import { Enrollment } from "../enrollments/enrollment.type";
import { RefundRequest } from "../payments/payment.type";
import type { RefundCutoff as CutoffValue } from "../../drizzle/schema";
import type { RefundPolicyView, RefundQuote as QuoteFields, RefundTierView } from "../../server/services/refund-policies";
import { CurrencyCode, DateTime, Decimal, UUID } from "../shared/scalars";

export const RefundCutoff = { DAYS_BEFORE_START: "DAYS_BEFORE_START", FIRST_LECTURE: "FIRST_LECTURE" } as const;
registerEnumType(RefundCutoff, {
  name: "RefundCutoff",
  description: "Where a refund tier ends, in the tenant's time zone (the tier applies strictly before it).",
  valuesConfig: {
    DAYS_BEFORE_START: { description: "Local midnight `days` days before the course's first day (0: the first day's midnight)." },
    FIRST_LECTURE: { description: "The start of the course's first lecture not cancelled (its first day's midnight while it has none)." },
  },
});

@ObjectType({ description: "One tier of a refund policy: a percentage refunded until a cut-off." })
export class RefundTier implements RefundTierView {
  @Field(() => Int, { description: "Whole percent (0 to 100) of what was paid that comes back, before the fee." })
  percent: number;

  @Field(() => RefundCutoff, { description: "Where the tier ends." })
  until: CutoffValue;

  @Field(() => Int, { nullable: true, description: "DAYS_BEFORE_START: how many days before the first day; null otherwise." })
  days: number | null;

  @Field(() => DateTime, { description: "The cut-off instant for this course: the tier applies before it, the next from it." })
  endsAt: Date;
}

@ObjectType({ description: "A course's refund policy: ordered tiers (after the last, nothing is refunded) and a fee." })
export class RefundPolicy implements RefundPolicyView {
  courseId: string;

  @Field(() => Decimal, { description: "Taken off every refund the policy computes, in the course's currency (never below 0)." })
  fee: string;

  @Field(() => [RefundTier], { description: "The tiers, their cut-offs in time order." })
  tiers: RefundTier[];
}

@ObjectType({ description: "What asking for a refund of an enrolment gives at an instant, before the family confirms." })
export class RefundQuote implements QuoteFields {
  @Field(() => UUID, { description: "The enrolment." })
  enrollmentId: string;

  @Field(() => CurrencyCode, { description: "The course's currency." })
  currency: string;

  @Field(() => Decimal, { description: "Paid and not yet refunded or claimed by an open refund request: what the percentage applies to." })
  refundableBeforePolicy: string;

  @Field(() => Int, { description: "The applying tier's percent (100 without a policy; 0 after the last tier)." })
  percent: number;

  @Field(() => Decimal, { description: "The policy's fee (0 without a policy)." })
  fee: string;

  @Field(() => Decimal, {
    description:
      "What may be asked for (requestRefund refuses more unless staff override): percent of it, less the fee, never below 0, rounded down to the cent.",
  })
  refundable: string;

  @Field(() => DateTime, {
    nullable: true,
    description: "When the applying tier ends and the quote drops; null after the last tier or without a policy.",
  })
  changesAt: Date | null;

  @Field(() => Boolean, { description: "The course has a refund policy (false: refunds in full)." })
  hasPolicy: boolean;

  @Field(() => DateTime, { description: "The instant the quote is for." })
  at: Date;
}

@ObjectType({ description: "A course left with a refund asked for under its policy." })
export class CancelEnrollmentWithRefundPayload {
  @Field(() => Enrollment, { description: "The enrolment, now DROPPED (its place went to the waitlist, if any)." })
  enrollment: EnrollmentRow;

  @Field(() => RefundQuote, { description: "The quote the refund was asked for by, taken just before leaving." })
  quote: RefundQuote;

  @Field(() => [RefundRequest], { description: "The REQUESTED refunds (one per payment the quote was split over; none when it is 0)." })
  refunds: RefundRow[];
}
