/** Guards services call before acting: who may do this, in which tenant. */
import type { Context, TenantInfo } from "../context";
import { AppError, forbidden } from "../errors";
import { hasRole, type Role, type UserViewer } from "./viewer";

/** The signed-in user, or UNAUTHENTICATED (with the token's own problem, if it had one). */
export function requireUser(ctx: Context): UserViewer {
  if (ctx.viewer.kind === "user") return ctx.viewer;
  if (ctx.viewer.kind === "device") throw new AppError("FORBIDDEN", "auth.deviceOnly");
  throw new AppError("UNAUTHENTICATED", ctx.viewer.credentialError ?? "auth.required");
}

/** The request's tenant, or BAD_REQUEST asking the client to name one. */
export function requireTenant(ctx: Context): TenantInfo {
  if (!ctx.tenant) {
    // A bad token is the problem to report first: with a good one the tenant would be known.
    if (ctx.viewer.kind === "anonymous" && ctx.viewer.credentialError) {
      throw new AppError("UNAUTHENTICATED", ctx.viewer.credentialError);
    }
    // The token's tenant, whose membership has been deactivated since.
    if (ctx.viewer.kind === "user" && ctx.viewer.lostTenantId) throw new AppError("FORBIDDEN", "tenant.notMember");
    throw new AppError("BAD_REQUEST", "tenant.required");
  }
  if (!ctx.tenant.isActive) throw new AppError("FORBIDDEN", "tenant.inactive");
  return ctx.tenant;
}

/** A signed-in member of the current tenant holding one of `roles` (ADMIN counts as STAFF). */
export function requireRole(ctx: Context, ...roles: Role[]): UserViewer & { tenantId: string } {
  const viewer = requireUser(ctx);
  requireTenant(ctx);
  if (!viewer.tenantId) throw new AppError("FORBIDDEN", "tenant.notMember");
  if (!hasRole(viewer, ...roles)) throw forbidden();
  return viewer as UserViewer & { tenantId: string };
}

/** A signed-in member of the current tenant, whatever their roles. */
export function requireMember(ctx: Context): UserViewer & { tenantId: string } {
  const viewer = requireUser(ctx);
  requireTenant(ctx);
  if (!viewer.tenantId || !viewer.membershipId) throw new AppError("FORBIDDEN", "tenant.notMember");
  return viewer as UserViewer & { tenantId: string };
}

export function requirePlatformAdmin(ctx: Context): UserViewer {
  const viewer = requireUser(ctx);
  if (!viewer.isPlatformAdmin) throw forbidden();
  return viewer;
}
