import { Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import type { InvitationStatus as InvitationStatusValue } from "../../drizzle/tables/enums-types";
import type { Context } from "../../server/context";
import * as invitations from "../../server/services/invitations";
import { Connection, toConnection } from "../shared/connection";
import { InvitationStatus } from "../shared/enums";
import { UUID } from "../shared/scalars";
import { Membership, Tenant } from "../tenants/tenant.type";
import { Invitation } from "./invitation.type";

const InvitationConnection = Connection(Invitation, "Invitation");

@Resolver(() => Invitation)
export class InvitationResolver {
  @Query(() => InvitationConnection, { description: "The current tenant's invitations, newest first (staff)." })
  async invitations(
    @Ctx() ctx: Context,
    @Arg("status", () => InvitationStatus, { nullable: true, description: "Only invitations in this state, as of now." })
    status?: InvitationStatusValue,
    @Arg("first", () => Int, { nullable: true, description: "Page size, 1 to 100 (default 20)." }) first?: number,
    @Arg("after", () => String, { nullable: true, description: "endCursor of the previous page." }) after?: string,
  ) {
    return toConnection(await invitations.listInvitations(ctx, { status, first, after }), (row) => row);
  }

  @Query(() => InvitationConnection, {
    description: "Your open invitations from every tenant, newest first (works signed in to any tenant, or none).",
  })
  async myInvitations(
    @Ctx() ctx: Context,
    @Arg("first", () => Int, { nullable: true, description: "Page size, 1 to 100 (default 20)." }) first?: number,
    @Arg("after", () => String, { nullable: true, description: "endCursor of the previous page." }) after?: string,
  ) {
    return toConnection(await invitations.myInvitations(ctx, { first, after }), (row) => row);
  }

  @Mutation(() => Membership, {
    description:
      "Accepts one of your invitations: you join its tenant with the roles offered (switchTenant to act there). " +
      "Accepting again answers the same membership; a declined, revoked or expired invitation is CONFLICT.",
  })
  acceptInvitation(
    @Arg("id", () => UUID, { description: "One of your invitations (NOT_FOUND for anyone else's)." }) id: string,
    @Ctx() ctx: Context,
  ) {
    return invitations.acceptInvitation(ctx, id);
  }

  @Mutation(() => Invitation, {
    description: "Declines one of your open invitations; the tenant sees it DECLINED. Declining again answers the same.",
  })
  declineInvitation(
    @Arg("id", () => UUID, { description: "One of your invitations (NOT_FOUND for anyone else's)." }) id: string,
    @Ctx() ctx: Context,
  ) {
    return invitations.declineInvitation(ctx, id);
  }

  @Mutation(() => Invitation, {
    description:
      "Withdraws an open invitation of the current tenant (staff; one offering ADMIN or STAFF: admins). Revoking again answers the same.",
  })
  revokeInvitation(@Arg("id", () => UUID, { description: "An invitation of the current tenant." }) id: string, @Ctx() ctx: Context) {
    return invitations.revokeInvitation(ctx, id);
  }

  @FieldResolver(() => Tenant, { description: "The tenant that invites." })
  tenant(@Root() invitation: Invitation, @Ctx() ctx: Context) {
    return ctx.loaders.tenant.load(invitation.tenantId);
  }
}
