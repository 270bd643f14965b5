/**
 * Per-request facts that deep layers need without threading them through every
 * call: the request id for logs, the language for error messages, and the SQL
 * statement counter behind `extensions.diagnostics` and the N+1 tests.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { RefreshCookieJar } from "./http/refresh-cookie";
import type { Language } from "./i18n";

const storage = new AsyncLocalStorage<RequestStore>();

export interface RequestStore {
  requestId: string;
  language: Language;
  sqlStatements: number;
  /** Subtrees of the answer PostgreSQL wrote as JSON text (server/plan/raw.ts). */
  rawSubtrees?: number;
  /** The first SQL texts of the request, logged when it turns out slow. */
  sql?: string[];
  /** Set when the request ran out of budget: statements it still tries to run fail with this. */
  abortedWith?: Error;
  /** Milliseconds spent hashing passwords on purpose (argon2): not counted as slowness. */
  passwordMs?: number;
  /** The first database error a resolver met: it aborted the transaction, so its COMMIT fails next. */
  databaseError?: unknown;
  /** HTTP only: the refresh cookie of cookie mode (server/http/refresh-cookie.ts). */
  refreshCookie?: RefreshCookieJar;
  /** Who and what, once known: tags of an error report (server/observability/sentry.ts). */
  operationName?: string;
  tenantId?: string;
  userId?: string;
}

const KEEP_SQL = 30;

/** Statements this process ran, in requests or not (metrics: statements per subscription event, say). */
let statementsRun = 0;
export const statementsTotal = () => statementsRun;

/** Counts one statement of the current request and keeps its text for the slow log. */
export function recordStatement(query: string): void {
  statementsRun += 1;
  const store = storage.getStore();
  if (!store) return;
  if (store.abortedWith) throw store.abortedWith;
  store.sqlStatements += 1;
  if ((store.sql ??= []).length < KEEP_SQL) store.sql.push(query);
}

/** Runs `fn` outside any request (background work a request started: its statements are not the request's). */
export const outsideRequest = <T>(fn: () => T): T => storage.exit(fn);

/** Runs `fn` with a request store that every async continuation inside it sees. */
export const runWithRequestStore = <T>(store: RequestStore, fn: () => T): T => storage.run(store, fn);

/** The current request's store, if any (jobs and start-up have none). */
export const currentRequest = (): RequestStore | undefined => storage.getStore();
