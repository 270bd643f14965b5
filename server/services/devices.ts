/** Attendance devices (a centre's tablet): registration, revocation and token authentication. */
import { randomBytes } from "node:crypto";
import { and, desc, eq, isNull } from "drizzle-orm";
import { devices } from "../../drizzle/schema";
import { requireRole } from "../auth/guards";
import { hashToken } from "../auth/tokens";
import { atomic, type Context } from "../context";
import type { Db } from "../db/client";
import type { Scope } from "../db/scope";
import { badInput, notFound } from "../errors";
import { audit } from "./audit";
import { accessChanged } from "../realtime/access";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Device tokens name their tenant: `rdv_<tenant uuid>_<secret>`. */
export const deviceToken = (tenantId: string, secret: string) => `rdv_${tenantId}_${secret}`;

/** The device a token belongs to, if it is live; sets the transaction's scope to its tenant. */
export async function authenticateDevice(
  tx: Db,
  scope: (next: Scope) => Promise<void>,
  token: string,
): Promise<{ deviceId: string; tenantId: string } | null> {
  const match = /^rdv_([0-9a-f-]{36})_[\w-]{20,}$/.exec(token);
  if (!match || !UUID.test(match[1]!)) return null;
  const tenantId = match[1]!;
  await scope({ tenantId, userId: null });
  const [device] = await tx
    .update(devices)
    .set({ lastSeenAt: new Date() })
    .where(and(eq(devices.tenantId, tenantId), eq(devices.tokenHash, hashToken(token)), isNull(devices.revokedAt)))
    .returning({ id: devices.id });
  return device ? { deviceId: device.id, tenantId } : null;
}

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
  const viewer = requireRole(ctx, "STAFF");
  return atomic(ctx, async (ctx) => {
    const [device] = await ctx.db
      .update(devices)
      .set({ revokedAt: new Date() })
      .where(and(eq(devices.tenantId, viewer.tenantId), eq(devices.id, deviceId), isNull(devices.revokedAt)))
      .returning();
    if (!device) throw notFound("Device", deviceId);
    await audit(ctx, { action: "device.revoke", entity: "device", entityId: deviceId, after: device });
    accessChanged(ctx, { deviceId });
    return device;
  });
}

/** Staff: the tenant's devices, newest first (revoked ones too). */
export async function listDevices(ctx: Context) {
  const viewer = requireRole(ctx, "STAFF");
  return ctx.db.select().from(devices).where(eq(devices.tenantId, viewer.tenantId)).orderBy(desc(devices.createdAt));
}
