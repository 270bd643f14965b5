/**
 * Error tracking with Sentry, optional: with SENTRY_DSN set, unexpected errors
 * (those a client sees as INTERNAL_SERVER_ERROR, failed jobs) are sent there;
 * without it `@sentry/node` is never loaded (a dynamic import) and reporting
 * is a no-op.
 *
 * Each event carries tags: transport (http, ws, job), request id, operation
 * name, tenant id, user id (and the job's name and window). Client mistakes
 * (typed AppErrors, BAD_USER_INPUT …) are not reported: the callers report only
 * what `toClientError`/`requestFailure` leave untyped.
 *
 * Nothing personal or secret leaves: no request bodies (GraphQL variables), no
 * headers, cookies or query strings; `user` is the id alone; keys of extra data,
 * contexts and breadcrumbs that name tokens, passwords, codes or personal fields
 * are replaced with "[Filtered]", and bearer tokens and JWTs in messages too
 * (`scrubEvent`, applied in beforeSend).
 */
import fs from "node:fs";
import type { Config } from "../config";
import type { Log } from "../log";
import { currentRequest } from "../request-store";

type SentryModule = typeof import("@sentry/node");
type SentryEvent = import("@sentry/node").Event;

/** Where and what an error happened in: becomes the event's tags. */
export interface ErrorScope {
  transport: "http" | "ws" | "job";
  requestId?: string;
  operationName?: string | null;
  tenantId?: string | null;
  userId?: string | null;
  /** A job's name and window. */
  job?: string;
  window?: string;
  /** HTTP: the path (never the query string). */
  path?: string;
}

let sentry: SentryModule | undefined;

const VERSION: string = JSON.parse(fs.readFileSync(new URL("../../package.json", import.meta.url), "utf8")).version;

/** Starts Sentry when SENTRY_DSN is set; loads nothing otherwise. */
export async function startErrorTracking(config: Pick<Config, "sentry">, log: Log): Promise<boolean> {
  const { dsn, environment, sampleRate, tracesSampleRate } = config.sentry;
  if (!dsn) return false;
  if (sentry) return true;
  const Sentry = await import("@sentry/node");
  Sentry.init({
    dsn,
    release: `roster@${VERSION}`,
    environment,
    sampleRate,
    tracesSampleRate,
    // Collect nothing about the person or the request beyond what reportError sets (beforeSend checks again).
    dataCollection: {
      userInfo: false,
      cookies: false,
      httpHeaders: false,
      httpBodies: [],
      urlQueryParams: false,
      graphQL: { document: false, variables: false },
      databaseQueryData: false,
      stackFrameVariables: false,
    },
    // Roster reports what it means to (reportError); process handlers stay server/main.ts's.
    integrations: (defaults) => [
      ...defaults.filter((integration) => !["Console", "Http", "OnUncaughtException", "OnUnhandledRejection"].includes(integration.name)),
      // Request bodies hold GraphQL variables (passwords, codes, personal fields): never captured.
      Sentry.httpIntegration({ maxRequestBodySize: "none", breadcrumbs: false }),
    ],
    beforeSend: (event) => scrubEvent(event),
    // Traces (SENTRY_TRACES_SAMPLE_RATE > 0) are streamed as spans: their attributes get the same treatment.
    beforeSendSpan: (span) => ({ ...span, attributes: scrubSpanAttributes(span.attributes) as typeof span.attributes }),
    beforeBreadcrumb: (breadcrumb) => ({
      ...breadcrumb,
      message: scrubText(breadcrumb.message),
      data: scrub(breadcrumb.data) as typeof breadcrumb.data,
    }),
  });
  sentry = Sentry;
  log.info({ environment, sampleRate, tracesSampleRate }, "error tracking: Sentry");
  return true;
}

/** Sends an unexpected error (no-op without SENTRY_DSN); the current request's ids fill the scope's gaps. */
export function reportError(error: unknown, scope: ErrorScope): void {
  const Sentry = sentry;
  if (!Sentry) return;
  const store = currentRequest();
  const tags: Record<string, string | undefined> = {
    transport: scope.transport,
    request_id: scope.requestId ?? store?.requestId,
    operation: (scope.operationName ?? store?.operationName) || undefined,
    tenant_id: (scope.tenantId ?? store?.tenantId) || undefined,
    user_id: (scope.userId ?? store?.userId) || undefined,
    job: scope.job,
    window: scope.window,
    path: scope.path,
  };
  Sentry.withScope((sentryScope) => {
    for (const [key, value] of Object.entries(tags)) if (value) sentryScope.setTag(key, value);
    if (tags.user_id) sentryScope.setUser({ id: tags.user_id });
    Sentry.captureException(error);
  });
}

/** Waits (up to `timeoutMs`) for queued events to be sent: at shutdown, and in tests. */
export async function flushErrorTracking(timeoutMs = 2000): Promise<void> {
  await sentry?.flush(timeoutMs);
}

/** Keys whose values never leave: credentials, codes, and personal fields. */
const SECRET_KEY =
  /pass(word)?|token|secret|auth|cookie|(?<!status_)code|otp|pin\b|phone|e-?mail|(first|last|full|user|display|child|parent)_?name|address|birth|dsn|key|signature|credential|variables|body|ip$/i;
const FILTERED = "[Filtered]";

/** Bearer/Device tokens and JWTs inside free text. */
export function scrubText<T extends string | undefined>(text: T): T {
  if (!text) return text;
  return (
    text
      .replace(/\b(Bearer|Device|Basic)\s+[^\s"',]+/gi, `$1 ${FILTERED}`)
      .replace(/\beyJ[\w-]+\.[\w-]+\.[\w-]*/g, FILTERED)
      .replace(/(password|token|secret|code)(["']?\s*[:=]\s*["']?)[^\s"',&]+/gi, `$1$2${FILTERED}`)
      // Email addresses and international phone numbers (personal fields quoted in a message).
      .replace(/[\w.+-]+@[\w-]+(\.[\w-]+)+/g, FILTERED)
      .replace(/\+\d[\d ()-]{6,18}\d/g, FILTERED) as T
  );
}

/** A copy with secret keys filtered and text scrubbed, to a bounded depth. */
export function scrub(value: unknown, depth = 0): unknown {
  if (depth > 8) return FILTERED;
  if (typeof value === "string") return scrubText(value);
  if (Array.isArray(value)) return value.map((item) => scrub(item, depth + 1));
  if (value && typeof value === "object" && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, SECRET_KEY.test(key) ? FILTERED : scrub(item, depth + 1)]));
  }
  return value;
}

/** beforeSend: what may leave of an event. */
export function scrubEvent<E extends SentryEvent>(event: E): E {
  if (event.request) {
    const url = event.request.url?.split("?")[0];
    event.request = { method: event.request.method, url };
  }
  if (event.user) event.user = event.user.id ? { id: event.user.id } : {};
  if (event.extra) event.extra = scrub(event.extra) as typeof event.extra;
  if (event.contexts) {
    // Runtime, OS and trace contexts are harmless; anything added by integrations is scrubbed.
    event.contexts = scrub(event.contexts) as typeof event.contexts;
  }
  if (event.breadcrumbs) {
    event.breadcrumbs = event.breadcrumbs.map((crumb) => ({
      ...crumb,
      message: scrubText(crumb.message),
      data: scrub(crumb.data) as typeof crumb.data,
    }));
  }
  if (event.message) event.message = scrubText(event.message);
  for (const exception of event.exception?.values ?? []) {
    exception.value = scrubText(exception.value);
    for (const frame of exception.stacktrace?.frames ?? []) {
      delete frame.vars;
      // Source lines around the frame (ContextLines): literals in code get the same treatment as messages.
      frame.context_line = scrubText(frame.context_line);
      frame.pre_context = frame.pre_context?.map((line) => scrubText(line));
      frame.post_context = frame.post_context?.map((line) => scrubText(line));
    }
  }
  return event;
}

/** Span attributes without query strings, statements, client addresses, user agents, headers or bodies. */
export function scrubSpanAttributes(attributes: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!attributes) return attributes;
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (/query|statement|user_agent|client\.|peer\.|header|cookie|body|variables/i.test(key)) continue;
    kept[key] = typeof value === "string" && /url|target|route/i.test(key) ? value.split("?")[0] : scrub(value, 1);
  }
  return kept;
}
