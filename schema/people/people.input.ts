import { Field, InputType } from "type-graphql";
import type { Gender as GenderValue } from "../../drizzle/tables/enums-types";
import type { ChildInput as ChildFields } from "../../server/services/participants";
import { Gender } from "../shared/enums";
import { LocalDate, UUID } from "../shared/scalars";

@InputType({ description: "A new child's details; firstName is required." })
export class CreateChildInput implements ChildFields {
  @Field(() => String, { nullable: true, description: "Required when adding; not empty." })
  firstName?: string | null;

  @Field(() => String, { nullable: true, description: "Default empty; null clears it." })
  lastName?: string | null;

  @Field(() => LocalDate, { nullable: true, description: "YYYY-MM-DD, not in the future; null clears it." })
  dateOfBirth?: string | null;

  @Field(() => Gender, { nullable: true, description: "Default UNSPECIFIED." })
  gender?: GenderValue | null;

  @Field(() => String, { nullable: true, description: "Notes for staff (allergies, pick-up …); null clears them." })
  notes?: string | null;

  @Field(() => UUID, {
    nullable: true,
    description: "Staff only, when adding: the parent profile to add the child to (default: your own; FORBIDDEN for others).",
  })
  parentId?: string | null;
}

@InputType({ description: "Changes to a child's details: omitted fields keep their value; parentId is ignored." })
export class UpdateChildInput extends CreateChildInput {}
