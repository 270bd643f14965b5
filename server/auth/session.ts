/**
 * The signed-in user behind an access token, read in the request's first statement
 * (sent with BEGIN): the session must be live, and the roles are read now (not from
 * the token), so a signed-out session or a removed role stops working at once.
 */
import { authSessions, memberships, users, type Membership, type User } from "../../drizzle/schema";
import type { Scope } from "../db/scope";
import { Aliases, reviveRow, rowJson } from "../plan/sql";
import type { AccessClaims } from "./tokens";
import type { Viewer } from "./viewer";

/**
 * The signed-in user behind an access token: the session must be live, and the
 * roles are read now (not from the token), so a removed role stops working at once.
 * The active tenant is the token's, else the one named by X-Tenant (public access).
 *
 * The request's first statement, sent with BEGIN, sets its scope (tenant, user,
 * role roster_app) and reads the session, user and membership (viewerStatement);
 * this turns its row into the viewer.
 */
export function userViewer(
  claims: AccessClaims,
  headerTenantId: string | null,
  row: Record<string, unknown> | undefined,
): { viewer: Viewer; scope: Scope; user?: User; membership?: Membership | null } {
  const tenantId = claims.tenantId ?? headerTenantId;
  const scope: Scope = { tenantId, userId: claims.userId };
  const found = row as { live: boolean | null; user: Record<string, unknown> | null; membership: Record<string, unknown> | null };
  if (!found?.user || !found.live || !found.user.isActive) {
    return { viewer: { kind: "anonymous", credentialError: "auth.sessionRevoked" }, scope };
  }
  const user = reviveRow<User>(users, found.user);
  const membership = found.membership ? reviveRow<Membership>(memberships, found.membership) : null;
  const member = Boolean(membership?.isActive);
  const viewer: Viewer = {
    kind: "user",
    userId: claims.userId,
    sessionId: claims.sessionId,
    // A token's tenant stays active only while the membership does; X-Tenant gives public access.
    tenantId: member || !claims.tenantId ? tenantId : null,
    membershipId: member ? membership!.id : null,
    ...(!member && claims.tenantId ? { lostTenantId: claims.tenantId } : {}),
    roles: member ? membership!.roles : [],
    isPlatformAdmin: user.isPlatformAdmin,
    language: user.preferredLanguage,
  };
  return { viewer, scope, user, membership };
}

let viewerSql: string | undefined;
/**
 * The scope-and-viewer statement ($1 tenant or "", $2 user, $3 session, $4 tenant
 * or null). The read is the system's: the statement is planned before its role
 * change applies, and it is keyed by the verified token's session and user. The
 * scope is set even when no session matches (one row always).
 */
export function viewerStatement(): string {
  if (viewerSql) return viewerSql;
  const aliases = new Aliases();
  const s = aliases.of(authSessions);
  const u = aliases.of(users);
  const m = aliases.of(memberships);
  viewerSql =
    `select set_config('app.tenant_id', $1, true) as "tenantScope", set_config('app.user_id', $2::text, true) as "userScope",` +
    ` set_config('role', 'roster_app', true) as "role", v."live", v."user", v."membership"` +
    ` from (select 1) as one left join (select ${s.col("revokedAt")} is null and ${s.col("expiresAt")} > now() as "live",` +
    ` ${rowJson(u)} as "user", case when ${m.col("id")} is null then null else ${rowJson(m)} end as "membership"` +
    ` from ${s.from} join ${u.from} on ${u.col("id")} = ${s.col("userId")}` +
    ` left join ${m.from} on ${m.col("userId")} = ${s.col("userId")} and ${m.col("tenantId")} = $4::uuid` +
    ` where ${s.col("id")} = $3::uuid and ${s.col("userId")} = $2::uuid) as v on true`;
  return viewerSql;
}
