import { Field, ObjectType } from "type-graphql";
import type { User as UserRow } from "../../drizzle/schema";
import type { Gender as GenderValue, Language as LanguageValue } from "../../drizzle/tables/enums-types";
import { Gender, Language } from "../shared/enums";
import { DateTime, UUID } from "../shared/scalars";

/**
 * A person's account. Contact and identity fields are private: they read as
 * null unless the viewer is the person, staff of a tenant they belong to, or a
 * platform admin (see UserResolver).
 */
@ObjectType({ description: "A person's account (one across every organisation)." })
export class User implements Pick<UserRow, "id" | "firstName" | "lastName" | "createdAt"> {
  @Field(() => UUID)
  id: string;

  @Field(() => String)
  firstName: string;

  @Field(() => String, { description: "May be empty." })
  lastName: string;

  @Field(() => DateTime)
  createdAt: Date;
}

/** The row fields the private field resolvers read. */
export type UserSource = UserRow;

export type { GenderValue, LanguageValue };
export { Gender, Language };
