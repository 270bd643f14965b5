/** REST endpoints beside GraphQL: health, readiness, info, JWKS; and metrics, which are not for everyone. */
import { createHash, timingSafeEqual } from "node:crypto";
import fs from "node:fs";
import { Router } from "express";
import type { AppDeps } from "../app-deps";
import type { Config } from "../config";
import { fromAcceptLanguage, translate } from "../i18n";
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

  router.get("/.well-known/jwks.json", (_req, res) => {
    res.set("cache-control", "public, max-age=300");
    res.json({ keys: [app.signingKey.publicJwk] });
  });

  return router;
}

/**
 * Where GET /metrics is served: on its own listener with METRICS_PORT ("separate",
 * and then not on PORT), on PORT behind METRICS_TOKEN, or openly on PORT outside
 * production. In production with neither it is not served at all ("off": 404), since
 * metrics name operations and show load to anyone who asks.
 */
export function metricsPlacement(config: Pick<Config, "metrics" | "nodeEnv">): "main" | "separate" | "off" {
  if (config.metrics.port !== undefined) return "separate";
  if (config.metrics.token || config.nodeEnv !== "production") return "main";
  return "off";
}

/** Compares a presented bearer token with the configured one in constant time. */
function bearerMatches(authorization: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  if (!match) return false;
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(match[1]!), digest(token));
}

/** GET /metrics: Prometheus text; with METRICS_TOKEN only for `Authorization: Bearer <token>`. */
export function metricsRoutes(app: AppDeps): Router {
  const router = Router();
  router.get("/metrics", async (req, res) => {
    const { token } = app.config.metrics;
    if (token && !bearerMatches(req.header("authorization"), token)) {
      const language = fromAcceptLanguage(req.header("accept-language")) ?? "en";
      res.set("www-authenticate", 'Bearer realm="metrics"');
      return void res
        .status(401)
        .json({ errors: [{ message: translate(language, "metrics.unauthorized"), extensions: { code: "UNAUTHENTICATED" } }] });
    }
    res.set("content-type", app.metrics.registry.contentType);
    res.send(await app.metrics.registry.metrics());
  });
  return router;
}
