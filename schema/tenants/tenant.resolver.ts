import { Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import { requireUser } from "../../server/auth/guards";
import { loadTenant, type Context } from "../../server/context";
import * as invitations from "../../server/services/invitations";
import * as members from "../../server/services/members";
import * as tenants from "../../server/services/tenants";
import type { MembershipRole } from "../../drizzle/tables/enums-types";
import { Connection, toConnection } from "../shared/connection";
import { Role } from "../shared/enums";
import { UUID } from "../shared/scalars";
import { Invitation } from "../invitations/invitation.type";
import { User } from "../users/user.type";
import { AddMemberInput, CreateTenantInput, UpdateTenantInput } from "./tenant.input";
import { Membership, Tenant } from "./tenant.type";

const TenantConnection = Connection(Tenant, "Tenant");
const MembershipConnection = Connection(Membership, "Membership");

@Resolver(() => Tenant)
export class TenantResolver {
  @Query(() => Tenant, { nullable: true, description: "The tenant of this request (token or X-Tenant header)." })
  tenant(@Ctx() ctx: Context) {
    return ctx.tenant;
  }

  @Query(() => Tenant, { nullable: true, description: "A tenant by its slug (public); null when none has it." })
  tenantBySlug(@Arg("slug", () => String, { description: "The slug, in any case." }) slug: string, @Ctx() ctx: Context) {
    return loadTenant(ctx.app, ctx.db, { slug: slug.trim().toLowerCase() });
  }

  @Query(() => TenantConnection, { description: "Every tenant, by slug (platform admins)." })
  async tenants(
    @Ctx() ctx: Context,
    @Arg("search", () => String, { nullable: true, description: "Text found in the name or slug (any case)." }) search?: string,
    @Arg("first", () => Int, { nullable: true, description: "Page size, 1 to 100 (default 20)." }) first?: number,
    @Arg("after", () => String, { nullable: true, description: "endCursor of the previous page." }) after?: string,
  ) {
    return toConnection(await tenants.listTenants(ctx, { search, first, after }), (row) => row);
  }

  @Mutation(() => Tenant, { description: "Creates a tenant and its first admin (platform admins)." })
  createTenant(
    @Arg("input", () => CreateTenantInput, { description: "The tenant and its first admin." }) input: CreateTenantInput,
    @Ctx() ctx: Context,
  ) {
    return tenants.createTenant(ctx, input);
  }

  @Mutation(() => Tenant, {
    description:
      "Suspends a tenant (platform admins): until reactivated, every request in it answers TENANT_SUSPENDED (HTTP 403), " +
      "its open WebSocket connections close, its scheduled jobs are skipped and its payment webhooks are answered 503 " +
      "so the gateway retries them later. Nothing is deleted. CONFLICT when already suspended.",
  })
  suspendTenant(
    @Arg("id", () => UUID, { description: "The tenant to suspend." }) id: string,
    @Arg("reason", () => String, { nullable: true, description: "Why, kept in the tenant's audit log." }) reason: string | null,
    @Ctx() ctx: Context,
  ) {
    return tenants.setTenantActive(ctx, id, false, reason);
  }

  @Mutation(() => Tenant, { description: "Lifts a tenant's suspension (platform admins). CONFLICT when it is not suspended." })
  reactivateTenant(
    @Arg("id", () => UUID, { description: "The tenant to reactivate." }) id: string,
    @Arg("reason", () => String, { nullable: true, description: "Why, kept in the tenant's audit log." }) reason: string | null,
    @Ctx() ctx: Context,
  ) {
    return tenants.setTenantActive(ctx, id, true, reason);
  }

  @Mutation(() => Tenant, { description: "Changes the current tenant's settings (tenant admins)." })
  updateTenant(
    @Arg("input", () => UpdateTenantInput, { description: "The settings to change." }) input: UpdateTenantInput,
    @Ctx() ctx: Context,
  ) {
    return tenants.updateTenant(ctx, input);
  }
}

@Resolver(() => Membership)
export class MembershipResolver {
  @Query(() => [Membership], {
    description: "Your active memberships in every tenant, oldest first (to pick one with switchTenant; at most 100).",
  })
  myTenants(@Ctx() ctx: Context) {
    return tenants.myMemberships(ctx);
  }

  @Query(() => MembershipConnection, { description: "Members of the current tenant, deactivated ones too (staff), oldest first." })
  async members(
    @Ctx() ctx: Context,
    @Arg("role", () => Role, { nullable: true, description: "Only members holding this role." }) role?: MembershipRole,
    @Arg("search", () => String, { nullable: true, description: "Part of a name, phone number or email (any case)." }) search?: string,
    @Arg("first", () => Int, { nullable: true, description: "Page size, 1 to 100 (default 20)." }) first?: number,
    @Arg("after", () => String, { nullable: true, description: "endCursor of the previous page." }) after?: string,
  ) {
    return toConnection(await members.listMembers(ctx, { role, search, first, after }), (row) => row);
  }

  @Mutation(() => Invitation, {
    description:
      "Invites a person, by phone or email, to join the current tenant with roles; they accept or decline " +
      "(myInvitations). Admins offer any role; staff offer INSTRUCTOR, PARENT, STUDENT, MEMBER. " +
      "The answer is the same whether or not the phone or email has an account, and shows only what you typed.",
  })
  addMember(
    @Arg("input", () => AddMemberInput, { description: "Who to invite, and with which roles." }) input: AddMemberInput,
    @Ctx() ctx: Context,
  ) {
    return invitations.invite(ctx, input);
  }

  @Mutation(() => Membership, {
    description:
      "Replaces a member's roles (tenant admins); the member's open WebSocket connections close (code 4401) to reconnect with them. " +
      "Audited (member.setRoles). CONFLICT when it would leave the tenant without an active admin.",
  })
  setMemberRoles(
    @Arg("membershipId", () => UUID, { description: "The membership (Membership.id) to change." }) membershipId: string,
    @Arg("roles", () => [Role], { description: "The new roles, replacing the old ones." }) roles: MembershipRole[],
    @Ctx() ctx: Context,
  ) {
    return members.setMemberRoles(ctx, membershipId, roles);
  }

  @Mutation(() => Membership, {
    description:
      "Deactivates a membership (tenant admins): the person can no longer sign in to, switch to or act in this tenant " +
      "(their tokens for it stop working at once and their open WebSocket connections close with 4401); their rows " +
      "(enrolments, payments, attendance) stay. Audited. CONFLICT for the last active admin, or when already deactivated.",
  })
  deactivateMember(
    @Arg("membershipId", () => UUID, { description: "The membership (Membership.id) to deactivate." }) membershipId: string,
    @Ctx() ctx: Context,
  ) {
    return members.setMemberActive(ctx, membershipId, false);
  }

  @Mutation(() => Membership, {
    description: "Reactivates a deactivated membership with the roles it had (tenant admins). Audited. CONFLICT when it is active.",
  })
  reactivateMember(
    @Arg("membershipId", () => UUID, { description: "The membership (Membership.id) to reactivate." }) membershipId: string,
    @Ctx() ctx: Context,
  ) {
    return members.setMemberActive(ctx, membershipId, true);
  }

  @FieldResolver(() => Tenant, { description: "The tenant." })
  tenant(@Root() membership: Membership, @Ctx() ctx: Context) {
    return ctx.loaders.tenant.load(membership.tenantId);
  }

  @FieldResolver(() => User, { description: "The member's account (signed-in viewers only)." })
  user(@Root() membership: Membership, @Ctx() ctx: Context) {
    requireUser(ctx);
    return ctx.loaders.user.load(membership.userId);
  }
}
