/**
 * Error tracking: a local HTTP server plays Sentry's ingest endpoint (the DSN
 * points at it); unexpected errors from HTTP, WebSocket and jobs arrive as
 * envelopes with the request's tags and without secrets or personal fields.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChangePasswordDocument, LoginDocument } from "./sdk/graphql";
import { codes } from "./helpers/client";
import { startTestServer, type TestServer } from "./helpers/server";
import { markAbsent } from "../server/jobs/mark-absent";
import { createJobRunner, listJobTenants } from "../server/jobs/runner";
import { flushErrorTracking } from "../server/observability/sentry";
import { print } from "graphql";

interface Envelope {
  header: Record<string, unknown>;
  items: { header: { type?: string }; payload: any }[];
  raw: string;
}

const envelopes: Envelope[] = [];
let ingest: http.Server;
let t: TestServer;
const NEW_PASSWORD = "N3w-very-secret-passphrase";

/** Events received so far (error events only), after flushing the SDK's queue. */
async function events(): Promise<{ event: any; raw: string }[]> {
  await flushErrorTracking(5000);
  return envelopes.flatMap((envelope) =>
    envelope.items.filter((item) => item.header.type === "event").map((item) => ({ event: item.payload, raw: envelope.raw })),
  );
}

beforeAll(async () => {
  ingest = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      let body = Buffer.concat(chunks);
      if (req.headers["content-encoding"] === "gzip") body = gunzipSync(body);
      const raw = body.toString("utf8");
      if (req.url?.startsWith("/api/1/envelope/")) {
        const lines = raw.split("\n").filter(Boolean);
        const items: Envelope["items"] = [];
        for (let i = 1; i + 1 < lines.length; i += 2) items.push({ header: JSON.parse(lines[i]!), payload: JSON.parse(lines[i + 1]!) });
        envelopes.push({ header: JSON.parse(lines[0]!), items, raw });
      }
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => ingest.listen(0, "127.0.0.1", resolve));
  const { port } = ingest.address() as AddressInfo;
  t = await startTestServer({ SENTRY_DSN: `http://publickey@127.0.0.1:${port}/1`, SENTRY_ENVIRONMENT: "ci" });
  // A failure nobody planned for: updating a password hash raises (SQLSTATE P0001, not a typed error).
  await t.deps.database.db.execute(
    sql.raw(
      `create or replace function test_boom() returns trigger language plpgsql as $$ begin raise exception 'boom in the database'; end $$`,
    ),
  );
  await t.deps.database.db.execute(
    sql.raw(`create trigger test_boom before update of password_hash on users for each row execute function test_boom()`),
  );
});

afterAll(async () => {
  await t?.deps.database.db.execute(sql.raw(`drop trigger if exists test_boom on users`)).catch(() => {});
  await t?.close();
  await new Promise((resolve) => ingest?.close(resolve));
});

describe("unexpected errors reach Sentry", () => {
  it("HTTP: with request id, operation, tenant and user; without tokens, passwords or personal fields", async () => {
    const tenant = await t.fixtures.tenant();
    const member = await t.fixtures.member(tenant, ["ADMIN"]);
    const result = await member.client.raw(
      {
        query: print(ChangePasswordDocument),
        operationName: "ChangePassword",
        variables: { input: { currentPassword: member.user.password, newPassword: NEW_PASSWORD } },
      },
      { headers: { "x-request-id": "req-sentry-http-1", cookie: "roster_refresh=cookie-secret-value" } },
    );
    expect(codes(result)).toEqual(["INTERNAL_SERVER_ERROR"]);

    const found = (await events()).filter(({ event }) => event.tags?.request_id === "req-sentry-http-1");
    expect(found).toHaveLength(1);
    const { event, raw } = found[0]!;
    expect(event.tags).toMatchObject({ transport: "http", operation: "ChangePassword", tenant_id: tenant.id, user_id: member.user.id });
    expect(event.user).toEqual({ id: member.user.id });
    expect(event.release).toBe("roster@0.1.0");
    expect(event.environment).toBe("ci");
    expect(event.exception.values[0].value).toContain("boom in the database");
    for (const secret of [
      member.token,
      member.user.password,
      NEW_PASSWORD,
      member.user.phone,
      member.user.email,
      "cookie-secret-value",
      member.refreshToken,
    ]) {
      expect(raw).not.toContain(secret);
    }
    expect(event.request?.headers).toBeUndefined();
    expect(event.request?.data).toBeUndefined();
  });

  it("a job that throws: with the job, window and tenant; its message scrubbed", async () => {
    const tenant = await t.fixtures.tenant();
    const [jobTenant] = await listJobTenants(t.deps, [tenant.id]);
    const user = await t.fixtures.user();
    const failing = {
      ...markAbsent,
      name: "test-failing-job",
      run: async () => {
        throw new Error(`cannot reach ${user.email} (${user.phone}) with token=abc123secret`);
      },
    };
    const outcome = await createJobRunner(t.deps, { instanceId: "sentry-test" }).runWindow(failing, jobTenant!, "2026-11-27");
    expect(outcome.status).toBe("FAILED");

    const found = (await events()).filter(({ event }) => event.tags?.job === "test-failing-job");
    expect(found).toHaveLength(1);
    const { event, raw } = found[0]!;
    expect(event.tags).toMatchObject({ transport: "job", tenant_id: tenant.id, window: "2026-11-27" });
    expect(event.exception.values[0].value).toContain("cannot reach [Filtered]");
    for (const secret of [user.email, user.phone, "abc123secret"]) expect(raw.includes(secret), secret).toBe(false);
  });

  it("client mistakes are not reported", async () => {
    const before = (await events()).length;
    const user = await t.fixtures.user();
    const wrong = await t
      .client()
      .raw({ query: print(LoginDocument), variables: { input: { identifier: user.phone, password: "wrong-password-123" } } });
    expect(codes(wrong)).toEqual(["UNAUTHENTICATED"]);
    const invalid = await fetch(`${t.url}/geolocation?ip=nope`);
    expect(invalid.status).toBe(400);
    const syntax = await t.client().raw({ query: "{ me { " });
    expect(syntax.status).toBe(400);
    expect((await events()).length).toBe(before);
  });

  it("WebSocket: an operation failing unexpectedly is reported with the connection's user and tenant", async () => {
    const tenant = await t.fixtures.tenant();
    const member = await t.fixtures.member(tenant, ["ADMIN"]);
    const ws = t.ws({ token: member.token });
    const result = await ws.execute(ChangePasswordDocument, {
      input: { currentPassword: member.user.password, newPassword: NEW_PASSWORD },
    });
    expect(result.errors?.[0]?.extensions?.code).toBe("INTERNAL_SERVER_ERROR");
    await ws.close();
    const found = (await events()).filter(({ event }) => event.tags?.transport === "ws" && event.tags?.user_id === member.user.id);
    expect(found).toHaveLength(1);
    expect(found[0]!.event.tags).toMatchObject({ operation: "ChangePassword", tenant_id: tenant.id });
    expect(found[0]!.event.tags.request_id).toMatch(/:\d+$/);
    for (const secret of [member.token, member.user.password, NEW_PASSWORD]) expect(found[0]!.raw).not.toContain(secret);
  });
});

describe("configuration", () => {
  it("SENTRY_* values are validated, naming the variable", async () => {
    const { loadConfig } = await import("../server/config");
    expect(() => loadConfig({ SENTRY_SAMPLE_RATE: "1.5" })).toThrow(/SENTRY_SAMPLE_RATE: must be a number from 0 to 1/);
    expect(() => loadConfig({ SENTRY_TRACES_SAMPLE_RATE: "lots" })).toThrow(/SENTRY_TRACES_SAMPLE_RATE/);
    expect(() => loadConfig({ SENTRY_DSN: "not a url" })).toThrow(/SENTRY_DSN: must be a URL/);
    const config = loadConfig({ SENTRY_SAMPLE_RATE: "0.25", SENTRY_TRACES_SAMPLE_RATE: ".1" });
    expect(config.sentry).toMatchObject({ dsn: undefined, sampleRate: 0.25, tracesSampleRate: 0.1, environment: "development" });
  });
});
