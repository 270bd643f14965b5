import { Field, InputType } from "type-graphql";
import type { EnrollmentRequestStatus as RequestStatusValue, EnrollmentStatus as StatusValue } from "../../drizzle/tables/enums-types";
import type {
  EnrollmentFilter as EnrollmentFilterFields,
  EnrollmentRequestFilter as RequestFilterFields,
} from "../../server/services/enrollments";
import { EnrollmentRequestStatus, EnrollmentStatus } from "../shared/enums";
import { UUID } from "../shared/scalars";

@InputType({ description: "Ask for a place in a course for a participant you act for." })
export class RequestEnrollmentInput {
  @Field(() => UUID, { description: "A course you may see, published (staff: any) and not yet over." })
  courseId: string;

  @Field(() => UUID, { description: "Your Student id, or one of your children's ids (staff: anyone's)." })
  participantId: string;

  @Field(() => String, { nullable: true, description: "A note for staff." })
  note?: string | null;
}

@InputType({ description: "Which enrolments to list." })
export class EnrollmentFilter implements EnrollmentFilterFields {
  @Field(() => UUID, { nullable: true, description: "Only enrolments in this course." })
  courseId?: string | null;

  @Field(() => UUID, { nullable: true, description: "Only enrolments of this participant (a Student or Child id)." })
  participantId?: string | null;

  @Field(() => EnrollmentStatus, { nullable: true, description: "Only enrolments in this state." })
  status?: StatusValue | null;
}

@InputType({ description: "Which enrolment requests to list." })
export class EnrollmentRequestFilter implements RequestFilterFields {
  @Field(() => UUID, { nullable: true, description: "Only requests for this course." })
  courseId?: string | null;

  @Field(() => EnrollmentRequestStatus, { nullable: true, description: "Only requests in this state (PENDING: staff's queue)." })
  status?: RequestStatusValue | null;
}
