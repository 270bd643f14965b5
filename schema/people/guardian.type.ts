import { Field, InputType, ObjectType } from "type-graphql";
import type { GuardianRelation as GuardianRelationValue } from "../../drizzle/tables/enums-types";
import type { GuardianRow } from "../../server/services/guardians";
import { GuardianRelation } from "../shared/enums";
import { UUID } from "../shared/scalars";

@ObjectType({ description: "A guardian of a child: a member of the tenant who answers for the child, with their own permissions." })
export class Guardian
  implements Pick<GuardianRow, "id" | "childId" | "userId" | "relation" | "canEnroll" | "receivesAlerts" | "canPickUp" | "isPrimary">
{
  @Field(() => UUID, { description: "The guardianship's id (updateGuardian, removeGuardian)." })
  id: string;

  @Field(() => UUID, { description: "The child." })
  childId: string;

  userId: string;

  @Field(() => GuardianRelation, { description: "How the guardian is related to the child." })
  relation: GuardianRelationValue;

  @Field(() => Boolean, { description: "May request (and end) the child's enrolments." })
  canEnroll: boolean;

  @Field(() => Boolean, {
    description: "Receives the child's notices: absences, lecture reminders, fees due, enrolment decisions, results.",
  })
  receivesAlerts: boolean;

  @Field(() => Boolean, { description: "May collect the child (for staff at the door)." })
  canPickUp: boolean;

  @Field(() => Boolean, {
    description:
      "The primary guardian (Child.parent): manages the other guardians with staff. Removing them makes the longest-standing other guardian primary.",
  })
  isPrimary: boolean;
}

@InputType({ description: "A new guardian of a child: a member of the tenant, by exactly one of phone number or email." })
export class AddGuardianInput {
  @Field(() => UUID, { description: "The child." })
  childId: string;

  @Field(() => String, {
    nullable: true,
    description: "The member's phone number, international format (+…). Exactly one of phoneNumber and email.",
  })
  phoneNumber?: string | null;

  @Field(() => String, { nullable: true, description: "The member's email. Exactly one of phoneNumber and email." })
  email?: string | null;

  @Field(() => GuardianRelation, { description: "How the person is related to the child." })
  relation: GuardianRelationValue;

  @Field(() => Boolean, { nullable: true, description: "May request and end enrolments (default true)." })
  canEnroll?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: "Receives the child's notices (default true)." })
  receivesAlerts?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: "May collect the child (default true)." })
  canPickUp?: boolean | null;
}

@InputType({ description: "Changes to a guardian: omitted (or null) fields keep their value." })
export class UpdateGuardianInput {
  @Field(() => GuardianRelation, { nullable: true, description: "How the person is related to the child." })
  relation?: GuardianRelationValue | null;

  @Field(() => Boolean, { nullable: true, description: "May request and end enrolments." })
  canEnroll?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: "Receives the child's notices." })
  receivesAlerts?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: "May collect the child." })
  canPickUp?: boolean | null;
}
