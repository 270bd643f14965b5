/**
 * The durable message outbox (issue 11). CONTRACT between the delivery work (this module: table,
 * worker, channel adapters) and the notification work (server/messaging/dispatch.ts decides who gets
 * what on which channel). Rows are written in the caller's transaction; sending happens after commit.
 */
import { messageDeliveries } from "../../drizzle/schema";
import type { Context } from "../context";
import { asSystem } from "../db/scope";
import type { ChannelMessage, MessageContent } from "./index";

/** One message to one address on one channel, as queued (the adapter later gets it as a ChannelMessage). */
export interface DeliveryRequest extends MessageContent {
  tenantId: string | null;
  /** The account it is for (null for an address not yet tied to an account, e.g. a new phone number). */
  userId: string | null;
  params?: ChannelMessage["params"];
  /** The in-app notification it mirrors, if any. */
  notificationId?: string | null;
  /** Codes and alerts skip quiet hours and go first. */
  urgent?: boolean;
  /** Not to be sent before this time (quiet hours end). */
  notBefore?: Date | null;
}

/**
 * How long a just-queued delivery is left to the instance that queued it (it sends it right after
 * commit) before any other instance's poll may take it: the handoff keeps a message on the instance
 * whose request made it, and a crash before the send only delays it by this much.
 */
export const HANDOFF_MS = 2000;

/** Longest wait an after-commit gives urgent deliveries (codes) before answering; the send goes on past it. */
export const URGENT_WAIT_MS = 3000;

/**
 * Queues deliveries in the caller's transaction (as the system: rows without a tenant, codes, must
 * be writable by anyone's request; see drizzle/tables/messages.ts). After commit this instance's
 * worker sends the due ones at once (urgent ones are awaited, up to URGENT_WAIT_MS); the rest, and
 * retries, are found by the periodic poll of any instance.
 */
export async function queueDeliveries(ctx: Context, deliveries: DeliveryRequest[]): Promise<void> {
  if (deliveries.length === 0) return;
  const now = Date.now();
  const rows = await asSystem(ctx.db, (system) =>
    system
      .insert(messageDeliveries)
      .values(
        deliveries.map((delivery) => ({
          tenantId: delivery.tenantId,
          userId: delivery.userId,
          notificationId: delivery.notificationId ?? null,
          channel: delivery.channel,
          destination: delivery.to,
          kind: delivery.kind,
          language: delivery.language,
          subject: delivery.subject,
          body: delivery.text,
          params: delivery.params ?? {},
          urgent: delivery.urgent ?? false,
          nextAttemptAt: delivery.notBefore && delivery.notBefore.getTime() > now ? delivery.notBefore : new Date(now + HANDOFF_MS),
        })),
      )
      .returning({ id: messageDeliveries.id, urgent: messageDeliveries.urgent, nextAttemptAt: messageDeliveries.nextAttemptAt }),
  );
  // Rows held back (notBefore later than the handoff) wait for the poll.
  const due = rows.filter((row) => row.nextAttemptAt.getTime() <= now + HANDOFF_MS);
  if (due.length === 0) return;
  const worker = ctx.app.deliveries;
  ctx.afterCommit.push(async () => {
    const sending = worker.sendNow(due.map((row) => row.id));
    if (due.some((row) => row.urgent)) await worker.within(URGENT_WAIT_MS, sending);
  });
}
