import { Arg, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from "type-graphql";
import type { Context } from "../../server/context";
import type { PrivacyRule } from "../../server/auth/policies";
import * as guardians from "../../server/services/guardians";
import { UUID } from "../shared/scalars";
import { User } from "../users/user.type";
import { AddGuardianInput, Guardian, UpdateGuardianInput } from "./guardian.type";
import { Child } from "./people.type";

@Resolver(() => Guardian)
export class GuardianResolver {
  @Mutation(() => Guardian, {
    description:
      "Adds a guardian to a child (staff, or the child's primary guardian): a member of the tenant, found by phone or email (NOT_FOUND if none; staff invite the person first). CONFLICT if already a guardian.",
  })
  addGuardian(
    @Arg("input", () => AddGuardianInput, { description: "The child, the person and their permissions." }) input: AddGuardianInput,
    @Ctx() ctx: Context,
  ) {
    return guardians.addGuardian(ctx, input);
  }

  @Mutation(() => Guardian, { description: "Changes a guardian's relation or permissions (staff, or the child's primary guardian)." })
  updateGuardian(
    @Arg("id", () => UUID, { description: "The guardianship (Guardian.id)." }) id: string,
    @Arg("input", () => UpdateGuardianInput, { description: "The fields to change." }) input: UpdateGuardianInput,
    @Ctx() ctx: Context,
  ) {
    return guardians.updateGuardian(ctx, id, input);
  }

  @Mutation(() => Child, {
    description:
      "Removes a guardian (staff, the child's primary guardian, or the guardian themself) and answers the child. The last guardian cannot be removed (CONFLICT); removing the primary makes the longest-standing other guardian primary.",
  })
  removeGuardian(@Arg("id", () => UUID, { description: "The guardianship (Guardian.id)." }) id: string, @Ctx() ctx: Context) {
    return guardians.removeGuardian(ctx, id);
  }

  @FieldResolver(() => User, { description: "The guardian's account (private fields follow the privacy rules)." })
  user(@Root() guardian: Guardian, @Ctx() ctx: Context) {
    return ctx.loaders.user.load(guardian.userId);
  }
}

@Resolver(() => Child)
export class ChildGuardiansResolver {
  @Authorized<PrivacyRule>("CHILD")
  @FieldResolver(() => [Guardian], {
    nullable: true,
    description: "The child's guardians, the primary first (at most 10). Private: the child's guardians and staff only (null for others).",
  })
  guardians(@Root() child: Child, @Ctx() ctx: Context) {
    return guardians.guardiansOf(ctx, child);
  }
}
