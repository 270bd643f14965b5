import { Arg, Ctx, FieldResolver, Mutation, Query, Resolver, Root, Subscription } from "type-graphql";
import { requireUser } from "../../server/auth/guards";
import { isStaff } from "../../server/auth/viewer";
import type { Context } from "../../server/context";
import type { TopicPayloads, Topic } from "../../server/pubsub/topics";
import * as auth from "../../server/services/auth";
import { subscribeToProfile } from "../../server/services/realtime";
import { Membership } from "../tenants/tenant.type";
import { Instructor, Parent, Student } from "../people/people.type";
import { Gender, Language } from "../shared/enums";
import { DateTime, EmailAddress, LocalDate, PhoneNumber } from "../shared/scalars";
import { UpdateProfileInput } from "./user.input";
import { User, type UserSource } from "./user.type";
import { ProfileUpdate } from "./profile-update.type";

/** May the viewer read this user's contact and identity fields? */
function canSeePrivate(ctx: Context, user: UserSource): boolean {
  const viewer = ctx.viewer;
  if (viewer.kind !== "user") return false;
  // Staff see members of their tenant; a user row is only visible here through such a membership.
  return viewer.userId === user.id || viewer.isPlatformAdmin || isStaff(viewer);
}

@Resolver(() => User)
export class UserResolver {
  @Query(() => User, { description: "The signed-in user." })
  async me(@Ctx() ctx: Context): Promise<UserSource> {
    const viewer = requireUser(ctx);
    return (await ctx.loaders.user.load(viewer.userId))!;
  }

  @Mutation(() => User, { description: "Updates your profile; subscribers of profileUpdated are told." })
  updateProfile(@Arg("input", () => UpdateProfileInput) input: UpdateProfileInput, @Ctx() ctx: Context) {
    return auth.updateProfile(ctx, input);
  }

  @Subscription(() => ProfileUpdate, {
    description: "Your own profile or password changed (on any device).",
    subscribe: ({ context }) => subscribeToProfile(context as Context),
  })
  profileUpdated(@Root() payload: TopicPayloads[Topic.ProfileUpdated]): ProfileUpdate {
    return { userId: payload.userId, passwordUpdated: payload.passwordUpdated, changedFields: payload.changedFields, at: new Date(payload.at) };
  }

  @FieldResolver(() => PhoneNumber, { nullable: true, description: "Primary phone number (E.164), the login. Private." })
  phoneNumber1(@Root() user: UserSource, @Ctx() ctx: Context) {
    return canSeePrivate(ctx, user) ? user.phoneNumber1 : null;
  }

  @FieldResolver(() => PhoneNumber, { nullable: true, description: "Second phone number. Private." })
  phoneNumber2(@Root() user: UserSource, @Ctx() ctx: Context) {
    return canSeePrivate(ctx, user) ? user.phoneNumber2 : null;
  }

  @FieldResolver(() => EmailAddress, { nullable: true, description: "Email address. Private." })
  email(@Root() user: UserSource, @Ctx() ctx: Context) {
    return canSeePrivate(ctx, user) ? user.email : null;
  }

  @FieldResolver(() => LocalDate, { nullable: true, description: "Date of birth. Private." })
  dateOfBirth(@Root() user: UserSource, @Ctx() ctx: Context) {
    return canSeePrivate(ctx, user) ? user.dateOfBirth : null;
  }

  @FieldResolver(() => Gender, { nullable: true, description: "Private." })
  gender(@Root() user: UserSource, @Ctx() ctx: Context) {
    return canSeePrivate(ctx, user) ? user.gender : null;
  }

  @FieldResolver(() => String, { nullable: true, description: "National identity number. Private." })
  identityNumber(@Root() user: UserSource, @Ctx() ctx: Context) {
    return canSeePrivate(ctx, user) ? user.identityNumber : null;
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
    return ctx.viewer.kind === "user" && ctx.viewer.userId === user.id && user.isPlatformAdmin;
  }

  @FieldResolver(() => DateTime, { nullable: true, description: "When the password last changed. Private." })
  passwordChangedAt(@Root() user: UserSource, @Ctx() ctx: Context) {
    return canSeePrivate(ctx, user) ? user.passwordChangedAt : null;
  }

  @FieldResolver(() => Student, { nullable: true, description: "Student profile in the current tenant (self or staff)." })
  studentProfile(@Root() user: UserSource, @Ctx() ctx: Context) {
    return canSeePrivate(ctx, user) ? ctx.loaders.studentByUser.load(user.id) : null;
  }

  @FieldResolver(() => Parent, { nullable: true, description: "Parent profile in the current tenant (self or staff)." })
  parentProfile(@Root() user: UserSource, @Ctx() ctx: Context) {
    return canSeePrivate(ctx, user) ? ctx.loaders.parentByUser.load(user.id) : null;
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
