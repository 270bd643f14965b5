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
import { ConfigError, type Config } from "./config";
import { openDatabase } from "./db/client";
import { defaultRedisPrefix } from "./db/identity";
import { migrateDatabase } from "./db/migrate";
import { AppError, httpStatusOf } from "./errors";
import { createApollo, graphqlHandler } from "./graphql/apollo";
import { clientIp } from "./http/client-ip";
import { createExecutor } from "./graphql/executor";
import type { Fanout } from "./realtime/fanout";
import { attachWebSocket } from "./graphql/ws";
import { adminRoutes } from "./http/admin";
import { backupRoutes } from "./http/backup";
import { calendarRoutes } from "./http/calendar";
import { exportRoutes } from "./http/exports";
import { receiptRoutes } from "./http/receipts";
import { geolocationRoutes } from "./http/geolocation";
import { paymentWebhookRoutes } from "./http/payment-webhooks";
import { tenantExportRoutes } from "./http/tenant-export";
import { securityHeaders } from "./http/security";
import { metricsPlacement, metricsRoutes, restRoutes } from "./http/routes";
import { fromAcceptLanguage, translate } from "./i18n";
import { createLog, type Log } from "./log";
import { createChannels } from "./messaging/channels";
import { DeliveryWorker } from "./messaging/worker";
import { messageWebhookRoutes } from "./http/message-webhooks";
import { createMetrics } from "./metrics";
import { createPaymentProviders } from "./payments";
import { createBus } from "./pubsub/bus";
import { consume, createRateLimits } from "./rate-limits";
import { openRedis } from "./redis";
import { flushErrorTracking, reportError, startErrorTracking } from "./observability/sentry";
import { runWithRequestStore } from "./request-store";
import { EXIT, StartupError } from "./startup-error";

export interface RosterServer {
  deps: AppDeps;
  httpServer: http.Server;
  /** Starts listening (PORT/HOST from config); resolves with the base URL. */
  listen(): Promise<string>;
  /** The base URL once listening, e.g. http://localhost:4000. */
  url(): string;
  /** Where GET /metrics answers once listening, or undefined when it is not served (production without METRICS_TOKEN or METRICS_PORT). */
  metricsUrl(): string | undefined;
  /** Subscription fan-out of this instance (subscriber count for tests, delivery stats). */
  fanout: Fanout;
  /**
   * Stops accepting connections; running requests and WebSocket close handshakes
   * (code 1001) get `graceMs` (SHUTDOWN_GRACE) to finish, then are cut. Leaves the
   * database, Redis and pub/sub open for whatever still finishes (a job).
   */
  drain(graceMs?: number): Promise<void>;
  /** drain(), then closes pub/sub, Redis and the database (releasing the data-directory lock). */
  close(): Promise<void>;
}

/** Builds the long-lived services of an instance. */
export async function createDeps(config: Config, log: Log = createLog(config)): Promise<AppDeps> {
  // The key first: a bad JWT_PRIVATE_KEY should stop start-up before anything is opened.
  const signingKey = await loadSigningKey(config);
  // SENTRY_DSN: loads and starts Sentry; nothing otherwise.
  await startErrorTracking(config, log);
  const database = await openDatabase(config, log);
  let redis: AppDeps["redis"];
  try {
    if (config.database.migrateOnStart) await migrateDatabase(database);
    if (config.redisUrl) redis = await openRedis(config.redisUrl, config.redisPrefix ?? (await defaultRedisPrefix(database, log)));
  } catch (error) {
    // Leave nothing open behind a failed start (the embedded database's lock above all).
    await database.close().catch(() => {});
    throw error;
  }
  const channels = createChannels(config.messaging, log);
  const deps = {
    config,
    log,
    database,
    redis,
    bus: createBus(redis),
    cache: createCache(redis),
    rateLimits: createRateLimits(config.limits, redis),
    signingKey,
    tokens: createTokenService(signingKey, config.auth),
    passwords: await createPasswordHasher(config.auth.argon2),
    payments: createPaymentProviders(config.payments, log),
    metrics: createMetrics(),
    startedAt: new Date(),
    messages: channels.outbox,
    channels,
  } satisfies Omit<AppDeps, "deliveries">;
  const deliveries = new DeliveryWorker(deps);
  // Every instance sends (the claim gives each row to one); MESSAGE_WORKER=false only queues.
  if (config.messaging.worker) deliveries.start();
  return { ...deps, deliveries };
}

/** Closes what createDeps opened: the delivery worker (sends under way finish), pub/sub, Redis, then the database. */
export async function closeDeps(
  app: Pick<AppDeps, "bus" | "redis" | "database"> & Partial<Pick<AppDeps, "deliveries" | "channels">>,
): Promise<void> {
  await app.deliveries?.stop();
  app.channels?.close();
  await app.bus.close();
  await app.redis?.close();
  await app.database.close();
  await flushErrorTracking();
}

export async function createServer(config: Config, deps?: AppDeps): Promise<RosterServer> {
  const app = deps ?? (await createDeps(config));
  const { log } = app;
  const schema = await buildRosterSchema();
  const web = express();
  const httpServer = http.createServer(web);
  // One executor (compiled queries, cost, budget) for HTTP and WebSocket.
  const executor = createExecutor(app, schema);
  const apollo = await createApollo(app, schema, httpServer, executor);
  const ws = attachWebSocket(app, schema, httpServer, executor);

  // Requests being answered, so a shutdown can wait for them (and only them: idle keep-alive connections close at once).
  const responses = new Set<http.ServerResponse>();
  let draining: Promise<void> | undefined;
  let closing: Promise<void> | undefined;
  let drained: (() => void) | undefined;
  httpServer.on("request", (_req: http.IncomingMessage, res: http.ServerResponse) => {
    responses.add(res);
    // While draining, a kept-alive connection is not reused after its answer.
    if (draining) res.setHeader("connection", "close");
    res.once("close", () => {
      responses.delete(res);
      if (responses.size === 0) drained?.();
    });
  });

  web.disable("x-powered-by");
  // Express would hash every answer for an ETag (a SHA-1 over each GraphQL response, POSTs
  // included), which no client revalidates; static files keep serve-static's own.
  web.set("etag", false);
  // GraphQL answers are POSTed and rarely repeat: an ETag would hash every large body for nothing.
  web.set("etag", false);
  web.set("trust proxy", config.http.trustProxy);
  web.use((req, res, next) => {
    const incoming = req.header("x-request-id");
    const requestId = incoming && /^[\w.:-]{1,128}$/.test(incoming) ? incoming : randomUUID();
    res.setHeader("x-request-id", requestId);
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
  web.use(securityHeaders(config));
  web.use(restRoutes(app));
  web.use(geolocationRoutes(app));
  // Staff exports (CSV, XLSX) and calendar feeds (iCal): server/http/exports.ts, server/http/calendar.ts.
  web.use(exportRoutes(app));
  web.use(calendarRoutes(app));
  const metricsAt = metricsPlacement(config);
  if (metricsAt === "main") web.use(metricsRoutes(app));
  // METRICS_PORT: a listener of its own, for a network the public never reaches.
  const metricsServer = metricsAt === "separate" ? http.createServer(express().disable("x-powered-by").use(metricsRoutes(app))) : undefined;
  web.use(paymentWebhookRoutes(app));
  web.use(receiptRoutes(app));
  // Embedded only: npm run db:backup asks the running instance for a snapshot (server/http/backup.ts).
  web.use(backupRoutes(app));
  web.use(tenantExportRoutes(app));
  web.use(messageWebhookRoutes(app));
  web.use(await adminRoutes(app, httpServer));
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
  web.use("/graphql", async (req, _res, next) => {
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
      errors: [
        { message: translate(language, "http.notFound", { method: req.method, path: req.path }), extensions: { code: "NOT_FOUND" } },
      ],
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
        errors: [
          { message: translate(language, "http.tooLarge", { limit: config.limits.bodyBytes }), extensions: { code: "PAYLOAD_TOO_LARGE" } },
        ],
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
    reportError(error, { transport: "http", path: req.path });
    res.status(500).json({
      errors: [
        {
          message: translate(language, "internal", { requestId: res.getHeader("x-request-id") as string }),
          extensions: { code: "INTERNAL_SERVER_ERROR" },
        },
      ],
    });
  });

  let baseUrl = "";
  let metricsUrl: string | undefined;
  const urlOf = (server: http.Server, configuredHost: string | undefined) => {
    const { port } = server.address() as AddressInfo;
    const host = !configuredHost || configuredHost === "0.0.0.0" || configuredHost === "::" ? "localhost" : configuredHost;
    return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  };
  /** Listens, turning a port that cannot be had into one line for the operator (see listenError). */
  const listenOn = async (server: http.Server, port: number, host: string | undefined, names: ListenVariables) => {
    // The WebSocket server re-emits the HTTP server's errors (graphql-ws then logs a stack):
    // a listen error is reported here, once, so its listeners step aside until listening.
    const others = server.listeners("error") as ((error: Error) => void)[];
    for (const listener of others) server.off("error", listener);
    try {
      await new Promise<void>((resolve, reject) => {
        const fail = (error: NodeJS.ErrnoException) => reject(listenError(error, port, host, names));
        server.once("error", fail);
        server.listen(port, host, () => {
          server.off("error", fail);
          resolve();
        });
      });
    } finally {
      for (const listener of others) server.on("error", listener);
    }
  };
  const server: RosterServer = {
    deps: app,
    httpServer,
    fanout: ws.fanout,
    async listen() {
      await listenOn(httpServer, config.port, config.host, { port: "PORT", host: "HOST" });
      baseUrl = urlOf(httpServer, config.host);
      if (metricsServer) {
        const host = config.metrics.host ?? config.host;
        await listenOn(metricsServer, config.metrics.port!, host, {
          port: "METRICS_PORT",
          host: config.metrics.host ? "METRICS_HOST" : "HOST",
        });
        metricsUrl = `${urlOf(metricsServer, host)}/metrics`;
      } else if (metricsAt === "main") {
        metricsUrl = `${baseUrl}/metrics`;
      }
      return baseUrl;
    },
    url: () => baseUrl,
    metricsUrl: () => metricsUrl,
    drain(graceMs = config.shutdownGraceMs) {
      draining ??= (async () => {
        const graceOver = delay(graceMs);
        // No new connections; idle keep-alive ones close now (http.Server.close does that since Node 19).
        const closed = new Promise<void>((resolve) => (httpServer.listening ? httpServer.close(() => resolve()) : resolve()));
        const metricsClosed = new Promise<void>((resolve) => (metricsServer?.listening ? metricsServer.close(() => resolve()) : resolve()));
        httpServer.closeIdleConnections();
        for (const res of responses) if (!res.headersSent) res.setHeader("connection", "close");
        const answered = responses.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => (drained = resolve));
        // ws.close() sends 1001 to every socket and waits for the close handshakes.
        const socketsClosed = ws.close().catch((error) => log.warn({ err: error }, "closing WebSockets failed"));
        await Promise.race([Promise.all([answered, socketsClosed]), graceOver.promise]);
        graceOver.cancel();
        if (responses.size > 0 || ws.wss.clients.size > 0) {
          log.warn({ requests: responses.size, sockets: ws.wss.clients.size, graceMs }, "shutdown grace period over: cutting what is left");
        }
        for (const socket of ws.wss.clients) socket.terminate();
        httpServer.closeAllConnections();
        metricsServer?.closeAllConnections();
        // A socket neither HTTP nor WebSocket (an upgrade half done) must not hold the exit either.
        const settle = delay(500);
        await Promise.race([Promise.all([closed, metricsClosed]), settle.promise]);
        settle.cancel();
        await apollo.stop();
      })();
      return draining;
    },
    close() {
      closing ??= (async () => {
        await server.drain();
        await closeDeps(app);
      })();
      return closing;
    },
  };
  return server;
}

/** A timer as a promise that does not keep the process alive. */
function delay(ms: number) {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms).unref()));
  return { promise, cancel: () => clearTimeout(timer) };
}

/** The variables that set a listener's port and address, for the message. */
interface ListenVariables {
  port: string;
  host: string;
}

/** A port that cannot be had is one line for the operator (exit 75/77/78), not a stack trace. */
function listenError(error: NodeJS.ErrnoException, port: number, host: string | undefined, names: ListenVariables): Error {
  const where = host ? ` on ${host}` : "";
  switch (error.code) {
    case "EADDRINUSE":
      return new StartupError(`port ${port} is in use${where}; set ${names.port} (or stop the process that has it)`, EXIT.inUse);
    case "EACCES":
      return new StartupError(
        `not allowed to listen on port ${port}${where} (ports below 1024 need privileges); set ${names.port}`,
        EXIT.noPermission,
      );
    case "EADDRNOTAVAIL":
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return new ConfigError(`${names.host}: cannot listen on ${host}: not an address of this machine (got "${host}")`);
    default:
      return error;
  }
}
