import { Arg, Ctx, FieldResolver, Int, Mutation, Resolver, Root } from "type-graphql";
import type { Context } from "../../server/context";
import * as attendance from "../../server/services/attendance";
import { Course } from "../courses/course.type";
import { Instructor } from "../people/people.type";
import { Decimal } from "../shared/scalars";
import { RateInstructorInput } from "./attendance.input";
import { InstructorRating } from "./attendance.type";

@Resolver(() => InstructorRating)
export class InstructorRatingResolver {
  @Mutation(() => InstructorRating, {
    description:
      "Rates the course's instructor (STUDENT or PARENT role, with a participant enrolled in it, ACTIVE or COMPLETED); rating again replaces your rating.",
  })
  rateInstructor(
    @Arg("input", () => RateInstructorInput, { description: "The course and the rating." }) input: RateInstructorInput,
    @Ctx() ctx: Context,
  ) {
    return attendance.rateInstructor(ctx, input);
  }

  @FieldResolver(() => Course, { description: "The course rated." })
  course(@Root() rating: InstructorRating, @Ctx() ctx: Context) {
    return ctx.loaders.course.load(rating.courseId);
  }

  @FieldResolver(() => Instructor, { description: "The instructor rated: the course's instructor when rated." })
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

  @FieldResolver(() => Int, { description: "How many ratings there are (one per rater and course)." })
  async ratingCount(@Root() instructor: Instructor, @Ctx() ctx: Context) {
    return (await ctx.loaders.ratingOfInstructor.load(instructor.id))?.count ?? 0;
  }
}
