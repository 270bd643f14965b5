import { Field, InputType } from "type-graphql";
import type { MarkInput as MarkFields } from "../../server/services/attendance";
import { Decimal, UUID } from "../shared/scalars";

@InputType({ description: "One participant's mark." })
export class MarkInput implements MarkFields {
  @Field(() => UUID, { description: "A Student or Child id, enrolled (ACTIVE) in the course." })
  participantId: string;

  @Field(() => Boolean, { description: "Whether the participant attended." })
  present: boolean;

  @Field(() => Decimal, { nullable: true, description: "Required when present (1.00–10.00); must be absent when not present." })
  rating?: string | null;

  @Field(() => String, { nullable: true, description: "Remarks, up to 1000 characters." })
  notes?: string | null;
}

@InputType({ description: "A rating of the course's instructor." })
export class RateInstructorInput {
  @Field(() => UUID, {
    description: "A course with an instructor, in which one of your participants is or was enrolled (ACTIVE or COMPLETED).",
  })
  courseId: string;

  @Field(() => Decimal, { description: "1.00–10.00." })
  rating: string;

  @Field(() => String, { nullable: true, description: "Up to 2000 characters." })
  comment?: string | null;
}
