import { Arg, Ctx, FieldResolver, Mutation, Query, Resolver, Root, Subscription } from "type-graphql";
import type { Context } from "../../server/context";
import type { Topic, TopicPayloads } from "../../server/pubsub/topics";
import * as attendance from "../../server/services/attendance";
import { subscribeToAttendance } from "../../server/services/realtime";
import { Course, Lecture } from "../courses/course.type";
import { Participant } from "../people/people.type";
import { UUID } from "../shared/scalars";
import { User } from "../users/user.type";
import { MarkInput } from "./attendance.input";
import { AttendanceUpdate, CourseAttendance, LectureAttendance, MarkAttendancePayload, ParticipantAttendance } from "./attendance.type";
import { participantIdOf } from "../../server/auth/policies";

@Resolver(() => LectureAttendance)
export class AttendanceResolver {
  @Mutation(() => MarkAttendancePayload, {
    description:
      "Marks a whole lecture in one go (staff, the course's instructor, or a device of the tenant), all or nothing; re-marking replaces a participant's mark. Families of participants newly absent are notified; attendanceUpdated subscribers are told.",
  })
  markAttendance(
    @Arg("lectureId", () => UUID, { description: "A lecture that is not CANCELLED." }) lectureId: string,
    @Arg("marks", () => [MarkInput], { description: "1 to 500 rows, each participant once; every row is checked before any is written." })
    marks: MarkInput[],
    @Ctx() ctx: Context,
  ) {
    return attendance.markAttendance(ctx, lectureId, marks);
  }

  @Query(() => [LectureAttendance], {
    description: "Marks of a lecture, in marking order (teachers and devices: all; families: their own participants'; at most 1000).",
  })
  lectureAttendance(@Arg("lectureId", () => UUID, { description: "The lecture." }) lectureId: string, @Ctx() ctx: Context) {
    return attendance.attendanceOfLecture(ctx, lectureId);
  }

  @Query(() => ParticipantAttendance, {
    description:
      "A participant's marks and attendance rate (optionally in one course): for who acts for the participant, and for teachers (an instructor sees only the marks of courses they teach).",
  })
  async participantAttendance(
    @Arg("participantId", () => UUID, { description: "A Student or Child id." }) participantId: string,
    @Ctx() ctx: Context,
    @Arg("courseId", () => UUID, { nullable: true, description: "Only this course's lectures." }) courseId?: string,
  ) {
    const result = await attendance.attendanceOfParticipant(ctx, participantId, courseId);
    return { ...result, participantId: result.participant.id };
  }

  @Query(() => CourseAttendance, { description: "Per-lecture attendance summary of a course (staff and the course's instructor)." })
  courseAttendance(@Arg("courseId", () => UUID, { description: "The course." }) courseId: string, @Ctx() ctx: Context) {
    return attendance.attendanceOfCourse(ctx, courseId);
  }

  @FieldResolver(() => Lecture, { description: "The lecture." })
  lecture(@Root() mark: LectureAttendance, @Ctx() ctx: Context) {
    return ctx.loaders.lecture.load(mark.lectureId);
  }

  @FieldResolver(() => Participant, { description: "Who was marked: a student or a child." })
  async participant(@Root() mark: LectureAttendance, @Ctx() ctx: Context) {
    return (await ctx.loaders.participant.load(participantIdOf(mark)))?.row;
  }

  @FieldResolver(() => User, { nullable: true, description: "Who marked it (null for devices and the nightly job)." })
  markedBy(@Root() mark: LectureAttendance, @Ctx() ctx: Context) {
    return mark.markedBy ? ctx.loaders.user.load(mark.markedBy) : null;
  }
}

@Resolver(() => ParticipantAttendance)
export class ParticipantAttendanceResolver {
  @FieldResolver(() => Participant, { description: "Whose marks these are." })
  async participant(@Root() summary: ParticipantAttendance, @Ctx() ctx: Context) {
    return (await ctx.loaders.participant.load(summary.participantId))?.row;
  }
}

@Resolver(() => AttendanceUpdate)
export class AttendanceUpdateResolver {
  @Subscription(() => AttendanceUpdate, {
    description:
      "Marks of one lecture or one course, live (give exactly one of lectureId or courseId). Teachers and devices get every mark, families their own participants'.",
    subscribe: ({ args, context }) => subscribeToAttendance(context as Context, args),
  })
  attendanceUpdated(
    @Root() payload: TopicPayloads[Topic.AttendanceUpdated],
    @Arg("lectureId", () => UUID, { nullable: true, description: "Marks of this lecture." }) _lectureId?: string,
    @Arg("courseId", () => UUID, { nullable: true, description: "Marks of any lecture of this course." }) _courseId?: string,
  ): AttendanceUpdate {
    return payload;
  }

  @FieldResolver(() => Lecture, { description: "The lecture as it is now." })
  lecture(@Root() update: AttendanceUpdate, @Ctx() ctx: Context) {
    return ctx.loaders.lecture.load(update.lectureId);
  }

  @FieldResolver(() => Course, { description: "The course." })
  course(@Root() update: AttendanceUpdate, @Ctx() ctx: Context) {
    return ctx.loaders.course.load(update.courseId);
  }

  @FieldResolver(() => [LectureAttendance], { description: "The marks written (families: their own participants' only)." })
  async marks(@Root() update: AttendanceUpdate, @Ctx() ctx: Context) {
    // The lecture's marks the viewer may see already hold the ones written; keep those.
    const written = new Set(update.attendanceIds);
    return (await attendance.attendanceOfLecture(ctx, update.lectureId)).filter((mark) => written.has(mark.id));
  }
}
