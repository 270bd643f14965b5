import { Field, InputType, Int } from "type-graphql";
import type { AttendanceStatus as StatusValue } from "../../drizzle/tables/enums-types";
import { AttendanceStatus } from "../shared/enums";
import type { MarkInput as MarkFields } from "../../server/services/attendance";
import { Decimal, UUID } from "../shared/scalars";

@InputType({ description: "One participant's mark." })
export class MarkInput implements MarkFields {
  @Field(() => UUID, { description: "A Student or Child id, enrolled (ACTIVE) in the course." })
  participantId: string;

  @Field(() => Boolean, { nullable: true, description: "Shorthand when no status is given: true for PRESENT, false for ABSENT." })
  present?: boolean | null;

  @Field(() => AttendanceStatus, { nullable: true, description: "PRESENT, ABSENT, LATE or EXCUSED (give this or present)." })
  status?: StatusValue | null;

  @Field(() => Int, { nullable: true, description: "For LATE (required): minutes after the start, 1 to 1440." })
  minutesLate?: number | null;

  @Field(() => String, { nullable: true, description: "For EXCUSED only: why, up to 1000 characters." })
  reason?: string | null;

  @Field(() => Decimal, { nullable: true, description: "Required when PRESENT or LATE (1.00–10.00); must be absent otherwise." })
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
