import { Field, InputType } from "type-graphql";
import type { ProfileInput } from "../../server/services/auth";
import type { Gender as GenderValue, Language as LanguageValue } from "../../drizzle/tables/enums-types";
import { Gender, Language } from "../shared/enums";
import { EmailAddress, LocalDate, PhoneNumber } from "../shared/scalars";

@InputType({ description: "Changes to your own profile. Omit a field to keep it; null clears an optional one." })
export class UpdateProfileInput implements ProfileInput {
  @Field(() => String, { nullable: true })
  firstName?: string | null;

  @Field(() => String, { nullable: true })
  lastName?: string | null;

  @Field(() => EmailAddress, {
    nullable: true,
    deprecationReason: "Use requestContactChange and confirmContactChange: a new email is verified with a code first.",
    description: "Only the current email is accepted (no change); any other value is BAD_USER_INPUT.",
  })
  email?: string | null;

  @Field(() => PhoneNumber, { nullable: true, description: "Second phone number, E.164." })
  phoneNumber2?: string | null;

  @Field(() => LocalDate, { nullable: true })
  dateOfBirth?: string | null;

  @Field(() => Gender, { nullable: true })
  gender?: GenderValue | null;

  @Field(() => String, { nullable: true, description: "National identity number." })
  identityNumber?: string | null;

  @Field(() => Language, { nullable: true })
  preferredLanguage?: LanguageValue | null;
}
