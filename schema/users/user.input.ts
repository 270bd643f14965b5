import { Field, InputType } from "type-graphql";
import type { ProfileInput } from "../../server/services/account";
import type { Gender as GenderValue, Language as LanguageValue } from "../../drizzle/tables/enums-types";
import { Gender, Language } from "../shared/enums";
import { EmailAddress, LocalDate, PhoneNumber } from "../shared/scalars";

@InputType({ description: "Changes to your own profile. Omit a field to keep it; null clears an optional one." })
export class UpdateProfileInput implements ProfileInput {
  @Field(() => String, { nullable: true, description: "Given name, 1 to 100 characters." })
  firstName?: string | null;

  @Field(() => String, { nullable: true, description: "Family name, up to 100 characters (may be empty)." })
  lastName?: string | null;

  @Field(() => EmailAddress, {
    nullable: true,
    deprecationReason: "Use requestContactChange and confirmContactChange: a new email is verified with a code first.",
    description: "Only the current email is accepted (no change); any other value is BAD_USER_INPUT.",
  })
  email?: string | null;

  @Field(() => PhoneNumber, { nullable: true, description: "Second phone number, E.164." })
  phoneNumber2?: string | null;

  @Field(() => LocalDate, { nullable: true, description: "Date of birth, in the past." })
  dateOfBirth?: string | null;

  @Field(() => Gender, { nullable: true, description: "Gender; null clears it." })
  gender?: GenderValue | null;

  @Field(() => String, { nullable: true, description: "National identity number." })
  identityNumber?: string | null;

  @Field(() => Language, { nullable: true, description: "Language of messages and notifications." })
  preferredLanguage?: LanguageValue | null;
}
