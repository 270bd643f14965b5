/** Notifications: rows per user and tenant, written in the recipient's language. */
import { inArray } from "drizzle-orm";
import { notifications, users } from "../../drizzle/schema";
import type { Context } from "../context";
import { translate, type MessageKey, type MessageParams } from "../i18n";
import { Topic } from "../pubsub/topics";

export interface NotificationSpec {
  tenantId: string;
  userIds: string[];
  kind: string;
  titleKey: MessageKey;
  bodyKey: MessageKey;
  params?: MessageParams;
  data?: Record<string, unknown>;
}

/** Creates one notification per recipient and publishes notificationAdded after commit. */
export async function notify(ctx: Context, spec: NotificationSpec): Promise<void> {
  const recipients = [...new Set(spec.userIds)];
  if (recipients.length === 0) return;
  const languages = await ctx.db
    .select({ id: users.id, language: users.preferredLanguage })
    .from(users)
    .where(inArray(users.id, recipients));
  const languageOf = new Map(languages.map((row) => [row.id, row.language]));
  const rows = await ctx.db
    .insert(notifications)
    .values(
      recipients.map((userId) => {
        const language = languageOf.get(userId) ?? ctx.tenant?.defaultLanguage ?? "ar";
        return {
          tenantId: spec.tenantId,
          userId,
          kind: spec.kind,
          title: translate(language, spec.titleKey, spec.params),
          body: translate(language, spec.bodyKey, spec.params),
          data: spec.data ?? {},
        };
      }),
    )
    .returning({ id: notifications.id, userId: notifications.userId });
  ctx.afterCommit.push(async () => {
    for (const row of rows) {
      await ctx.app.bus.publish(Topic.NotificationAdded, [row.userId], {
        tenantId: spec.tenantId,
        userId: row.userId,
        notificationId: row.id,
      });
    }
  });
}
