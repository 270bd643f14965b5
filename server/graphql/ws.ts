/**
 * GraphQL over WebSocket (graphql-ws) on the same port and path as HTTP.
 * Connections authenticate once with the access token (or device token) in
 * `connectionParams`; every operation, and every subscription event, then runs
 * in its own request context, so it sees exactly what an HTTP request would.
 *
 * Close codes: 4401 no or bad token (or session signed out), 4429 too many
 * connections, subscriptions or messages.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, Server } from "node:http";
import {
  createSourceEventStream,
  execute,
  GraphQLError,
  parse,
  specifiedRules,
  validate,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
} from "graphql";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer, type WebSocket } from "ws";
import type { AppDeps } from "../app-deps";
import { readCredentials, withRequestContext, type Credentials, type RequestInput } from "../context";
import { AppError, toClientError } from "../errors";
import { fromAcceptLanguage } from "../i18n";
import { runWithRequestStore } from "../request-store";
import { parseOptions, queryProtection } from "./protection";

export const WS_CLOSE = {
  unauthorized: 4401,
  tooMany: 4429,
} as const;

interface ConnectionInfo {
  id: string;
  socket: WebSocket;
  credentials: Credentials;
  ip: string;
  userAgent: string | null;
  acceptLanguage?: string;
  userKey?: string;
  events: number;
}

interface Extra extends Record<PropertyKey, unknown> {
  socket: WebSocket;
  request: IncomingMessage;
  info?: ConnectionInfo;
}

/** The client's address: the first X-Forwarded-For hop when TRUST_PROXY is set (behind a balancer). */
function addressOf(request: IncomingMessage, trustProxy: boolean): string {
  const forwarded = trustProxy ? request.headers["x-forwarded-for"] : undefined;
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(",")[0]?.trim();
  return first || request.socket.remoteAddress || "unknown";
}

/** Authorization from connectionParams: `authorization: "Bearer …"`, or `accessToken` / `deviceToken`. */
function authorizationOf(params: Record<string, unknown> | undefined): string | undefined {
  if (!params) return undefined;
  const raw = params.authorization ?? params.Authorization;
  if (typeof raw === "string") return raw;
  if (typeof params.accessToken === "string") return `Bearer ${params.accessToken}`;
  if (typeof params.deviceToken === "string") return `Device ${params.deviceToken}`;
  return undefined;
}

export function attachWebSocket(app: AppDeps, schema: GraphQLSchema, httpServer: Server) {
  const { limits } = app.config;
  const wss = new WebSocketServer({ server: httpServer, path: "/graphql", maxPayload: limits.bodyBytes });
  const connectionsPerIp = new Map<string, number>();
  const connectionsPerUser = new Map<string, number>();
  const rules = [...specifiedRules, ...queryProtection(app.config).validationRules];
  const bump = (map: Map<string, number>, key: string, by: number) => {
    const next = (map.get(key) ?? 0) + by;
    if (next <= 0) map.delete(key);
    else map.set(key, next);
    return next;
  };

  // Transport-level limits, before graphql-ws sees a message.
  wss.on("connection", (socket, request) => {
    const ip = addressOf(request, app.config.http.trustProxy);
    app.metrics.wsConnections.inc();
    socket.once("close", () => {
      bump(connectionsPerIp, ip, -1);
      app.metrics.wsConnections.dec();
    });
    if (bump(connectionsPerIp, ip, 1) > limits.wsConnectionsPerIp) {
      socket.close(WS_CLOSE.tooMany, "Too many connections from this address");
      return;
    }
    let windowStart = Date.now();
    let messages = 0;
    socket.on("message", () => {
      const now = Date.now();
      if (now - windowStart >= 1000) {
        windowStart = now;
        messages = 0;
      }
      if (++messages > limits.wsMessagesPerSecond) socket.close(WS_CLOSE.tooMany, "Too many messages");
    });
  });

  const requestInput = (info: ConnectionInfo): RequestInput => ({
    requestId: `${info.id}:${++info.events}`,
    credentials: info.credentials,
    ip: info.ip,
    userAgent: info.userAgent,
    acceptLanguage: info.acceptLanguage,
  });

  /** Runs `fn` in a request context for this connection; a signed-out session closes the socket. */
  const inContext = <T>(info: ConnectionInfo, fn: Parameters<typeof withRequestContext<T>>[2]) => {
    const input = requestInput(info);
    const store = { requestId: input.requestId, language: fromAcceptLanguage(info.acceptLanguage) ?? "ar", sqlStatements: 0 };
    return runWithRequestStore(store, () =>
      withRequestContext(app, input, async (ctx) => {
        if (ctx.viewer.kind === "anonymous") {
          info.socket.close(WS_CLOSE.unauthorized, "Unauthorized: the session has been signed out");
          throw new AppError("UNAUTHENTICATED", "auth.sessionRevoked");
        }
        return fn(ctx);
      }),
    );
  };

  const safeResult = (result: ExecutionResult): ExecutionResult => {
    if (!result.errors?.length) return result;
    return {
      ...result,
      errors: result.errors.map((error) => {
        const { error: safe, unexpected } = toClientError(error.toJSON(), error, { hideSuggestions: app.config.nodeEnv === "production" });
        if (unexpected) app.log.error({ err: unexpected }, "unexpected error (ws)");
        return new GraphQLError(safe.message, { path: safe.path, extensions: safe.extensions });
      }),
    };
  };

  const errorResult = (error: unknown): ExecutionResult =>
    safeResult({ errors: [error instanceof GraphQLError ? error : new GraphQLError("error", { originalError: error as Error })] });

  const server = useServer<Record<string, unknown> | undefined, Extra>(
    {
      schema,
      parse: (source) => parse(source, parseOptions(app.config)),
      validate: (s, document) => validate(s, document, rules),
      onConnect: async (ctx) => {
        const { socket, request } = ctx.extra;
        const credentials = await readCredentials(app, authorizationOf(ctx.connectionParams));
        if (credentials.kind !== "bearer" && credentials.kind !== "device") {
          const reason = credentials.kind === "invalid" ? credentials.messageKey : "auth.required";
          socket.close(WS_CLOSE.unauthorized, `Unauthorized: ${reason}`);
          return false;
        }
        const userKey = credentials.kind === "bearer" ? `user:${credentials.claims.userId}` : `device:${credentials.token.slice(0, 48)}`;
        if (bump(connectionsPerUser, userKey, 1) > limits.wsConnectionsPerUser) {
          bump(connectionsPerUser, userKey, -1);
          socket.close(WS_CLOSE.tooMany, "Too many connections for this user");
          return false;
        }
        socket.once("close", () => bump(connectionsPerUser, userKey, -1));
        ctx.extra.info = {
          id: randomUUID(),
          socket,
          credentials,
          ip: addressOf(request, app.config.http.trustProxy),
          userAgent: request.headers["user-agent"] ?? null,
          acceptLanguage: request.headers["accept-language"],
          userKey,
          events: 0,
        };
        return true;
      },
      onSubscribe: (ctx) => {
        if (Object.keys(ctx.subscriptions).length >= limits.wsSubscriptionsPerConnection) {
          ctx.extra.socket.close(WS_CLOSE.tooMany, `Too many subscriptions on this connection (max ${limits.wsSubscriptionsPerConnection})`);
          return [new GraphQLError("Too many subscriptions", { extensions: { code: "RATE_LIMITED" } })];
        }
        return undefined;
      },
      context: (ctx) => ctx.extra.info as unknown as Record<string, unknown>,
      execute: (async (args: ExecutionArgs) => {
        const info = args.contextValue as ConnectionInfo;
        try {
          return safeResult(await inContext(info, (ctx) => Promise.resolve(execute({ ...args, contextValue: ctx }))));
        } catch (error) {
          return errorResult(error);
        }
      }) as never,
      subscribe: (async (args: ExecutionArgs) => {
        const info = args.contextValue as ConnectionInfo;
        let source: Awaited<ReturnType<typeof createSourceEventStream>>;
        try {
          source = await inContext(info, (ctx) => Promise.resolve(createSourceEventStream({ ...args, contextValue: ctx })));
        } catch (error) {
          return errorResult(error);
        }
        if (!(Symbol.asyncIterator in source)) return safeResult(source);
        app.metrics.wsSubscriptions.inc();
        return mapEvents(source[Symbol.asyncIterator](), async (payload) => {
          try {
            return safeResult(
              await inContext(info, (ctx) => Promise.resolve(execute({ ...args, contextValue: ctx, rootValue: payload }))),
            );
          } catch (error) {
            return errorResult(error);
          }
        }, () => app.metrics.wsSubscriptions.dec());
      }) as never,
      onError: (_ctx, _id, _payload, errors) => errors.map((error) => {
        const { error: safe } = toClientError(error.toJSON(), error, { hideSuggestions: app.config.nodeEnv === "production" });
        return new GraphQLError(safe.message, { extensions: safe.extensions });
      }),
    },
    wss,
  );

  return {
    wss,
    async close() {
      for (const client of wss.clients) client.close(1001, "Server shutting down");
      await server.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** Maps each source event through `map`; ending the result ends (unsubscribes) the source. */
function mapEvents<T>(
  source: AsyncIterator<unknown>,
  map: (payload: unknown) => Promise<T>,
  onEnd: () => void,
): AsyncIterableIterator<T> {
  let ended = false;
  const end = async () => {
    if (ended) return;
    ended = true;
    onEnd();
    await source.return?.(undefined);
  };
  const iterator: AsyncIterableIterator<T> = {
    async next() {
      const result = await source.next();
      if (result.done) {
        await end();
        return { value: undefined, done: true };
      }
      return { value: await map(result.value), done: false };
    },
    async return() {
      await end();
      return { value: undefined, done: true };
    },
    async throw(error) {
      await end();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
