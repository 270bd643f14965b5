import { Arg, Ctx, Mutation, Query, Resolver } from "type-graphql";
import type { Context } from "../../server/context";
import * as courses from "../../server/services/courses";
import { UUID } from "../shared/scalars";
import { CreateSeasonInput, UpdateSeasonInput } from "./course.input";
import { Season } from "./course.type";

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
  createSeason(@Arg("input", () => CreateSeasonInput, { description: "The new season." }) input: CreateSeasonInput, @Ctx() ctx: Context) {
    return courses.createSeason(ctx, input);
  }

  @Mutation(() => Season, { description: "Staff: changes a season." })
  updateSeason(
    @Arg("id", () => UUID, { description: "The season to change." }) id: string,
    @Arg("input", () => UpdateSeasonInput, { description: "The fields to change." }) input: UpdateSeasonInput,
    @Ctx() ctx: Context,
  ) {
    return courses.updateSeason(ctx, id, input);
  }

  @Mutation(() => Boolean, { description: "Staff: deletes a season no course uses (CONFLICT otherwise); true when done." })
  deleteSeason(@Arg("id", () => UUID, { description: "The season to delete." }) id: string, @Ctx() ctx: Context) {
    return courses.deleteSeason(ctx, id);
  }
}
