/**
 * Apollo Server over HTTP. Apollo parses and validates; execution is ours
 * (server/graphql/executor.ts, plugged in as Apollo's gateway executor): the cost
 * check, then one request context (one transaction under row-level security)
 * running a compiled query, then its events are published.
 */
import { ApolloServer, HeaderMap, type ApolloServerPlugin, type HTTPGraphQLRequest } from "@apollo/server";
import type { GatewayInterface } from "@apollo/server-gateway-interface";
import { ApolloServerPluginCacheControlDisabled } from "@apollo/server/plugin/disabled";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { ApolloServerPluginLandingPageLocalDefault } from "@apollo/server/plugin/landingPage/default";
import type { Request, Response } from "express";
import { GraphQLError, type GraphQLSchema } from "graphql";
import { createHash } from "node:crypto";
import type { Server } from "node:http";
import type { AppDeps } from "../app-deps";
import { readCredentials, type RequestInput } from "../context";
import { AppError, httpStatusOf, requestFailure, toClientError } from "../errors";
import { clientIp } from "../http/client-ip";
import { refreshCookieJar } from "../http/refresh-cookie";
import { consume } from "../rate-limits";
import { reportError } from "../observability/sentry";
import { currentRequest } from "../request-store";
import { createExecutor, DATA_CLOSE, DATA_OPEN, serializedBody, type Executor } from "./executor";
import { parseOptions, queryProtection } from "./protection";
import { trustedDocumentsFor, type PersistedReference, type TrustedDocuments } from "./trusted-documents";

/** What Apollo carries for a request: what the transport knows. The real Context is built by the executor. */
export interface Envelope {
  request: RequestInput;
}
type Context = Envelope;

/** Adds `extensions.diagnostics` (SQL statements of this request) when enabled. */
const diagnosticsPlugin: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        const store = currentRequest();
        if (store && response.body.kind === "single") {
          response.body.singleResult.extensions = {
            ...response.body.singleResult.extensions,
            diagnostics: { sqlStatements: store.sqlStatements, rawSubtrees: store.rawSubtrees ?? 0 },
          };
        }
      },
    };
  },
};

/**
 * A short digest of a request's SQL texts: requests of one shape share it, so the
 * warn line can be grouped and matched to the debug line with the full texts.
 */
export const sqlFingerprint = (sql: string[] | undefined) =>
  sql?.length ? createHash("sha256").update(sql.join("\n")).digest("hex").slice(0, 12) : null;

function metricsPlugin(app: AppDeps): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse({ operation, operationName, errors, response }) {
          const outcome = errors?.length || (response.body.kind === "single" && response.body.singleResult.errors?.length) ? "error" : "ok";
          app.metrics.graphqlOperations.inc({ type: operation?.operation ?? "unknown", name: operationName ?? "", outcome });
          const store = currentRequest();
          if (store) app.metrics.sqlStatements.observe(store.sqlStatements);
          // Deliberate password hashing (argon2 in login, register …) is not slowness.
          const passwordMs = Math.round(store?.passwordMs ?? 0);
          const ms = Math.round(performance.now() - started);
          if (store && ms - passwordMs >= app.config.database.slowQueryMs) {
            const facts = {
              operation: operationName,
              ms,
              passwordMs,
              sqlStatements: store.sqlStatements,
              sqlFingerprint: sqlFingerprint(store.sql),
            };
            app.log.warn(facts, "slow request");
            app.log.debug({ ...facts, sql: store.sql }, "slow request SQL");
          }
        },
      };
    },
  };
}

/**
 * Apollo's gateway interface is its one hook for a custom executor: ours runs
 * the cost check and the compiled query in a request context.
 */
function rosterGateway(schema: GraphQLSchema, executor: Executor): GatewayInterface {
  return {
    async load() {
      return {
        executor: async (request) => {
          const { failure, ...result } = await executor.execute({
            document: request.document,
            operationName: request.operationName,
            variables: request.request.variables,
            request: (request.context as Envelope).request,
            // stringifyResult sends the executor's text: raw subtrees may be spliced in.
            asText: true,
          });
          if (!failure) return result;
          // The request failed as a whole: its HTTP status says how (Apollo reads extensions.http).
          const headers = new HeaderMap();
          // RFC 6750: a refused token says so in WWW-Authenticate.
          if (failure.code === "UNAUTHENTICATED") headers.set("www-authenticate", 'Bearer error="invalid_token"');
          if (failure.extensions.retryAfter) headers.set("retry-after", String(failure.extensions.retryAfter));
          const http = { status: httpStatusOf(failure.code), headers };
          return { errors: [new GraphQLError(failure.message, { originalError: failure, extensions: { ...failure.extensions, http } })] };
        },
      };
    },
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: "" });
      return () => {};
    },
    async stop() {},
  };
}

export async function createApollo(app: AppDeps, schema: GraphQLSchema, httpServer: Server, executor = createExecutor(app, schema)) {
  const protection = queryProtection(app.config);
  const server = new ApolloServer<Context>({
    gateway: rosterGateway(schema, executor),
    // The executor serialised `data` once already, to check the answer's size.
    stringifyResult: (result) => {
      const body = serializedBody(result.data);
      if (body === undefined) return `${JSON.stringify(result)}\n`;
      const { data: _, ...rest } = result;
      const tail = JSON.stringify(rest);
      if (tail === "{}") return body;
      const data = body.slice(DATA_OPEN.length, -DATA_CLOSE.length);
      return `${DATA_OPEN}${data},${tail.slice(1)}\n`;
    },
    // GRAPHQL_INTROSPECTION is enforced by protection's validation rule (shared with
    // WebSocket); Apollo's own copy of the rule would report every refusal twice.
    introspection: true,
    csrfPrevention: true,
    // server/main.ts owns SIGTERM/SIGINT and calls stop() in its shutdown; Apollo's own handler
    // raced it (a concurrent stop() never resolves in @apollo/server 5) and held exit for ~10 s.
    stopOnTerminationSignals: false,
    allowBatchedHttpRequests: false,
    includeStacktraceInErrorResponses: false,
    validationRules: protection.validationRules,
    parseOptions: parseOptions(app.config),
    formatError: (formatted, error) => {
      const { error: safe, unexpected } = toClientError(formatted, error, { hideSuggestions: app.config.nodeEnv === "production" });
      if (unexpected) {
        app.log.error({ err: unexpected, path: formatted.path }, "unexpected error");
        reportError(unexpected, { transport: "http" });
      }
      return safe;
    },
    plugins: [
      ...protection.plugins,
      // Cache-control hints are unused, and the plugin wraps every field's resolver.
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // One switch with introspection: the Sandbox is of no use without it. The embedded
      // page loads its script from Apollo's CDN (the browser needs the internet).
      app.config.graphql.introspection
        ? ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false })
        : ApolloServerPluginLandingPageDisabled(),
      metricsPlugin(app),
      ...(app.config.exposeDiagnostics ? [diagnosticsPlugin] : []),
    ],
  });
  await server.start();
  return server;
}

/** Express handler for /graphql: GET (queries, Sandbox) and POST. */
export function graphqlHandler(app: AppDeps, server: ApolloServer<Context>) {
  const trusted = trustedDocumentsFor(app.config);
  return async (req: Request, res: Response) => {
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(", ") : value);
    }
    const store = currentRequest()!;
    store.refreshCookie = refreshCookieJar(req, res, app.config);
    try {
      // A listed operation named by hash (documentId, APQ) runs as its listed text.
      const { search, body } = withPersistedText(trusted, new URL(req.originalUrl, "http://x").search, req.body);
      const httpGraphQLRequest: HTTPGraphQLRequest = { method: req.method.toUpperCase(), headers, search, body };
      // The Sandbox page (a browser GET without a query) needs no database.
      const isLandingPage = req.method === "GET" && !new URLSearchParams(search).get("query");
      const response = isLandingPage
        ? await server.executeHTTPGraphQLRequest({ httpGraphQLRequest, context: async () => ({}) as Context })
        : await requestInput(app, req).then((request) =>
            server.executeHTTPGraphQLRequest({ httpGraphQLRequest, context: async () => ({ request }) }),
          );
      for (const [key, value] of response.headers) res.setHeader(key, value);
      res.status(response.status ?? 200);
      if (response.body.kind === "complete") return void res.send(response.body.string);
      for await (const chunk of response.body.asyncIterator) res.write(chunk);
      res.end();
    } catch (error) {
      // A statement's error can surface at COMMIT (the transaction it aborted): typed like the statement's.
      const typed = requestFailure(error);
      if (!typed) {
        app.log.error({ err: error }, "request failed");
        reportError(error, { transport: "http" });
      } else app.log.debug({ code: typed.code, reason: typed.messageKey }, "request refused");
      const status = typed ? httpStatusOf(typed.code) : 500;
      // RFC 6750: a refused token says so in WWW-Authenticate.
      if (typed?.code === "UNAUTHENTICATED") res.setHeader("www-authenticate", 'Bearer error="invalid_token"');
      if (typed?.extensions.retryAfter) res.setHeader("retry-after", String(typed.extensions.retryAfter));
      const { error: safe } = toClientError({ message: typed?.message ?? "error" }, typed ?? error);
      res.status(status).json({ errors: [safe], extensions: { requestId: store.requestId } });
    }
  };
}

/**
 * The request with a hash-named listed operation's text put in: POST bodies
 * (`documentId` or `extensions.persistedQuery.sha256Hash` without `query`) and GET
 * parameters (`documentId`, or `extensions` as JSON). The hash itself is then
 * dropped, so Apollo's own APQ cache is not involved. A request that sends its text
 * is left as it is (the executor decides whether that text may run).
 */
function withPersistedText(trusted: TrustedDocuments, original: string, body: unknown): { search: string; body: unknown } {
  const params = new URLSearchParams(original);
  const search = (query: URLSearchParams) => (query === params ? original : `?${query}`);
  if (body && typeof body === "object" && !Array.isArray(body)) {
    const post = body as PersistedReference & { query?: unknown };
    const hash = trusted.hashOf(post);
    if (hash === undefined || (typeof post.query === "string" && post.query !== "")) return { search: search(params), body };
    const text = trusted.textFor(hash);
    if (text === undefined) return { search: search(params), body };
    const { documentId: _, ...rest } = post;
    const { persistedQuery: __, ...extensions } = rest.extensions ?? {};
    return { search: search(params), body: { ...rest, query: text, extensions } };
  }
  if (params.get("query") || (!params.has("documentId") && !params.has("extensions"))) return { search: search(params), body };
  let extensions: PersistedReference["extensions"];
  try {
    extensions = params.has("extensions") ? (JSON.parse(params.get("extensions")!) as PersistedReference["extensions"]) : undefined;
  } catch {
    return { search: search(params), body }; // Apollo answers the malformed parameter
  }
  const hash = trusted.hashOf({ documentId: params.get("documentId") ?? undefined, extensions });
  const text = hash === undefined ? undefined : trusted.textFor(hash);
  if (text === undefined) return { search: search(params), body };
  const next = new URLSearchParams(params);
  next.delete("documentId");
  if (extensions?.persistedQuery) {
    const { persistedQuery: _, ...rest } = extensions;
    if (Object.keys(rest).length) next.set("extensions", JSON.stringify(rest));
    else next.delete("extensions");
  }
  next.set("query", text);
  return { search: search(next), body };
}

/**
 * What the HTTP request says about who asks, and in which tenant (verifying a JWT
 * needs no database). A token that is malformed, forged or expired answers 401
 * UNAUTHENTICATED whatever the operation: a client that sent one must learn it,
 * not be served as anonymous (a signed-out session: see the executor).
 */
async function requestInput(app: AppDeps, req: Request): Promise<RequestInput> {
  const credentials = await readCredentials(app, req.header("authorization"));
  if (credentials.kind === "invalid") throw new AppError("UNAUTHENTICATED", credentials.messageKey);
  if (credentials.kind === "bearer") await consume(app.rateLimits.apiPerUser, credentials.claims.userId);
  return {
    requestId: currentRequest()!.requestId,
    credentials,
    tenantSlug: req.header("x-tenant")?.trim() || undefined,
    ip: clientIp(req),
    userAgent: req.header("user-agent") ?? null,
    acceptLanguage: req.header("accept-language"),
  };
}
