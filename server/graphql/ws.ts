/**
 * GraphQL over WebSocket (graphql-ws) on the same port and path as HTTP, with
 * the same checks and the same typed errors.
 *
 * A connection authenticates once, at connection_init: the access token (or
 * device token) in `connectionParams` is verified and its session (or device)
 * read; a bad one closes the socket with 4401 before any operation. The viewer
 * is then kept for the socket's life, which ends
 * - when the access token expires (4401: the client reconnects with a fresh one),
 * - when access changes — session signed out, roles changed, device revoked —
 *   told to every instance through the bus (4401),
 * - when the client cannot keep up with its events (1013: try again later).
 *
 * Queries and mutations run like HTTP requests (server/graphql/executor.ts).
 * Subscriptions are authorised at subscribe time and served by the fan-out
 * (server/realtime/fanout.ts): each event is resolved once per audience.
 *
 * Close codes: 4401 unauthorised (bad or expired token, access changed),
 * 4403 forbidden (the token's tenant is suspended),
 * 4429 too many connections, subscriptions or messages, 1013 too slow a reader,
 * 1001 server shutting down. Bad documents do not close the socket: they answer
 * an `error` message with GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED or
 * BAD_USER_INPUT, as HTTP does.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, Server } from "node:http";
import {
  createSourceEventStream,
  getOperationAST,
  GraphQLError,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
} from "graphql";
import { isCompiledQuery } from "graphql-jit";
import type { SubscribePayload } from "graphql-ws";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer, type WebSocket } from "ws";
import type { AppDeps } from "../app-deps";
import { isStaff, type Viewer } from "../auth/viewer";
import { readCredentials, withRequestContext, type Credentials, type KnownViewer, type RequestInput } from "../context";
import { AppError, toClientError } from "../errors";
import { fromAcceptLanguage, type Language } from "../i18n";
import { Topic } from "../pubsub/topics";
import type { AccessChange } from "../realtime/access";
import { personalDocument } from "../realtime/audience";
import { createFanout, type Subscriber } from "../realtime/fanout";
import { isLiveSource, LIVE } from "../realtime/live";
import { reportError, type ErrorScope } from "../observability/sentry";
import { runWithRequestStore } from "../request-store";
import type { Executor } from "./executor";
import type { PersistedReference } from "./trusted-documents";
import { parseOptions, queryProtection } from "./protection";

export const WS_CLOSE = {
  goingAway: 1001,
  slowConsumer: 1013,
  unauthorized: 4401,
  forbidden: 4403,
  tooMany: 4429,
} as const;

interface Connection {
  id: string;
  socket: WebSocket;
  credentials: Credentials;
  known: KnownViewer;
  ip: string;
  userAgent: string | null;
  acceptLanguage?: string;
  operations: number;
  /** Closes the socket when the access token expires. */
  expiry?: NodeJS.Timeout;
}

/** What an operation of a connection carries from onSubscribe to execute/subscribe. */
interface OperationContext {
  connection: Connection;
  /** The client's id of the operation (messages of a subscription carry it). */
  id: string;
}

interface Extra extends Record<PropertyKey, unknown> {
  socket: WebSocket;
  request: IncomingMessage;
  connection?: Connection;
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

/** Parsed and validated documents by text: equal texts share one document (and its compiled query). */
class DocumentCache {
  private readonly documents = new Map<string, DocumentNode | readonly GraphQLError[]>();
  constructor(private readonly max = 1000) {}
  get(query: string, make: () => DocumentNode | readonly GraphQLError[]) {
    let entry = this.documents.get(query);
    if (!entry) {
      entry = make();
      if (this.documents.size >= this.max) this.documents.delete(this.documents.keys().next().value!);
      this.documents.set(query, entry);
    }
    return entry;
  }
}

export function attachWebSocket(app: AppDeps, schema: GraphQLSchema, httpServer: Server, executor: Executor) {
  const { limits } = app.config;
  const production = app.config.nodeEnv === "production";
  const wss = new WebSocketServer({ server: httpServer, path: "/graphql", maxPayload: limits.bodyBytes });
  const fanout = createFanout(app);
  const documents = new DocumentCache();
  const documentIds = new WeakMap<DocumentNode, number>();
  let nextDocumentId = 0;
  const connectionsPerIp = new Map<string, number>();
  const connectionsPerUser = new Map<string, number>();
  const rules = [...specifiedRules, ...queryProtection(app.config).validationRules];
  const bump = (map: Map<string, number>, key: string, by: number) => {
    const next = (map.get(key) ?? 0) + by;
    if (next <= 0) map.delete(key);
    else map.set(key, next);
    return next;
  };

  // Open connections by what can end their access.
  const bySession = new Map<string, Set<Connection>>();
  const byUser = new Map<string, Set<Connection>>();
  const byDevice = new Map<string, Set<Connection>>();
  const index = (map: Map<string, Set<Connection>>, key: string | undefined, connection: Connection, add: boolean) => {
    if (!key) return;
    const set = map.get(key) ?? new Set();
    if (add) map.set(key, set.add(connection));
    else if (set.delete(connection) && set.size === 0) map.delete(key);
  };
  const indexConnection = (connection: Connection, add: boolean) => {
    const viewer = connection.known.viewer;
    index(bySession, viewer.kind === "user" ? viewer.sessionId : undefined, connection, add);
    index(byUser, viewer.kind === "user" ? viewer.userId : undefined, connection, add);
    index(byDevice, viewer.kind === "device" ? viewer.deviceId : undefined, connection, add);
  };

  /** Closes the sockets an access change ends (on every instance: the change comes through the bus). */
  const accessListener = app.bus.subscribe(Topic.AccessChanged, []);
  void accessListener.then(async (changes) => {
    for await (const change of changes) {
      for (const connection of affected(change)) {
        connection.socket.close(WS_CLOSE.unauthorized, "Unauthorized: access changed; reconnect");
      }
    }
  });
  function affected(change: AccessChange): Connection[] {
    if ("sessionId" in change) return [...(bySession.get(change.sessionId) ?? [])];
    if ("deviceId" in change) return [...(byDevice.get(change.deviceId) ?? [])];
    if ("suspendedTenantId" in change) {
      const all = new Set([...byUser.values(), ...byDevice.values()].flatMap((set) => [...set]));
      return [...all].filter((connection) => connection.known.tenant?.id === change.suspendedTenantId);
    }
    const of = [...(byUser.get(change.userId) ?? [])];
    return change.tenantId ? of.filter((connection) => connection.known.tenant?.id === change.tenantId) : of;
  }

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

  const requestInput = (connection: Connection): RequestInput => ({
    requestId: `${connection.id}:${++connection.operations}`,
    credentials: connection.credentials,
    ip: connection.ip,
    userAgent: connection.userAgent,
    acceptLanguage: connection.acceptLanguage,
  });

  /** Errors as clients may see them, written (and logged) in a request store of the connection. */
  type ReportTags = Omit<ErrorScope, "transport" | "requestId">;
  /** The operation's name as sent, or as written in the document. */
  const operationNameOf = (args: ExecutionArgs) => args.operationName ?? getOperationAST(args.document, args.operationName)?.name?.value;
  /** Who asked what on a connection: tags of an error report. */
  const tagsOf = (connection: Connection | undefined, operationName?: string | null): ReportTags => {
    const viewer = connection?.known?.viewer;
    return { operationName, tenantId: connection?.known?.tenant?.id, userId: viewer?.kind === "user" ? viewer.userId : undefined };
  };
  const safeErrors = (errors: readonly GraphQLError[], requestId: string, language: Language, tags: ReportTags = {}): GraphQLError[] =>
    runWithRequestStore({ requestId, language, sqlStatements: 0 }, () =>
      errors.map((error) => {
        const { error: safe, unexpected } = toClientError(error.toJSON(), error, { hideSuggestions: production });
        if (unexpected) {
          app.log.error({ err: unexpected, requestId }, "unexpected error (ws)");
          reportError(unexpected, { transport: "ws", requestId, ...tags });
        }
        return new GraphQLError(safe.message, { path: safe.path, extensions: safe.extensions });
      }),
    );
  const safeResult = (result: ExecutionResult, requestId: string, language: Language, tags: ReportTags = {}): ExecutionResult =>
    result.errors?.length ? { ...result, errors: safeErrors(result.errors, requestId, language, tags) } : result;
  const withCode = (errors: readonly GraphQLError[], code: string) =>
    errors.map(
      (error) =>
        new GraphQLError(error.message, {
          nodes: error.nodes,
          source: error.source,
          positions: error.positions,
          extensions: { ...error.extensions, code: error.extensions.code ?? code },
        }),
    );

  /** The audience a subscriber belongs to: who else gets exactly the same answer. */
  const visibilityOf = (viewer: Viewer, tenantId: string | undefined, personal: boolean): string => {
    if (viewer.kind === "device") return `device:${tenantId}`;
    if (viewer.kind !== "user") return "anonymous";
    // Staff see the same things, unless the document asks for something about the viewer themself.
    if (isStaff(viewer) && !personal) return `staff:${tenantId}:${[...viewer.roles].sort().join(",")}`;
    return `user:${viewer.userId}:${tenantId}`;
  };

  const server = useServer<Record<string, unknown> | undefined, Extra>(
    {
      schema,
      onConnect: async (ctx) => {
        const { socket, request } = ctx.extra;
        const credentials = await readCredentials(app, authorizationOf(ctx.connectionParams));
        if (credentials.kind !== "bearer" && credentials.kind !== "device") {
          const reason = credentials.kind === "invalid" ? credentials.messageKey : "auth.required";
          socket.close(WS_CLOSE.unauthorized, `Unauthorized: ${reason}`);
          return false;
        }
        const acceptLanguage = request.headers["accept-language"];
        const connection: Connection = {
          id: randomUUID(),
          socket,
          credentials,
          known: undefined as unknown as KnownViewer,
          ip: addressOf(request, app.config.http.trustProxy),
          userAgent: request.headers["user-agent"] ?? null,
          acceptLanguage,
          operations: 0,
        };
        // The session (or device) is read now: a forged, unknown or signed-out one never gets an ack.
        const input = requestInput(connection);
        const language = fromAcceptLanguage(acceptLanguage) ?? "ar";
        const known = await runWithRequestStore({ requestId: input.requestId, language, sqlStatements: 0 }, () =>
          withRequestContext(app, input, async (context) => ({
            requestId: input.requestId,
            viewer: context.viewer,
            tenant: context.tenant,
            language: context.language,
            ip: connection.ip,
            userAgent: connection.userAgent,
            user: context.viewer.kind === "user" ? ((await context.loaders.user.load(context.viewer.userId)) ?? undefined) : undefined,
            membership: context.viewer.kind === "user" ? await context.loaders.membershipByUser.load(context.viewer.userId) : undefined,
          })),
        ).catch((error) => {
          // A suspended tenant's members are told so (4403), not sent to sign in again.
          if (error instanceof AppError && error.code === "TENANT_SUSPENDED") return "suspended" as const;
          return undefined;
        });
        if (known === "suspended") {
          socket.close(WS_CLOSE.forbidden, "Forbidden: tenant.suspended");
          return false;
        }
        if (!known || known.viewer.kind === "anonymous") {
          const reason = known?.viewer.kind === "anonymous" ? (known.viewer.credentialError ?? "auth.required") : "auth.tokenInvalid";
          socket.close(WS_CLOSE.unauthorized, `Unauthorized: ${reason}`);
          return false;
        }
        connection.known = known;
        const userKey =
          known.viewer.kind === "user"
            ? `user:${known.viewer.userId}`
            : `device:${known.viewer.kind === "device" ? known.viewer.deviceId : ""}`;
        if (bump(connectionsPerUser, userKey, 1) > limits.wsConnectionsPerUser) {
          bump(connectionsPerUser, userKey, -1);
          socket.close(WS_CLOSE.tooMany, "Too many connections for this user");
          return false;
        }
        indexConnection(connection, true);
        if (credentials.kind === "bearer") {
          // A socket lives no longer than its access token.
          const left = Math.min(credentials.claims.expiresAt.getTime() - Date.now(), 2 ** 31 - 1);
          connection.expiry = setTimeout(
            () => socket.close(WS_CLOSE.unauthorized, "Unauthorized: the access token expired"),
            Math.max(0, left),
          );
        }
        socket.once("close", () => {
          bump(connectionsPerUser, userKey, -1);
          indexConnection(connection, false);
          clearTimeout(connection.expiry);
        });
        ctx.extra.connection = connection;
        return true;
      },
      // Errors returned here are made safe once, by onError.
      onSubscribe: (ctx, id, payload: SubscribePayload) => {
        const connection = ctx.extra.connection!;
        // graphql-ws counts this subscription already.
        if (Object.keys(ctx.subscriptions).length > limits.wsSubscriptionsPerConnection) {
          ctx.extra.socket.close(
            WS_CLOSE.tooMany,
            `Too many subscriptions on this connection (max ${limits.wsSubscriptionsPerConnection})`,
          );
          return [new GraphQLError("Too many subscriptions", { extensions: { code: "RATE_LIMITED" } })];
        }
        // A listed operation named by hash (documentId or extensions.persistedQuery, with an empty query) runs as its listed text.
        let text = payload.query;
        if (text === "") {
          const hash = executor.trusted.hashOf(payload as PersistedReference);
          try {
            text = (hash !== undefined && executor.trusted.textFor(hash)) || text;
          } catch (error) {
            return [error as AppError];
          }
        }
        const document = documents.get(text, () => {
          let parsed: DocumentNode;
          try {
            parsed = parse(text, parseOptions(app.config));
          } catch (error) {
            return withCode([error as GraphQLError], "GRAPHQL_PARSE_FAILED");
          }
          const invalid = validate(schema, parsed, rules);
          return invalid.length ? withCode(invalid, "GRAPHQL_VALIDATION_FAILED") : parsed;
        });
        if (!("kind" in document)) return [...document];
        const operation = getOperationAST(document, payload.operationName);
        if (!operation) return [new GraphQLError("Unable to identify operation", { extensions: { code: "GRAPHQL_VALIDATION_FAILED" } })];
        const variables = (payload.variables ?? {}) as Record<string, unknown>;
        const refused = executor.check(
          { document, operationName: payload.operationName, variables, request: requestInput(connection) },
          connection.known.viewer,
        );
        if (refused) return [...refused];
        const operationContext: OperationContext = { connection, id };
        return {
          schema,
          document,
          operationName: payload.operationName,
          variableValues: variables,
          contextValue: operationContext,
        } satisfies ExecutionArgs;
      },
      execute: (async (args: ExecutionArgs) => {
        const { connection } = args.contextValue as OperationContext;
        const input = requestInput(connection);
        const { failure, ...result } = await executor.execute({
          document: args.document,
          operationName: args.operationName,
          variables: args.variableValues as Record<string, unknown>,
          request: input,
        });
        if (failure?.code === "UNAUTHENTICATED")
          connection.socket.close(WS_CLOSE.unauthorized, "Unauthorized: the session has been signed out");
        return safeResult(result, input.requestId, connection.known.language, tagsOf(connection, operationNameOf(args)));
      }) as never,
      subscribe: (async (args: ExecutionArgs) => {
        const { connection, id } = args.contextValue as OperationContext;
        const input = requestInput(connection);
        const language = connection.known.language;
        // Authorised now, with the database: the service picks the channel and what the viewer may see.
        let source: unknown;
        try {
          source = await runWithRequestStore({ requestId: input.requestId, language, sqlStatements: 0 }, () =>
            withRequestContext(app, input, (ctx) => {
              if (ctx.viewer.kind === "anonymous")
                throw new AppError("UNAUTHENTICATED", ctx.viewer.credentialError ?? "auth.sessionRevoked");
              return Promise.resolve(createSourceEventStream({ ...args, contextValue: ctx }));
            }),
          );
        } catch (error) {
          return safeResult(
            { errors: [error instanceof GraphQLError ? error : new GraphQLError("error", { originalError: error as Error })] },
            input.requestId,
            language,
            tagsOf(connection, operationNameOf(args)),
          );
        }
        if (!isLiveSource(source))
          return safeResult(source as ExecutionResult, input.requestId, language, tagsOf(connection, operationNameOf(args)));
        const query = executor.compiled(args.document, args.operationName);
        if (!isCompiledQuery(query)) return safeResult(query, input.requestId, language, tagsOf(connection, operationNameOf(args)));
        const spec = source[LIVE];
        let documentId = documentIds.get(args.document);
        if (documentId === undefined) documentIds.set(args.document, (documentId = ++nextDocumentId));
        const viewer = connection.known.viewer;
        const tenantId = connection.known.tenant?.id;
        const personal = personalDocument(schema, args.document, args.operationName);
        // Events are sent straight to the socket, the answer serialised once per audience
        // (graphql-ws would serialise it again for every socket); graphql-ws still owns the
        // subscription's life: complete and close end it through the iterator below.
        const prefix = Buffer.from(`{"id":${JSON.stringify(id)},"type":"next","payload":`);
        const socket = connection.socket;
        const subscriber: Subscriber = {
          spec,
          audienceKey: `${documentId}|${args.operationName ?? ""}|${JSON.stringify(args.variableValues ?? {})}|${visibilityOf(viewer, tenantId, personal)}`,
          audience: { ...connection.known, requestId: `${connection.id}:event` },
          scope: { tenantId: tenantId ?? null, userId: spec.scope === "user" && viewer.kind === "user" ? viewer.userId : null },
          resolve: async (ctx, payload) => {
            const result = (await query.query(payload, ctx, (args.variableValues ?? {}) as Record<string, unknown>)) as ExecutionResult;
            return safeResult(result, ctx.requestId, ctx.language, tagsOf(connection, operationNameOf(args)));
          },
          deliver: (payload) => {
            if (socket.readyState !== socket.OPEN) return false;
            if (socket.bufferedAmount > limits.wsSendBufferBytes) {
              socket.close(WS_CLOSE.slowConsumer, "Slow consumer: send buffer full");
              return false;
            }
            // One text frame of bytes encoded once per socket (prefix) and once per audience (payload).
            socket.send(Buffer.concat([prefix, payload]), { binary: false });
            return true;
          },
        };
        await fanout.add(subscriber);
        app.metrics.wsSubscriptions.inc();
        return untilEnded(async () => {
          app.metrics.wsSubscriptions.dec();
          await fanout.remove(subscriber);
        });
      }) as never,
      onError: (ctx, _id, _payload, errors) => {
        const connection = ctx.extra.connection;
        const requestId = connection ? `${connection.id}:${++connection.operations}` : randomUUID();
        return safeErrors(errors, requestId, connection?.known.language ?? "en", tagsOf(connection)).map((error) => error.toJSON());
      },
    },
    wss,
  );

  return {
    wss,
    fanout,
    async close() {
      for (const client of wss.clients) client.close(WS_CLOSE.goingAway, "Server shutting down");
      await server.dispose();
      await (await accessListener).return?.();
    },
  };
}

/**
 * The iterator graphql-ws holds for a subscription served by the fan-out: it
 * yields nothing (events go straight to the socket) and ends when graphql-ws ends
 * it — the client's complete, or the socket's close — running `onEnd` once.
 */
function untilEnded(onEnd: () => Promise<void>): AsyncIterableIterator<never> {
  let finish!: (result: IteratorResult<never>) => void;
  const finished = new Promise<IteratorResult<never>>((resolve) => (finish = resolve));
  let ended = false;
  const end = async (): Promise<IteratorResult<never>> => {
    if (!ended) {
      ended = true;
      await onEnd();
      finish({ value: undefined, done: true });
    }
    return { value: undefined, done: true };
  };
  const iterator: AsyncIterableIterator<never> = {
    next: () => finished,
    return: end,
    throw: async (error) => {
      await end();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
