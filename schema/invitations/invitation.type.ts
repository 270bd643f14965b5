import { Field, ObjectType } from "type-graphql";
import type { InvitationStatus as InvitationStatusValue, MembershipRole } from "../../drizzle/tables/enums-types";
import type { InvitationView } from "../../server/services/invitations";
import { InvitationStatus, Role } from "../shared/enums";
import { DateTime, EmailAddress, PhoneNumber, UUID } from "../shared/scalars";

@ObjectType({
  description:
    "An offer to join a tenant with roles. It shows only what the inviter typed: the tenant learns nothing " +
    "of the account (not even whether it existed) until its owner accepts.",
})
export class Invitation
  implements
    Pick<
      InvitationView,
      | "id"
      | "tenantId"
      | "roles"
      | "status"
      | "phoneNumber"
      | "email"
      | "firstName"
      | "lastName"
      | "invitedByName"
      | "expiresAt"
      | "respondedAt"
      | "createdAt"
    >
{
  @Field(() => UUID, { description: "The invitation's id." })
  id: string;

  tenantId: string;

  @Field(() => [Role], { description: "The roles the person gets on accepting." })
  roles: MembershipRole[];

  @Field(() => InvitationStatus, { description: "As of now: an open invitation past expiresAt reads EXPIRED." })
  status: InvitationStatusValue;

  @Field(() => PhoneNumber, { nullable: true, description: "The phone number the inviter typed." })
  phoneNumber: string | null;

  @Field(() => EmailAddress, { nullable: true, description: "The email address the inviter typed." })
  email: string | null;

  @Field(() => String, { description: "The first name the inviter typed." })
  firstName: string;

  @Field(() => String, { description: "The last name the inviter typed (may be empty)." })
  lastName: string;

  @Field(() => String, { description: "Who invited, as named when they did." })
  invitedByName: string;

  @Field(() => DateTime, {
    description: "After this the invitation can no longer be accepted (14 days after it was sent or last renewed).",
  })
  expiresAt: Date;

  @Field(() => DateTime, { nullable: true, description: "When it was accepted, declined, revoked or marked expired." })
  respondedAt: Date | null;

  @Field(() => DateTime, { description: "When it was first sent." })
  createdAt: Date;
}
