/**
 * Deployments that share one Redis never see each other: every key and channel
 * starts with the deployment's REDIS_PREFIX, by default derived from its
 * database. With PostgreSQL + Redis (the CI's second run): two deployments on
 * two databases and one Redis, each with the default prefix. Embedded: the
 * derived identity itself (per database, stable across restarts).
 */
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDeps, createDeps } from "../server/app";
import type { AppDeps } from "../server/app-deps";
import { loadConfig } from "../server/config";
import { openDatabase } from "../server/db/client";
import { defaultRedisPrefix } from "../server/db/identity";
import { AppError } from "../server/errors";
import { createLog } from "../server/log";
import { Topic } from "../server/pubsub/topics";
import { consume } from "../server/rate-limits";
import { CurrentTenantDocument, MeDocument, ProfileUpdatedDocument } from "./sdk/graphql";
import { data } from "./helpers/client";
import { uniqueSlug } from "./helpers/fixtures";
import { startTestServer, subscribed, testEnv, type TestServer } from "./helpers/server";

const onServices = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);

describe.skipIf(!onServices)("two deployments on two PostgreSQL databases sharing one Redis", () => {
  let a: TestServer;
  let b: TestServer;
  let otherUrl: URL;
  let otherDb: string;
  let redis: Redis;
  const prefixOf = (t: TestServer) => t.deps.redis!.prefix;

  beforeAll(async () => {
    const url = new URL(process.env.DATABASE_URL!);
    otherDb = `${url.pathname.slice(1)}_other_${randomUUID().slice(0, 8)}`.slice(0, 63);
    const { default: postgres } = await import("postgres");
    const admin = postgres(url.toString(), { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database "${otherDb}"`);
    await admin.end();
    otherUrl = new URL(url);
    otherUrl.pathname = `/${otherDb}`;
    // Both keep the default REDIS_PREFIX, and the same rate-limit namespace: only the prefix keeps them apart.
    const env = { RATE_LIMIT_KEY_PREFIX: "rl", RATE_LIMIT_MESSAGES_PER_HOUR: "2" };
    a = await startTestServer(env);
    b = await startTestServer({ ...env, DATABASE_URL: otherUrl.toString() });
    redis = new Redis(process.env.REDIS_URL!, { lazyConnect: true });
    await redis.connect();
  });

  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await redis?.quit();
    if (otherDb) {
      const { default: postgres } = await import("postgres");
      const admin = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
      await admin.unsafe(`drop database if exists "${otherDb}" with (force)`);
      await admin.end();
    }
  });

  it("each derives its own prefix from its database; an instance reaching the same database by another address derives the same", async () => {
    expect(prefixOf(a)).toMatch(/^roster:[0-9a-f]{12}$/);
    expect(prefixOf(b)).toMatch(/^roster:[0-9a-f]{12}$/);
    expect(prefixOf(a)).not.toBe(prefixOf(b));
    // Same database, spelled differently (localhost for 127.0.0.1): the same deployment, the same prefix.
    const respelled = new URL(process.env.DATABASE_URL!);
    respelled.hostname = respelled.hostname === "127.0.0.1" ? "localhost" : "127.0.0.1";
    const again: AppDeps = await createDeps(loadConfig(testEnv({ DATABASE_URL: respelled.toString(), MIGRATE_ON_START: "false" })));
    try {
      expect(again.redis!.prefix).toBe(prefixOf(a));
    } finally {
      await closeDeps(again);
    }
  });

  it("the same tenant slug resolves to each deployment's own tenant, and its admin's token keeps working", async () => {
    const slug = uniqueSlug("same");
    const ours = await a.fixtures.tenant({ slug, name: "Centre A" });
    const theirs = await b.fixtures.tenant({ slug, name: "Centre B" });
    const adminA = await a.fixtures.member(ours, ["ADMIN"]);
    const adminB = await b.fixtures.member(theirs, ["ADMIN"]);

    // A resolves (and caches) the slug first; B must still find its own tenant, then A its own again.
    for (const [t, tenant, name] of [
      [a, ours, "Centre A"],
      [b, theirs, "Centre B"],
      [a, ours, "Centre A"],
    ] as const) {
      expect(data(await t.client({ tenant: slug }).request(CurrentTenantDocument)).tenant).toMatchObject({ id: tenant.id, name });
    }
    for (const [t, admin] of [
      [a, adminA],
      [b, adminB],
    ] as const) {
      const me = data(await t.client({ tenant: slug, token: admin.token }).request(MeDocument)).me;
      expect(me.membership).toMatchObject({ roles: ["ADMIN"], tenant: { slug } });
    }

    // Each cached the slug under its own prefix, and nothing under the old fixed key.
    expect(JSON.parse((await redis.get(`${prefixOf(a)}:cache:tenant:slug:${slug}`))!)).toMatchObject({ id: ours.id });
    expect(JSON.parse((await redis.get(`${prefixOf(b)}:cache:tenant:slug:${slug}`))!)).toMatchObject({ id: theirs.id });
    expect(await redis.exists(`roster:cache:tenant:slug:${slug}`)).toBe(0);
  });

  it("an event published in one deployment never reaches a subscriber in the other, even on the same channel keys", async () => {
    const tenant = await b.fixtures.tenant();
    const member = await b.fixtures.member(tenant, ["STUDENT"]);
    const ws = b.ws({ token: member.token });
    const watcher = redis.duplicate();
    const seen: string[] = [];
    try {
      await watcher.psubscribe(`${prefixOf(a)}:*`, `${prefixOf(b)}:*`);
      watcher.on("pmessage", (_pattern, channel) => seen.push(channel));
      const subscription = await subscribed(b, () => ws.subscribe(ProfileUpdatedDocument));
      const payload = (changedFields: string[]) => ({
        userId: member.user.id,
        passwordUpdated: false,
        changedFields,
        at: new Date().toISOString(),
      });

      // A's bus, with B's user id: the channel keys collide, the prefixes do not.
      await a.deps.bus.publish(Topic.ProfileUpdated, [member.user.id], payload(["fromA"]));
      expect(await subscription.quiet(700)).toBe(true);

      await b.deps.bus.publish(Topic.ProfileUpdated, [member.user.id], payload(["fromB"]));
      expect((await subscription.next()).data?.profileUpdated).toMatchObject({ userId: member.user.id, changedFields: ["fromB"] });
      expect(seen).toEqual([`${prefixOf(a)}:profile:${member.user.id}`, `${prefixOf(b)}:profile:${member.user.id}`]);
    } finally {
      await ws.close();
      await watcher.quit();
    }
  });

  it("rate-limit counters are separate", async () => {
    const key = `+2010${Date.now() % 100_000_000}`;
    for (let i = 0; i < 2; i++) await consume(a.deps.rateLimits.messages, key);
    const error = await consume(a.deps.rateLimits.messages, key).catch((caught: Error) => caught);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("RATE_LIMITED");
    // The same key, the same namespace, one Redis: B has not counted a thing.
    await expect(consume(b.deps.rateLimits.messages, key)).resolves.toBeUndefined();
    expect(Number(await redis.get(`${prefixOf(a)}:rl:messages:${key}`))).toBe(3);
    expect(Number(await redis.get(`${prefixOf(b)}:rl:messages:${key}`))).toBe(1);
  });

  it("REDIS_PREFIX overrides the derived prefix", async () => {
    const prefix = `h-ops-test:${randomUUID().slice(0, 8)}`;
    const deps = await createDeps(
      loadConfig(testEnv({ DATABASE_URL: otherUrl.toString(), REDIS_PREFIX: `${prefix}:`, MIGRATE_ON_START: "false" })),
    );
    try {
      expect(deps.redis!.prefix).toBe(prefix);
      await deps.cache.set("probe", { ok: true }, 30);
      expect(await redis.get(`${prefix}:cache:probe`)).toBe('{"ok":true}');
      await deps.cache.delete("probe");
    } finally {
      await closeDeps(deps);
    }
  });
});

describe.skipIf(Boolean(process.env.DATABASE_URL))("the default REDIS_PREFIX of embedded databases", () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });
  const prefixOfDatabase = async (env: Record<string, string>) => {
    const config = loadConfig({ ...env, NODE_ENV: "test", LOG_LEVEL: "silent" });
    const database = await openDatabase(config, createLog(config));
    try {
      return await defaultRedisPrefix(database);
    } finally {
      await database.close();
    }
  };

  it("differs between two databases and stays the same across a restart of one", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "roster-prefix-"));
    dirs.push(dir);
    const memory = await prefixOfDatabase({ ROSTER_DB: "memory" });
    const first = await prefixOfDatabase({ ROSTER_DB: "file", ROSTER_DATA_DIR: dir });
    const restarted = await prefixOfDatabase({ ROSTER_DB: "file", ROSTER_DATA_DIR: dir });
    expect(memory).not.toBe(first);
    expect(restarted).toBe(first);
    expect(first).toMatch(/^roster:[0-9a-f]{12}$/);
  });
});
