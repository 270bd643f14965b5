/** The long-lived services a running instance is made of (built once in app.ts). */
import type { PasswordHasher } from "./auth/passwords";
import type { SigningKey } from "./auth/keys";
import type { TokenService } from "./auth/tokens";
import type { Cache } from "./cache";
import type { Config } from "./config";
import type { Database } from "./db/client";
import type { Log } from "./log";
import type { OutboxProvider } from "./messaging";
import type { MessageChannels } from "./messaging/channels";
import type { DeliveryWorker } from "./messaging/worker";
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
  /** The development/test outbox: what went to a channel without an adapter (`last(to)`). */
  messages: OutboxProvider;
  /** Channel adapters (SMTP, SMS, WhatsApp) by channel. */
  channels: MessageChannels;
  /** Sends the message outbox's rows (server/messaging/worker.ts). */
  deliveries: DeliveryWorker;
  /** Enabled payment providers (manual, sandbox, gateways configured by env). */
  payments: PaymentProviders;
  metrics: Metrics;
  startedAt: Date;
}
