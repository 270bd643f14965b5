/**
 * Assembles one Roster instance: database (migrated, optionally seeded),
 * Redis, pub/sub, auth, the GraphQL schema, and one HTTP server carrying
 * GraphQL over HTTP, graphql-ws and the REST endpoints on one port.
 */
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import express, { type NextFunction, type Request, type Response } from "express";
import { buildRosterSchema } from "../schema";
import type { AppDeps } from "./app-deps";
import { loadSigningKey } from "./auth/keys";
import { createPasswordHasher } from "./auth/passwords";
import { createTokenService } from "./auth/tokens";
import { createCache } from "./cache";
import type { Config } from "./config";
import { openDatabase } from "./db/client";
import { migrateDatabase } from "./db/migrate";
import { AppError, httpStatusOf } from "./errors";
import { clientIp, createApollo, graphqlHandler } from "./graphql/apollo";
import { attachWebSocket } from "./graphql/ws";
import { paymentWebhookRoutes } from "./http/payment-webhooks";
import { metricsPlacement, metricsRoutes, restRoutes } from "./http/routes";
import { fromAcceptLanguage, translate } from "./i18n";
import { createLog, type Log } from "./log";
import { OutboxProvider, WebhookProvider } from "./messaging";
import { createMetrics } from "./metrics";
import { createPaymentProviders } from "./payments";
import { createBus } from "./pubsub/bus";
import { consume, createRateLimits } from "./rate-limits";
import { openRedis } from "./redis";
import { runWithRequestStore } from "./request-store";

export interface RosterServer {
  deps: AppDeps;
  httpServer: http.Server;
  /** Starts listening (PORT/HOST from config); resolves with the base URL. */
  listen(): Promise<string>;
  /** The base URL once listening, e.g. http://localhost:4000. */
  url(): string;
  /** Where GET /metrics answers once listening, or undefined when it is not served (production without METRICS_TOKEN or METRICS_PORT). */
  metricsUrl(): string | undefined;
  close(): Promise<void>;
}

/** Builds the long-lived services of an instance. */
export async function createDeps(config: Config, log: Log = createLog(config)): Promise<AppDeps> {
  // The key first: a bad JWT_PRIVATE_KEY should stop start-up before anything is opened.
  const signingKey = await loadSigningKey(config);
  const database = await openDatabase(config, log);
  if (config.database.migrateOnStart) await migrateDatabase(database);
  const redis = config.redisUrl ? await openRedis(config.redisUrl) : undefined;
  return {
    config,
    log,
    database,
    redis,
    bus: createBus(redis),
    cache: createCache(redis?.commands),
    rateLimits: createRateLimits(config.limits, redis?.commands),
    signingKey,
    tokens: createTokenService(signingKey, config.auth),
    passwords: await createPasswordHasher(config.auth.argon2),
    messages: config.messaging.webhookUrl
      ? new WebhookProvider(config.messaging.webhookUrl, config.messaging.webhookToken)
      : new OutboxProvider(log),
    payments: createPaymentProviders(config.payments, log),
    metrics: createMetrics(),
    startedAt: new Date(),
  };
}

export async function createServer(config: Config, deps?: AppDeps): Promise<RosterServer> {
  const app = deps ?? (await createDeps(config));
  const { log } = app;
  const schema = await buildRosterSchema();
  const web = express();
  const httpServer = http.createServer(web);
  const apollo = await createApollo(app, schema, httpServer);
  const ws = attachWebSocket(app, schema, httpServer);

  web.disable("x-powered-by");
  // GraphQL answers are POSTed and rarely repeat: an ETag would hash every large body for nothing.
  web.set("etag", false);
  web.set("trust proxy", config.http.trustProxy);
  web.use((req, res, next) => {
    const incoming = req.header("x-request-id");
    const requestId = incoming && /^[\w.:-]{1,128}$/.test(incoming) ? incoming : randomUUID();
    res.setHeader("x-request-id", requestId);
    res.setHeader("x-content-type-options", "nosniff");
    (req as Request & { id: string }).id = requestId;
    const started = performance.now();
    res.once("finish", () => {
      const route = req.route?.path ?? (req.path.startsWith("/graphql") ? "/graphql" : "other");
      app.metrics.httpRequests.observe(
        { method: req.method, route: String(route), status: String(res.statusCode) },
        (performance.now() - started) / 1000,
      );
    });
    next();
  });
  web.use(cors(config.http.corsOrigins));
  web.use(restRoutes(app));
  const metricsAt = metricsPlacement(config);
  if (metricsAt === "main") web.use(metricsRoutes(app));
  // METRICS_PORT: a listener of its own, for a network the public never reaches.
  const metricsServer = metricsAt === "separate" ? http.createServer(express().disable("x-powered-by").use(metricsRoutes(app))) : undefined;
  web.use(paymentWebhookRoutes(app));
  web.use("/graphql", express.json({ limit: config.limits.bodyBytes, type: ["application/json", "application/graphql-response+json"] }));
  // After body parsing: parsers resume on stream callbacks, which would lose the async context.
  web.use((req, _res, next) => {
    const store = {
      requestId: (req as Request & { id: string }).id,
      language: fromAcceptLanguage(req.header("accept-language")) ?? "ar",
      sqlStatements: 0,
    };
    runWithRequestStore(store, next);
  });
  web.use("/graphql", async (req, res, next) => {
    try {
      await consume(app.rateLimits.apiPerIp, clientIp(req));
      next();
    } catch (error) {
      next(error);
    }
  });
  web.all("/graphql", graphqlHandler(app, apollo));
  web.use((req, res) => {
    const language = fromAcceptLanguage(req.header("accept-language")) ?? "en";
    res.status(404).json({
      errors: [{ message: translate(language, "http.notFound", { method: req.method, path: req.path }), extensions: { code: "NOT_FOUND" } }],
    });
  });
  web.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const language = fromAcceptLanguage(req.header("accept-language")) ?? "en";
    const type = (error as { type?: string }).type;
    if (type === "entity.parse.failed") {
      return void res.status(400).json({ errors: [{ message: translate(language, "http.badJson"), extensions: { code: "BAD_REQUEST" } }] });
    }
    if (type === "entity.too.large") {
      return void res.status(413).json({
        errors: [{ message: translate(language, "http.tooLarge", { limit: config.limits.bodyBytes }), extensions: { code: "PAYLOAD_TOO_LARGE" } }],
      });
    }
    if (error instanceof AppError) {
      if (error.extensions.retryAfter) res.setHeader("retry-after", String(error.extensions.retryAfter));
      return void res.status(httpStatusOf(error.code)).json({ errors: [{ message: error.message, extensions: error.extensions }] });
    }
    if ((error as { status?: number }).status && (error as { status: number }).status < 500) {
      return void res
        .status((error as { status: number }).status)
        .json({ errors: [{ message: (error as Error).message, extensions: { code: "BAD_REQUEST" } }] });
    }
    log.error({ err: error }, "unhandled HTTP error");
    res.status(500).json({ errors: [{ message: translate(language, "internal", { requestId: res.getHeader("x-request-id") as string }), extensions: { code: "INTERNAL_SERVER_ERROR" } }] });
  });

  let baseUrl = "";
  let metricsUrl: string | undefined;
  const urlOf = (server: http.Server, configuredHost: string | undefined) => {
    const { port } = server.address() as AddressInfo;
    const host = !configuredHost || configuredHost === "0.0.0.0" || configuredHost === "::" ? "localhost" : configuredHost;
    return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  };
  const listenOn = (server: http.Server, port: number, host: string | undefined) =>
    new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => resolve());
    });
  return {
    deps: app,
    httpServer,
    async listen() {
      await listenOn(httpServer, config.port, config.host);
      baseUrl = urlOf(httpServer, config.host);
      if (metricsServer) {
        const host = config.metrics.host ?? config.host;
        await listenOn(metricsServer, config.metrics.port!, host);
        metricsUrl = `${urlOf(metricsServer, host)}/metrics`;
      } else if (metricsAt === "main") {
        metricsUrl = `${baseUrl}/metrics`;
      }
      return baseUrl;
    },
    url: () => baseUrl,
    metricsUrl: () => metricsUrl,
    async close() {
      await ws.close();
      await apollo.stop();
      if (httpServer.listening) await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      if (metricsServer?.listening) await new Promise<void>((resolve) => metricsServer.close(() => resolve()));
      await app.bus.close();
      await app.redis?.close();
      await app.database.close();
    },
  };
}

/** CORS for the configured origins ("*" allows any); preflights answered here. */
function cors(origins: string[]) {
  return (req: Request, res: Response, next: NextFunction) => {
    const origin = req.header("origin");
    if (origin && (origins.includes("*") || origins.includes(origin))) {
      res.setHeader("access-control-allow-origin", origins.includes("*") ? "*" : origin);
      res.setHeader("vary", "origin");
      res.setHeader("access-control-allow-headers", "authorization, content-type, x-tenant, x-request-id, apollo-require-preflight, accept-language");
      res.setHeader("access-control-allow-methods", "GET, POST, OPTIONS");
      res.setHeader("access-control-max-age", "600");
    }
    if (req.method === "OPTIONS") return void res.status(204).end();
    next();
  };
}
