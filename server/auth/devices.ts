/**
 * Attendance devices' tokens: `rdv_<tenant uuid>_<secret>`, stored hashed. Reading
 * one is part of building a request's context (server/context.ts), so it lives
 * here with the other credentials, not with the devices service.
 */
import { and, eq, isNull } from "drizzle-orm";
import { devices } from "../../drizzle/schema";
import type { Db } from "../db/client";
import type { Scope } from "../db/scope";
import { hashToken } from "./tokens";

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
