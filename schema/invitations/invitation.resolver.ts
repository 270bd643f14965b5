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
    @Arg("status", () => InvitationStatus, { nullable: true }) status?: InvitationStatusValue,
    @Arg("first", () => Int, { nullable: true }) first?: number,
    @Arg("after", () => String, { nullable: true }) after?: string,
  ) {
    return toConnection(await invitations.listInvitations(ctx, { status, first, after }), (row) => row);
  }

  @Query(() => InvitationConnection, {
    description: "Your open invitations from every tenant, newest first (works signed in to any tenant, or none).",
  })
  async myInvitations(
    @Ctx() ctx: Context,
    @Arg("first", () => Int, { nullable: true }) first?: number,
    @Arg("after", () => String, { nullable: true }) after?: string,
  ) {
    return toConnection(await invitations.myInvitations(ctx, { first, after }), (row) => row);
  }

  @Mutation(() => Membership, {
    description:
      "Accepts one of your invitations: you join its tenant with the roles offered (switchTenant to act there). " +
      "Accepting again answers the same membership; a declined, revoked or expired invitation is CONFLICT.",
  })
  acceptInvitation(@Arg("id", () => UUID) id: string, @Ctx() ctx: Context) {
    return invitations.acceptInvitation(ctx, id);
  }

  @Mutation(() => Invitation, { description: "Declines one of your invitations; the tenant sees it DECLINED." })
  declineInvitation(@Arg("id", () => UUID) id: string, @Ctx() ctx: Context) {
    return invitations.declineInvitation(ctx, id);
  }

  @Mutation(() => Invitation, {
    description: "Withdraws an open invitation of the current tenant (staff; one offering ADMIN or STAFF: admins).",
  })
  revokeInvitation(@Arg("id", () => UUID) id: string, @Ctx() ctx: Context) {
    return invitations.revokeInvitation(ctx, id);
  }

  @FieldResolver(() => Tenant, { description: "The tenant that invites." })
  tenant(@Root() invitation: Invitation, @Ctx() ctx: Context) {
    return ctx.loaders.tenant.load(invitation.tenantId);
  }
}
