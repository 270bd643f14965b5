/**
 * Starts a real Roster instance inside the test process, on a free port:
 * embedded PGlite in memory by default, or PostgreSQL/Redis when DATABASE_URL
 * and REDIS_URL are set (the CI's second run). One per test file.
 */
import "reflect-metadata";
import { afterAll, beforeAll } from "vitest";
import { randomUUID } from "node:crypto";
import { createServer, type RosterServer } from "../../server/app";
import { createDeps } from "../../server/app";
import { loadConfig } from "../../server/config";
import type { Log } from "../../server/log";
import { GraphQLClient } from "./client";
import { Fixtures } from "./fixtures";
import { connectWs, type WsOptions } from "./ws";

export interface TestServer {
  server: RosterServer;
  url: string;
  deps: RosterServer["deps"];
  fixtures: Fixtures;
  /** A client with no token, optionally naming a tenant by slug. */
  client(options?: { tenant?: string; token?: string; language?: string }): GraphQLClient;
  ws(options: WsOptions): ReturnType<typeof connectWs>;
  close(): Promise<void>;
}

/** Environment every test server starts with (overridable per server). */
export const testEnv = (overrides: Record<string, string> = {}) => ({
  ...process.env,
  NODE_ENV: "test",
  PORT: "0",
  HOST: "127.0.0.1",
  ROSTER_DB: "memory",
  SEED_DEMO: "false",
  JOBS_ENABLED: "false",
  LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
  EXPOSE_DIAGNOSTICS: "true",
  // Cheap argon2id parameters: tests only.
  ARGON2_MEMORY_KIB: "1024",
  ARGON2_TIME_COST: "1",
  RATE_LIMIT_IP_PER_MINUTE: "1000000",
  RATE_LIMIT_USER_PER_MINUTE: "1000000",
  RATE_LIMIT_LOGIN_PER_15_MIN: "1000",
  RATE_LIMIT_LOGIN_PER_IP_PER_15_MIN: "1000000",
  RATE_LIMIT_MESSAGES_PER_HOUR: "1000",
  // Servers share Redis in the CI's second run; their counters must not.
  RATE_LIMIT_KEY_PREFIX: `test:${randomUUID()}`,
  ...overrides,
});

/** `log`: a logger of the test's own (to read what the server logged, at which level). */
export async function startTestServer(overrides: Record<string, string> = {}, options: { log?: Log } = {}): Promise<TestServer> {
  const config = loadConfig(testEnv(overrides));
  const deps = await createDeps(config, options.log);
  const server = await createServer(config, deps);
  const url = await server.listen();
  const test: TestServer = {
    server,
    url,
    deps,
    fixtures: undefined as unknown as Fixtures,
    client: (options = {}) => new GraphQLClient(`${url}/graphql`, options),
    ws: (options) => connectWs(url, options),
    close: () => server.close(),
  };
  test.fixtures = new Fixtures(test);
  return test;
}

/**
 * The test file's server: started before its tests (before any other beforeAll
 * registered after this call), closed after them. The returned object is the
 * server once started; use it inside hooks and tests.
 */
export function useTestServer(...args: Parameters<typeof startTestServer>): TestServer {
  const server = {} as TestServer;
  beforeAll(async () => {
    Object.assign(server, await startTestServer(...args));
  });
  afterAll(() => server.close?.());
  return server;
}

/**
 * Starts a subscription and resolves once the server has added it to the fan-out
 * (listening on its channel), so an event published next cannot be missed. Waits
 * first for the count to settle: sockets closed just before may still be leaving.
 */
export async function subscribed<T>(t: TestServer, start: () => T): Promise<T> {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const count = () => t.server.fanout.subscriberCount();
  let before = count();
  for (let i = 0; i < 50; i++) {
    await sleep(20);
    const now = count();
    if (now === before) break;
    before = now;
  }
  const subscription = start();
  for (let i = 0; i < 250; i++) {
    if (count() > before) return subscription;
    await sleep(20);
  }
  throw new Error("the subscription did not start within 5 s");
}
