/** Redis connections (REDIS_URL): commands (rate limits, cache) and the two pub/sub connections. */
import { Redis } from "ioredis";

export interface RedisConnections {
  commands: Redis;
  publisher: Redis;
  subscriber: Redis;
  close(): Promise<void>;
}

export async function openRedis(url: string): Promise<RedisConnections> {
  const open = (name: string) =>
    new Redis(url, { connectionName: `roster-${name}`, maxRetriesPerRequest: 2, enableOfflineQueue: true, lazyConnect: true });
  const commands = open("commands");
  const publisher = open("publisher");
  const subscriber = open("subscriber");
  await Promise.all([commands.connect(), publisher.connect(), subscriber.connect()]);
  return {
    commands,
    publisher,
    subscriber,
    async close() {
      await Promise.all([commands, publisher, subscriber].map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
}
