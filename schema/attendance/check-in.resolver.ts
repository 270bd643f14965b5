import { Arg, Ctx, Field, Int, Mutation, ObjectType, Query, Resolver } from "type-graphql";
import type { Lecture as LectureRow, LectureAttendance as MarkRow } from "../../drizzle/schema";
import type { Context } from "../../server/context";
import * as checkIn from "../../server/services/check-in";
import { Lecture } from "../courses/course.type";
import { DateTime, UUID } from "../shared/scalars";
import { LectureAttendance } from "./attendance.type";

@ObjectType({ description: "A participant's check-in QR code: put `token` in a QR code (it holds no personal data)." })
export class CheckInCode {
  @Field(() => UUID, { description: "The participant (Student or Child id)." })
  participantId: string;

  @Field(() => Int, { description: "The code's version; revoking makes a new version and older codes stop working." })
  version: number;

  @Field(() => String, { description: "The signed payload to encode in the QR code (valid in this tenant only, until revoked)." })
  token: string;
}

@ObjectType({ description: "A lecture's rotating self check-in code, to show on a screen." })
export class LectureCheckInCode {
  @Field(() => String, { description: "8 digits; changes every 30 seconds (the previous code is accepted too)." })
  code: string;

  @Field(() => DateTime, { description: "When this code is replaced by the next one (ask again then)." })
  validUntil: Date;

  @Field(() => Lecture, { description: "The lecture." })
  lecture: LectureRow;
}

@ObjectType({ description: "The result of a check-in." })
export class CheckInResult {
  @Field(() => LectureAttendance, { description: "The participant's mark for the lecture: PRESENT or LATE." })
  mark: MarkRow;

  @Field(() => Lecture, { description: "The lecture checked in to." })
  lecture: LectureRow;

  @Field(() => Boolean, { description: "True when they were already checked in (scanning again changes nothing)." })
  alreadyCheckedIn: boolean;
}

@Resolver()
export class CheckInResolver {
  @Query(() => CheckInCode, {
    description: "A participant's check-in QR code, for who acts for them (the student, the child's guardian, staff).",
  })
  checkInCode(@Arg("participantId", () => UUID, { description: "A Student or Child id." }) participantId: string, @Ctx() ctx: Context) {
    return checkIn.checkInCode(ctx, participantId);
  }

  @Mutation(() => CheckInCode, {
    description: "Revokes a participant's QR code (a lost card) and returns the new one; for who acts for them.",
  })
  revokeCheckInCode(
    @Arg("participantId", () => UUID, { description: "A Student or Child id." }) participantId: string,
    @Ctx() ctx: Context,
  ) {
    return checkIn.revokeCheckInCode(ctx, participantId);
  }

  @Mutation(() => CheckInResult, {
    description:
      "Scans a participant's QR code (a device of the tenant, staff, the course's instructor): marks them PRESENT, or LATE past the tenant's lateGraceMinutes after the start, for the lecture of their courses happening now (30 minutes before its start to its end). Scanning again changes nothing. Refusals carry extensions.reason: INVALID_CHECK_IN_CODE (forged, revoked, another tenant's), NOT_ENROLLED, NO_CURRENT_LECTURE, NOT_NOW.",
  })
  checkIn(
    @Arg("token", () => String, { description: "The scanned QR payload." }) token: string,
    @Ctx() ctx: Context,
    @Arg("lectureId", () => UUID, { nullable: true, description: "This lecture (happening now) instead of finding it." })
    lectureId?: string,
  ) {
    return checkIn.checkIn(ctx, token, lectureId);
  }

  @Query(() => LectureCheckInCode, {
    description: "A lecture's rotating self check-in code (a device of the tenant, staff, the course's instructor).",
  })
  lectureCheckInCode(@Arg("lectureId", () => UUID, { description: "The lecture." }) lectureId: string, @Ctx() ctx: Context) {
    return checkIn.lectureCheckInCode(ctx, lectureId);
  }

  @Mutation(() => CheckInResult, {
    description:
      "A signed-in student checks themself in to a lecture of their courses happening now with the code on its screen (when the tenant allows self check-in: else FORBIDDEN, reason SELF_CHECK_IN_OFF). A wrong or expired code is BAD_USER_INPUT, reason INVALID_CODE.",
  })
  checkInMyself(@Arg("code", () => String, { description: "The 8 digits shown." }) code: string, @Ctx() ctx: Context) {
    return checkIn.checkInMyself(ctx, code);
  }
}
