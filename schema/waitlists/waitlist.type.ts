import { Field, Int, ObjectType } from "type-graphql";
import type { CourseWaitlistEntry as EntryRow, Enrollment as EnrollmentRow } from "../../drizzle/schema";
import type { CourseWaitlistStatus as StatusValue } from "../../drizzle/tables/enums-types";
import { Enrollment } from "../enrollments/enrollment.type";
import { CourseWaitlistStatus } from "../shared/enums";
import { DateTime, UUID } from "../shared/scalars";

@ObjectType({
  description:
    "A family's place in a course's waitlist: one participant, or siblings placed together (all or none). Free places are offered in line order, held until offerExpiresAt.",
})
export class CourseWaitlistEntry
  implements Pick<EntryRow, "id" | "status" | "size" | "joinedAt" | "offeredAt" | "offerExpiresAt" | "closedAt">
{
  @Field(() => UUID, { description: "The entry's id." })
  id: string;

  @Field(() => CourseWaitlistStatus, { description: "WAITING, OFFERED, or how it left the line." })
  status: StatusValue;

  @Field(() => Int, { description: "Participants in the entry: the free places an offer needs (1 to 10)." })
  size: number;

  @Field(() => DateTime, { description: "When it joined the line (earliest first)." })
  joinedAt: Date;

  @Field(() => DateTime, { nullable: true, description: "When places were offered; null before an offer." })
  offeredAt: Date | null;

  @Field(() => DateTime, {
    nullable: true,
    description: "Until when the offer may be accepted (offeredAt plus the course's offerHoldHours); null before an offer.",
  })
  offerExpiresAt: Date | null;

  @Field(() => DateTime, { nullable: true, description: "When it was accepted, declined, expired or cancelled; null while in line." })
  closedAt: Date | null;

  tenantId: string;
  courseId: string;
  requestedBy: string;
}

@ObjectType({ description: "An accepted waitlist offer and the enrolments it made." })
export class AcceptWaitlistOfferPayload {
  @Field(() => CourseWaitlistEntry, { description: "The entry, now ACCEPTED." })
  entry: EntryRow;

  @Field(() => [Enrollment], { description: "One ACTIVE enrolment per participant of the entry." })
  enrollments: EnrollmentRow[];
}
