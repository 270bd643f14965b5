/**
 * Configuration: a wrong value stops start-up with a message naming the
 * variable, both from loadConfig and from the real process.
 */
import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { run } from "./helpers/cli";
import { loadSigningKey } from "../server/auth/keys";
import { ConfigError, duration, loadConfig } from "../server/config";

/** An environment with nothing set, so the CI's DATABASE_URL/REDIS_URL cannot leak in. */
const load = (env: Record<string, string>) => loadConfig(env);

function rejection(env: Record<string, string>) {
  try {
    load(env);
  } catch (error) {
    return error as Error;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

const ed25519Pem = () => generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();

describe("loadConfig", () => {
  it("runs embedded with the documented defaults when nothing is set", () => {
    const config = load({});
    expect(config).toMatchObject({
      nodeEnv: "development",
      port: 4000,
      host: undefined,
      database: { url: undefined, embedded: "file", migrateOnStart: true, seedDemo: true, preparedStatements: true },
      redisUrl: undefined,
      redisPrefix: undefined,
      shutdownGraceMs: 2000,
      auth: { algorithm: "EdDSA", accessTokenTtlMs: 15 * 60_000, refreshTokenTtlMs: 14 * 86_400_000 },
      logLevel: "info",
    });
  });

  it.each([
    ["PORT", "abc"],
    ["PORT", "70000"],
    ["PORT", "-1"],
    ["DATABASE_URL", "mysql://x"],
    ["DATABASE_URL", "not a url"],
    ["REDIS_URL", "http://localhost:6379"],
    ["JWT_ALGORITHM", "HS256"],
    ["ACCESS_TOKEN_TTL", "soon"],
    ["REFRESH_TOKEN_TTL", "0s"],
    ["LOG_LEVEL", "loud"],
    ["NODE_ENV", "staging"],
    ["ROSTER_DB", "disk"],
    ["MIGRATE_ON_START", "maybe"],
    ["GRAPHQL_INTROSPECTION", "sometimes"],
    ["METRICS_PORT", "99999"],
    ["RATE_LIMIT_LOGIN_PER_IP_PER_15_MIN", "0"],
    ["REDIS_PREFIX", "roster cache"],
    ["REDIS_PREFIX", "site*"],
    ["REDIS_PREFIX", "a::b"],
    ["REDIS_PREFIX", ":"],
    ["REDIS_PREFIX", "x".repeat(65)],
    ["RATE_LIMIT_KEY_PREFIX", "rl{1}"],
    ["SHUTDOWN_GRACE", "2m"],
    ["SHUTDOWN_GRACE", "0s"],
    ["SHUTDOWN_GRACE", "soon"],
  ])("rejects %s=%s with a ConfigError naming the variable", (name, value) => {
    const error = rejection({ [name]: value });
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(new RegExp(`^${name}: `));
    expect(error.message).toContain(`"${value}"`);
  });

  it("requires JWT_PRIVATE_KEY in production", () => {
    const error = rejection({ NODE_ENV: "production" });
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/^JWT_PRIVATE_KEY: required when NODE_ENV=production/);
    expect(load({ NODE_ENV: "production", JWT_PRIVATE_KEY: ed25519Pem() }).nodeEnv).toBe("production");
  });

  it.each([
    ["15m", 15 * 60_000],
    ["14d", 14 * 86_400_000],
    ["30s", 30_000],
    ["2h", 7_200_000],
    ["500ms", 500],
    ["90", 90_000],
  ])("reads the duration %s as %d ms", (raw, ms) => {
    expect(duration(raw)).toBe(ms);
    expect(load({ ACCESS_TOKEN_TTL: raw }).auth.accessTokenTtlMs).toBe(ms);
    expect(load({ REFRESH_TOKEN_TTL: raw }).auth.refreshTokenTtlMs).toBe(ms);
  });

  it("turns introspection and the Sandbox on outside production and off in it, unless GRAPHQL_INTROSPECTION says", () => {
    const production = { NODE_ENV: "production", JWT_PRIVATE_KEY: ed25519Pem() };
    expect(load({}).graphql.introspection).toBe(true);
    expect(load({ NODE_ENV: "test" }).graphql.introspection).toBe(true);
    expect(load(production).graphql.introspection).toBe(false);
    expect(load({ ...production, GRAPHQL_INTROSPECTION: "true" }).graphql.introspection).toBe(true);
    expect(load({ GRAPHQL_INTROSPECTION: "false" }).graphql.introspection).toBe(false);
  });

  it("reads the metrics settings and the login limits", () => {
    expect(load({}).metrics).toEqual({ token: undefined, port: undefined, host: undefined });
    expect(load({ METRICS_TOKEN: "a-token-of-16-chars", METRICS_PORT: "9464", METRICS_HOST: "10.0.0.5" }).metrics).toEqual({
      token: "a-token-of-16-chars",
      port: 9464,
      host: "10.0.0.5",
    });
    expect(rejection({ PORT: "9464", METRICS_PORT: "9464" }).message).toMatch(/^METRICS_PORT: must differ from PORT/);
    // A secret is never quoted back.
    expect(rejection({ METRICS_TOKEN: "short-secret" }).message).toBe("METRICS_TOKEN: must be at least 16 characters");
    expect(load({}).limits).toMatchObject({ loginPer15Min: 10, loginPerIpPer15Min: 50 });
  });

  it("reads REDIS_PREFIX as a namespace (a trailing colon dropped) and SHUTDOWN_GRACE as a duration", () => {
    expect(load({ REDIS_PREFIX: "roster:site-b" }).redisPrefix).toBe("roster:site-b");
    expect(load({ REDIS_PREFIX: "site_b.prod:" }).redisPrefix).toBe("site_b.prod");
    expect(load({}).limits.keyPrefix).toBe("rl");
    expect(load({ SHUTDOWN_GRACE: "500ms" }).shutdownGraceMs).toBe(500);
    expect(load({ SHUTDOWN_GRACE: "60s" }).shutdownGraceMs).toBe(60_000);
  });

  it("reads HEAP_GROWING_PERCENT: 50 by default, 0 for V8's own, and refuses what is not 0 to 400", () => {
    expect(load({}).heapGrowingPercent).toBe(50);
    expect(load({ HEAP_GROWING_PERCENT: "0" }).heapGrowingPercent).toBe(0);
    expect(load({ HEAP_GROWING_PERCENT: "120" }).heapGrowingPercent).toBe(120);
    for (const bad of ["-1", "401", "1.5", "lots"]) {
      const error = rejection({ HEAP_GROWING_PERCENT: bad });
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.message).toContain("HEAP_GROWING_PERCENT");
    }
  });

  it("reads booleans and lists the documented ways", () => {
    const config = load({
      TRUST_PROXY: "yes",
      DATABASE_PREPARED_STATEMENTS: "off",
      CORS_ORIGINS: " https://a.example , https://b.example,,",
    });
    expect(config.http.trustProxy).toBe(true);
    expect(config.database.preparedStatements).toBe(false);
    expect(config.http.corsOrigins).toEqual(["https://a.example", "https://b.example"]);
  });
});

describe("loadSigningKey", () => {
  it("rejects a JWT_PRIVATE_KEY that is not a key, naming the variable", async () => {
    const config = load({ NODE_ENV: "production", JWT_PRIVATE_KEY: "not-a-key" });
    const error = await loadSigningKey(config).catch((caught: Error) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/^JWT_PRIVATE_KEY: not a PEM or JWK private key/);
  });

  it("rejects a key of another type than JWT_ALGORITHM needs", async () => {
    const config = load({ NODE_ENV: "production", JWT_PRIVATE_KEY: ed25519Pem(), JWT_ALGORITHM: "RS256" });
    const error = await loadSigningKey(config).catch((caught: Error) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/^JWT_PRIVATE_KEY: is a ed25519 key, but JWT_ALGORITHM=RS256 needs rsa/);
  });

  it("accepts a PEM written on one line with \\n escapes, as env files hold it", async () => {
    const pem = ed25519Pem();
    const escaped = pem.trim().replace(/\n/g, "\\n");
    const fromEscaped = await loadSigningKey(load({ NODE_ENV: "production", JWT_PRIVATE_KEY: escaped }));
    const fromPem = await loadSigningKey(load({ NODE_ENV: "production", JWT_PRIVATE_KEY: pem }));
    expect(fromEscaped.kid).toBe(fromPem.kid);
    expect(fromEscaped.publicJwk).toMatchObject({ kty: "OKP", crv: "Ed25519", alg: "EdDSA", use: "sig" });
  });
});

describe("npm start with a wrong value", () => {
  it("exits non-zero before listening, naming the variable on stderr", async () => {
    const { code, stdout, stderr } = await run(process.execPath, ["--import", "tsx", "server/main.ts"], {
      PORT: "abc",
      ROSTER_DB: "memory",
    });
    // 78 is EX_CONFIG (sysexits.h): a supervisor can tell a bad setting from a crash.
    expect(code).toBe(78);
    expect(stderr).toContain('Configuration error: PORT: must be an integer from 0 to 65535 (got "abc")');
    expect(stdout).not.toMatch(/roster is up/);
  });
});
