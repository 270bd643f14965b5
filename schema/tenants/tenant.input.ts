import { Field, InputType } from "type-graphql";
import type { Language as LanguageValue, MembershipRole } from "../../drizzle/tables/enums-types";
import type { AddMemberInput as AddMember } from "../../server/services/members";
import type { TenantSettings } from "../../server/services/tenants";
import { Language, Role } from "../shared/enums";
import { CurrencyCode, EmailAddress, PhoneNumber } from "../shared/scalars";

@InputType({
  description:
    "A person to invite to a tenant, by phone or email. An existing account is invited; for an unknown login " +
    "an account is made with the temporary password and invited the same way (you are not told which).",
})
export class AddMemberInput implements AddMember {
  @Field(() => PhoneNumber, { nullable: true, description: "E.164, e.g. +201001234567." })
  phoneNumber?: string | null;

  @Field(() => EmailAddress, { nullable: true, description: "Email address; give it, the phone number, or both." })
  email?: string | null;

  @Field(() => String, { description: "As you know the person (1 to 100 characters); the account's own name is not shown to you." })
  firstName: string;

  @Field(() => String, { nullable: true, description: "Up to 100 characters." })
  lastName?: string | null;

  @Field(() => [Role], { description: "Roles offered. Admins offer any role; staff offer INSTRUCTOR, PARENT, STUDENT, MEMBER." })
  roles: MembershipRole[];

  @Field(() => String, {
    description: "8–128 characters, always required: it becomes the password only if no account has this phone or email yet.",
  })
  temporaryPassword: string;
}

@InputType({ description: "The first admin of a new tenant." })
export class TenantAdminInput implements Omit<AddMember, "roles"> {
  @Field(() => PhoneNumber, { nullable: true, description: "E.164; the account with this login becomes admin (phone or email required)." })
  phoneNumber?: string | null;

  @Field(() => EmailAddress, {
    nullable: true,
    description: "Email address: the login when no phone number is given; kept on a new account.",
  })
  email?: string | null;

  @Field(() => String, { description: "First name of a new account (an existing account keeps its own)." })
  firstName: string;

  @Field(() => String, { nullable: true, description: "Last name of a new account (an existing account keeps its own)." })
  lastName?: string | null;

  @Field(() => String, {
    nullable: true,
    description: "Password of a new account (8–128 characters); required when no account has this login.",
  })
  temporaryPassword?: string | null;
}

@InputType({ description: "Tenant settings; omitted fields keep their value." })
export class UpdateTenantInput implements TenantSettings {
  @Field(() => String, { nullable: true, description: "New display name." })
  name?: string | null;

  @Field(() => String, { nullable: true, description: "IANA time zone, e.g. Africa/Cairo." })
  timeZone?: string | null;

  @Field(() => CurrencyCode, { nullable: true, description: "ISO 4217 currency of new courses (existing prices keep theirs)." })
  currency?: string | null;

  @Field(() => Language, { nullable: true, description: "Language for people who have not chosen one." })
  defaultLanguage?: LanguageValue | null;
}

@InputType({ description: "A new tenant and its first admin." })
export class CreateTenantInput implements TenantSettings {
  @Field(() => String, { description: "Lower-case letters, digits and dashes, 2–63 characters; unique (CONFLICT when taken)." })
  slug: string;

  @Field(() => String, { description: "Display name." })
  name: string;

  @Field(() => String, { nullable: true, description: "IANA time zone; default Africa/Cairo." })
  timeZone?: string | null;

  @Field(() => CurrencyCode, { nullable: true, description: "Default EGP." })
  currency?: string | null;

  @Field(() => Language, { nullable: true, description: "Default ar." })
  defaultLanguage?: LanguageValue | null;

  @Field(() => TenantAdminInput, { description: "Who becomes its first ADMIN: an existing account, or a new one." })
  admin: TenantAdminInput;
}
