/**
 * The one way the back office talks to Roster: typed documents (./sdk.ts, generated
 * by `npm run codegen` from ../operations) over POST /graphql and graphql-ws.
 *
 * Tokens: the access token lives in this module's memory only. The refresh token is
 * in an HttpOnly cookie (the server's cookie mode) that scripts never see. Refreshing
 * happens in one place (`refreshSession`), once at a time — across tabs too (Web
 * Locks), since a refresh token presented twice signs the whole session out:
 *  - shortly before the access token expires,
 *  - when an HTTP request answers 401 (then the request is retried once),
 *  - when the WebSocket closes with 4401 (token expired or access changed): the
 *    subscriptions then reconnect with the fresh token.
 */
import type { ExecutionResult } from "graphql";
import { createClient, type Client as WsClient } from "graphql-ws";
import {
  RefreshSessionDocument,
  SignInDocument,
  SignOutDocument,
  SwitchTenantDocument,
  type SignedInFragment,
  type TypedDocumentString,
} from "./sdk";

export type TenantInfo = NonNullable<SignedInFragment["tenant"]>;

/** A typed error of the API (its message already in the user's language), or a network failure. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export interface Session {
  accessToken: string;
  expiresAt: number;
  sessionId: string;
  tenant: TenantInfo | null;
}

const ENDPOINT = "/graphql";
/** Refresh this long before the access token expires. */
const REFRESH_AHEAD_MS = 60_000;

let session: Session | null = null;
let language = "ar";
let refreshTimer: ReturnType<typeof setTimeout> | undefined;
let refreshing: Promise<Session> | undefined;
let ws: WsClient | undefined;
const listeners = new Set<() => void>();

export const currentSession = () => session;

/** Calls `listener` whenever the session changes (signed in, refreshed, switched, signed out). */
export function onSessionChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The language the API answers in (messages of typed errors). */
export function setApiLanguage(value: string) {
  language = value;
}

function setSession(next: Session | null, { reconnect }: { reconnect: boolean }) {
  const tenantChanged = next?.tenant?.id !== session?.tenant?.id || next?.sessionId !== session?.sessionId;
  session = next;
  clearTimeout(refreshTimer);
  if (next) {
    const wait = Math.max(5_000, next.expiresAt - Date.now() - REFRESH_AHEAD_MS);
    refreshTimer = setTimeout(() => void refreshSession().catch(() => {}), wait);
  }
  // Another tenant or no session: sockets authenticated as before must go.
  if (reconnect || tenantChanged || !next) {
    ws?.dispose();
    ws = undefined;
  }
  for (const listener of listeners) listener();
}

const fromPayload = (payload: SignedInFragment): Session => ({
  accessToken: payload.accessToken,
  expiresAt: new Date(payload.accessTokenExpiresAt).getTime(),
  sessionId: payload.sessionId,
  tenant: payload.tenant,
});

interface GraphQLErrorShape {
  message: string;
  extensions?: { code?: string; field?: string };
}

const toApiError = (errors: readonly GraphQLErrorShape[], status?: number) => {
  const [first] = errors;
  return new ApiError(first?.extensions?.code ?? "INTERNAL_SERVER_ERROR", first?.message ?? "error", first?.extensions?.field, status);
};

type VariablesOf<V> = V extends Record<string, never> ? [] | [V] : [V];

async function post<R, V>(document: TypedDocumentString<R, V>, variables: V | undefined, token: string | undefined) {
  let response: Response;
  try {
    response = await fetch(ENDPOINT, {
      method: "POST",
      // Same origin: the refresh cookie (Path=/graphql) goes along.
      credentials: "same-origin",
      headers: {
        "content-type": "application/json",
        accept: "application/graphql-response+json, application/json",
        "accept-language": language,
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ query: document.toString(), variables: variables ?? {} }),
    });
  } catch {
    throw new ApiError("NETWORK", "network");
  }
  let body: { data?: R | null; errors?: GraphQLErrorShape[] };
  try {
    body = await response.json();
  } catch {
    throw new ApiError("NETWORK", "network", undefined, response.status);
  }
  return { status: response.status, body };
}

async function unwrap<R>({ status, body }: { status: number; body: { data?: R | null; errors?: GraphQLErrorShape[] } }): Promise<R> {
  if (body.errors?.length || !body.data) throw toApiError(body.errors ?? [], status);
  return body.data;
}

/** Runs a typed query or mutation as the signed-in user (refreshing once on 401). */
export async function request<R, V>(document: TypedDocumentString<R, V>, ...[variables]: VariablesOf<V>): Promise<R> {
  const token = session?.accessToken;
  let answer = await post(document, variables, token);
  if (answer.status === 401 && token) {
    await refreshSession();
    answer = await post(document, variables, session?.accessToken);
  }
  return unwrap(answer);
}

/**
 * The API explorer's one door (GraphiQL): whatever the developer types, as the
 * signed-in user. The app itself never sends untyped documents.
 */
export async function explore(params: { query: string; operationName?: string | null; variables?: unknown }): Promise<ExecutionResult> {
  const send = async (token: string | undefined) =>
    fetch(ENDPOINT, {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json", "accept-language": language, ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(params),
    });
  let response = await send(session?.accessToken);
  if (response.status === 401 && session) response = await send((await refreshSession()).accessToken);
  return (await response.json()) as ExecutionResult;
}

/** Signs in (cookie mode: the refresh token goes into the HttpOnly cookie). */
export async function signIn(identifier: string, password: string): Promise<Session> {
  const data = await unwrap(
    await post(SignInDocument, { input: { identifier: identifier.trim(), password, deviceName: deviceName(), cookie: true } }, undefined),
  );
  const next = fromPayload(data.login);
  setSession(next, { reconnect: true });
  return next;
}

/** Picks up the session of the refresh cookie after a reload; null when there is none. */
export async function resumeSession(): Promise<Session | null> {
  try {
    return await refreshSession();
  } catch (error) {
    if (error instanceof ApiError && error.code === "NETWORK") throw error;
    return null;
  }
}

/**
 * New tokens from the refresh cookie: one refresh at a time in this tab, and one at a
 * time across tabs (the cookie is shared; presenting a spent one signs everyone out).
 */
export function refreshSession(): Promise<Session> {
  refreshing ??= (async () => {
    const run = async () => {
      const data = await unwrap(await post(RefreshSessionDocument, {}, undefined));
      const next = fromPayload(data.refreshToken);
      setSession(next, { reconnect: false });
      return next;
    };
    try {
      return await (navigator.locks ? navigator.locks.request("roster-refresh", run) : run());
    } catch (error) {
      if (error instanceof ApiError && error.code === "UNAUTHENTICATED") setSession(null, { reconnect: true });
      throw error;
    } finally {
      refreshing = undefined;
    }
  })();
  return refreshing;
}

/** Makes another of the user's tenants the active one (the cookie's session follows). */
export async function switchTenant(tenantId: string): Promise<Session> {
  const data = await request(SwitchTenantDocument, { tenantId });
  const next = fromPayload(data.switchTenant);
  setSession(next, { reconnect: true });
  return next;
}

/** Signs this session out and clears the cookie; the local session ends whatever the answer. */
export async function signOut(): Promise<void> {
  try {
    await request(SignOutDocument);
  } catch {
    // Signed out already, or offline: the local state goes anyway.
  } finally {
    setSession(null, { reconnect: true });
  }
}

function deviceName(): string {
  const agent = navigator.userAgent;
  const browser = /Firefox\//.test(agent)
    ? "Firefox"
    : /Edg\//.test(agent)
      ? "Edge"
      : /Chrom/.test(agent)
        ? "Chrome"
        : /Safari\//.test(agent)
          ? "Safari"
          : "Browser";
  return `Back office (${browser})`;
}

// ---------------------------------------------------------------- live data

function socket(): WsClient {
  ws ??= createClient({
    url: `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${ENDPOINT}`,
    lazy: true,
    keepAlive: 20_000,
    retryAttempts: 20,
    connectionParams: async () => {
      let current = session;
      if (!current || current.expiresAt - Date.now() < 10_000) current = await refreshSession();
      return { authorization: `Bearer ${current.accessToken}` };
    },
  });
  return ws;
}

const isCloseEvent = (value: unknown): value is { code: number; reason: string } =>
  typeof value === "object" && value !== null && "code" in value && typeof (value as { code: unknown }).code === "number";

/**
 * Subscribes to a typed subscription. A 4401 close (token expired, access changed)
 * refreshes the session and subscribes again; other errors reach `onError`.
 */
export function subscribe<R, V>(
  document: TypedDocumentString<R, V>,
  variables: V,
  onData: (data: R) => void,
  onError: (error: ApiError) => void,
): () => void {
  let stopped = false;
  let dispose = () => {};
  let retry: ReturnType<typeof setTimeout> | undefined;
  let unauthorisedInARow = 0;
  const start = () => {
    dispose = socket().subscribe<R>(
      { query: document.toString(), variables: variables as Record<string, unknown> },
      {
        next: (result) => {
          unauthorisedInARow = 0;
          if (result.errors?.length) onError(toApiError(result.errors as GraphQLErrorShape[]));
          else if (result.data) onData(result.data);
        },
        error: (error) => {
          if (stopped) return;
          if (isCloseEvent(error) && error.code === 4401) {
            unauthorisedInARow += 1;
            // Every subscription of the socket hears the close; refreshSession runs once for all.
            void refreshSession()
              .then(() => {
                if (!stopped) retry = setTimeout(start, Math.min(30_000, 200 * 2 ** (unauthorisedInARow - 1)));
              })
              .catch(() => {});
            return;
          }
          if (Array.isArray(error)) return onError(toApiError(error as GraphQLErrorShape[]));
          onError(new ApiError("NETWORK", "network"));
        },
        complete: () => {},
      },
    );
  };
  start();
  return () => {
    stopped = true;
    clearTimeout(retry);
    dispose();
  };
}
