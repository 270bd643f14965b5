/**
 * Pub/sub: in process memory (embedded mode) or Redis through
 * graphql-redis-subscriptions (REDIS_URL), so an event published on one
 * instance reaches subscribers on every instance. Both modes carry JSON, so
 * they behave the same. Channels are named here, not in topics.ts: the
 * deployment's REDIS_PREFIX comes first (`roster:1a2b…:profile:<userId>`), so
 * deployments that share a Redis never hear each other's events.
 */
import { RedisPubSub } from "graphql-redis-subscriptions";
import { PubSubEngine } from "graphql-subscriptions";
import type { RedisConnections } from "../redis";
import { channelOf, type Topic, type TopicKeys, type TopicPayloads } from "./topics";

/** Events a slow subscriber may have waiting before the oldest are dropped. */
const MAX_QUEUED = 1000;

export interface Bus {
  publish<T extends Topic>(topic: T, keys: TopicKeys[T], payload: TopicPayloads[T]): Promise<void>;
  /** Resolves once the channel is subscribed, so nothing published afterwards is missed. */
  subscribe<T extends Topic>(topic: T, keys: TopicKeys[T]): Promise<AsyncIterableIterator<TopicPayloads[T]>>;
  /** Live listeners on the underlying engine (leak checks, metrics). */
  listenerCount(): number;
  close(): Promise<void>;
}

/** Minimal in-memory engine: channel → handlers. */
class MemoryEngine extends PubSubEngine {
  private handlers = new Map<number, { channel: string; onMessage: (payload: unknown) => void }>();
  private nextId = 0;

  async publish(channel: string, payload: unknown) {
    const json = JSON.stringify(payload);
    for (const handler of [...this.handlers.values()]) {
      if (handler.channel === channel) queueMicrotask(() => handler.onMessage(JSON.parse(json)));
    }
  }
  async subscribe(channel: string, onMessage: (payload: unknown) => void) {
    const id = ++this.nextId;
    this.handlers.set(id, { channel, onMessage });
    return id;
  }
  unsubscribe(id: number) {
    this.handlers.delete(id);
  }
  get size() {
    return this.handlers.size;
  }
}

export function createBus(redis?: Pick<RedisConnections, "publisher" | "subscriber" | "prefix">): Bus {
  const channel = <T extends Topic>(topic: T, keys: TopicKeys[T]) =>
    redis ? `${redis.prefix}:${channelOf(topic, keys)}` : channelOf(topic, keys);
  const engine: PubSubEngine = redis ? new RedisPubSub({ publisher: redis.publisher, subscriber: redis.subscriber }) : new MemoryEngine();
  const count = () =>
    engine instanceof MemoryEngine
      ? engine.size
      : Object.keys((engine as unknown as { subscriptionMap: Record<string, unknown> }).subscriptionMap).length;

  return {
    async publish(topic, keys, payload) {
      await engine.publish(channel(topic, keys), payload);
    },
    async subscribe<T extends Topic>(topic: T, keys: TopicKeys[T]) {
      const queue: TopicPayloads[T][] = [];
      const waiting: ((result: IteratorResult<TopicPayloads[T]>) => void)[] = [];
      let done = false;
      const id = await engine.subscribe(
        channel(topic, keys),
        (payload: TopicPayloads[T]) => {
          const reader = waiting.shift();
          if (reader) return reader({ value: payload, done: false });
          queue.push(payload);
          if (queue.length > MAX_QUEUED) queue.shift();
        },
        {},
      );
      const finish = async (): Promise<IteratorResult<TopicPayloads[T]>> => {
        if (!done) {
          done = true;
          await engine.unsubscribe(id);
          for (const reader of waiting.splice(0)) reader({ value: undefined, done: true });
          queue.length = 0;
        }
        return { value: undefined, done: true };
      };
      const iterator: AsyncIterableIterator<TopicPayloads[T]> = {
        next: () =>
          done
            ? Promise.resolve({ value: undefined, done: true })
            : queue.length
              ? Promise.resolve({ value: queue.shift()!, done: false })
              : new Promise((resolve) => waiting.push(resolve)),
        return: finish,
        throw: async (error) => {
          await finish();
          throw error;
        },
        [Symbol.asyncIterator]() {
          return iterator;
        },
      };
      return iterator;
    },
    listenerCount: count,
    async close() {
      // The Redis connections are closed by their owner (RedisConnections.close).
    },
  };
}
