import { Field, InputType } from "type-graphql";
import type { Language as LanguageValue, MembershipRole, VerificationChannel as ChannelValue } from "../../drizzle/tables/enums-types";
import type { RegisterInput as Register } from "../../server/services/auth";
import { Language, Role, VerificationChannel } from "../shared/enums";
import { EmailAddress, PhoneNumber } from "../shared/scalars";

@InputType({ description: "A new account: a phone number or an email (or both), and a password." })
export class RegisterInput implements Register {
  @Field(() => String, {
    nullable: true,
    description:
      "E.164, e.g. +201001234567; becomes the login (stored in E.164). A local number (no +country, e.g. 0754 123 456) is read in the caller's country, geolocated from their address; BAD_USER_INPUT when that country is unknown (then send E.164).",
  })
  phoneNumber?: string | null;

  @Field(() => EmailAddress, { nullable: true, description: "Email address; becomes a login too." })
  email?: string | null;

  @Field(() => String, { description: "8–128 characters." })
  password: string;

  @Field(() => String, { description: "Given name, 1 to 100 characters." })
  firstName: string;

  @Field(() => String, { nullable: true, description: "Family name, up to 100 characters." })
  lastName?: string | null;

  @Field(() => Language, { nullable: true, description: "Language of messages; default the tenant's (or Arabic)." })
  preferredLanguage?: LanguageValue | null;

  @Field(() => Role, {
    nullable: true,
    description: "With X-Tenant: join that tenant as PARENT, STUDENT or MEMBER (default).",
  })
  role?: MembershipRole | null;

  @Field(() => VerificationChannel, { nullable: true, description: "Where a phone number's code goes: SMS (default) or WHATSAPP." })
  verificationChannel?: ChannelValue | null;
}

@InputType({ description: "Sign in with a phone number (E.164) or email, and a password." })
export class LoginInput {
  @Field(() => String, { description: "Phone number in international format or email address." })
  identifier: string;

  @Field(() => String, { description: "The account's password." })
  password: string;

  @Field(() => String, { nullable: true, description: "A name for this device, shown in mySessions." })
  deviceName?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    description:
      "Cookie mode for browsers: the refresh token is set as an HttpOnly cookie (Path=/graphql, SameSite=Strict) instead of being returned; refreshToken and logout without arguments then use it. HTTP only; the request's Origin must be this server's or one of CORS_ORIGINS.",
  })
  cookie?: boolean | null;
}

@InputType({ description: "A code received by SMS, WhatsApp or email." })
export class VerifyAccountInput {
  @Field(() => String, { description: "The phone number or email the code was sent to." })
  identifier: string;

  @Field(() => String, { description: "The six-digit code." })
  code: string;

  @Field(() => String, { nullable: true, description: "A name for this device, shown in mySessions." })
  deviceName?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    description:
      "Cookie mode for browsers: the refresh token is set as an HttpOnly cookie (Path=/graphql, SameSite=Strict) instead of being returned; refreshToken and logout without arguments then use it. HTTP only; the request's Origin must be this server's or one of CORS_ORIGINS.",
  })
  cookie?: boolean | null;
}

@InputType({ description: "Your current password and the new one." })
export class ChangePasswordInput {
  @Field(() => String, { description: "The password in use now." })
  currentPassword: string;

  @Field(() => String, { description: "8–128 characters." })
  newPassword: string;

  @Field(() => Boolean, { nullable: true, description: "Sign out every other device (default true)." })
  signOutOtherDevices?: boolean | null;
}

@InputType({ description: "A forgotten password: the code sent by requestPasswordReset, and the new password." })
export class ResetPasswordInput {
  @Field(() => String, { description: "The phone number or email the code was sent to." })
  identifier: string;

  @Field(() => String, { description: "The 6-digit code; five wrong tries spend it." })
  code: string;

  @Field(() => String, { description: "8–128 characters (the registration policy)." })
  newPassword: string;
}

@InputType({ description: "A new login phone number or email for your account (one of them), confirmed by a code sent to it." })
export class RequestContactChangeInput {
  @Field(() => PhoneNumber, { nullable: true, description: "The new primary phone number (E.164)." })
  phoneNumber?: string | null;

  @Field(() => EmailAddress, { nullable: true, description: "The new email address." })
  email?: string | null;

  @Field(() => String, { description: "Your current password: a signed-in session alone cannot move the account's login." })
  currentPassword: string;

  @Field(() => VerificationChannel, { nullable: true, description: "For a phone number: SMS (default) or WHATSAPP." })
  channel?: ChannelValue | null;
}
