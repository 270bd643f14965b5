import { Field, ObjectType } from "type-graphql";
import type { Enrollment as EnrollmentRow, EnrollmentRequest as RequestRow } from "../../drizzle/schema";
import type { EnrollmentRequestStatus as RequestStatusValue, EnrollmentStatus as StatusValue } from "../../drizzle/tables/enums-types";
import { EnrollmentRequestStatus, EnrollmentStatus } from "../shared/enums";
import { DateTime, UUID } from "../shared/scalars";

@ObjectType({ description: "A participant's place in a course." })
export class Enrollment implements Pick<EnrollmentRow, "id" | "status" | "enrolledAt" | "endedAt"> {
  @Field(() => UUID)
  id: string;

  @Field(() => EnrollmentStatus)
  status: StatusValue;

  @Field(() => DateTime)
  enrolledAt: Date;

  @Field(() => DateTime, { nullable: true })
  endedAt: Date | null;

  courseId: string;
  studentId: string | null;
  childId: string | null;
  requestId: string | null;
  tenantId: string;
}

@ObjectType({ description: "A request for a place, decided by staff." })
export class EnrollmentRequest implements Pick<RequestRow, "id" | "status" | "note" | "decisionReason" | "decidedAt" | "createdAt"> {
  @Field(() => UUID)
  id: string;

  @Field(() => EnrollmentRequestStatus)
  status: RequestStatusValue;

  @Field(() => String, { nullable: true, description: "From the requester." })
  note: string | null;

  @Field(() => String, { nullable: true, description: "Why it was rejected." })
  decisionReason: string | null;

  @Field(() => DateTime, { nullable: true })
  decidedAt: Date | null;

  @Field(() => DateTime)
  createdAt: Date;

  courseId: string;
  studentId: string | null;
  childId: string | null;
  requestedBy: string;
  decidedBy: string | null;
}

@ObjectType({ description: "An approved request and the enrolment it made." })
export class ApproveEnrollmentPayload {
  @Field(() => EnrollmentRequest)
  request: RequestRow;

  @Field(() => Enrollment)
  enrollment: EnrollmentRow;
}
