import { describe, expect, it } from "vitest";
import { MeDocument, TenantBySlugDocument } from "./sdk/graphql";
import { codes, data } from "./helpers/client";
import { startTestServer, useTestServer } from "./helpers/server";

const t = useTestServer({ BODY_LIMIT_BYTES: "4096", QUERY_MAX_DEPTH: "6", QUERY_MAX_ALIASES: "3" });

describe("bad HTTP input never reaches a 500", () => {
  it("malformed JSON → 400 BAD_REQUEST", async () => {
    const result = await t.client().raw(null, { rawBody: '{"query": "{ me { id } }"' });
    expect(result.status).toBe(400);
    expect(codes(result)).toEqual(["BAD_REQUEST"]);
  });

  it("oversized body → 413 PAYLOAD_TOO_LARGE", async () => {
    const result = await t.client().raw({ query: `{ tenant { id } }`, variables: { pad: "x".repeat(10_000) } });
    expect(result.status).toBe(413);
    expect(codes(result)).toEqual(["PAYLOAD_TOO_LARGE"]);
  });

  it("unknown field → 400 GRAPHQL_VALIDATION_FAILED", async () => {
    const result = await t.client().raw({ query: "{ me { id password } }" });
    expect(result.status).toBe(400);
    expect(codes(result)).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
  });

  it("syntax error → 400 GRAPHQL_PARSE_FAILED", async () => {
    const result = await t.client().raw({ query: "{ me { id " });
    expect(result.status).toBe(400);
    expect(codes(result)).toEqual(["GRAPHQL_PARSE_FAILED"]);
  });

  it("wrong variable type → 400 BAD_USER_INPUT", async () => {
    const result = await t.client().raw({
      query: "mutation($id: UUID!) { switchTenant(tenantId: $id) { accessToken } }",
      variables: { id: "not-a-uuid" },
    });
    expect(result.status).toBe(400);
    expect(codes(result)).toEqual(["BAD_USER_INPUT"]);
    const wrongShape = await t
      .client()
      .raw({ query: "query($slug: String!) { tenantBySlug(slug: $slug) { id } }", variables: { slug: 42 } });
    expect(codes(wrongShape)).toEqual(["BAD_USER_INPUT"]);
  });

  it("missing query, non-JSON content type and batches are refused with 4xx", async () => {
    const missing = await t.client().raw({ variables: {} });
    expect(missing.status).toBe(400);
    const textPlain = await t.client().raw(null, { rawBody: "{ me { id } }", headers: { "content-type": "text/plain" } });
    expect(textPlain.status).toBeGreaterThanOrEqual(400);
    expect(textPlain.status).toBeLessThan(500);
    const batch = await t.client().raw([{ query: "{ tenant { id } }" }, { query: "{ tenant { id } }" }]);
    expect(batch.status).toBe(400);
  });

  it("too many tokens → 400 GRAPHQL_PARSE_FAILED", async () => {
    const small = await startTestServer({ QUERY_MAX_TOKENS: "100" });
    const fields = Array.from({ length: 60 }, (_, i) => `f${i}: __typename`).join(" ");
    const result = await small.client().raw({ query: `{ ${fields} }` });
    expect(result.status).toBe(400);
    expect(codes(result)).toEqual(["GRAPHQL_PARSE_FAILED"]);
    await small.close();
  });

  it("too deep or too many aliases → 400 before execution", async () => {
    const deep = await t.client().raw({
      query: "{ me { membership { tenant { id } user { membership { user { membership { id } } } } } } }",
    });
    expect(deep.status).toBe(400);
    expect(deep.errors?.[0]?.message).toMatch(/depth/i);
    const aliases = await t
      .client()
      .raw({ query: "{ a: tenant { id } b: tenant { id } c: tenant { id } d: tenant { id } e: tenant { id } }" });
    expect(aliases.status).toBe(400);
    expect(aliases.errors?.[0]?.message).toMatch(/alias/i);
  });

  it("GET runs queries (with a preflight header), never mutations", async () => {
    const query = encodeURIComponent('{ tenantBySlug(slug: "none") { id } }');
    const ok = await fetch(`${t.url}/graphql?query=${query}`, { headers: { "apollo-require-preflight": "1" } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ data: { tenantBySlug: null }, extensions: expect.any(Object) });
    const csrf = await fetch(`${t.url}/graphql?query=${query}`);
    expect(csrf.status).toBe(400);
    const mutation = encodeURIComponent("mutation { logout }");
    const refused = await fetch(`${t.url}/graphql?query=${mutation}`, { headers: { "apollo-require-preflight": "1" } });
    expect(refused.status).toBe(405);
  });

  it("serves Apollo Sandbox to browsers", async () => {
    const page = await fetch(`${t.url}/graphql`, { headers: { accept: "text/html" } });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/embeddable-sandbox/);
  });

  it("unknown tenant in X-Tenant → 404 NOT_FOUND; unknown route → 404 JSON", async () => {
    const result = await t.client({ tenant: "no-such-tenant" }).request(TenantBySlugDocument, { slug: "x" });
    expect(result.status).toBe(404);
    expect(codes(result)).toEqual(["NOT_FOUND"]);
    const route = await fetch(`${t.url}/nope`);
    expect(route.status).toBe(404);
    expect(((await route.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe("NOT_FOUND");
  });

  it("a garbage Authorization header is 401 UNAUTHENTICATED, not a crash, whatever the operation", async () => {
    for (const query of ["{ me { id } }", '{ tenantBySlug(slug: "x") { id } }']) {
      for (const authorization of ["Bearer", "Basic abc", "Bearer a.b.c", "Device nope", "Bearer \u00ff\u00fe"]) {
        const result = await t.client().raw({ query }, { headers: { authorization } });
        expect([authorization, result.status, codes(result)]).toEqual([authorization, 401, ["UNAUTHENTICATED"]]);
        expect(result.headers.get("www-authenticate")).toMatch(/^Bearer error="invalid_token"/);
      }
    }
  });

  it("writes errors in the language asked for", async () => {
    const ar = await t.client({ language: "ar" }).request(MeDocument);
    const fr = await t.client({ language: "fr-FR,fr;q=0.9" }).request(MeDocument);
    expect(ar.errors?.[0]?.message).toMatch(/تسجيل الدخول/);
    expect(fr.errors?.[0]?.message).toMatch(/connecté/);
  });

  it("reports the SQL statements of a request in extensions.diagnostics", async () => {
    const result = await t.client().request(TenantBySlugDocument, { slug: "nobody" });
    data(result);
    expect(result.extensions?.diagnostics?.sqlStatements).toBeGreaterThan(0);
  });
});

describe("operations endpoints", () => {
  it("/health, /ready with timings, /info, /metrics", async () => {
    expect(await (await fetch(`${t.url}/health`)).json()).toMatchObject({ status: "ok" });
    const ready = await fetch(`${t.url}/ready`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { checks: { name: string; ok: boolean; ms: number }[] };
    expect(body.checks.map((check) => check.name)).toEqual(["database", "pubsub", "disk"]);
    expect(body.checks.every((check) => check.ok && typeof check.ms === "number")).toBe(true);
    const info = (await (await fetch(`${t.url}/info`)).json()) as Record<string, unknown>;
    expect(info).toMatchObject({ name: "roster", environment: "test" });
    expect(typeof info.uptimeSeconds).toBe("number");
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/roster_http_request_duration_seconds/);
    expect(metrics).toMatch(/roster_graphql_operations_total/);
  });

  it("/ready answers 503 when the database is gone", async () => {
    const broken = await startTestServer();
    await broken.deps.database.close();
    const ready = await fetch(`${broken.url}/ready`);
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as { checks: { name: string; ok: boolean }[] };
    expect(body.checks.find((check) => check.name === "database")?.ok).toBe(false);
    await broken.server.httpServer.close();
  });

  it("a client over the rate limit per address gets 429 with Retry-After", async () => {
    const limited = await startTestServer({ RATE_LIMIT_IP_PER_MINUTE: "3" });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await limited.client().request(TenantBySlugDocument, { slug: "x" })).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const last = await limited.client().request(TenantBySlugDocument, { slug: "x" });
    expect(codes(last)).toEqual(["RATE_LIMITED"]);
    expect(Number(last.headers.get("retry-after"))).toBeGreaterThan(0);
    await limited.close();
  });
});
