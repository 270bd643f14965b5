/**
 * Cache service for hot reads: Redis when configured (shared by the instances
 * of a deployment, under its REDIS_PREFIX), else process memory.
 */
import type { Redis } from "ioredis";
import type { RedisConnections } from "./redis";

export interface Cache {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown, ttlSeconds: number): Promise<void>;
  delete(key: string): Promise<void>;
  /** Reads `key`, or computes, stores and returns it. */
  wrap<T>(key: string, ttlSeconds: number, compute: () => Promise<T>): Promise<T>;
}

export function createCache(redis?: Pick<RedisConnections, "commands" | "prefix">, maxEntries = 10_000): Cache {
  const base = redis ? redisStore(redis.commands, `${redis.prefix}:cache:`) : memoryStore(maxEntries);
  return {
    ...base,
    async wrap(key, ttlSeconds, compute) {
      const hit = await base.get<Awaited<ReturnType<typeof compute>>>(key);
      if (hit !== undefined) return hit;
      const value = await compute();
      if (value !== undefined) await base.set(key, value, ttlSeconds);
      return value;
    },
  };
}

function memoryStore(maxEntries: number): Omit<Cache, "wrap"> {
  const entries = new Map<string, { value: string; expires: number }>();
  return {
    async get(key) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (entry.expires <= Date.now()) {
        entries.delete(key);
        return undefined;
      }
      return JSON.parse(entry.value);
    },
    async set(key, value, ttlSeconds) {
      // Oldest first out: Map keeps insertion order.
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
      entries.set(key, { value: JSON.stringify(value), expires: Date.now() + ttlSeconds * 1000 });
    },
    async delete(key) {
      entries.delete(key);
    },
  };
}

function redisStore(redis: Redis, prefix: string): Omit<Cache, "wrap"> {
  return {
    async get(key) {
      const raw = await redis.get(prefix + key);
      return raw === null ? undefined : JSON.parse(raw);
    },
    async set(key, value, ttlSeconds) {
      await redis.set(prefix + key, JSON.stringify(value), "EX", ttlSeconds);
    },
    async delete(key) {
      await redis.del(prefix + key);
    },
  };
}
