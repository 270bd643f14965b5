import type { GraphQLResolveInfo } from "graphql";
import { Arg, Args, Ctx, FieldResolver, Info, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import type { Context } from "../../server/context";
import * as courses from "../../server/services/courses";
import * as exams from "../../server/services/exams";
import * as enrollments from "../../server/services/enrollments";
import * as lectures from "../../server/services/lectures";
import { zonedInstant } from "../../server/time";
import { Enrollment } from "../enrollments/enrollment.type";
import { Instructor, Participant } from "../people/people.type";
import { LectureAttendanceSummary } from "../attendance/attendance.type";
import { Connection, CONNECTION_ROWS, PageArgs, toConnection } from "../shared/connection";
import { Money, money } from "../shared/money.type";
import { DateTime, UUID } from "../shared/scalars";
import {
  CourseFilter,
  CourseInput,
  CourseLectureFilter,
  CourseOrder,
  ExamInput,
  ExamResultInput,
  LectureFilter,
  LectureInput,
  SeasonInput,
  UpdateLectureInput,
} from "./course.input";
import { Course, Exam, ExamResult, GenerateLecturesPayload, Lecture, ScheduleSlot, Season, Tag } from "./course.type";

const CourseConnection = Connection(Course, "Course");
const LectureConnection = Connection(Lecture, "Lecture");

@Resolver(() => Season)
export class SeasonResolver {
  @Query(() => [Season], { description: "Seasons of the tenant, newest first." })
  seasons(@Ctx() ctx: Context, @Arg("activeOnly", () => Boolean, { defaultValue: false }) activeOnly: boolean) {
    return courses.listSeasons(ctx, activeOnly);
  }

  @Mutation(() => Season, { description: "Staff: a new season." })
  createSeason(@Arg("input", () => SeasonInput) input: SeasonInput, @Ctx() ctx: Context) {
    return courses.createSeason(ctx, input);
  }

  @Mutation(() => Season, { description: "Staff: changes a season." })
  updateSeason(@Arg("id", () => UUID) id: string, @Arg("input", () => SeasonInput) input: SeasonInput, @Ctx() ctx: Context) {
    return courses.updateSeason(ctx, id, input);
  }

  @Mutation(() => Boolean, { description: "Staff: deletes a season without courses." })
  deleteSeason(@Arg("id", () => UUID) id: string, @Ctx() ctx: Context) {
    return courses.deleteSeason(ctx, id);
  }
}

@Resolver(() => Tag)
export class TagResolver {
  @Query(() => [Tag], { description: "Tags of the tenant, by name." })
  tags(@Ctx() ctx: Context) {
    return courses.listTags(ctx);
  }

  @Mutation(() => Tag, { description: "Staff: a new tag." })
  createTag(@Arg("name", () => String) name: string, @Ctx() ctx: Context) {
    return courses.createTag(ctx, name);
  }

  @Mutation(() => Boolean, { description: "Staff: deletes a tag (courses lose it)." })
  deleteTag(@Arg("id", () => UUID) id: string, @Ctx() ctx: Context) {
    return courses.deleteTag(ctx, id);
  }
}

@Resolver(() => Course)
export class CourseResolver {
  @Query(() => Course, { description: "A course you may see (published, or yours to teach or manage)." })
  course(@Arg("id", () => UUID) id: string, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo) {
    return courses.getCourse(ctx, id, ctx.planner.loader(info));
  }

  @Query(() => CourseConnection, { description: "Courses, filtered and sorted, a page at a time." })
  async courses(
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
    @Arg("filter", () => CourseFilter, { nullable: true }) filter?: CourseFilter,
    @Arg("orderBy", () => CourseOrder, { nullable: true }) orderBy?: CourseOrder,
    @Arg("first", () => Int, { nullable: true }) first?: number,
    @Arg("after", () => String, { nullable: true }) after?: string,
  ) {
    const order = orderBy ? { field: orderBy.field, direction: orderBy.direction ?? "ASC" } : null;
    const page = await courses.listCourses(ctx, { filter, orderBy: order, first, after }, ctx.planner.loader(info, CONNECTION_ROWS));
    return toConnection(page, (row) => row);
  }

  @Mutation(() => Course, { description: "Staff: a new course." })
  createCourse(@Arg("input", () => CourseInput) input: CourseInput, @Ctx() ctx: Context) {
    return courses.createCourse(ctx, input);
  }

  @Mutation(() => Course, { description: "Staff: changes a course (tags and schedule given replace the old ones)." })
  updateCourse(@Arg("id", () => UUID) id: string, @Arg("input", () => CourseInput) input: CourseInput, @Ctx() ctx: Context) {
    return courses.updateCourse(ctx, id, input);
  }

  @Mutation(() => Boolean, { description: "Staff: deletes a course nobody asked to join." })
  deleteCourse(@Arg("id", () => UUID) id: string, @Ctx() ctx: Context) {
    return courses.deleteCourse(ctx, id);
  }

  @Mutation(() => GenerateLecturesPayload, {
    description: "Creates the lectures of the weekly schedule between the course dates (again: creates nothing new).",
  })
  generateLectures(@Arg("courseId", () => UUID) courseId: string, @Ctx() ctx: Context) {
    return lectures.generateLectures(ctx, courseId);
  }

  @FieldResolver(() => Money)
  price(@Root() course: Course) {
    return money(course.price, course.currency);
  }

  @FieldResolver(() => Int, { description: "Places left (capacity minus ACTIVE enrolments)." })
  spotsLeft(@Root() course: Course) {
    return Math.max(0, course.capacity - course.activeEnrollments);
  }

  @FieldResolver(() => Int, { description: "ACTIVE enrolments." })
  enrolledCount(@Root() course: Course) {
    return course.activeEnrollments;
  }

  // Relations are planned reads (server/plan/courses.ts): one statement loads every
  // relation selected at this place in the answer, for every course there.
  @FieldResolver(() => Season, { nullable: true })
  season(@Root() course: Course, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo) {
    return ctx.planner.load(course, info);
  }

  @FieldResolver(() => Instructor, { nullable: true })
  instructor(@Root() course: Course, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo) {
    return ctx.planner.load(course, info);
  }

  @FieldResolver(() => [Tag], { description: "By name (at most 50)." })
  tags(@Root() course: Course, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo) {
    return ctx.planner.load(course, info);
  }

  @FieldResolver(() => [ScheduleSlot], { description: "Weekly slots by weekday and time (at most 50)." })
  schedule(@Root() course: Course, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo) {
    return ctx.planner.load(course, info);
  }

  @FieldResolver(() => LectureConnection, { description: "The course's lectures by date and time, a page at a time." })
  lectures(
    @Root() course: Course,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
    @Args(() => PageArgs) _page: PageArgs,
    @Arg("filter", () => CourseLectureFilter, { nullable: true }) _filter?: CourseLectureFilter,
  ) {
    return ctx.planner.load(course, info);
  }

  @FieldResolver(() => [Exam], { description: "By date (at most 100)." })
  exams(@Root() course: Course, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo) {
    return ctx.planner.load(course, info);
  }

  @FieldResolver(() => [Enrollment], { description: "Teachers see every enrolment; others only their own participants'." })
  enrollments(@Root() course: Course, @Ctx() ctx: Context) {
    return enrollments.enrollmentsOfCourseForViewer(ctx, course.id);
  }
}

@Resolver(() => Lecture)
export class LectureResolver {
  @Query(() => Lecture, { description: "A lecture of a course you may see." })
  lecture(@Arg("id", () => UUID) id: string, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo) {
    return lectures.getLecture(ctx, id, ctx.planner.loader(info));
  }

  @Query(() => LectureConnection, { description: "Lectures by date (of one course, or every course you may see)." })
  async lectures(
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
    @Arg("filter", () => LectureFilter, { nullable: true }) filter?: LectureFilter,
    @Arg("first", () => Int, { nullable: true }) first?: number,
    @Arg("after", () => String, { nullable: true }) after?: string,
  ) {
    return toConnection(await lectures.listLectures(ctx, { filter, first, after }, ctx.planner.loader(info, CONNECTION_ROWS)), (row) => row);
  }

  @Mutation(() => Lecture, { description: "Staff or the course's instructor: a lecture outside the schedule." })
  createLecture(
    @Arg("courseId", () => UUID) courseId: string,
    @Arg("input", () => LectureInput) input: LectureInput,
    @Ctx() ctx: Context,
  ) {
    return lectures.createLecture(ctx, courseId, input);
  }

  @Mutation(() => Lecture, { description: "Staff or the course's instructor: reschedules, renames or completes a lecture." })
  updateLecture(@Arg("id", () => UUID) id: string, @Arg("input", () => UpdateLectureInput) input: UpdateLectureInput, @Ctx() ctx: Context) {
    return lectures.updateLecture(ctx, id, input);
  }

  @Mutation(() => Lecture, { description: "Staff or the course's instructor: cancels a lecture; enrolled families are notified." })
  cancelLecture(
    @Arg("id", () => UUID) id: string,
    @Ctx() ctx: Context,
    @Arg("reason", () => String, { nullable: true }) reason?: string,
  ) {
    return lectures.cancelLecture(ctx, id, reason);
  }

  @FieldResolver(() => Course)
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

  @FieldResolver(() => DateTime)
  endsAt(@Root() lecture: Lecture, @Ctx() ctx: Context) {
    const start = zonedInstant(lecture.date, lecture.startTime, ctx.tenant?.timeZone ?? "Africa/Cairo");
    return new Date(start.getTime() + lecture.durationMinutes * 60_000);
  }
}

@Resolver(() => Exam)
export class ExamResolver {
  @Mutation(() => Exam, { description: "Staff or the course's instructor: a new exam." })
  createExam(@Arg("courseId", () => UUID) courseId: string, @Arg("input", () => ExamInput) input: ExamInput, @Ctx() ctx: Context) {
    return exams.createExam(ctx, courseId, input);
  }

  @Mutation(() => Exam)
  updateExam(@Arg("id", () => UUID) id: string, @Arg("input", () => ExamInput) input: ExamInput, @Ctx() ctx: Context) {
    return exams.updateExam(ctx, id, input);
  }

  @Mutation(() => Boolean)
  deleteExam(@Arg("id", () => UUID) id: string, @Ctx() ctx: Context) {
    return exams.deleteExam(ctx, id);
  }

  @Mutation(() => [ExamResult], { description: "Records or corrects scores, all or nothing." })
  recordExamResults(
    @Arg("examId", () => UUID) examId: string,
    @Arg("results", () => [ExamResultInput]) results: ExamResultInput[],
    @Ctx() ctx: Context,
  ) {
    return exams.recordExamResults(ctx, examId, results);
  }

  @FieldResolver(() => Course)
  course(@Root() exam: Exam, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo) {
    return ctx.planner.load(exam, info);
  }

  @FieldResolver(() => [ExamResult], { description: "Teachers see all results; families their own participants'." })
  results(@Root() exam: Exam, @Ctx() ctx: Context) {
    return exams.visibleResults(ctx, exam as never);
  }
}

@Resolver(() => ExamResult)
export class ExamResultResolver {
  @FieldResolver(() => Participant)
  async participant(@Root() result: ExamResult, @Ctx() ctx: Context) {
    return (await ctx.loaders.participant.load((result.studentId ?? result.childId)!))?.row;
  }
}
