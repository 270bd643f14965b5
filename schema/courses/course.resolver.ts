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
import { participantIdOf } from "../../server/auth/policies";

const CourseConnection = Connection(Course, "Course");
const LectureConnection = Connection(Lecture, "Lecture");

@Resolver(() => Season)
export class SeasonResolver {
  @Query(() => [Season], { description: "Seasons of the tenant, latest start first (anyone; anonymous with X-Tenant)." })
  seasons(
    @Ctx() ctx: Context,
    @Arg("activeOnly", () => Boolean, { defaultValue: false, description: "Only seasons marked active." }) activeOnly: boolean,
  ) {
    return courses.listSeasons(ctx, activeOnly);
  }

  @Mutation(() => Season, { description: "Staff: a new season." })
  createSeason(@Arg("input", () => SeasonInput, { description: "The new season." }) input: SeasonInput, @Ctx() ctx: Context) {
    return courses.createSeason(ctx, input);
  }

  @Mutation(() => Season, { description: "Staff: changes a season." })
  updateSeason(
    @Arg("id", () => UUID, { description: "The season to change." }) id: string,
    @Arg("input", () => SeasonInput, { description: "The fields to change." }) input: SeasonInput,
    @Ctx() ctx: Context,
  ) {
    return courses.updateSeason(ctx, id, input);
  }

  @Mutation(() => Boolean, { description: "Staff: deletes a season no course uses (CONFLICT otherwise); true when done." })
  deleteSeason(@Arg("id", () => UUID, { description: "The season to delete." }) id: string, @Ctx() ctx: Context) {
    return courses.deleteSeason(ctx, id);
  }
}

@Resolver(() => Tag)
export class TagResolver {
  @Query(() => [Tag], { description: "Tags of the tenant, by name (anyone; anonymous with X-Tenant)." })
  tags(@Ctx() ctx: Context) {
    return courses.listTags(ctx);
  }

  @Mutation(() => Tag, { description: "Staff: a new tag (CONFLICT if the name is taken)." })
  createTag(@Arg("name", () => String, { description: "1 to 60 characters, unique in the tenant." }) name: string, @Ctx() ctx: Context) {
    return courses.createTag(ctx, name);
  }

  @Mutation(() => Boolean, { description: "Staff: deletes a tag (courses lose it); true when done." })
  deleteTag(@Arg("id", () => UUID, { description: "The tag to delete." }) id: string, @Ctx() ctx: Context) {
    return courses.deleteTag(ctx, id);
  }
}

@Resolver(() => Course)
export class CourseResolver {
  @Query(() => Course, { description: "A course you may see (published, or yours to teach or manage); NOT_FOUND otherwise." })
  course(@Arg("id", () => UUID, { description: "The course's id." }) id: string, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo) {
    return courses.getCourse(ctx, id, ctx.planner.loader(info));
  }

  @Query(() => CourseConnection, {
    description:
      "Courses you may see (published ones; staff: all; instructors: also their own), filtered and sorted, a page at a time. Anonymous with X-Tenant.",
  })
  async courses(
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
    @Arg("filter", () => CourseFilter, { nullable: true, description: "Conditions the courses must meet." }) filter?: CourseFilter,
    @Arg("orderBy", () => CourseOrder, { nullable: true, description: "Sort order (default STARTS_ON ASC)." }) orderBy?: CourseOrder,
    @Arg("first", () => Int, { nullable: true, description: "Page size, 1 to 100 (default 20)." }) first?: number,
    @Arg("after", () => String, { nullable: true, description: "endCursor of the previous page (same orderBy)." }) after?: string,
  ) {
    const order = orderBy ? { field: orderBy.field, direction: orderBy.direction ?? "ASC" } : null;
    const page = await courses.listCourses(ctx, { filter, orderBy: order, first, after }, ctx.planner.loader(info, CONNECTION_ROWS));
    return toConnection(page, (row) => row);
  }

  @Mutation(() => Course, { description: "Staff: a new course." })
  createCourse(@Arg("input", () => CourseInput, { description: "The new course." }) input: CourseInput, @Ctx() ctx: Context) {
    return courses.createCourse(ctx, input);
  }

  @Mutation(() => Course, { description: "Staff: changes a course (tags and schedule given replace the old ones)." })
  updateCourse(
    @Arg("id", () => UUID, { description: "The course to change." }) id: string,
    @Arg("input", () => CourseInput, { description: "The fields to change." }) input: CourseInput,
    @Ctx() ctx: Context,
  ) {
    return courses.updateCourse(ctx, id, input);
  }

  @Mutation(() => Boolean, { description: "Staff: deletes a course nobody asked to join (CONFLICT otherwise); true when done." })
  deleteCourse(@Arg("id", () => UUID, { description: "The course to delete." }) id: string, @Ctx() ctx: Context) {
    return courses.deleteCourse(ctx, id);
  }

  @Mutation(() => GenerateLecturesPayload, {
    description:
      "Staff or the course's instructor: creates the lectures of the weekly schedule between the course dates (at most 2000). A slot that already has a lecture, even a cancelled one, is skipped: running it again creates only what is missing.",
  })
  generateLectures(@Arg("courseId", () => UUID, { description: "The course whose schedule to fill in." }) courseId: string, @Ctx() ctx: Context) {
    return lectures.generateLectures(ctx, courseId);
  }

  @FieldResolver(() => Money, { description: "What the course costs, in its own currency (0 when free)." })
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
  @FieldResolver(() => Season, { nullable: true, description: "Its season; null when it has none." })
  season(@Root() course: Course, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo) {
    return ctx.planner.load(course, info);
  }

  @FieldResolver(() => Instructor, { nullable: true, description: "Who teaches it; null when nobody is assigned." })
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
    @Arg("filter", () => CourseLectureFilter, { nullable: true, description: "Only lectures on these dates or in this state." })
    _filter?: CourseLectureFilter,
  ) {
    return ctx.planner.load(course, info);
  }

  @FieldResolver(() => [Exam], { description: "By date (at most 100)." })
  exams(@Root() course: Course, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo) {
    return ctx.planner.load(course, info);
  }

  @FieldResolver(() => [Enrollment], {
    description: "Its enrolments in any status, oldest first (at most 1000): teachers see every one; others only their own participants'.",
  })
  enrollments(@Root() course: Course, @Ctx() ctx: Context) {
    return enrollments.enrollmentsOfCourseForViewer(ctx, course.id);
  }
}

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
    return toConnection(await lectures.listLectures(ctx, { filter, first, after }, ctx.planner.loader(info, CONNECTION_ROWS)), (row) => row);
  }

  @Mutation(() => Lecture, { description: "Staff or the course's instructor: a lecture outside the schedule." })
  createLecture(
    @Arg("courseId", () => UUID, { description: "The course to add it to." }) courseId: string,
    @Arg("input", () => LectureInput, { description: "The new lecture." }) input: LectureInput,
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

@Resolver(() => Exam)
export class ExamResolver {
  @Mutation(() => Exam, { description: "Staff or the course's instructor: a new exam." })
  createExam(
    @Arg("courseId", () => UUID, { description: "The course the exam belongs to." }) courseId: string,
    @Arg("input", () => ExamInput, { description: "The new exam." }) input: ExamInput,
    @Ctx() ctx: Context,
  ) {
    return exams.createExam(ctx, courseId, input);
  }

  @Mutation(() => Exam, { description: "Staff or the course's instructor: changes an exam." })
  updateExam(
    @Arg("id", () => UUID, { description: "The exam to change." }) id: string,
    @Arg("input", () => ExamInput, { description: "The fields to change." }) input: ExamInput,
    @Ctx() ctx: Context,
  ) {
    return exams.updateExam(ctx, id, input);
  }

  @Mutation(() => Boolean, { description: "Staff or the course's instructor: deletes an exam and its results; true when done." })
  deleteExam(@Arg("id", () => UUID, { description: "The exam to delete." }) id: string, @Ctx() ctx: Context) {
    return exams.deleteExam(ctx, id);
  }

  @Mutation(() => [ExamResult], {
    description:
      "Staff or the course's instructor: records or corrects scores, all or nothing. Each participant must be enrolled in the course (ACTIVE or COMPLETED). Answers the results written, in input order.",
  })
  recordExamResults(
    @Arg("examId", () => UUID, { description: "The exam." }) examId: string,
    @Arg("results", () => [ExamResultInput], { description: "One score per participant (each participant once; not empty)." })
    results: ExamResultInput[],
    @Ctx() ctx: Context,
  ) {
    return exams.recordExamResults(ctx, examId, results);
  }

  @FieldResolver(() => Course, { description: "The course it belongs to." })
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
  @FieldResolver(() => Participant, { description: "Whose result it is." })
  async participant(@Root() result: ExamResult, @Ctx() ctx: Context) {
    return (await ctx.loaders.participant.load(participantIdOf(result)))?.row;
  }
}
