/**
 * Which channels a notification goes out on (issue 11). CONTRACT: notify() calls this with the rows it
 * just wrote; the preferences work replaces the body (preferences, quiet hours, tenant switches) and
 * calls queueDeliveries() from ./outbox.
 */
import type { Context } from "../context";

export interface WrittenNotification {
  id: string;
  tenantId: string;
  userId: string;
  kind: string;
  title: string;
  body: string;
}

/** Queues the non-in-app copies of just-written notifications. (Stub: in-app only.) */
export async function dispatchNotifications(_ctx: Context, _rows: WrittenNotification[]): Promise<void> {}
