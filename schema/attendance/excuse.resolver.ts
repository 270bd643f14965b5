import { Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import { participantIdOf } from "../../server/auth/policies";
import type { Context } from "../../server/context";
import type { ExcuseStatus as ExcuseStatusValue } from "../../drizzle/tables/enums-types";
import * as excuses from "../../server/services/absence-excuses";
import * as settings from "../../server/services/attendance-settings";
import { Lecture } from "../courses/course.type";
import { Participant } from "../people/people.type";
import { Connection, toConnection } from "../shared/connection";
import { ExcuseStatus } from "../shared/enums";
import { UUID } from "../shared/scalars";
import { AbsenceExcuse, AttendanceSettings, SubmitAbsenceExcuseInput, UpdateAttendanceSettingsInput } from "./excuse.type";

const AbsenceExcuseConnection = Connection(AbsenceExcuse, "AbsenceExcuse");

@Resolver(() => AbsenceExcuse)
export class AbsenceExcuseResolver {
  @Mutation(() => AbsenceExcuse, {
    description:
      "Submits an excuse for a coming lecture, for a participant you act for (the student, the child's guardian, staff); while PENDING, submitting again replaces the reason. CONFLICT once the lecture has started or the excuse was decided.",
  })
  submitAbsenceExcuse(
    @Arg("input", () => SubmitAbsenceExcuseInput, { description: "The lecture, the participant and the reason." })
    input: SubmitAbsenceExcuseInput,
    @Ctx() ctx: Context,
  ) {
    return excuses.submitAbsenceExcuse(ctx, input);
  }

  @Mutation(() => AbsenceExcuse, {
    description:
      "Staff or the course's instructor accept a PENDING excuse: the participant is marked EXCUSED for the lecture with its reason (CONFLICT if marked PRESENT or LATE); attendanceUpdated subscribers are told.",
  })
  acceptAbsenceExcuse(
    @Arg("id", () => UUID, { description: "The excuse." }) id: string,
    @Ctx() ctx: Context,
    @Arg("note", () => String, { nullable: true, description: "A note for the family, up to 1000 characters." }) note?: string,
  ) {
    return excuses.decideAbsenceExcuse(ctx, id, true, note);
  }

  @Mutation(() => AbsenceExcuse, {
    description: "Staff or the course's instructor reject a PENDING excuse; the lecture's mark is left as it is.",
  })
  rejectAbsenceExcuse(
    @Arg("id", () => UUID, { description: "The excuse." }) id: string,
    @Ctx() ctx: Context,
    @Arg("note", () => String, { nullable: true, description: "Why, for the family, up to 1000 characters." }) note?: string,
  ) {
    return excuses.decideAbsenceExcuse(ctx, id, false, note);
  }

  @Query(() => AbsenceExcuseConnection, {
    description:
      "Absence excuses, newest first: staff see all; an instructor those of a lecture they teach (give lectureId); families their own participants'.",
  })
  async absenceExcuses(
    @Ctx() ctx: Context,
    @Arg("status", () => ExcuseStatus, { nullable: true, description: "Only excuses in this state." }) status?: ExcuseStatusValue,
    @Arg("lectureId", () => UUID, { nullable: true, description: "Only this lecture's excuses." }) lectureId?: string,
    @Arg("first", () => Int, { nullable: true, description: "Page size, 1 to 100 (default 20)." }) first?: number,
    @Arg("after", () => String, { nullable: true, description: "endCursor of the previous page." }) after?: string,
  ) {
    return toConnection(await excuses.listAbsenceExcuses(ctx, { status, lectureId, first, after }), (row) => row);
  }

  @FieldResolver(() => Lecture, { description: "The lecture excused." })
  lecture(@Root() excuse: AbsenceExcuse, @Ctx() ctx: Context) {
    return ctx.loaders.lecture.load(excuse.lectureId);
  }

  @FieldResolver(() => Participant, { description: "Who will be absent: a student or a child." })
  async participant(@Root() excuse: AbsenceExcuse, @Ctx() ctx: Context) {
    return (await ctx.loaders.participant.load(participantIdOf(excuse)))?.row;
  }
}

@Resolver(() => AttendanceSettings)
export class AttendanceSettingsResolver {
  @Query(() => AttendanceSettings, { description: "The tenant's attendance settings (tenant admins and staff)." })
  attendanceSettings(@Ctx() ctx: Context) {
    return settings.getAttendanceSettings(ctx);
  }

  @Mutation(() => AttendanceSettings, { description: "Changes the tenant's attendance settings (tenant admins)." })
  updateAttendanceSettings(
    @Arg("input", () => UpdateAttendanceSettingsInput, { description: "The settings to change." }) input: UpdateAttendanceSettingsInput,
    @Ctx() ctx: Context,
  ) {
    return settings.updateAttendanceSettings(ctx, input);
  }
}
