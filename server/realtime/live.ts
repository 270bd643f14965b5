/**
 * What a subscription listens to, as the services decide it at subscribe time:
 * a channel (topic and keys), the events of it the viewer may see (`keep`), and
 * whether it is a tenant's channel or one person's. The WebSocket layer serves
 * these through the fan-out (server/realtime/fanout.ts): one bus listener per
 * channel and instance, each event resolved once per audience.
 *
 * A LiveSource is also an async iterable of the kept events on its own (one bus
 * listener each), so a service's subscription works without the fan-out too.
 */
import type { Bus } from "../pubsub/bus";
import type { Topic, TopicKeys, TopicPayloads } from "../pubsub/topics";

export const LIVE = Symbol("live source");

export interface LiveSpec<T extends Topic = Topic> {
  topic: T;
  keys: TopicKeys[T];
  /** Whether the subscriber may see this event (decided in memory, per event). */
  keep: (event: TopicPayloads[T]) => boolean;
  /** A tenant's channel (one transaction serves every audience) or one person's. */
  scope: "tenant" | "user";
}

export interface LiveSource<T extends Topic = Topic> extends AsyncIterable<TopicPayloads[T]> {
  readonly [LIVE]: LiveSpec<T>;
}

export function isLiveSource(value: unknown): value is LiveSource {
  return typeof value === "object" && value !== null && LIVE in value;
}

/** A subscription's source: the spec, iterable on its own over the bus. */
export function live<T extends Topic>(bus: Bus, spec: LiveSpec<T>): LiveSource<T> {
  return {
    [LIVE]: spec,
    [Symbol.asyncIterator]() {
      let source: AsyncIterableIterator<TopicPayloads[T]> | undefined;
      let ended = false;
      return {
        async next() {
          if (ended) return { value: undefined, done: true };
          source ??= await bus.subscribe(spec.topic, spec.keys);
          for (;;) {
            const result = await source.next();
            if (result.done || spec.keep(result.value)) return result;
          }
        },
        async return() {
          ended = true;
          await source?.return?.();
          return { value: undefined, done: true };
        },
      };
    },
  };
}
