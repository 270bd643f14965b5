/**
 * GET /geolocation?ip=… (and /api/geolocation, the older path): where an address
 * is (server/geo/geolocation.ts). Without `ip`, the caller's own address, as
 * Express sees it (X-Forwarded-For only with TRUST_PROXY). Anonymous, and rate
 * limited per address like GraphQL requests (RATE_LIMIT_IP_PER_MINUTE).
 */
import { Router } from "express";
import type { AppDeps } from "../app-deps";
import { badInput } from "../errors";
import { geolocate } from "../geo/geolocation";
import { fromAcceptLanguage } from "../i18n";
import { consume } from "../rate-limits";
import { clientIp } from "./client-ip";

export function geolocationRoutes(app: AppDeps): Router {
  const router = Router();
  router.get(["/geolocation", "/api/geolocation"], async (req, res) => {
    const caller = clientIp(req);
    await consume(app.rateLimits.apiPerIp, caller);
    const asked = req.query.ip;
    if (asked !== undefined && typeof asked !== "string") throw badInput("ip", "must be one IPv4 or IPv6 address");
    const ip = asked?.trim() ? asked : caller;
    const language = fromAcceptLanguage(req.header("accept-language")) ?? "en";
    const answer = await geolocate(ip, { databaseDir: app.config.geolocation.databaseDir, language });
    // The caller's own address differs per caller: never kept by a shared cache.
    res.set("cache-control", asked ? "public, max-age=86400" : "private, no-store");
    res.json(answer);
  });
  return router;
}
