/** Notifications: rows per user and tenant, written in the recipient's language; the viewer's inbox. */
import { and, count, eq, inArray, isNull, sql } from "drizzle-orm";
import { memberships, notifications, users } from "../../drizzle/schema";
import { requireMember } from "../auth/guards";
import { atomic, type Context } from "../context";
import { notFound } from "../errors";
import { newestFirst, page } from "../db/page";
import { translate, type Language, type MessageKey, type MessageParams } from "../i18n";
import { Topic } from "../pubsub/topics";
import { dispatchNotifications } from "../messaging/dispatch";

export interface NotificationSpec {
  tenantId: string;
  userIds: string[];
  kind: string;
  titleKey: MessageKey;
  bodyKey: MessageKey;
  /** Placeholder values; a function when they must be in the recipient's language too (e.g. role names). */
  params?: MessageParams | ((language: Language) => MessageParams);
  data?: Record<string, unknown>;
}

/** Creates one notification per recipient and publishes notificationAdded after commit. */
export async function notify(ctx: Context, spec: NotificationSpec): Promise<void> {
  await notifyMany(ctx, [spec]);
}

/**
 * Several notifications at once (e.g. one per absent participant, each with its own text): one
 * read of the recipients' languages, one insert, one dispatch, whatever the number of specs and
 * recipients. A recipient may appear in several specs (a parent of two absent children).
 */
export async function notifyMany(ctx: Context, specs: readonly NotificationSpec[]): Promise<void> {
  const perSpec = specs.map((spec) => ({ spec, recipients: [...new Set(spec.userIds)] })).filter((entry) => entry.recipients.length > 0);
  if (perSpec.length === 0) return;
  const everyone = [...new Set(perSpec.flatMap((entry) => entry.recipients))];
  const languages = await ctx.db.select({ id: users.id, language: users.preferredLanguage }).from(users).where(inArray(users.id, everyone));
  const languageOf = new Map(languages.map((row) => [row.id, row.language]));
  const rows = await ctx.db
    .insert(notifications)
    .values(
      perSpec.flatMap(({ spec, recipients }) =>
        recipients.map((userId) => {
          const language = languageOf.get(userId) ?? ctx.tenant?.defaultLanguage ?? "ar";
          const params = typeof spec.params === "function" ? spec.params(language) : spec.params;
          return {
            tenantId: spec.tenantId,
            userId,
            kind: spec.kind,
            title: translate(language, spec.titleKey, params),
            body: translate(language, spec.bodyKey, params),
            data: spec.data ?? {},
          };
        }),
      ),
    )
    .returning({
      id: notifications.id,
      tenantId: notifications.tenantId,
      userId: notifications.userId,
      kind: notifications.kind,
      title: notifications.title,
      body: notifications.body,
    });
  await dispatchNotifications(ctx, rows);
  ctx.afterCommit.push(async () => {
    for (const row of rows) {
      await ctx.app.bus.publish(Topic.NotificationAdded, [row.userId], {
        tenantId: row.tenantId,
        userId: row.userId,
        notificationId: row.id,
      });
    }
  });
}

/** Active staff (ADMIN or STAFF) of a tenant: who staff notifications go to. */
export async function staffUserIds(ctx: Context, tenantId: string): Promise<string[]> {
  const rows = await ctx.db
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(
      and(
        eq(memberships.tenantId, tenantId),
        eq(memberships.isActive, true),
        sql`${memberships.roles} && array['ADMIN','STAFF']::membership_role[]`,
      ),
    )
    .limit(500);
  return rows.map((row) => row.userId);
}

/** The viewer's notifications in the current tenant, newest first. */
export async function listNotifications(ctx: Context, args: { unreadOnly?: boolean | null; first?: number | null; after?: string | null }) {
  const viewer = requireMember(ctx);
  return page(ctx, {
    from: notifications,
    where: and(
      ctx.scope.inTenant(notifications),
      eq(notifications.userId, viewer.userId),
      args.unreadOnly ? isNull(notifications.readAt) : undefined,
    ),
    order: newestFirst(notifications.createdAt, notifications.id),
    ...args,
  });
}

export async function unreadCount(ctx: Context): Promise<number> {
  const viewer = requireMember(ctx);
  const [row] = await ctx.db
    .select({ value: count() })
    .from(notifications)
    .where(and(ctx.scope.inTenant(notifications), eq(notifications.userId, viewer.userId), isNull(notifications.readAt)));
  return row?.value ?? 0;
}

/** Marks one of the viewer's notifications read (again: no change). */
export async function markRead(ctx: Context, id: string) {
  const viewer = requireMember(ctx);
  return atomic(ctx, async (ctx) => {
    const [row] = await ctx.db
      .update(notifications)
      .set({ readAt: sql`coalesce(${notifications.readAt}, now())` })
      .where(and(ctx.scope.inTenant(notifications), eq(notifications.userId, viewer.userId), eq(notifications.id, id)))
      .returning();
    if (!row) throw notFound("Notification", id);
    return row;
  });
}

/** Marks every unread notification of the viewer read; returns how many changed. */
export async function markAllRead(ctx: Context): Promise<number> {
  const viewer = requireMember(ctx);
  return atomic(ctx, async (ctx) => {
    const rows = await ctx.db
      .update(notifications)
      .set({ readAt: new Date() })
      .where(and(ctx.scope.inTenant(notifications), eq(notifications.userId, viewer.userId), isNull(notifications.readAt)))
      .returning({ id: notifications.id });
    return rows.length;
  });
}

/** A notification of the viewer's, by id (for subscription payloads). */
export async function ownNotification(ctx: Context, id: string) {
  const viewer = requireMember(ctx);
  const [row] = await ctx.db
    .select()
    .from(notifications)
    .where(and(ctx.scope.inTenant(notifications), eq(notifications.userId, viewer.userId), eq(notifications.id, id)));
  return row ?? null;
}
