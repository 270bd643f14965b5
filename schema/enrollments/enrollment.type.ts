import { Field, ObjectType } from "type-graphql";
import type { Enrollment as EnrollmentRow, EnrollmentRequest as RequestRow } from "../../drizzle/schema";
import type { EnrollmentRequestStatus as RequestStatusValue, EnrollmentStatus as StatusValue } from "../../drizzle/tables/enums-types";
import { EnrollmentRequestStatus, EnrollmentStatus } from "../shared/enums";
import { DateTime, UUID } from "../shared/scalars";

@ObjectType({ description: "A participant's place in a course." })
export class Enrollment implements Pick<EnrollmentRow, "id" | "status" | "enrolledAt" | "endedAt"> {
  @Field(() => UUID, { description: "The enrolment's id." })
  id: string;

  @Field(() => EnrollmentStatus, { description: "ACTIVE (holds a place), COMPLETED, DROPPED or REFUNDED." })
  status: StatusValue;

  @Field(() => DateTime, { description: "When the place was given (the latest approval, if it was enrolled again)." })
  enrolledAt: Date;

  @Field(() => DateTime, { nullable: true, description: "When it stopped being ACTIVE; null while ACTIVE." })
  endedAt: Date | null;

  courseId: string;
  studentId: string | null;
  childId: string | null;
  requestId: string | null;
  tenantId: string;
}

@ObjectType({ description: "A request for a place, decided by staff." })
export class EnrollmentRequest implements Pick<RequestRow, "id" | "status" | "note" | "decisionReason" | "decidedAt" | "createdAt"> {
  @Field(() => UUID, { description: "The request's id." })
  id: string;

  @Field(() => EnrollmentRequestStatus, { description: "PENDING until staff approve or reject it, or it is withdrawn (CANCELLED)." })
  status: RequestStatusValue;

  @Field(() => String, { nullable: true, description: "From the requester; null when none." })
  note: string | null;

  @Field(() => String, { nullable: true, description: "Why it was rejected (REJECTED only)." })
  decisionReason: string | null;

  @Field(() => DateTime, { nullable: true, description: "When it was approved, rejected or withdrawn; null while PENDING." })
  decidedAt: Date | null;

  @Field(() => DateTime, { description: "When it was asked for." })
  createdAt: Date;

  courseId: string;
  studentId: string | null;
  childId: string | null;
  requestedBy: string;
  decidedBy: string | null;
}

@ObjectType({ description: "An approved request and the enrolment it made." })
export class ApproveEnrollmentPayload {
  @Field(() => EnrollmentRequest, { description: "The request, now APPROVED." })
  request: RequestRow;

  @Field(() => Enrollment, {
    description: "The ACTIVE enrolment: new, or an earlier one of the participant in this course made ACTIVE again.",
  })
  enrollment: EnrollmentRow;
}
