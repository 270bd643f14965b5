/**
 * Security headers (helmet) and CORS (cors) for every answer.
 *
 * * Everything: `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY`,
 *   `Referrer-Policy: no-referrer`, `Cross-Origin-Opener-Policy`, and HSTS in
 *   production (TLS ends at the proxy in front; browsers keep to https afterwards).
 * * Content-Security-Policy: the API answers JSON, so by default nothing may load
 *   and nothing may frame it (`default-src 'none'; frame-ancestors 'none'`).
 *   Two HTML pages need more: the Apollo Sandbox at GET /graphql (only while
 *   GRAPHQL_INTROSPECTION is on: its script, styles and iframe come from Apollo's
 *   CDN, and the page adds its own nonce policy on top), and the back office at
 *   /admin, whose router (server/http/admin.ts) sets its own, stricter policy.
 * * CORS: only the origins in CORS_ORIGINS ("*" for any) may read answers;
 *   preflights are answered here (204) for every path.
 */
import corsMiddleware from "cors";
import { Router } from "express";
import helmet from "helmet";
import type { Config } from "../config";

/** The policy of API answers: JSON, never rendered or framed. */
const API_CSP = {
  defaultSrc: ["'none'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'none'"],
};

/** The Apollo Sandbox landing page (GET /graphql from a browser), outside production by default. */
const APOLLO_CDN = [
  "https://apollo-server-landing-page.cdn.apollographql.com",
  "https://embeddable-sandbox.cdn.apollographql.com",
  "https://embeddable-explorer.cdn.apollographql.com",
];
const SANDBOX_CSP = {
  defaultSrc: ["'self'"],
  // The page's inline scripts carry a nonce of Apollo's own policy (a <meta>); this one must let them run too.
  scriptSrc: ["'self'", "'unsafe-inline'", ...APOLLO_CDN],
  styleSrc: ["'self'", "'unsafe-inline'", "https://fonts.googleapis.com", ...APOLLO_CDN],
  fontSrc: ["'self'", "https://fonts.gstatic.com"],
  imgSrc: ["'self'", "data:", ...APOLLO_CDN],
  manifestSrc: ["'self'", ...APOLLO_CDN],
  frameSrc: ["https://sandbox.embed.apollographql.com", "https://explorer.embed.apollographql.com"],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  frameAncestors: ["'none'"],
};

/** Headers sent with CORS answers and allowed in preflights. */
export const CORS_HEADERS = ["authorization", "content-type", "x-tenant", "x-request-id", "apollo-require-preflight", "accept-language"];

export function securityHeaders(config: Pick<Config, "nodeEnv" | "http" | "graphql">): Router {
  const router = Router();
  const production = config.nodeEnv === "production";
  router.use(
    helmet({
      contentSecurityPolicy: { useDefaults: false, directives: API_CSP },
      strictTransportSecurity: production ? { maxAge: 365 * 86_400, includeSubDomains: true } : false,
      xFrameOptions: { action: "deny" },
      referrerPolicy: { policy: "no-referrer" },
      // Other sites' pages may call the API (CORS); the default same-origin would refuse their <img>/<script> only.
      crossOriginResourcePolicy: { policy: "same-site" },
    }),
  );
  if (config.graphql.introspection) {
    router.get("/graphql", helmet.contentSecurityPolicy({ useDefaults: false, directives: SANDBOX_CSP }));
  }
  router.use(cors(config.http.corsOrigins));
  return router;
}

/** CORS for the configured origins ("*" allows any, without credentials); preflights answered with 204. */
export function cors(origins: string[]) {
  const any = origins.includes("*");
  return corsMiddleware({
    // An empty list still answers preflights (204), with no Access-Control-Allow-Origin.
    origin: any ? "*" : origins,
    methods: ["GET", "POST", "OPTIONS"],
    allowedHeaders: CORS_HEADERS,
    exposedHeaders: ["x-request-id", "retry-after"],
    maxAge: 600,
    optionsSuccessStatus: 204,
  });
}
