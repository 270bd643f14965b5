/**
 * Rate limits (rate-limiter-flexible).
 *
 * Limits that protect accounts — sign-ins, verification messages — count in Redis
 * when configured, so every instance of a deployment shares them (keys
 * `${REDIS_PREFIX}:${RATE_LIMIT_KEY_PREFIX}:<limit>:<key>`), with an in-memory
 * fallback if Redis stops answering.
 *
 * Limits on API requests per address and per user protect the instance that
 * answers them, and count in its memory: a Redis round trip on every request
 * cost more than most requests (behind a balancer, a client's effective limit is
 * the per-instance limit times the instances it reaches).
 */
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import type { Config } from "./config";
import { AppError } from "./errors";
import type { RedisConnections } from "./redis";

export interface RateLimits {
  apiPerIp: RateLimiterAbstract;
  apiPerUser: RateLimiterAbstract;
  /**
   * Sign-in attempts per account (failures: a success clears it); also registrations per
   * address, code checks per login, and wrong self check-in codes per student.
   */
  login: RateLimiterAbstract;
  /** Failed sign-ins per client address, across accounts. */
  loginPerAddress: RateLimiterAbstract;
  /** Verification messages (SMS, WhatsApp, email) per destination. */
  messages: RateLimiterAbstract;
  /** Password-reset requests per destination (phone or email, whether or not it has an account). */
  passwordReset: RateLimiterAbstract;
  /** Password-reset requests and code checks per client address. */
  passwordResetPerAddress: RateLimiterAbstract;
}

export function createRateLimits(limits: Config["limits"], redis?: Pick<RedisConnections, "commands" | "prefix">): RateLimits {
  const prefix = redis ? `${redis.prefix}:${limits.keyPrefix}` : limits.keyPrefix;
  const make = (name: string, points: number, duration: number): RateLimiterAbstract => {
    const memory = new RateLimiterMemory({ keyPrefix: `${prefix}:${name}`, points, duration });
    if (!redis) return memory;
    return new RateLimiterRedis({
      storeClient: redis.commands,
      keyPrefix: `${prefix}:${name}`,
      points,
      duration,
      insuranceLimiter: memory,
    });
  };
  const local = (name: string, points: number, duration: number) =>
    new RateLimiterMemory({ keyPrefix: `${prefix}:${name}`, points, duration });
  return {
    apiPerIp: local("ip", limits.apiPerMinutePerIp, 60),
    apiPerUser: local("user", limits.apiPerMinutePerUser, 60),
    login: make("login", limits.loginPer15Min, 15 * 60),
    loginPerAddress: make("login-ip", limits.loginPerIpPer15Min, 15 * 60),
    messages: make("messages", limits.messagesPerHour, 60 * 60),
    passwordReset: make("reset", limits.passwordResetPerHour, 60 * 60),
    passwordResetPerAddress: make("reset-ip", limits.passwordResetPerIpPerHour, 60 * 60),
  };
}

const limited = (msBeforeNext: number) => {
  const seconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
  return new AppError("RATE_LIMITED", "rateLimited", { seconds }, { retryAfter: seconds });
};

/** Takes one point from `key`; throws RATE_LIMITED (with retryAfter seconds) when none are left. */
export async function consume(limiter: RateLimiterAbstract, key: string, points = 1): Promise<void> {
  try {
    await limiter.consume(key, points);
  } catch (error) {
    if (error instanceof RateLimiterRes) throw limited(error.msBeforeNext);
    throw error;
  }
}

/**
 * Throws RATE_LIMITED when `key` has no points left, taking none: for limits that
 * count failures only (the caller consumes on a failure), checked before trying.
 */
export async function refuseWhenSpent(limiter: RateLimiterAbstract, key: string): Promise<void> {
  const state = await limiter.get(key);
  if (state && state.consumedPoints >= limiter.points) throw limited(state.msBeforeNext);
}
