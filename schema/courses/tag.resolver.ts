import { Arg, Ctx, Mutation, Query, Resolver } from "type-graphql";
import type { Context } from "../../server/context";
import * as courses from "../../server/services/courses";
import { UUID } from "../shared/scalars";
import { Tag } from "./course.type";

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
