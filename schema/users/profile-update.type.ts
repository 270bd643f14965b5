import { Field, ObjectType } from "type-graphql";
import { DateTime, UUID } from "../shared/scalars";

@ObjectType({ description: "A change to a user's profile or password." })
export class ProfileUpdate {
  @Field(() => UUID, { description: "Whose profile changed (you: profileUpdated only tells you of your own)." })
  userId: string;

  @Field(() => Boolean, { description: "The password was changed (other devices may have been signed out)." })
  passwordUpdated: boolean;

  @Field(() => [String], { description: "Names of the profile fields that changed." })
  changedFields: string[];

  @Field(() => DateTime, { description: "When the change was committed." })
  at: Date;
}
