/**
 * Which channels a notification goes out on (issue 11). notify() calls dispatchNotifications() with
 * the rows it just wrote; for each row the channels are the person's choice for that kind (or their
 * role's defaults) ∩ the channels the tenant allows ∩ the addresses the account has verified. Non-urgent
 * kinds that fall in the person's quiet hours (local times in the tenant's zone) wait until the window
 * ends (`notBefore`). The decision is a pure function (planDeliveries); the facts come from one read.
 */
import { and, eq, inArray, sql } from "drizzle-orm";
import { memberships, notificationPreferences, notificationQuietHours, notificationSettings, tenants, users } from "../../drizzle/schema";
import type { Language, MembershipRole } from "../../drizzle/tables/enums-types";
import type { Context } from "../context";
import { addDays, localDate, localTime, zonedInstant } from "../time";
import { CHANNELS, defaultChannels, isUrgent, type Channel } from "./kinds";
import { queueDeliveries, type DeliveryRequest } from "./outbox";

export interface WrittenNotification {
  id: string;
  tenantId: string;
  userId: string;
  kind: string;
  title: string;
  body: string;
}

/** A local time window, "HH:MM[:SS]"; it crosses midnight when it starts after it ends. */
export interface QuietHours {
  start: string;
  end: string;
}

/** What the decision needs to know about one recipient. */
export interface RecipientFacts {
  roles: readonly MembershipRole[];
  language: Language;
  /** Verified phone number (E.164), or null. */
  phone: string | null;
  /** Verified email address, or null. */
  email: string | null;
  quietHours: QuietHours | null;
  /** The person's own channels per kind; a kind not here uses the role defaults. */
  preferences: ReadonlyMap<string, readonly Channel[]>;
}

export interface DispatchFacts {
  now: Date;
  timeZone: string;
  /** Channels the tenant allows. */
  enabledChannels: readonly Channel[];
  recipients: ReadonlyMap<string, RecipientFacts>;
}

const hms = (time: string) => (time.length === 5 ? `${time}:00` : time.slice(0, 8));

/**
 * When the quiet hours around `now` end, or null when `now` is outside them. The window is read
 * in `timeZone` on the day of `now` (DST-aware through zonedInstant).
 */
export function quietUntil(now: Date, timeZone: string, quiet: QuietHours | null): Date | null {
  if (!quiet) return null;
  const start = hms(quiet.start);
  const end = hms(quiet.end);
  if (start === end) return null;
  const today = localDate(now, timeZone);
  const time = localTime(now, timeZone);
  if (start < end) return time >= start && time < end ? zonedInstant(today, end, timeZone) : null;
  // Crossing midnight: 22:00–07:00 is quiet from 22:00 to midnight and from midnight to 07:00.
  if (time >= start) return zonedInstant(addDays(today, 1), end, timeZone);
  if (time < end) return zonedInstant(today, end, timeZone);
  return null;
}

/** The channels a recipient gets `kind` on, before addresses: their choice or the defaults, within the tenant's. */
export function channelsFor(
  kind: string,
  recipient: Pick<RecipientFacts, "roles" | "preferences">,
  enabled: readonly Channel[],
): Channel[] {
  const wanted = recipient.preferences.get(kind) ?? defaultChannels(kind, recipient.roles);
  return CHANNELS.filter((channel) => wanted.includes(channel) && enabled.includes(channel));
}

/** The deliveries (besides in-app) for just-written notifications: pure, so it is tested with any facts. */
export function planDeliveries(rows: readonly WrittenNotification[], facts: DispatchFacts): DeliveryRequest[] {
  const deliveries: DeliveryRequest[] = [];
  for (const row of rows) {
    const recipient = facts.recipients.get(row.userId);
    if (!recipient) continue;
    const urgent = isUrgent(row.kind);
    const notBefore = urgent ? null : quietUntil(facts.now, facts.timeZone, recipient.quietHours);
    for (const channel of channelsFor(row.kind, recipient, facts.enabledChannels)) {
      const to = channel === "EMAIL" ? recipient.email : recipient.phone;
      if (!to) continue;
      deliveries.push({
        tenantId: row.tenantId,
        userId: row.userId,
        channel,
        to,
        kind: row.kind,
        language: recipient.language,
        subject: row.title,
        text: row.body,
        notificationId: row.id,
        urgent,
        notBefore,
      });
    }
  }
  return deliveries;
}

/** Reads, in one statement, what planDeliveries needs about the recipients of one tenant. */
export async function dispatchFacts(
  ctx: Context,
  tenantId: string,
  userIds: readonly string[],
  kinds: readonly string[],
  now = new Date(),
): Promise<DispatchFacts> {
  const rows = await ctx.db
    .select({
      userId: users.id,
      language: users.preferredLanguage,
      phone: sql<string | null>`case when ${users.phoneVerifiedAt} is not null then ${users.phoneNumber1} end`,
      email: sql<string | null>`case when ${users.emailVerifiedAt} is not null then ${users.email} end`,
      roles: memberships.roles,
      quietStart: notificationQuietHours.startsAt,
      quietEnd: notificationQuietHours.endsAt,
      preferences: sql<{ kind: string; channels: Channel[] }[]>`(
        select coalesce(json_agg(json_build_object('kind', ${notificationPreferences.kind}, 'channels', ${notificationPreferences.channels})), '[]'::json)
        from ${notificationPreferences}
        where ${notificationPreferences.tenantId} = ${tenantId} and ${notificationPreferences.userId} = ${users.id}
          and ${inArray(notificationPreferences.kind, [...kinds])})`,
      timeZone: tenants.timeZone,
      enabledChannels: notificationSettings.enabledChannels,
    })
    .from(users)
    .innerJoin(tenants, eq(tenants.id, tenantId))
    .leftJoin(memberships, and(eq(memberships.tenantId, tenantId), eq(memberships.userId, users.id), eq(memberships.isActive, true)))
    .leftJoin(notificationQuietHours, and(eq(notificationQuietHours.tenantId, tenantId), eq(notificationQuietHours.userId, users.id)))
    .leftJoin(notificationSettings, eq(notificationSettings.tenantId, tenantId))
    .where(inArray(users.id, [...userIds]));
  const first = rows[0];
  return {
    now,
    timeZone: first?.timeZone ?? ctx.tenant?.timeZone ?? "UTC",
    enabledChannels: first ? (parseChannels(first.enabledChannels) ?? CHANNELS) : CHANNELS,
    recipients: new Map(
      rows.map((row) => [
        row.userId,
        {
          roles: row.roles ?? [],
          language: row.language,
          phone: row.phone,
          email: row.email,
          quietHours: row.quietStart && row.quietEnd ? { start: row.quietStart, end: row.quietEnd } : null,
          preferences: new Map(row.preferences.map((p) => [p.kind, parseChannels(p.channels) ?? []])),
        },
      ]),
    ),
  };
}

/** A PostgreSQL enum array as it may arrive: an array, or its text form "{SMS,EMAIL}" (raw sql). */
function parseChannels(value: unknown): Channel[] | null {
  if (value == null) return null;
  const list = Array.isArray(value)
    ? value
    : String(value)
        .replace(/^\{|\}$/g, "")
        .split(",")
        .filter(Boolean);
  return CHANNELS.filter((channel) => list.includes(channel));
}

/** Queues the non-in-app copies of just-written notifications (one read per tenant, then one queue call). */
export async function dispatchNotifications(ctx: Context, rows: WrittenNotification[]): Promise<void> {
  if (rows.length === 0) return;
  const byTenant = new Map<string, WrittenNotification[]>();
  for (const row of rows) byTenant.set(row.tenantId, [...(byTenant.get(row.tenantId) ?? []), row]);
  const deliveries: DeliveryRequest[] = [];
  for (const [tenantId, tenantRows] of byTenant) {
    const facts = await dispatchFacts(
      ctx,
      tenantId,
      [...new Set(tenantRows.map((row) => row.userId))],
      [...new Set(tenantRows.map((row) => row.kind))],
    );
    deliveries.push(...planDeliveries(tenantRows, facts));
  }
  if (deliveries.length > 0) await queueDeliveries(ctx, deliveries);
}
