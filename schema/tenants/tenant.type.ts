import { Field, ObjectType } from "type-graphql";
import type { Membership as MembershipRow, Tenant as TenantRow } from "../../drizzle/schema";
import type { Language as LanguageValue, MembershipRole } from "../../drizzle/tables/enums-types";
import { Language, Role } from "../shared/enums";
import { CurrencyCode, DateTime, UUID } from "../shared/scalars";

@ObjectType({ description: "An organisation: a course centre, a league, an events club." })
export class Tenant implements Pick<TenantRow, "id" | "slug" | "name" | "timeZone" | "currency" | "defaultLanguage" | "isActive"> {
  @Field(() => UUID, { description: "The tenant's id." })
  id: string;

  @Field(() => String, { description: "Short unique name; anonymous requests send it in the X-Tenant header." })
  slug: string;

  @Field(() => String, { description: "Display name." })
  name: string;

  @Field(() => String, { description: "IANA time zone of schedules and jobs, e.g. Africa/Cairo." })
  timeZone: string;

  @Field(() => CurrencyCode, { description: "ISO 4217 currency of prices and payments." })
  currency: string;

  @Field(() => Language, { description: "Language for people who have not chosen one." })
  defaultLanguage: LanguageValue;

  @Field(() => Boolean, {
    description:
      "False while suspended by the platform's admins: requests in it answer TENANT_SUSPENDED, its jobs do not run and its payment webhooks wait.",
  })
  isActive: boolean;
}

@ObjectType({ description: "A person's place in a tenant, with that tenant's roles." })
export class Membership implements Pick<MembershipRow, "id" | "tenantId" | "userId" | "roles" | "isActive" | "createdAt"> {
  @Field(() => UUID, { description: "The membership's id (setMemberRoles)." })
  id: string;

  tenantId: string;
  userId: string;

  @Field(() => [Role], { description: "What the member may do in the tenant (ADMIN includes STAFF)." })
  roles: MembershipRole[];

  @Field(() => Boolean, {
    description:
      "False once deactivated (deactivateMember): the person cannot sign in to, switch to or act in the tenant; their history stays.",
  })
  isActive: boolean;

  @Field(() => DateTime, { description: "When the person joined." })
  createdAt: Date;
}
