/**
 * A tenant's attendance settings (issue 13): what a LATE mark counts for in rates, the
 * grace after a lecture's start within which a check-in is still PRESENT, and whether
 * students may check themselves in. No row: the defaults.
 */
import { attendanceSettings } from "../../drizzle/schema";
import { requireRole, requireTenant } from "../auth/guards";
import { atomic, type Context } from "../context";
import { AppError } from "../errors";
import { audit } from "./audit";

export interface TenantAttendanceSettings {
  /** "0.00" to "1.00": a LATE mark's weight in rates (1.00: as present). */
  lateWeight: string;
  lateGraceMinutes: number;
  selfCheckIn: boolean;
}

export const DEFAULT_ATTENDANCE_SETTINGS: TenantAttendanceSettings = { lateWeight: "1.00", lateGraceMinutes: 10, selfCheckIn: false };

/** The current tenant's attendance settings (one statement; defaults when it has no row). */
export async function tenantAttendanceSettings(ctx: Context): Promise<TenantAttendanceSettings> {
  requireTenant(ctx);
  const [row] = await ctx.db.select().from(attendanceSettings).where(ctx.scope.inTenant(attendanceSettings));
  if (!row) return { ...DEFAULT_ATTENDANCE_SETTINGS };
  return { lateWeight: row.lateWeight, lateGraceMinutes: row.lateGraceMinutes, selfCheckIn: row.selfCheckIn };
}

/** Tenant admins and staff: the tenant's attendance settings. */
export async function getAttendanceSettings(ctx: Context): Promise<TenantAttendanceSettings> {
  requireRole(ctx, "ADMIN", "STAFF");
  return tenantAttendanceSettings(ctx);
}

export interface AttendanceSettingsInput {
  lateWeight?: string | null;
  lateGraceMinutes?: number | null;
  selfCheckIn?: boolean | null;
}

const WEIGHT = /^(0(\.\d{1,2})?|1(\.0{1,2})?)$/;

/** Tenant admins change the attendance settings; omitted fields keep their value. */
export async function updateAttendanceSettings(ctx: Context, input: AttendanceSettingsInput): Promise<TenantAttendanceSettings> {
  const viewer = requireRole(ctx, "ADMIN");
  if (input.lateWeight != null && !WEIGHT.test(input.lateWeight)) {
    throw new AppError("BAD_USER_INPUT", "attendance.lateWeight", { value: input.lateWeight }, { field: "lateWeight" });
  }
  const grace = input.lateGraceMinutes;
  if (grace != null && (!Number.isInteger(grace) || grace < 0 || grace > 120)) {
    throw new AppError(
      "BAD_USER_INPUT",
      "notificationPreferences.outOfRange",
      { value: String(grace), min: "0", max: "120" },
      { field: "lateGraceMinutes" },
    );
  }
  return atomic(ctx, async (ctx) => {
    const before = await tenantAttendanceSettings(ctx);
    const after: TenantAttendanceSettings = {
      lateWeight: input.lateWeight != null ? Number(input.lateWeight).toFixed(2) : before.lateWeight,
      lateGraceMinutes: grace ?? before.lateGraceMinutes,
      selfCheckIn: input.selfCheckIn ?? before.selfCheckIn,
    };
    await ctx.db
      .insert(attendanceSettings)
      .values({ tenantId: viewer.tenantId, ...after })
      .onConflictDoUpdate({ target: [attendanceSettings.tenantId], set: { ...after, updatedAt: new Date() } });
    await audit(ctx, { action: "attendanceSettings.update", entity: "tenant", entityId: viewer.tenantId, before, after });
    return after;
  });
}
