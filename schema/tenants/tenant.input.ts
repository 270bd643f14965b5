import { Field, InputType } from "type-graphql";
import type { Language as LanguageValue, MembershipRole } from "../../drizzle/tables/enums-types";
import type { AddMemberInput as AddMember } from "../../server/services/members";
import type { TenantSettings } from "../../server/services/tenants";
import { Language, Role } from "../shared/enums";
import { CurrencyCode, EmailAddress, PhoneNumber } from "../shared/scalars";

@InputType({ description: "A person to add to a tenant: an existing account (by phone or email) or a new one." })
export class AddMemberInput implements AddMember {
  @Field(() => PhoneNumber, { nullable: true, description: "E.164, e.g. +201001234567." })
  phoneNumber?: string | null;

  @Field(() => EmailAddress, { nullable: true })
  email?: string | null;

  @Field(() => String, { description: "Used when the account is new." })
  firstName: string;

  @Field(() => String, { nullable: true })
  lastName?: string | null;

  @Field(() => [Role], { description: "Admins give any role; staff give PARENT, STUDENT, MEMBER." })
  roles: MembershipRole[];

  @Field(() => String, { nullable: true, description: "Required when the account is new (8–128 characters)." })
  temporaryPassword?: string | null;
}

@InputType({ description: "The first admin of a new tenant." })
export class TenantAdminInput implements Omit<AddMember, "roles"> {
  @Field(() => PhoneNumber, { nullable: true })
  phoneNumber?: string | null;

  @Field(() => EmailAddress, { nullable: true })
  email?: string | null;

  @Field(() => String)
  firstName: string;

  @Field(() => String, { nullable: true })
  lastName?: string | null;

  @Field(() => String, { nullable: true, description: "Required when the account is new." })
  temporaryPassword?: string | null;
}

@InputType({ description: "Tenant settings; omitted fields keep their value." })
export class UpdateTenantInput implements TenantSettings {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true, description: "IANA time zone, e.g. Africa/Cairo." })
  timeZone?: string | null;

  @Field(() => CurrencyCode, { nullable: true })
  currency?: string | null;

  @Field(() => Language, { nullable: true })
  defaultLanguage?: LanguageValue | null;
}

@InputType({ description: "A new tenant and its first admin." })
export class CreateTenantInput implements TenantSettings {
  @Field(() => String, { description: "Lower-case letters, digits and dashes, 2–63 characters." })
  slug: string;

  @Field(() => String)
  name: string;

  @Field(() => String, { nullable: true, description: "IANA time zone; default Africa/Cairo." })
  timeZone?: string | null;

  @Field(() => CurrencyCode, { nullable: true, description: "Default EGP." })
  currency?: string | null;

  @Field(() => Language, { nullable: true, description: "Default ar." })
  defaultLanguage?: LanguageValue | null;

  @Field(() => TenantAdminInput)
  admin: TenantAdminInput;
}
