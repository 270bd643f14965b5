import { Arg, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from "type-graphql";
import type { Context } from "../../server/context";
import * as account from "../../server/services/account";
import * as auth from "../../server/services/auth";
import type { VerificationChannel as ChannelValue } from "../../drizzle/tables/enums-types";
import { VerificationChannel } from "../shared/enums";
import { UUID } from "../shared/scalars";
import { Tenant } from "../tenants/tenant.type";
import { User } from "../users/user.type";
import {
  ChangePasswordInput,
  LoginInput,
  RegisterInput,
  RequestContactChangeInput,
  ResetPasswordInput,
  VerifyAccountInput,
} from "./auth.input";
import { AuthPayload, ContactChangeRequest, RegisterPayload, Session, TokenVerification } from "./auth.type";

@Resolver(() => AuthPayload)
export class AuthResolver {
  @Mutation(() => RegisterPayload, {
    description: "Creates an account; with X-Tenant also joins that tenant. Then sign in (or verify first).",
  })
  register(@Arg("input", () => RegisterInput, { description: "The new account." }) input: RegisterInput, @Ctx() ctx: Context) {
    return auth.register(ctx, input);
  }

  @Mutation(() => Boolean, { description: "Sends a new verification code to an unverified phone or email (answers true either way)." })
  requestVerificationCode(
    @Arg("identifier", () => String, { description: "The phone number or email to verify." }) identifier: string,
    @Ctx() ctx: Context,
    @Arg("channel", () => VerificationChannel, { nullable: true, description: "SMS (default) or WHATSAPP for a phone." })
    channel?: ChannelValue,
  ) {
    return auth.requestVerificationCode(ctx, identifier, channel);
  }

  @Mutation(() => AuthPayload, { description: "Checks a verification code and signs in." })
  verifyAccount(
    @Arg("input", () => VerifyAccountInput, { description: "The address and its code." }) input: VerifyAccountInput,
    @Ctx() ctx: Context,
  ) {
    return auth.verifyAccount(ctx, input);
  }

  @Mutation(() => AuthPayload, { description: "Signs in; with X-Tenant, into that tenant." })
  login(@Arg("input", () => LoginInput, { description: "Login and password." }) input: LoginInput, @Ctx() ctx: Context) {
    return auth.login(ctx, input);
  }

  @Mutation(() => AuthPayload, {
    description:
      "New tokens for a refresh token, which is spent. Using a spent one again signs the session out. Without refreshToken, the refresh cookie's is used (cookie mode) and the new one replaces it.",
  })
  refreshToken(
    @Ctx() ctx: Context,
    @Arg("refreshToken", () => String, { nullable: true, description: "The refresh token; omit in cookie mode." }) refreshToken?:
      | string
      | null,
  ) {
    return auth.refresh(ctx, refreshToken);
  }

  @Mutation(() => TokenVerification, { description: "Tells whether an access token is valid now." })
  verifyToken(@Arg("token", () => String, { description: "An access token." }) token: string, @Ctx() ctx: Context) {
    return auth.verifyToken(ctx, token);
  }

  @Mutation(() => Boolean, {
    description: "Signs this session out (or the one of the refresh token given, or of the refresh cookie, which is cleared).",
  })
  logout(
    @Ctx() ctx: Context,
    @Arg("refreshToken", () => String, { nullable: true, description: "Sign out this refresh token's session instead of the current one." })
    refreshToken?: string,
  ) {
    return auth.logout(ctx, refreshToken);
  }

  @Mutation(() => Boolean, { description: "Changes your password; other devices are signed out unless told not to." })
  changePassword(
    @Arg("input", () => ChangePasswordInput, { description: "Current and new password." }) input: ChangePasswordInput,
    @Ctx() ctx: Context,
  ) {
    return account.changePassword(ctx, input);
  }

  @Mutation(() => Boolean, {
    description:
      "Forgotten password, step 1: sends a reset code to this phone number or email when it is an account's (verified) login. Answers true either way; limited per address and per client.",
  })
  requestPasswordReset(
    @Arg("identifier", () => String, { description: "Phone number in international format or email address." }) identifier: string,
    @Ctx() ctx: Context,
    @Arg("channel", () => VerificationChannel, { nullable: true, description: "For a phone number: SMS (default) or WHATSAPP." })
    channel?: ChannelValue,
  ) {
    return account.requestPasswordReset(ctx, identifier, channel);
  }

  @Mutation(() => Boolean, {
    description: "Forgotten password, step 2: sets a new password with the code, and signs the account out on every device. Then sign in.",
  })
  resetPassword(
    @Arg("input", () => ResetPasswordInput, { description: "Identifier, code and new password." }) input: ResetPasswordInput,
    @Ctx() ctx: Context,
  ) {
    return account.resetPassword(ctx, input);
  }

  @Mutation(() => ContactChangeRequest, {
    description:
      "Starts moving your login phone number or email: checks your password and sends a code to the new address (confirmContactChange).",
  })
  requestContactChange(
    @Arg("input", () => RequestContactChangeInput, { description: "The new address and your current password." })
    input: RequestContactChangeInput,
    @Ctx() ctx: Context,
  ) {
    return account.requestContactChange(ctx, input);
  }

  @Mutation(() => User, { description: "Applies the phone number or email change the code was sent for; the new address is verified." })
  confirmContactChange(@Arg("code", () => String, { description: "The code sent to the new address." }) code: string, @Ctx() ctx: Context) {
    return account.confirmContactChange(ctx, code);
  }

  @Mutation(() => AuthPayload, { description: "Makes another of your tenants the active one for this session." })
  switchTenant(@Arg("tenantId", () => UUID, { description: "One of myTenants." }) tenantId: string, @Ctx() ctx: Context) {
    return auth.switchTenant(ctx, tenantId);
  }

  @FieldResolver(() => User, { description: "The signed-in account." })
  user(@Root() payload: AuthPayload, @Ctx() ctx: Context) {
    return auth.userOfPayload(ctx, payload.userId);
  }

  @FieldResolver(() => Tenant, { nullable: true, description: "The session's active tenant." })
  tenant(@Root() payload: AuthPayload, @Ctx() ctx: Context) {
    return payload.tenantId ? ctx.loaders.tenant.load(payload.tenantId) : null;
  }
}

@Resolver(() => Session)
export class SessionResolver {
  @Query(() => [Session], { description: "Your signed-in devices." })
  mySessions(@Ctx() ctx: Context) {
    return auth.mySessions(ctx);
  }

  @Mutation(() => Boolean, { description: "Signs one of your devices out." })
  revokeSession(@Arg("sessionId", () => UUID, { description: "One of mySessions." }) sessionId: string, @Ctx() ctx: Context) {
    return auth.revokeSession(ctx, sessionId);
  }

  @FieldResolver(() => Boolean, { description: "This is the session making the request." })
  current(@Root() session: Session, @Ctx() ctx: Context) {
    return auth.isCurrentSession(ctx, session);
  }
}
