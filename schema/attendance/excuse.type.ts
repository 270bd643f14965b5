import { Field, InputType, Int, ObjectType } from "type-graphql";
import type { AbsenceExcuse as ExcuseRow } from "../../drizzle/schema";
import type { ExcuseStatus as ExcuseStatusValue } from "../../drizzle/tables/enums-types";
import type { AttendanceSettingsInput } from "../../server/services/attendance-settings";
import { ExcuseStatus } from "../shared/enums";
import { DateTime, Decimal, UUID } from "../shared/scalars";

@ObjectType({ description: "An absence excuse for one lecture, submitted ahead of it by the family (or the student), decided by staff." })
export class AbsenceExcuse implements Pick<ExcuseRow, "id" | "reason" | "status" | "decidedAt" | "decisionNote" | "createdAt"> {
  @Field(() => UUID, { description: "The excuse's id." })
  id: string;

  @Field(() => String, { description: "Why the participant will be absent (1 to 1000 characters)." })
  reason: string;

  @Field(() => ExcuseStatus, { description: "PENDING, ACCEPTED (the mark is EXCUSED) or REJECTED." })
  status: ExcuseStatusValue;

  @Field(() => DateTime, { nullable: true, description: "When staff decided it; null while PENDING." })
  decidedAt: Date | null;

  @Field(() => String, { nullable: true, description: "The decider's note; null when none." })
  decisionNote: string | null;

  @Field(() => DateTime, { description: "When it was first submitted." })
  createdAt: Date;

  lectureId: string;
  studentId: string | null;
  childId: string | null;
}

@InputType({ description: "An excuse for a coming lecture." })
export class SubmitAbsenceExcuseInput {
  @Field(() => UUID, { description: "A SCHEDULED lecture that has not started yet." })
  lectureId: string;

  @Field(() => UUID, { description: "A Student or Child id you act for, ACTIVE in the lecture's course." })
  participantId: string;

  @Field(() => String, { description: "Why, 1 to 1000 characters." })
  reason: string;
}

@ObjectType({ description: "The tenant's attendance settings." })
export class AttendanceSettings {
  @Field(() => Decimal, { description: "What a LATE mark counts for in rates, 0.00 to 1.00 (1.00: as present; default 1.00)." })
  lateWeight: string;

  @Field(() => Int, {
    description: "Minutes after a lecture's start within which a check-in is PRESENT rather than LATE (0–120, default 10).",
  })
  lateGraceMinutes: number;

  @Field(() => Boolean, { description: "Whether students may check themselves in with a lecture's rotating code (default false)." })
  selfCheckIn: boolean;
}

@InputType({ description: "Changes to the attendance settings; omitted fields keep their value." })
export class UpdateAttendanceSettingsInput implements AttendanceSettingsInput {
  @Field(() => Decimal, { nullable: true, description: "0.00 to 1.00." })
  lateWeight?: string | null;

  @Field(() => Int, { nullable: true, description: "0 to 120 minutes." })
  lateGraceMinutes?: number | null;

  @Field(() => Boolean, { nullable: true, description: "Allow self check-in." })
  selfCheckIn?: boolean | null;
}
