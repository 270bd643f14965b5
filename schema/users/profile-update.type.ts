import { Field, ObjectType } from "type-graphql";
import { DateTime, UUID } from "../shared/scalars";

@ObjectType({ description: "A change to a user's profile or password." })
export class ProfileUpdate {
  @Field(() => UUID)
  userId: string;

  @Field(() => Boolean, { description: "The password was changed (other devices may have been signed out)." })
  passwordUpdated: boolean;

  @Field(() => [String], { description: "Names of the profile fields that changed." })
  changedFields: string[];

  @Field(() => DateTime)
  at: Date;
}
