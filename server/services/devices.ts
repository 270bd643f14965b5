/** Attendance devices (a centre's tablet): registration, revocation and token authentication. */
import { randomBytes } from "node:crypto";
import { and, desc, eq, isNull } from "drizzle-orm";
import { hashToken } from "../auth/tokens";
import { devices } from "../../drizzle/schema";
import { requireRole } from "../auth/guards";
import { deviceToken } from "../auth/devices";
import { atomic, type Context } from "../context";
import { badInput, notFound } from "../errors";
import { audit } from "./audit";
import { accessChanged } from "../realtime/access";

/** Staff register an attendance device; its token is returned once and stored hashed. */
export async function registerDevice(ctx: Context, name: string) {
  const viewer = requireRole(ctx, "STAFF");
  const trimmed = name.trim();
  if (!trimmed || trimmed.length > 100) throw badInput("name", "1 to 100 characters");
  return atomic(ctx, async (ctx) => {
    const token = deviceToken(viewer.tenantId, randomBytes(32).toString("base64url"));
    const [device] = await ctx.db
      .insert(devices)
      .values({ tenantId: viewer.tenantId, name: trimmed, tokenHash: hashToken(token), createdBy: viewer.userId })
      .returning();
    await audit(ctx, { action: "device.register", entity: "device", entityId: device!.id, after: device });
    return { device: device!, token };
  });
}

/** Staff revoke a device: its token stops working at once. */
export async function revokeDevice(ctx: Context, deviceId: string) {
  requireRole(ctx, "STAFF");
  return atomic(ctx, async (ctx) => {
    const [device] = await ctx.db
      .update(devices)
      .set({ revokedAt: new Date() })
      .where(and(ctx.scope.inTenant(devices), eq(devices.id, deviceId), isNull(devices.revokedAt)))
      .returning();
    if (!device) throw notFound("Device", deviceId);
    await audit(ctx, { action: "device.revoke", entity: "device", entityId: deviceId, after: device });
    accessChanged(ctx, { deviceId });
    return device;
  });
}

/** Staff: the tenant's devices, newest first (revoked ones too). */
export async function listDevices(ctx: Context) {
  requireRole(ctx, "STAFF");
  return ctx.db.select().from(devices).where(ctx.scope.inTenant(devices)).orderBy(desc(devices.createdAt));
}
