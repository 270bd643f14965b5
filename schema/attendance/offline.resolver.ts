import {
  Arg,
  Ctx,
  Field,
  FieldResolver,
  InputType,
  Int,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  Root,
  registerEnumType,
} from "type-graphql";
import type { Lecture as LectureRow, LectureAttendance as MarkRow } from "../../drizzle/schema";
import type { AttendanceStatus as StatusValue } from "../../drizzle/tables/enums-types";
import type { Context } from "../../server/context";
import * as offline from "../../server/services/offline-registers";
import { Lecture } from "../courses/course.type";
import { Participant } from "../people/people.type";
import { AttendanceStatus } from "../shared/enums";
import { DateTime, LocalDate, UUID } from "../shared/scalars";
import { LectureAttendance } from "./attendance.type";

const REJECTIONS: Record<offline.SyncRejection, string> = {
  INVALID: "The mark itself is malformed (e.g. LATE without minutesLate, markedAt in the future); message says how.",
  DUPLICATE: "The same clientMarkId appeared earlier in this sync.",
  UNKNOWN_LECTURE: "No such lecture in this organisation (or it is gone).",
  CANCELLED_LECTURE: "The lecture was cancelled.",
  NOT_YOUR_LECTURE: "You do not teach the lecture's course.",
  UNKNOWN_PARTICIPANT: "No such student or child in this organisation.",
  NOT_ENROLLED: "The participant is not ACTIVE in the lecture's course.",
};
export const SyncRejection = Object.fromEntries(Object.keys(REJECTIONS).map((key) => [key, key])) as {
  [K in offline.SyncRejection]: K;
};
registerEnumType(SyncRejection, {
  name: "SyncRejection",
  description: "Why a synced offline mark was rejected (it was not stored: syncing it again checks it again).",
  valuesConfig: Object.fromEntries(Object.entries(REJECTIONS).map(([key, description]) => [key, { description }])),
});

@ObjectType({ description: "One lecture's register for offline marking." })
export class OfflineRegister {
  @Field(() => Lecture, { description: "The lecture." })
  lecture: LectureRow;

  @Field(() => String, { description: "The register's version: it changes whenever one of its marks changes." })
  version: string;

  @Field(() => [LectureAttendance], { description: "The marks so far, oldest first." })
  marks: MarkRow[];

  participantIds: string[];
}

@InputType({ description: "A mark made offline." })
export class SyncMarkInput implements offline.SyncMarkInput {
  @Field(() => UUID, { description: "The device's own id for this mark (a UUID); syncing it again answers the same." })
  clientMarkId: string;

  @Field(() => UUID, { description: "The lecture." })
  lectureId: string;

  @Field(() => UUID, { description: "A Student or Child id, ACTIVE in the lecture's course." })
  participantId: string;

  @Field(() => AttendanceStatus, { description: "PRESENT, ABSENT, LATE or EXCUSED." })
  status: StatusValue;

  @Field(() => Int, { nullable: true, description: "For LATE (required): minutes after the start, 1 to 1440." })
  minutesLate?: number | null;

  @Field(() => String, { nullable: true, description: "For EXCUSED only: why, up to 1000 characters." })
  reason?: string | null;

  @Field(() => DateTime, { description: "When the mark was made on the device (at most 5 minutes ahead of the server's clock)." })
  markedAt: Date;
}

@ObjectType({ description: "A synced mark and the participant's mark for the lecture now." })
export class SyncedMark {
  @Field(() => UUID, { description: "The device's id for the mark." })
  clientMarkId: string;

  @Field(() => LectureAttendance, { description: "Applied: the mark as written. Overridden: the mark that won." })
  mark: MarkRow;
}

@ObjectType({ description: "A synced mark that was rejected." })
export class RejectedMark {
  @Field(() => UUID, { description: "The device's id for the mark." })
  clientMarkId: string;

  @Field(() => SyncRejection, { description: "Why." })
  reason: offline.SyncRejection;

  @Field(() => String, { description: "Why, in words (English)." })
  message: string;
}

@ObjectType({ description: "What became of each synced mark (each appears in exactly one list, in input order)." })
export class SyncAttendancePayload {
  @Field(() => [SyncedMark], { description: "Marks that are now the participant's mark for the lecture." })
  applied: SyncedMark[];

  @Field(() => [SyncedMark], { description: "Marks another mark won over: a later one, or a staff member's over a device's." })
  overridden: SyncedMark[];

  @Field(() => [RejectedMark], { description: "Marks refused, with the reason." })
  rejected: RejectedMark[];
}

@Resolver(() => OfflineRegister)
export class OfflineRegisterResolver {
  @Query(() => [OfflineRegister], {
    description:
      "A day's registers for offline marking (a device of the tenant, staff; an instructor gets their courses'): non-cancelled lectures by start time (at most 200), their ACTIVE participants, the marks so far and a version.",
  })
  offlineRegisters(@Arg("date", () => LocalDate, { description: "The day, in the tenant's calendar." }) date: string, @Ctx() ctx: Context) {
    return offline.offlineRegisters(ctx, date);
  }

  @FieldResolver(() => [Participant], { description: "The participants with an ACTIVE enrolment in the course, in enrolment order." })
  async participants(@Root() register: OfflineRegister, @Ctx() ctx: Context) {
    const found = await ctx.loaders.participant.loadMany(register.participantIds);
    return found.flatMap((entry) => (entry && !(entry instanceof Error) ? [entry.row] : []));
  }

  @Mutation(() => SyncAttendancePayload, {
    description:
      "Syncs marks made offline (a device of the tenant, staff, the course's instructor), 1 to 500, idempotent per clientMarkId. Conflicts: a staff member's mark beats a device's, the nightly AUTO_ABSENT loses to any, otherwise the latest markedAt wins. attendanceUpdated subscribers are told after commit; families of the newly absent are notified.",
  })
  syncAttendance(
    @Arg("marks", () => [SyncMarkInput], { description: "The queued marks, 1 to 500." }) marks: SyncMarkInput[],
    @Ctx() ctx: Context,
  ) {
    return offline.syncAttendance(ctx, marks);
  }
}
