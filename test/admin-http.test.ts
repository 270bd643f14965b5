/**
 * Serving the back office at /admin (server/http/admin.ts): a stand-in build in a
 * temporary directory (the suite never builds the app), caching, the SPA fallback,
 * the CSP, and the answers when it is not built or turned off.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { startTestServer, useTestServer } from "./helpers/server";

const INDEX =
  '<!doctype html><html lang="ar" dir="rtl"><head><script type="module" src="/admin/assets/app-1a2b3c.js"></script></head><body><div id="root"></div></body></html>';

function fakeBuild(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "roster-admin-"));
  fs.mkdirSync(path.join(dir, "assets"));
  fs.writeFileSync(path.join(dir, "index.html"), INDEX);
  fs.writeFileSync(path.join(dir, "assets", "app-1a2b3c.js"), "console.log('app')");
  fs.writeFileSync(path.join(dir, "bundle-report.json"), "{}");
  return dir;
}

const get = (url: string, init: RequestInit = {}) => fetch(`${t.url}${url}`, { redirect: "manual", ...init });

const t = useTestServer({ ADMIN_DIST_DIR: fakeBuild() });

describe("the back office at /admin", () => {
  it("redirects /admin to /admin/, keeping the query", async () => {
    const response = await get("/admin?lang=en");
    expect(response.status).toBe(301);
    expect(response.headers.get("location")).toBe("/admin/?lang=en");
  });

  it("serves the app's shell, revalidated every time, under a CSP that allows nothing from elsewhere", async () => {
    const response = await get("/admin/");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    expect(response.headers.get("cache-control")).toBe("no-cache");
    expect(await response.text()).toBe(INDEX);
    const csp = response.headers.get("content-security-policy")!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self';");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toMatch(/connect-src 'self' ws:\/\/127\.0\.0\.1:\d+ wss:\/\/127\.0\.0\.1:\d+/);
    expect(csp).toContain("worker-src 'self' blob:");
    expect(response.headers.get("x-frame-options")).toBe("DENY");
  });

  it("answers every client route with the shell (the router runs in the browser)", async () => {
    for (const route of ["/admin/catalogue", "/admin/attendance/3f1c/9a2b", "/admin/events/x?y=1"]) {
      const response = await get(route);
      expect(response.status, route).toBe(200);
      expect(await response.text()).toBe(INDEX);
    }
  });

  it("caches hashed assets for a year; a missing asset is a 404, not the shell", async () => {
    const asset = await get("/admin/assets/app-1a2b3c.js");
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toMatch(/javascript/);
    expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const missing = await get("/admin/assets/app-000000.js");
    expect(missing.status).toBe(404);
    expect(await missing.text()).not.toContain("<html");
  });

  it("never serves files outside the build", async () => {
    for (const route of ["/admin/../package.json", "/admin/%2e%2e/package.json", "/admin/assets/..%2f..%2fpackage.json"]) {
      const response = await get(route);
      const body = await response.text();
      expect(body, route).not.toContain('"name": "roster"');
    }
  });

  it("leaves /graphql and the REST endpoints alone (the closed API policy there, not the admin one)", async () => {
    const health = await get("/health");
    expect(health.status).toBe(200);
    expect(health.headers.get("content-security-policy")).toMatch(/^default-src 'none'/);
    expect(health.headers.get("content-security-policy")).not.toContain("script-src");
  });
});

describe("when the back office is not built, or turned off", () => {
  it("answers 503 with how to build it, in the caller's language", async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), "roster-admin-empty-"));
    const server = await startTestServer({ ADMIN_DIST_DIR: empty });
    try {
      const response = await fetch(`${server.url}/admin/`, { headers: { "accept-language": "fr" } });
      expect(response.status).toBe(503);
      expect(await response.text()).toContain("npm run build:admin");
    } finally {
      await server.close();
    }
  });

  it("ADMIN_UI=off serves nothing at /admin", async () => {
    const server = await startTestServer({ ADMIN_UI: "off", ADMIN_DIST_DIR: fakeBuild() });
    try {
      const response = await fetch(`${server.url}/admin/`);
      expect(response.status).toBe(404);
      expect(response.headers.get("content-security-policy")).not.toContain("script-src");
    } finally {
      await server.close();
    }
  });

  it("refuses an unknown ADMIN_UI, naming the variable", async () => {
    await expect(startTestServer({ ADMIN_UI: "maybe" })).rejects.toThrow(/^ADMIN_UI: must be one of static, dev, off/);
  });
});
