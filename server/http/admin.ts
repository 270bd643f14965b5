/**
 * The back office at /admin (the staff web app in admin/).
 *
 * ADMIN_UI=static (default): the build in admin/dist (ADMIN_DIST_DIR) — made by `npm install` (the
 * root package's `prepare`) or `npm run build:admin`. Hashed files under
 * /admin/assets/ are cached for a year; index.html and every client route (SPA
 * fallback) are revalidated each time, so a new build shows at once.
 * ADMIN_UI=dev (`npm run dev`): Vite in middleware mode, with hot reload.
 * ADMIN_UI=off: not served.
 *
 * Every answer carries a Content-Security-Policy under which the app and GraphiQL
 * (Monaco's workers, its inline styles) work, and nothing from elsewhere loads.
 */
import fs from "node:fs";
import type { Server } from "node:http";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import express, { Router, type NextFunction, type Request, type Response } from "express";
import type { AppDeps } from "../app-deps";
import { fromAcceptLanguage, translate } from "../i18n";

const ADMIN_DIR = fileURLToPath(new URL("../../admin/", import.meta.url));

/** The policy of every /admin answer; `connect-src` names the WebSocket origin explicitly for browsers whose 'self' omits ws:. */
export function adminCsp(req: Request, dev = false): string {
  const host = /^[\w.-]+(:\d+)?$|^\[[\da-f:.]+\](:\d+)?$/i.test(req.get("host") ?? "") ? req.get("host")! : undefined;
  const sockets = host ? ` ws://${host} wss://${host}` : "";
  return [
    "default-src 'self'",
    // Vite's dev server injects an inline preamble for React refresh; the build has no inline script.
    dev ? "script-src 'self' 'unsafe-inline'" : "script-src 'self'",
    // Mantine and Monaco set styles at run time.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${sockets}${dev ? " ws://localhost:* ws://127.0.0.1:*" : ""}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

function securityHeaders(dev: boolean) {
  return (req: Request, res: Response, next: NextFunction) => {
    res.setHeader("content-security-policy", adminCsp(req, dev));
    res.setHeader("x-frame-options", "DENY");
    res.setHeader("referrer-policy", "same-origin");
    next();
  };
}

/** Routes for /admin; in dev mode the Vite server is closed with the HTTP server. */
export async function adminRoutes(app: AppDeps, httpServer: Server): Promise<Router> {
  const router = Router();
  const { mode, dist } = app.config.admin;
  if (mode === "off") return router;
  // "/admin" → "/admin/": relative asset URLs and the router's basename need the slash.
  router.get("/admin", (req, res, next) => {
    const [pathname, query] = req.originalUrl.split(/\?(.*)/s, 2);
    if (pathname !== "/admin") return next();
    res.redirect(301, `/admin/${query ? `?${query}` : ""}`);
  });
  router.use("/admin", securityHeaders(mode === "dev"));
  if (mode === "dev") {
    // Vite sees the whole URL: its base is /admin/.
    const vite = await viteMiddleware(app, httpServer);
    router.use((req, res, next) => (req.path.startsWith("/admin/") ? vite(req, res, next) : next()));
    return router;
  }
  router.use(
    "/admin/assets",
    express.static(path.join(dist, "assets"), { immutable: true, maxAge: "365d", index: false, fallthrough: false, etag: true }),
  );
  router.use(
    "/admin",
    express.static(dist, { index: false, maxAge: 0, etag: true, setHeaders: (res) => res.setHeader("cache-control", "no-cache") }),
  );
  // Client routes (/admin/catalogue/…): the app's shell, which routes in the browser.
  router.get("/admin/{*rest}", (req, res) => {
    const index = path.join(dist, "index.html");
    if (!fs.existsSync(index)) {
      const language = fromAcceptLanguage(req.header("accept-language")) ?? "en";
      return void res.status(503).type("text/plain; charset=utf-8").send(translate(language, "admin.notBuilt"));
    }
    res.setHeader("cache-control", "no-cache");
    res.sendFile(index);
  });
  return router;
}

type ViteCreateServer = (options: Record<string, unknown>) => Promise<{
  middlewares: (req: Request, res: Response, next: NextFunction) => void;
  close(): Promise<void>;
}>;

/** Vite in middleware mode (hot reload on a port of its own: the WebSocket server owns upgrades on this one). */
async function viteMiddleware(app: AppDeps, httpServer: Server) {
  const require = createRequire(path.join(ADMIN_DIR, "package.json"));
  // Vite is a dependency of the admin workspace (admin/node_modules), not of the server.
  const { createServer } = (await import(pathToFileURL(require.resolve("vite")).href)) as { createServer: ViteCreateServer };
  const vite = await createServer({
    configFile: path.join(ADMIN_DIR, "vite.config.ts"),
    // The module runner loads vite.config.ts without a temporary file (node --watch would restart on it).
    configLoader: "runner",
    server: { middlewareMode: true, hmr: { port: app.config.admin.hmrPort } },
    appType: "spa",
  });
  httpServer.once("close", () => void vite.close());
  app.log.info({ hmrPort: app.config.admin.hmrPort }, "back office served by Vite (hot reload)");
  return vite.middlewares;
}
