/** Subscriptions: what a viewer may listen to, and on which channel. */
import { requireMember, requireUser } from "../auth/guards";
import type { Context } from "../context";
import { Topic, type TopicPayloads } from "../pubsub/topics";
import { canSeeEvent, getEvent } from "./events";

/** The viewer's own profile and password changes. */
export function subscribeToProfile(ctx: Context) {
  const viewer = requireUser(ctx);
  return ctx.app.bus.subscribe(Topic.ProfileUpdated, [viewer.userId]);
}

/** Only the values of `source` that pass `keep`; ending the result ends the source. */
function filtered<T>(source: AsyncIterableIterator<T>, keep: (value: T) => boolean): AsyncIterableIterator<T> {
  const iterator: AsyncIterableIterator<T> = {
    async next() {
      for (;;) {
        const result = await source.next();
        if (result.done || keep(result.value)) return result;
      }
    },
    return: (value?: unknown) => source.return?.(value) ?? Promise.resolve({ value: undefined, done: true }),
    throw: (error?: unknown) => source.throw?.(error) ?? Promise.reject(error),
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}

/**
 * Changes to the tenant's events (or to one of them) that the viewer may see:
 * members of the tenant only; drafts reach only their creator and staff. An
 * unknown or hidden eventId fails now rather than staying silent forever.
 */
export async function subscribeToEvents(ctx: Context, eventId?: string | null) {
  const viewer = requireMember(ctx);
  if (eventId) await getEvent(ctx, eventId);
  const source = await ctx.app.bus.subscribe(Topic.EventUpdated, [viewer.tenantId]);
  return filtered(
    source,
    (update: TopicPayloads[Topic.EventUpdated]) => (!eventId || update.eventId === eventId) && canSeeEvent(viewer, update),
  );
}
