/** Who is making a request, and the role checks every layer uses. */
import type { Language } from "../i18n";
import type { MessageKey } from "../i18n";
import type { MembershipRole } from "../../drizzle/tables/enums-types";

export type Role = MembershipRole;

export type Viewer =
  | { kind: "anonymous"; credentialError?: MessageKey }
  | {
      kind: "user";
      userId: string;
      sessionId: string;
      /** The active tenant of the token, when the user is a member of it. */
      tenantId: string | null;
      membershipId: string | null;
      /** The token's tenant when the membership there is deactivated (or gone): FORBIDDEN rather than "choose a tenant". */
      lostTenantId?: string;
      roles: Role[];
      isPlatformAdmin: boolean;
      language: Language;
    }
  | { kind: "device"; deviceId: string; tenantId: string };

export type UserViewer = Extract<Viewer, { kind: "user" }>;

/** Roles that count as tenant staff (ADMIN implies STAFF). */
const STAFF_ROLES: readonly Role[] = ["ADMIN", "STAFF"];

/** True when the viewer holds any of `roles` in the active tenant (ADMIN counts as STAFF). */
export function hasRole(viewer: Viewer, ...roles: Role[]): boolean {
  if (viewer.kind !== "user") return false;
  return roles.some((role) => viewer.roles.includes(role) || (role === "STAFF" && viewer.roles.includes("ADMIN")));
}

export const isStaff = (viewer: Viewer) => hasRole(viewer, ...STAFF_ROLES);
