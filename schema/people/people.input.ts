import { Field, InputType } from "type-graphql";
import type { Gender as GenderValue } from "../../drizzle/tables/enums-types";
import type { ChildInput as ChildFields } from "../../server/services/participants";
import { Gender } from "../shared/enums";
import { LocalDate, UUID } from "../shared/scalars";

@InputType({ description: "A child's details; omitted fields keep their value when updating." })
export class ChildInput implements ChildFields {
  @Field(() => String, { nullable: true, description: "Required when adding." })
  firstName?: string | null;

  @Field(() => String, { nullable: true })
  lastName?: string | null;

  @Field(() => LocalDate, { nullable: true })
  dateOfBirth?: string | null;

  @Field(() => Gender, { nullable: true })
  gender?: GenderValue | null;

  @Field(() => String, { nullable: true, description: "Notes for staff (allergies, pick-up …)." })
  notes?: string | null;

  @Field(() => UUID, { nullable: true, description: "Staff only: the parent profile to add the child to." })
  parentId?: string | null;
}
