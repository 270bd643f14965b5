/**
 * Changes of access that open sockets must not outlive — a session signed out,
 * a member's roles changed, a device revoked — told to every instance after
 * commit. Sockets relying on them close with 4401 and reconnect with what is
 * true now (server/graphql/ws.ts); nothing is re-read per event.
 */
import type { Context } from "../context";
import { Topic, type TopicPayloads } from "../pubsub/topics";

export type AccessChange = TopicPayloads[Topic.AccessChanged];

/** Tells every instance, once the transaction commits, that this access changed. */
export function accessChanged(ctx: Context, change: AccessChange): void {
  ctx.afterCommit.push(() => ctx.app.bus.publish(Topic.AccessChanged, [], change));
}
