/** The long-lived services a running instance is made of (built once in app.ts). */
import type { PasswordHasher } from "./auth/passwords";
import type { SigningKey } from "./auth/keys";
import type { TokenService } from "./auth/tokens";
import type { Cache } from "./cache";
import type { Config } from "./config";
import type { Database } from "./db/client";
import type { Log } from "./log";
import type { MessageProvider } from "./messaging";
import type { Metrics } from "./metrics";
import type { PaymentProviders } from "./payments";
import type { Bus } from "./pubsub/bus";
import type { RateLimits } from "./rate-limits";
import type { RedisConnections } from "./redis";

export interface AppDeps {
  config: Config;
  log: Log;
  database: Database;
  redis?: RedisConnections;
  bus: Bus;
  cache: Cache;
  rateLimits: RateLimits;
  signingKey: SigningKey;
  tokens: TokenService;
  passwords: PasswordHasher;
  messages: MessageProvider;
  /** Enabled payment providers (manual, sandbox, gateways configured by env). */
  payments: PaymentProviders;
  metrics: Metrics;
  startedAt: Date;
}
