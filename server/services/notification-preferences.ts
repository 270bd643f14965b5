/**
 * Notification preferences (issue 11): a member's channels per kind and quiet hours in the current
 * tenant, and the tenant's own settings (channels it pays for, reminder lead time, absence-alert
 * threshold, fees-due notice). Who gets what on which channel is decided in server/messaging/dispatch.ts.
 */
import { and, eq } from "drizzle-orm";
import { notificationPreferences, notificationQuietHours, notificationSettings } from "../../drizzle/schema";
import { requireMember, requireRole, requireTenant } from "../auth/guards";
import { atomic, type Context } from "../context";
import { AppError, badInput } from "../errors";
import {
  CHANNELS,
  defaultChannels,
  isNotificationKind,
  isUrgent,
  NOTIFICATION_KIND_NAMES,
  type Channel,
  type NotificationKind,
} from "../messaging/kinds";
import { audit } from "./audit";

/** A tenant's settings when it has not changed them. */
export const DEFAULT_NOTIFICATION_SETTINGS = {
  enabledChannels: [...CHANNELS] as Channel[],
  absenceAlertAfter: 2,
  reminderLeadMinutes: 120,
  feesDueDays: 3,
};

export type TenantNotificationSettings = typeof DEFAULT_NOTIFICATION_SETTINGS;

/** The current tenant's notification settings (defaults when it has no row). For services and jobs. */
export async function tenantNotificationSettings(ctx: Context): Promise<TenantNotificationSettings> {
  const _tenant = requireTenant(ctx);
  const [row] = await ctx.db.select().from(notificationSettings).where(ctx.scope.inTenant(notificationSettings));
  if (!row) return { ...DEFAULT_NOTIFICATION_SETTINGS };
  return {
    enabledChannels: CHANNELS.filter((channel) => row.enabledChannels.includes(channel)),
    absenceAlertAfter: row.absenceAlertAfter,
    reminderLeadMinutes: row.reminderLeadMinutes,
    feesDueDays: row.feesDueDays,
  };
}

export interface KindPreference {
  kind: NotificationKind;
  channels: Channel[];
  /** True when the member has not chosen: the channels are their role's defaults. */
  isDefault: boolean;
  urgent: boolean;
}

export interface MyNotificationPreferences {
  kinds: KindPreference[];
  quietHours: { start: string; end: string } | null;
  /** Channels the tenant allows; chosen channels outside them are kept but not used. */
  enabledChannels: Channel[];
}

/** The viewer's preferences in the current tenant: every kind, chosen or default. */
export async function myNotificationPreferences(ctx: Context): Promise<MyNotificationPreferences> {
  const viewer = requireMember(ctx);
  const [rows, [quiet], settings] = await Promise.all([
    ctx.db
      .select({ kind: notificationPreferences.kind, channels: notificationPreferences.channels })
      .from(notificationPreferences)
      .where(and(ctx.scope.inTenant(notificationPreferences), eq(notificationPreferences.userId, viewer.userId))),
    ctx.db
      .select()
      .from(notificationQuietHours)
      .where(and(ctx.scope.inTenant(notificationQuietHours), eq(notificationQuietHours.userId, viewer.userId))),
    tenantNotificationSettings(ctx),
  ]);
  const chosen = new Map(rows.map((row) => [row.kind, row.channels]));
  return {
    kinds: NOTIFICATION_KIND_NAMES.map((kind) => {
      const own = chosen.get(kind);
      return {
        kind,
        channels: own ? CHANNELS.filter((channel) => own.includes(channel)) : defaultChannels(kind, viewer.roles),
        isDefault: !own,
        urgent: isUrgent(kind),
      };
    }),
    quietHours: quiet ? { start: quiet.startsAt, end: quiet.endsAt } : null,
    enabledChannels: settings.enabledChannels,
  };
}

/** Sets the viewer's channels for one kind (null: back to the defaults). In-app is always on. */
export async function setNotificationPreference(ctx: Context, input: { kind: string; channels: Channel[] | null }) {
  const viewer = requireMember(ctx);
  if (!isNotificationKind(input.kind)) throw badInput("kind", "unknown kind");
  return atomic(ctx, async (ctx) => {
    const where = and(
      ctx.scope.inTenant(notificationPreferences),
      eq(notificationPreferences.userId, viewer.userId),
      eq(notificationPreferences.kind, input.kind),
    );
    if (input.channels == null) {
      await ctx.db.delete(notificationPreferences).where(where);
    } else {
      const channels = CHANNELS.filter((channel) => input.channels!.includes(channel));
      await ctx.db
        .insert(notificationPreferences)
        .values({ tenantId: viewer.tenantId, userId: viewer.userId, kind: input.kind, channels })
        .onConflictDoUpdate({
          target: [notificationPreferences.tenantId, notificationPreferences.userId, notificationPreferences.kind],
          set: { channels, updatedAt: new Date() },
        });
    }
    return myNotificationPreferences(ctx);
  });
}

const TIME = /^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/;

/** Sets (or, with null, clears) the viewer's quiet hours: local times in the tenant's zone. */
export async function setQuietHours(ctx: Context, input: { start: string; end: string } | null) {
  const viewer = requireMember(ctx);
  if (input) {
    if (!TIME.test(input.start))
      throw new AppError("BAD_USER_INPUT", "notificationPreferences.time", { value: input.start }, { field: "start" });
    if (!TIME.test(input.end)) throw new AppError("BAD_USER_INPUT", "notificationPreferences.time", { value: input.end }, { field: "end" });
    if (input.start.slice(0, 5) === input.end.slice(0, 5))
      throw new AppError("BAD_USER_INPUT", "notificationPreferences.emptyQuietHours", {}, { field: "end" });
  }
  return atomic(ctx, async (ctx) => {
    const where = and(ctx.scope.inTenant(notificationQuietHours), eq(notificationQuietHours.userId, viewer.userId));
    if (!input) {
      await ctx.db.delete(notificationQuietHours).where(where);
    } else {
      const values = { startsAt: `${input.start.slice(0, 5)}:00`, endsAt: `${input.end.slice(0, 5)}:00` };
      await ctx.db
        .insert(notificationQuietHours)
        .values({ tenantId: viewer.tenantId, userId: viewer.userId, ...values })
        .onConflictDoUpdate({
          target: [notificationQuietHours.tenantId, notificationQuietHours.userId],
          set: { ...values, updatedAt: new Date() },
        });
    }
    return myNotificationPreferences(ctx);
  });
}

/** Tenant admins: the tenant's notification settings. */
export async function getNotificationSettings(ctx: Context): Promise<TenantNotificationSettings> {
  requireRole(ctx, "ADMIN");
  return tenantNotificationSettings(ctx);
}

export interface NotificationSettingsInput {
  enabledChannels?: Channel[] | null;
  absenceAlertAfter?: number | null;
  reminderLeadMinutes?: number | null;
  feesDueDays?: number | null;
}

const RANGES = {
  absenceAlertAfter: [1, 30],
  reminderLeadMinutes: [15, 10080],
  feesDueDays: [0, 60],
} as const;

/** Tenant admins change the notification settings; omitted fields keep their value. */
export async function updateNotificationSettings(ctx: Context, input: NotificationSettingsInput): Promise<TenantNotificationSettings> {
  const viewer = requireRole(ctx, "ADMIN");
  for (const [field, [min, max]] of Object.entries(RANGES) as [keyof typeof RANGES, readonly [number, number]][]) {
    const value = input[field];
    if (value != null && (!Number.isInteger(value) || value < min || value > max)) {
      throw new AppError(
        "BAD_USER_INPUT",
        "notificationPreferences.outOfRange",
        { value: String(value), min: String(min), max: String(max) },
        { field },
      );
    }
  }
  return atomic(ctx, async (ctx) => {
    const before = await tenantNotificationSettings(ctx);
    const after: TenantNotificationSettings = {
      enabledChannels: input.enabledChannels
        ? CHANNELS.filter((channel) => input.enabledChannels!.includes(channel))
        : before.enabledChannels,
      absenceAlertAfter: input.absenceAlertAfter ?? before.absenceAlertAfter,
      reminderLeadMinutes: input.reminderLeadMinutes ?? before.reminderLeadMinutes,
      feesDueDays: input.feesDueDays ?? before.feesDueDays,
    };
    await ctx.db
      .insert(notificationSettings)
      .values({ tenantId: viewer.tenantId, ...after })
      .onConflictDoUpdate({ target: [notificationSettings.tenantId], set: { ...after, updatedAt: new Date() } });
    await audit(ctx, { action: "notificationSettings.update", entity: "tenant", entityId: viewer.tenantId, before, after });
    return after;
  });
}
