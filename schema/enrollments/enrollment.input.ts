import { Field, InputType } from "type-graphql";
import type { EnrollmentRequestStatus as RequestStatusValue, EnrollmentStatus as StatusValue } from "../../drizzle/tables/enums-types";
import type { EnrollmentFilter as EnrollmentFilterFields, EnrollmentRequestFilter as RequestFilterFields } from "../../server/services/enrollments";
import { EnrollmentRequestStatus, EnrollmentStatus } from "../shared/enums";
import { UUID } from "../shared/scalars";

@InputType({ description: "Ask for a place in a course for a participant you act for." })
export class RequestEnrollmentInput {
  @Field(() => UUID)
  courseId: string;

  @Field(() => UUID, { description: "Your Student id, or one of your children's ids (staff: anyone's)." })
  participantId: string;

  @Field(() => String, { nullable: true })
  note?: string | null;
}

@InputType({ description: "Which enrolments to list." })
export class EnrollmentFilter implements EnrollmentFilterFields {
  @Field(() => UUID, { nullable: true })
  courseId?: string | null;

  @Field(() => UUID, { nullable: true })
  participantId?: string | null;

  @Field(() => EnrollmentStatus, { nullable: true })
  status?: StatusValue | null;
}

@InputType({ description: "Which enrolment requests to list." })
export class EnrollmentRequestFilter implements RequestFilterFields {
  @Field(() => UUID, { nullable: true })
  courseId?: string | null;

  @Field(() => EnrollmentRequestStatus, { nullable: true })
  status?: RequestStatusValue | null;
}
