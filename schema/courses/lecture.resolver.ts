import type { GraphQLResolveInfo } from "graphql";
import { Arg, Ctx, FieldResolver, Info, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import type { Context } from "../../server/context";
import * as lectures from "../../server/services/lectures";
import { zonedInstant } from "../../server/time";
import { LectureAttendanceSummary } from "../attendance/attendance.type";
import { Connection, CONNECTION_ROWS, toConnection } from "../shared/connection";
import { DateTime, UUID } from "../shared/scalars";
import { CreateLectureInput, LectureFilter, UpdateLectureInput } from "./course.input";
import { Course, Lecture } from "./course.type";

/** A page of lectures (also Course.lectures). */
export const LectureConnection = Connection(Lecture, "Lecture");

@Resolver(() => Lecture)
export class LectureResolver {
  @Query(() => Lecture, { description: "A lecture of a course you may see; NOT_FOUND otherwise." })
  lecture(@Arg("id", () => UUID, { description: "The lecture's id." }) id: string, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo) {
    return lectures.getLecture(ctx, id, ctx.planner.loader(info));
  }

  @Query(() => LectureConnection, { description: "Lectures by date and time (of one course, or of every course you may see)." })
  async lectures(
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
    @Arg("filter", () => LectureFilter, { nullable: true, description: "Conditions the lectures must meet." }) filter?: LectureFilter,
    @Arg("first", () => Int, { nullable: true, description: "Page size, 1 to 100 (default 20)." }) first?: number,
    @Arg("after", () => String, { nullable: true, description: "endCursor of the previous page." }) after?: string,
  ) {
    return toConnection(
      await lectures.listLectures(ctx, { filter, first, after }, ctx.planner.loader(info, CONNECTION_ROWS)),
      (row) => row,
    );
  }

  @Mutation(() => Lecture, { description: "Staff or the course's instructor: a lecture outside the schedule." })
  createLecture(
    @Arg("courseId", () => UUID, { description: "The course to add it to." }) courseId: string,
    @Arg("input", () => CreateLectureInput, { description: "The new lecture." }) input: CreateLectureInput,
    @Ctx() ctx: Context,
  ) {
    return lectures.createLecture(ctx, courseId, input);
  }

  @Mutation(() => Lecture, { description: "Staff or the course's instructor: reschedules, renames or completes a SCHEDULED lecture." })
  updateLecture(
    @Arg("id", () => UUID, { description: "The lecture to change." }) id: string,
    @Arg("input", () => UpdateLectureInput, { description: "The fields to change." }) input: UpdateLectureInput,
    @Ctx() ctx: Context,
  ) {
    return lectures.updateLecture(ctx, id, input);
  }

  @Mutation(() => Boolean, {
    description:
      "Staff or the course's instructor: deletes a lecture entered by mistake; true when done. Nobody is notified. " +
      "One with attendance marks is refused with CONFLICT (extensions.reason HAS_HISTORY, suggestion cancelLecture, " +
      "which keeps it and tells the people enrolled); so is one of an archived course (ARCHIVED).",
  })
  deleteLecture(@Arg("id", () => UUID, { description: "The lecture to delete." }) id: string, @Ctx() ctx: Context) {
    return lectures.deleteLecture(ctx, id);
  }

  @Mutation(() => Lecture, {
    description: "Staff or the course's instructor: cancels a SCHEDULED lecture; families of ACTIVE participants are notified.",
  })
  cancelLecture(
    @Arg("id", () => UUID, { description: "The lecture to cancel." }) id: string,
    @Ctx() ctx: Context,
    @Arg("reason", () => String, { nullable: true, description: "Why; kept as the lecture's cancelledReason." }) reason?: string,
  ) {
    return lectures.cancelLecture(ctx, id, reason);
  }

  @FieldResolver(() => Course, { description: "The course it belongs to." })
  course(@Root() lecture: Lecture, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo) {
    return ctx.planner.load(lecture, info);
  }

  @FieldResolver(() => LectureAttendanceSummary, {
    nullable: true,
    description: "Marks so far (staff and the course's instructor; null for others).",
  })
  attendanceSummary(@Root() lecture: Lecture, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo) {
    return ctx.planner.load(lecture, info);
  }

  @FieldResolver(() => DateTime, { description: "Start instant (date and time in the tenant's time zone)." })
  startsAt(@Root() lecture: Lecture, @Ctx() ctx: Context) {
    return zonedInstant(lecture.date, lecture.startTime, ctx.tenant?.timeZone ?? "Africa/Cairo");
  }

  @FieldResolver(() => DateTime, { description: "End instant: startsAt plus durationMinutes." })
  endsAt(@Root() lecture: Lecture, @Ctx() ctx: Context) {
    const start = zonedInstant(lecture.date, lecture.startTime, ctx.tenant?.timeZone ?? "Africa/Cairo");
    return new Date(start.getTime() + lecture.durationMinutes * 60_000);
  }
}
