/** REST endpoints beside GraphQL: health, readiness, info, metrics, JWKS. */
import fs from "node:fs";
import { Router } from "express";
import type { AppDeps } from "../app-deps";
import { readinessChecks } from "./health";

/** The package version, read once (npm's variable is missing when the image runs node directly). */
const VERSION: string = JSON.parse(fs.readFileSync(new URL("../../package.json", import.meta.url), "utf8")).version;

export function restRoutes(app: AppDeps): Router {
  const router = Router();

  router.get("/health", (_req, res) => {
    res.json({ status: "ok", uptimeSeconds: Math.round(process.uptime()) });
  });

  router.get("/ready", async (_req, res) => {
    const checks = await readinessChecks(app);
    const ok = checks.every((check) => check.ok);
    res.status(ok ? 200 : 503).json({ status: ok ? "ready" : "unavailable", checks });
  });

  router.get("/info", (_req, res) => {
    res.json({
      name: "roster",
      version: VERSION,
      environment: app.config.nodeEnv,
      instance: app.config.instanceId,
      database: app.database.kind,
      pubsub: app.redis ? "redis" : "memory",
      startedAt: app.startedAt.toISOString(),
      uptimeSeconds: Math.round((Date.now() - app.startedAt.getTime()) / 1000),
    });
  });

  router.get("/metrics", async (_req, res) => {
    res.set("content-type", app.metrics.registry.contentType);
    res.send(await app.metrics.registry.metrics());
  });

  router.get("/.well-known/jwks.json", (_req, res) => {
    res.set("cache-control", "public, max-age=300");
    res.json({ keys: [app.signingKey.publicJwk] });
  });

  return router;
}
