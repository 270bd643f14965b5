import { Authorized, Field, ObjectType } from "type-graphql";
import type { User as UserRow } from "../../drizzle/schema";
import type { Gender as GenderValue, Language as LanguageValue } from "../../drizzle/tables/enums-types";
import type { PrivacyRule } from "../../server/auth/policies";
import { Gender, Language } from "../shared/enums";
import { DateTime, EmailAddress, LocalDate, PhoneNumber, UUID } from "../shared/scalars";

/** Readable by the person and by staff of a tenant they are an active member of (server/auth/policies.ts). */
const Private = () => Authorized<PrivacyRule>("PERSON");

/**
 * A person's account. Contact and identity fields are private: they read as
 * null unless the privacy policy lets the viewer see them.
 */
@ObjectType({ description: "A person's account (one across every organisation)." })
export class User
  implements
    Pick<
      UserRow,
      | "id"
      | "firstName"
      | "lastName"
      | "createdAt"
      | "phoneNumber1"
      | "phoneNumber2"
      | "email"
      | "dateOfBirth"
      | "gender"
      | "identityNumber"
      | "passwordChangedAt"
    >
{
  @Field(() => UUID, { description: "The account's id, the same in every organisation." })
  id: string;

  @Field(() => String, { description: "Given name, as the person wrote it." })
  firstName: string;

  @Field(() => String, { description: "May be empty." })
  lastName: string;

  @Field(() => DateTime, { description: "When the account was registered." })
  createdAt: Date;

  @Private()
  @Field(() => PhoneNumber, { nullable: true, description: "Primary phone number (E.164), the login. Private." })
  phoneNumber1: string | null;

  @Private()
  @Field(() => PhoneNumber, { nullable: true, description: "Second phone number. Private." })
  phoneNumber2: string | null;

  @Private()
  @Field(() => EmailAddress, { nullable: true, description: "Email address. Private." })
  email: string | null;

  @Private()
  @Field(() => LocalDate, { nullable: true, description: "Date of birth. Private." })
  dateOfBirth: string | null;

  @Private()
  @Field(() => Gender, { nullable: true, description: "Gender, if given. Private." })
  gender: GenderValue;

  @Private()
  @Field(() => String, { nullable: true, description: "National identity number. Private." })
  identityNumber: string | null;

  @Private()
  @Field(() => DateTime, { nullable: true, description: "When the password last changed. Private." })
  passwordChangedAt: Date | null;
}

/** The row fields the field resolvers read. */
export type UserSource = UserRow;

export type { GenderValue, LanguageValue };
export { Gender, Language };
