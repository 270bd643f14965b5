import { Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root, Subscription } from "type-graphql";
import type { Context } from "../../server/context";
import type { Topic, TopicPayloads } from "../../server/pubsub/topics";
import * as attendance from "../../server/services/attendance";
import * as devices from "../../server/services/devices";
import { subscribeToAttendance } from "../../server/services/realtime";
import { Course, Lecture } from "../courses/course.type";
import { Instructor, Participant } from "../people/people.type";
import { Decimal, UUID } from "../shared/scalars";
import { User } from "../users/user.type";
import { MarkInput, RateInstructorInput } from "./attendance.input";
import {
  AttendanceUpdate,
  CourseAttendance,
  Device,
  InstructorRating,
  LectureAttendance,
  MarkAttendancePayload,
  ParticipantAttendance,
  RegisterDevicePayload,
} from "./attendance.type";

@Resolver(() => LectureAttendance)
export class AttendanceResolver {
  @Mutation(() => MarkAttendancePayload, {
    description: "Marks a whole lecture in one go (staff, the course's instructor, or a device). Re-marking updates.",
  })
  markAttendance(
    @Arg("lectureId", () => UUID) lectureId: string,
    @Arg("marks", () => [MarkInput]) marks: MarkInput[],
    @Ctx() ctx: Context,
  ) {
    return attendance.markAttendance(ctx, lectureId, marks);
  }

  @Query(() => [LectureAttendance], { description: "Marks of a lecture (teachers and devices: all; families: their own)." })
  lectureAttendance(@Arg("lectureId", () => UUID) lectureId: string, @Ctx() ctx: Context) {
    return attendance.attendanceOfLecture(ctx, lectureId);
  }

  @Query(() => ParticipantAttendance, { description: "A participant's marks and attendance rate (optionally in one course)." })
  async participantAttendance(
    @Arg("participantId", () => UUID) participantId: string,
    @Ctx() ctx: Context,
    @Arg("courseId", () => UUID, { nullable: true }) courseId?: string,
  ) {
    const result = await attendance.attendanceOfParticipant(ctx, participantId, courseId);
    return { ...result, participantId: result.participant.id };
  }

  @Query(() => CourseAttendance, { description: "Per-lecture attendance summary of a course (teachers)." })
  courseAttendance(@Arg("courseId", () => UUID) courseId: string, @Ctx() ctx: Context) {
    return attendance.attendanceOfCourse(ctx, courseId);
  }

  @FieldResolver(() => Lecture)
  lecture(@Root() mark: LectureAttendance, @Ctx() ctx: Context) {
    return ctx.loaders.lecture.load(mark.lectureId);
  }

  @FieldResolver(() => Participant)
  async participant(@Root() mark: LectureAttendance, @Ctx() ctx: Context) {
    return (await ctx.loaders.participant.load((mark.studentId ?? mark.childId)!))?.row;
  }

  @FieldResolver(() => User, { nullable: true, description: "Who marked it (null for devices and the nightly job)." })
  markedBy(@Root() mark: LectureAttendance, @Ctx() ctx: Context) {
    return mark.markedBy ? ctx.loaders.user.load(mark.markedBy) : null;
  }
}

@Resolver(() => ParticipantAttendance)
export class ParticipantAttendanceResolver {
  @FieldResolver(() => Participant)
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
    @Arg("lectureId", () => UUID, { nullable: true }) _lectureId?: string,
    @Arg("courseId", () => UUID, { nullable: true }) _courseId?: string,
  ): AttendanceUpdate {
    return payload;
  }

  @FieldResolver(() => Lecture)
  lecture(@Root() update: AttendanceUpdate, @Ctx() ctx: Context) {
    return ctx.loaders.lecture.load(update.lectureId);
  }

  @FieldResolver(() => Course)
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

@Resolver(() => InstructorRating)
export class InstructorRatingResolver {
  @Mutation(() => InstructorRating, { description: "Rates the course's instructor (a student or parent enrolled in it); again replaces it." })
  rateInstructor(@Arg("input", () => RateInstructorInput) input: RateInstructorInput, @Ctx() ctx: Context) {
    return attendance.rateInstructor(ctx, input);
  }

  @FieldResolver(() => Course)
  course(@Root() rating: InstructorRating, @Ctx() ctx: Context) {
    return ctx.loaders.course.load(rating.courseId);
  }

  @FieldResolver(() => Instructor)
  instructor(@Root() rating: InstructorRating, @Ctx() ctx: Context) {
    return ctx.loaders.instructor.load(rating.instructorId);
  }
}

@Resolver(() => Instructor)
export class InstructorRatingsResolver {
  @FieldResolver(() => Decimal, { nullable: true, description: "Average rating from students and parents (null before any)." })
  async averageRating(@Root() instructor: Instructor, @Ctx() ctx: Context) {
    return (await ctx.loaders.ratingOfInstructor.load(instructor.id))?.average ?? null;
  }

  @FieldResolver(() => Int)
  async ratingCount(@Root() instructor: Instructor, @Ctx() ctx: Context) {
    return (await ctx.loaders.ratingOfInstructor.load(instructor.id))?.count ?? 0;
  }
}

@Resolver(() => Device)
export class DeviceResolver {
  @Query(() => [Device], { description: "Staff: the tenant's attendance devices." })
  devices(@Ctx() ctx: Context) {
    return devices.listDevices(ctx);
  }

  @Mutation(() => RegisterDevicePayload, { description: "Staff: registers a device; the token is shown once." })
  registerDevice(@Arg("name", () => String) name: string, @Ctx() ctx: Context) {
    return devices.registerDevice(ctx, name);
  }

  @Mutation(() => Device, { description: "Staff: revokes a device; its token stops working at once." })
  revokeDevice(@Arg("id", () => UUID) id: string, @Ctx() ctx: Context) {
    return devices.revokeDevice(ctx, id);
  }
}
