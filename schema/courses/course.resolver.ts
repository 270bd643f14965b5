import type { GraphQLResolveInfo } from "graphql";
import { Arg, Args, Ctx, FieldResolver, Info, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import type { Context } from "../../server/context";
import * as courses from "../../server/services/courses";
import * as enrollments from "../../server/services/enrollments";
import * as lectures from "../../server/services/lectures";
import { Enrollment } from "../enrollments/enrollment.type";
import { Instructor } from "../people/people.type";
import { Connection, CONNECTION_ROWS, PageArgs, toConnection } from "../shared/connection";
import { Money, money } from "../shared/money.type";
import { UUID } from "../shared/scalars";
import { LectureConnection } from "./lecture.resolver";
import { CourseFilter, CreateCourseInput, UpdateCourseInput, CourseLectureFilter, CourseOrder } from "./course.input";
import { Course, Exam, GenerateLecturesPayload, ScheduleSlot, Season, Tag } from "./course.type";

const CourseConnection = Connection(Course, "Course");

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
  createCourse(@Arg("input", () => CreateCourseInput, { description: "The new course." }) input: CreateCourseInput, @Ctx() ctx: Context) {
    return courses.createCourse(ctx, input);
  }

  @Mutation(() => Course, { description: "Staff: changes a course (tags and schedule given replace the old ones)." })
  updateCourse(
    @Arg("id", () => UUID, { description: "The course to change." }) id: string,
    @Arg("input", () => UpdateCourseInput, { description: "The fields to change." }) input: UpdateCourseInput,
    @Ctx() ctx: Context,
  ) {
    return courses.updateCourse(ctx, id, input);
  }

  @Mutation(() => Course, {
    description:
      "Staff: archives a course. It leaves the default lists, keeps its enrolments, payments, lectures and attendance, and " +
      "refuses new enrolment requests, approvals, lectures and marks (CONFLICT). Not a cancellation: nobody is notified. " +
      "CONFLICT when already archived.",
  })
  archiveCourse(@Arg("id", () => UUID, { description: "The course to archive." }) id: string, @Ctx() ctx: Context) {
    return courses.setCourseArchived(ctx, id, true);
  }

  @Mutation(() => Course, { description: "Staff: brings an archived course back. CONFLICT when it is not archived." })
  unarchiveCourse(@Arg("id", () => UUID, { description: "The course to bring back." }) id: string, @Ctx() ctx: Context) {
    return courses.setCourseArchived(ctx, id, false);
  }

  @Mutation(() => Boolean, {
    description:
      "Staff: deletes a course nobody asked to join; true when done. A course with enrolment requests or enrolments " +
      "(and so payments or attendance) is refused with CONFLICT (extensions.reason HAS_HISTORY, suggestion archiveCourse).",
  })
  deleteCourse(@Arg("id", () => UUID, { description: "The course to delete." }) id: string, @Ctx() ctx: Context) {
    return courses.deleteCourse(ctx, id);
  }

  @Mutation(() => GenerateLecturesPayload, {
    description:
      "Staff or the course's instructor: creates the lectures of the weekly schedule between the course dates (at most 2000). A slot that already has a lecture, even a cancelled one, is skipped: running it again creates only what is missing.",
  })
  generateLectures(
    @Arg("courseId", () => UUID, { description: "The course whose schedule to fill in." }) courseId: string,
    @Ctx() ctx: Context,
  ) {
    return lectures.generateLectures(ctx, courseId);
  }

  @FieldResolver(() => Money, { description: "What the course costs, in its own currency (0 when free)." })
  price(@Root() course: Course) {
    return money(course.price, course.currency);
  }

  @FieldResolver(() => Int, {
    description: "Places left: capacity minus ACTIVE enrolments and places held for waitlist offers (see heldPlaces).",
  })
  spotsLeft(@Root() course: Course) {
    return Math.max(0, course.capacity - course.activeEnrollments - course.heldPlaces);
  }

  @FieldResolver(() => Int, { description: "Places held for open waitlist offers until they are accepted, declined or expire." })
  heldPlaces(@Root() course: Course) {
    return course.heldPlaces;
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
