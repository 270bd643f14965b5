/**
 * Redis connections (REDIS_URL): commands (rate limits, cache) and the two
 * pub/sub connections, with the deployment's namespace (REDIS_PREFIX): every
 * key and channel Roster uses starts with `prefix:`, so deployments sharing one
 * Redis never read each other's cache, counters or events.
 */
import { Redis } from "ioredis";

export interface RedisConnections {
  commands: Redis;
  publisher: Redis;
  subscriber: Redis;
  /** The namespace, without a trailing colon: keys are `${prefix}:cache:…`, `${prefix}:rl:…`, channels `${prefix}:profile:…`. */
  prefix: string;
  close(): Promise<void>;
}

/** How long QUIT may wait for Redis on shutdown before the sockets are simply dropped. */
const QUIT_TIMEOUT_MS = 500;

export async function openRedis(url: string, prefix: string): Promise<RedisConnections> {
  const open = (name: string) =>
    new Redis(url, { connectionName: `roster-${name}`, maxRetriesPerRequest: 2, enableOfflineQueue: true, lazyConnect: true });
  const commands = open("commands");
  const publisher = open("publisher");
  const subscriber = open("subscriber");
  try {
    await Promise.all([commands.connect(), publisher.connect(), subscriber.connect()]);
  } catch (error) {
    for (const connection of [commands, publisher, subscriber]) connection.disconnect();
    throw error;
  }
  return {
    commands,
    publisher,
    subscriber,
    prefix,
    async close() {
      // QUIT waits for replies still owed; an unreachable Redis (reconnecting) would make it wait for ever.
      await Promise.all(
        [commands, publisher, subscriber].map(async (connection) => {
          const timer = setTimeout(() => connection.disconnect(), QUIT_TIMEOUT_MS);
          await connection.quit().catch(() => connection.disconnect());
          clearTimeout(timer);
        }),
      );
    },
  };
}
