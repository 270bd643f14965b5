import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, useTestServer, type TestServer } from "./helpers/server";

const ALLOWED = "https://app.example.org";
const t = useTestServer({ CORS_ORIGINS: `${ALLOWED}, https://other-allowed.example.org` });

describe("security headers", () => {
  it("every answer has nosniff, frame denial, a referrer policy and a closed CSP; no HSTS outside production", async () => {
    for (const path of ["/health", "/info", "/no-such-path"]) {
      const res = await fetch(`${t.url}${path}`);
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("x-frame-options")).toBe("DENY");
      expect(res.headers.get("referrer-policy")).toBe("no-referrer");
      expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
      expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
      expect(res.headers.get("strict-transport-security")).toBeNull();
      expect(res.headers.get("x-powered-by")).toBeNull();
    }
    const graphql = await t.client().raw({ query: "{ __typename }" });
    expect(graphql.status).toBe(200);
    expect(graphql.headers.get("x-frame-options")).toBe("DENY");
  });

  it("the Sandbox page (GET /graphql, introspection on) may load Apollo's scripts and frame", async () => {
    const res = await fetch(`${t.url}/graphql`, { headers: { accept: "text/html" } });
    expect(res.status).toBe(200);
    const csp = res.headers.get("content-security-policy")!;
    expect(csp).toContain("https://embeddable-sandbox.cdn.apollographql.com");
    expect(csp).toMatch(/frame-src [^;]*https:\/\/sandbox\.embed\.apollographql\.com/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(await res.text()).toContain("embeddable-sandbox");
  });

  it("the back office keeps its own policy", async () => {
    const res = await fetch(`${t.url}/admin/`);
    const csp = res.headers.get("content-security-policy")!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("worker-src 'self' blob:");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
  });
});

describe("security headers in production", () => {
  let prod: TestServer;
  beforeAll(async () => {
    const { generateKeyPairSync } = await import("node:crypto");
    const key = generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString();
    prod = await startTestServer({ NODE_ENV: "production", JWT_PRIVATE_KEY: key, ADMIN_UI: "off" });
  });
  afterAll(() => prod?.close());

  it("HSTS is sent, and GET /graphql has no Sandbox (nor its policy)", async () => {
    const res = await fetch(`${prod.url}/health`);
    expect(res.headers.get("strict-transport-security")).toBe("max-age=31536000; includeSubDomains");
    const page = await fetch(`${prod.url}/graphql`, { headers: { accept: "text/html" } });
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(page.headers.get("content-security-policy")).not.toContain("apollographql");
  });
});

describe("CORS (CORS_ORIGINS)", () => {
  it("a configured origin may read answers", async () => {
    const res = await fetch(`${t.url}/graphql`, {
      method: "POST",
      headers: { origin: ALLOWED, "content-type": "application/json" },
      body: JSON.stringify({ query: "{ __typename }" }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    expect(res.headers.get("vary")).toMatch(/origin/i);
    expect(res.headers.get("access-control-expose-headers")).toContain("x-request-id");
  });

  it("any other origin gets no CORS headers", async () => {
    const res = await fetch(`${t.url}/graphql`, {
      method: "POST",
      headers: { origin: "https://evil.example.com", "content-type": "application/json" },
      body: JSON.stringify({ query: "{ __typename }" }),
    });
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    const preflight = await fetch(`${t.url}/graphql`, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example.com", "access-control-request-method": "POST" },
    });
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("preflight: 204 with the allowed methods, headers and max-age", async () => {
    const res = await fetch(`${t.url}/graphql`, {
      method: "OPTIONS",
      headers: {
        origin: ALLOWED,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type, x-tenant",
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    expect(res.headers.get("access-control-allow-methods")).toContain("POST");
    const allowed = res.headers.get("access-control-allow-headers")!;
    for (const header of ["authorization", "content-type", "x-tenant"]) expect(allowed).toContain(header);
    expect(res.headers.get("access-control-max-age")).toBe("600");
    expect(res.headers.get("access-control-allow-credentials")).toBeNull();
  });
});
