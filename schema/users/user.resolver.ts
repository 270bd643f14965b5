import { Arg, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root, Subscription } from "type-graphql";
import { requireUser } from "../../server/auth/guards";
import type { Context } from "../../server/context";
import type { TopicPayloads, Topic } from "../../server/pubsub/topics";
import * as account from "../../server/services/account";
import * as accountDeletion from "../../server/services/account-deletion";
import { DateTime } from "../shared/scalars";
import { subscribeToProfile } from "../../server/services/realtime";
import { Membership } from "../tenants/tenant.type";
import { Instructor, Parent, Student } from "../people/people.type";
import { Language } from "../shared/enums";
import { isSelf, type PrivacyRule } from "../../server/auth/policies";
import { UpdateProfileInput } from "./user.input";
import { User, type UserSource } from "./user.type";
import { ProfileUpdate } from "./profile-update.type";

@Resolver(() => User)
export class UserResolver {
  @Query(() => User, { description: "The signed-in user." })
  async me(@Ctx() ctx: Context): Promise<UserSource> {
    const viewer = requireUser(ctx);
    return (await ctx.loaders.user.load(viewer.userId))!;
  }

  @Mutation(() => User, { description: "Updates your profile; subscribers of profileUpdated are told." })
  updateProfile(
    @Arg("input", () => UpdateProfileInput, { description: "The fields to change." }) input: UpdateProfileInput,
    @Ctx() ctx: Context,
  ) {
    return account.updateProfile(ctx, input);
  }

  @Mutation(() => User, {
    description:
      "Deletes your account after a grace period (ACCOUNT_DELETION_GRACE, 14 days by default): personal fields are then erased, payments and attendance kept anonymised. Needs your current password; refused (CONFLICT, LAST_ADMIN) while you are the last active admin of an organisation. Until then you can sign in and cancel.",
  })
  deleteMyAccount(@Arg("password", () => String, { description: "Your current password." }) password: string, @Ctx() ctx: Context) {
    return accountDeletion.deleteMyAccount(ctx, password);
  }

  @Mutation(() => User, { description: "Cancels the scheduled deletion of your account (CONFLICT, NOT_SCHEDULED, when none is)." })
  cancelAccountDeletion(@Ctx() ctx: Context) {
    return accountDeletion.cancelAccountDeletion(ctx);
  }

  @FieldResolver(() => DateTime, {
    nullable: true,
    description: "When your account will be erased, if you asked to delete it (null otherwise). Visible to the user themself only.",
  })
  deletionScheduledAt(@Root() user: UserSource, @Ctx() ctx: Context) {
    return isSelf(ctx, user.id) ? user.deletionScheduledAt : null;
  }

  @Subscription(() => ProfileUpdate, {
    description: "Your own profile or password changed (on any device).",
    subscribe: ({ context }) => subscribeToProfile(context as Context),
  })
  profileUpdated(@Root() payload: TopicPayloads[Topic.ProfileUpdated]): ProfileUpdate {
    return {
      userId: payload.userId,
      passwordUpdated: payload.passwordUpdated,
      changedFields: payload.changedFields,
      at: new Date(payload.at),
    };
  }

  @FieldResolver(() => Language, { description: "Language of messages and notifications." })
  preferredLanguage(@Root() user: UserSource) {
    return user.preferredLanguage;
  }

  @FieldResolver(() => Boolean, { description: "A phone number or email has been verified with a code." })
  isVerified(@Root() user: UserSource) {
    return user.isVerified;
  }

  @FieldResolver(() => Boolean, { description: "May administer the whole platform. Visible to the user themself." })
  isPlatformAdmin(@Root() user: UserSource, @Ctx() ctx: Context) {
    return account.platformAdminAsSeen(ctx, user);
  }

  @Authorized<PrivacyRule>("PERSON")
  @FieldResolver(() => Student, { nullable: true, description: "Student profile in the current tenant. Private." })
  studentProfile(@Root() user: UserSource, @Ctx() ctx: Context) {
    return ctx.loaders.studentByUser.load(user.id);
  }

  @Authorized<PrivacyRule>("PERSON")
  @FieldResolver(() => Parent, { nullable: true, description: "Parent profile in the current tenant. Private." })
  parentProfile(@Root() user: UserSource, @Ctx() ctx: Context) {
    return ctx.loaders.parentByUser.load(user.id);
  }

  @FieldResolver(() => Instructor, { nullable: true, description: "Instructor profile in the current tenant." })
  instructorProfile(@Root() user: UserSource, @Ctx() ctx: Context) {
    return ctx.loaders.instructorByUser.load(user.id);
  }

  @FieldResolver(() => Membership, {
    nullable: true,
    description: "The user's membership (roles) in the current tenant, if any.",
  })
  membership(@Root() user: UserSource, @Ctx() ctx: Context) {
    return ctx.loaders.membershipByUser.load(user.id);
  }
}

@Resolver(() => ProfileUpdate)
export class ProfileUpdateResolver {
  @FieldResolver(() => User, { description: "The user as it is now." })
  async user(@Root() update: ProfileUpdate, @Ctx() ctx: Context) {
    return ctx.loaders.user.load(update.userId);
  }
}
