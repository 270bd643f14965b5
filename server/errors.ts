/**
 * The error model. Services throw `AppError(code, messageKey, params)`; the
 * message is written in the request's language. `toClientError` turns anything
 * else into something safe to show: known database errors become typed errors,
 * the rest become "Internal error" (and are logged with their stack).
 */
import { GraphQLError, type GraphQLFormattedError } from "graphql";
import { translate, type MessageKey, type MessageParams } from "./i18n";
import { currentRequest } from "./request-store";

export const ERROR_CODES = [
  "BAD_USER_INPUT",
  "BAD_REQUEST",
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "TENANT_SUSPENDED",
  "NOT_FOUND",
  "CONFLICT",
  "RATE_LIMITED",
  "PAYLOAD_TOO_LARGE",
  "QUERY_TOO_COMPLEX",
  "BUDGET_EXCEEDED",
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_NOT_ALLOWED",
  "INTERNAL_SERVER_ERROR",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** An expected failure with a stable code and a translated message. */
export class AppError extends GraphQLError {
  readonly code: ErrorCode;
  readonly messageKey: MessageKey;

  constructor(code: ErrorCode, key: MessageKey, params: MessageParams = {}, extensions: Record<string, unknown> = {}) {
    super(translate(currentRequest()?.language ?? "en", key, params), { extensions: { code, ...extensions } });
    this.code = code;
    this.messageKey = key;
  }
}

export const notFound = (entity: string, id: string) => new AppError("NOT_FOUND", "notFound", { entity, id });
export const forbidden = () => new AppError("FORBIDDEN", "auth.forbidden");
export const unauthenticated = () => new AppError("UNAUTHENTICATED", "auth.required");
export const badInput = (field: string, reason: string) => new AppError("BAD_USER_INPUT", "input.invalid", { field, reason }, { field });
/** An illegal state change: names the current and the required states. */
export const wrongState = (entity: string, state: string, expected: string | string[]) =>
  new AppError("CONFLICT", "conflict.state", {
    entity,
    state,
    expected: Array.isArray(expected) ? expected.join(" / ") : expected,
  });

/** Constraint names whose violation is an expected business failure with its own message. */
const constraintErrors = new Map<string, () => AppError>();

/** Lets a domain map a constraint to its own error (e.g. a full course → CONFLICT). */
export function onConstraint(name: string, make: () => AppError): void {
  constraintErrors.set(name, make);
}

interface PgErrorLike {
  code?: string;
  constraint?: string;
  constraint_name?: string;
  table?: string;
  table_name?: string;
  message?: string;
}

/** The PostgreSQL error under a Drizzle, postgres.js or PGlite error, if any. */
function pgError(error: unknown): PgErrorLike | undefined {
  for (let current = error as { cause?: unknown } | undefined, depth = 0; current && depth < 5; depth++) {
    const candidate = current as PgErrorLike;
    if (typeof candidate.code === "string" && /^[0-9A-Z]{5}$/.test(candidate.code)) return candidate;
    current = (current as { cause?: unknown }).cause as { cause?: unknown } | undefined;
  }
  return undefined;
}

/** Maps a database error to a typed AppError, or undefined when it is not an expected one. */
export function fromDatabaseError(error: unknown): AppError | undefined {
  const pg = pgError(error);
  if (!pg?.code) return undefined;
  const constraint = pg.constraint ?? pg.constraint_name;
  const table = pg.table ?? pg.table_name ?? "record";
  const mapped = constraint ? constraintErrors.get(constraint) : undefined;
  if (mapped) return mapped();
  switch (pg.code) {
    case "23505":
      return new AppError("CONFLICT", "db.unique", { entity: table.replace(/_/g, " ") }, { constraint });
    case "23503":
      return new AppError("BAD_USER_INPUT", "db.foreignKey", {}, { constraint });
    case "23514":
    case "23502":
      return new AppError("BAD_USER_INPUT", "db.check", { rule: constraint ?? "not null" }, { constraint });
    case "42501":
      return new AppError("FORBIDDEN", "db.rls");
    case "40001":
    case "40P01":
      return new AppError("CONFLICT", "db.retry");
  }
  // Class 22, "data exception": a value PostgreSQL will not take (text with a NUL
  // byte, a malformed uuid, a date out of range, a number too large …). Every one
  // comes from a value a client sent that got past the checks before it.
  if (pg.code === "22021" || pg.code === "22P05") return new AppError("BAD_USER_INPUT", "db.invalidText");
  if (pg.code.startsWith("22")) return new AppError("BAD_USER_INPUT", "db.invalidValue");
  return undefined;
}

/**
 * What a request that failed as a whole (outside GraphQL's per-field errors) failed
 * with, typed: an AppError, a database error fromDatabaseError knows, or, when
 * COMMIT is refused because a statement failed earlier (25P02, PGlite's answer),
 * that statement's error as the resolver met it. Undefined: an unexpected failure.
 */
export function requestFailure(error: unknown): AppError | undefined {
  if (error instanceof AppError) return error;
  const mapped = fromDatabaseError(error);
  if (mapped) return mapped;
  const earlier = currentRequest()?.databaseError;
  return pgError(error)?.code === "25P02" && earlier !== undefined ? fromDatabaseError(earlier) : undefined;
}

/** GraphQL codes produced by graphql-js and Apollo themselves; safe to pass through. */
const PASS_THROUGH = new Set([
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "BAD_USER_INPUT",
  "BAD_REQUEST",
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_NOT_SUPPORTED",
  "PERSISTED_QUERY_NOT_ALLOWED",
  "OPERATION_RESOLUTION_FAILURE",
  "UNAUTHENTICATED",
  "FORBIDDEN",
]);

/** graphql-js's "Did you mean …?" hints (fields, arguments, types, enum values), which map the schema for strangers. */
const SUGGESTION = /\s*Did you mean [^?]*\?/g;

/** A message without graphql-js's suggestions. */
export const withoutSuggestions = (message: string) => message.replace(SUGGESTION, "").trim();

export interface ClientErrorOptions {
  /** Production: drop "Did you mean …?" from every message (field, argument and enum suggestions alike). */
  hideSuggestions?: boolean;
}

/**
 * Apollo's `formatError`: what a client may see of an error. Returns the
 * formatted error and, for unexpected ones, the original to log.
 */
export function toClientError(
  formatted: GraphQLFormattedError,
  error: unknown,
  options: ClientErrorOptions = {},
): { error: GraphQLFormattedError; unexpected?: unknown } {
  const result = clientError(formatted, error);
  if (options.hideSuggestions) result.error = { ...result.error, message: withoutSuggestions(result.error.message) };
  return result;
}

function clientError(formatted: GraphQLFormattedError, error: unknown): { error: GraphQLFormattedError; unexpected?: unknown } {
  const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
  const path = formatted.path;
  const locations = formatted.locations;
  if (original instanceof AppError) {
    return { error: { message: original.message, locations, path, extensions: original.extensions } };
  }
  const mapped = fromDatabaseError(original);
  if (mapped) {
    const store = currentRequest();
    if (store && store.databaseError === undefined) store.databaseError = original;
    return { error: { message: mapped.message, locations, path, extensions: mapped.extensions } };
  }

  // Errors graphql-js and Apollo raise on purpose (syntax, validation, variable
  // coercion, auth checks) carry a code of their own and a message meant for clients.
  const code = formatted.extensions?.code;
  if (typeof code === "string" && PASS_THROUGH.has(code)) {
    return { error: { message: formatted.message, locations, path, extensions: { code } } };
  }
  const requestId = currentRequest()?.requestId ?? "-";
  const message = translate(currentRequest()?.language ?? "en", "internal", { requestId });
  return { error: { message, locations, path, extensions: { code: "INTERNAL_SERVER_ERROR" } }, unexpected: original };
}

/** The HTTP status a request that failed as a whole answers with. */
export function httpStatusOf(code: string): number {
  switch (code) {
    case "UNAUTHENTICATED":
      return 401;
    case "FORBIDDEN":
    case "TENANT_SUSPENDED":
      return 403;
    case "NOT_FOUND":
      return 404;
    case "CONFLICT":
      return 409;
    case "RATE_LIMITED":
      return 429;
    case "PAYLOAD_TOO_LARGE":
      return 413;
    case "BAD_USER_INPUT":
    case "BAD_REQUEST":
    case "QUERY_TOO_COMPLEX":
    case "PERSISTED_QUERY_NOT_FOUND":
    case "PERSISTED_QUERY_NOT_ALLOWED":
      return 400;
    case "BUDGET_EXCEEDED":
      return 503;
    default:
      return 500;
  }
}
