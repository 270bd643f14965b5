/**
 * `device-offline`, hourly: attendance devices (not revoked) not seen for a day — by their last
 * contact, or since they were registered when they never called — are reported to the tenant's
 * staff, once per silence: the key carries the last contact, so a device that comes back and
 * goes quiet again is reported again.
 */
import { and, asc, isNull, lt, or } from "drizzle-orm";
import { devices } from "../../drizzle/schema";
import { requireTenant } from "../auth/guards";
import { emit } from "../domain-events/domain-events";
import { localDate, localTime } from "../time";
import type { Job } from "./job";
import { firstTime } from "./notices";

const OFFLINE_AFTER_MS = 24 * 60 * 60_000;

export const deviceOffline: Job = {
  name: "device-offline",
  description: "Tells staff about attendance devices not seen for a day (once per silence).",
  schedule: "0 * * * *",
  lookBack: 2,
  window: (at, timeZone) => `${localDate(at, timeZone)}T${localTime(at, timeZone).slice(0, 2)}:00`,
  windowOfDate: (date) => `${date}T00:00`,

  async run(ctx) {
    const tenant = requireTenant(ctx);
    const before = new Date(Date.now() - OFFLINE_AFTER_MS);
    const silent = await ctx.db
      .select({ id: devices.id, name: devices.name, lastSeenAt: devices.lastSeenAt, createdAt: devices.createdAt })
      .from(devices)
      .where(
        and(
          ctx.scope.inTenant(devices),
          isNull(devices.revokedAt),
          or(lt(devices.lastSeenAt, before), and(isNull(devices.lastSeenAt), lt(devices.createdAt, before))),
        ),
      )
      .orderBy(asc(devices.createdAt), asc(devices.id))
      .limit(500);
    const keyOf = (device: (typeof silent)[number]) =>
      `device-offline:${device.id}:${(device.lastSeenAt ?? device.createdAt).toISOString()}`;
    const fresh = await firstTime(ctx, tenant.id, silent.map(keyOf));
    const offline = silent.filter((device) => fresh.has(keyOf(device)));
    if (offline.length > 0) await emit(ctx, { type: "devices.offline", tenantId: tenant.id, devices: offline });
    return { offline: silent.length, notified: offline.length };
  },
};
