/** Loaders for accounts, tenants and memberships. */
import { and, inArray } from "drizzle-orm";
import { memberships, tenants, users } from "../../drizzle/schema";
import { TENANT_COLUMNS, type TenantInfo } from "../tenancy";
import type { LoaderContext } from "./index";
import { manyLoader, oneLoader } from "./batch";

export function userLoaders({ db, scope }: LoaderContext) {
  return {
    user: oneLoader(
      (ids: readonly string[]) =>
        db
          .select()
          .from(users)
          .where(inArray(users.id, [...ids])),
      (row) => row.id,
    ),
    tenant: oneLoader(
      (ids: readonly string[]): Promise<TenantInfo[]> =>
        db
          .select(TENANT_COLUMNS)
          .from(tenants)
          .where(inArray(tenants.id, [...ids])),
      (row) => row.id,
    ),
    /** A user's membership in the current tenant. */
    membershipByUser: oneLoader(
      (userIds: readonly string[]) =>
        db
          .select()
          .from(memberships)
          .where(and(scope.inTenant(memberships), inArray(memberships.userId, [...userIds]))),
      (row) => row.userId,
    ),
    /** A user's memberships in every tenant (visible to the user themself). */
    membershipsOfUser: manyLoader(
      (userIds: readonly string[]) =>
        db
          .select()
          .from(memberships)
          .where(inArray(memberships.userId, [...userIds]))
          .orderBy(memberships.createdAt),
      (row) => row.userId,
    ),
  };
}
