/**
 * The one request context, built by one function for HTTP and WebSocket alike:
 * a transaction scoped to the viewer's tenant (row-level security), the viewer,
 * the tenant, per-request DataLoaders, and the events to publish after commit.
 */
import type { Membership, User } from "../drizzle/schema";
import type { AppDeps } from "./app-deps";
import type { AccessClaims } from "./auth/tokens";
import { TokenError } from "./auth/tokens";
import type { Viewer } from "./auth/viewer";
import type { Db, Statement } from "./db/client";
import { enterScope, scopeStatement, type Scope } from "./db/scope";
import { AppError } from "./errors";
import { fromAcceptLanguage, type Language, type MessageKey } from "./i18n";
import { createLoaders, type Loaders } from "./loaders";
import { loadTenant, type TenantInfo } from "./tenancy";
import { Planner } from "./plan/planner";
import { currentRequest, runWithRequestStore } from "./request-store";
import { authenticateDevice } from "./auth/devices";
import { userViewer, viewerStatement } from "./auth/session";

export interface Context {
  app: AppDeps;
  requestId: string;
  /** The request's transaction, as roster_app with the tenant and user set. */
  db: Db;
  viewer: Viewer;
  tenant: TenantInfo | null;
  language: Language;
  ip: string;
  userAgent: string | null;
  loaders: Loaders;
  /** Planned reads: nested relations loaded a level at a time (server/plan). */
  planner: Planner;
  /** Work to do once the transaction has committed (publishing events). */
  afterCommit: (() => Promise<void>)[];
}

/** What the transport (HTTP or WebSocket) knows about a request before it starts. */
export interface RequestInput {
  requestId: string;
  credentials: Credentials;
  /** Tenant slug from the X-Tenant header (anonymous requests name their tenant this way). */
  tenantSlug?: string;
  ip: string;
  userAgent?: string | null;
  acceptLanguage?: string;
}

export type Credentials =
  | { kind: "none" }
  | { kind: "invalid"; messageKey: MessageKey }
  | { kind: "bearer"; claims: AccessClaims }
  | { kind: "device"; token: string };

/** Reads an Authorization header value into credentials (verifying a JWT needs no database). */
export async function readCredentials(app: AppDeps, authorization: string | undefined): Promise<Credentials> {
  if (!authorization) return { kind: "none" };
  const [scheme, value] = authorization.trim().split(/\s+/, 2);
  if (!value) return { kind: "invalid", messageKey: "auth.tokenInvalid" };
  if (/^device$/i.test(scheme!)) return { kind: "device", token: value };
  if (!/^bearer$/i.test(scheme!)) return { kind: "invalid", messageKey: "auth.tokenInvalid" };
  try {
    return { kind: "bearer", claims: await app.tokens.verifyAccess(value) };
  } catch (error) {
    if (error instanceof TokenError) return { kind: "invalid", messageKey: error.messageKey };
    throw error;
  }
}

/**
 * Runs `fn` with a fresh context inside the request's transaction, then commits
 * and runs the after-commit work. Throws AppError for a request that cannot
 * start (unknown tenant, token of another tenant than X-Tenant).
 */
export async function withRequestContext<T>(app: AppDeps, input: RequestInput, fn: (ctx: Context) => Promise<T>): Promise<T> {
  const store = currentRequest() ?? {
    requestId: input.requestId,
    language: fromAcceptLanguage(input.acceptLanguage) ?? "ar",
    sqlStatements: 0,
  };
  return runWithRequestStore(store, async () => {
    const afterCommit: (() => Promise<void>)[] = [];
    const start = await startOf(app, input);
    const result = await app.database.transaction(async (tx, opened) => {
      const ctx = await buildContext(app, tx, input, start, opened, afterCommit);
      store.language = ctx.language;
      // For error reports (server/observability/sentry.ts).
      store.tenantId = ctx.tenant?.id;
      store.userId = ctx.viewer.kind === "user" ? ctx.viewer.userId : undefined;
      return fn(ctx);
    }, start.opening);
    for (const task of afterCommit) {
      await task().catch((error) => app.log.error({ err: error }, "after-commit task failed"));
    }
    return result;
  });
}

/**
 * Runs `fn` as the system inside one tenant (scheduled jobs, the jobs CLI): the
 * context a request of that tenant gets, built the same way, with nobody signed
 * in; its after-commit work (publishing) runs once the transaction has committed.
 */
export function withSystemContext<T>(
  app: AppDeps,
  tenant: { slug: string },
  requestId: string,
  fn: (ctx: Context) => Promise<T>,
): Promise<T> {
  return withRequestContext(app, { requestId, credentials: { kind: "none" }, tenantSlug: tenant.slug, ip: "system" }, fn);
}

/** What a request knows before its transaction: its tenant (by slug), and the statement opening it. */
interface RequestStart {
  tenant: TenantInfo | null;
  /** Sent with BEGIN: the scope-and-viewer statement for a bearer token, else the scope (`scope`). */
  opening?: Statement;
  scope?: Scope;
}

async function startOf(app: AppDeps, input: RequestInput): Promise<RequestStart> {
  const { credentials } = input;
  let tenant: TenantInfo | null = null;
  if (input.tenantSlug) {
    // Tenants are public rows (and usually cached): read outside any scope.
    tenant = await loadTenant(app, app.database.db, { slug: input.tenantSlug });
    if (!tenant) throw new AppError("NOT_FOUND", "tenant.notFound", { slug: input.tenantSlug });
    const claimed = credentials.kind === "bearer" ? credentials.claims.tenantId : null;
    if (claimed && claimed !== tenant.id) throw new AppError("FORBIDDEN", "tenant.mismatch");
  }
  // A device token names its tenant, read inside the transaction; anyone else's scope is known now.
  if (credentials.kind === "device") return { tenant };
  if (credentials.kind !== "bearer") {
    const scope: Scope = { tenantId: tenant?.id ?? null, userId: null };
    return { tenant, scope, opening: scopeStatement(scope) };
  }
  const { claims } = credentials;
  const tenantId = claims.tenantId ?? tenant?.id ?? null;
  return { tenant, opening: { text: viewerStatement(), params: [tenantId ?? "", claims.userId, claims.sessionId, tenantId] } };
}

async function buildContext(
  app: AppDeps,
  tx: Db,
  input: RequestInput,
  start: RequestStart,
  opened: Record<string, unknown>[] | undefined,
  afterCommit: Context["afterCommit"],
): Promise<Context> {
  const { credentials } = input;
  // Each scope change is a statement; skip the ones that change nothing.
  let current: Scope | undefined;
  const scope = async (next: Scope) => {
    if (current && current.tenantId === next.tenantId && current.userId === next.userId) return;
    current = next;
    await enterScope(tx, next);
  };
  let tenant = start.tenant;
  if (start.scope) current = start.scope;

  let viewer: Viewer = { kind: "anonymous" };
  let signedIn: ReturnType<typeof userViewer> | undefined;
  if (credentials.kind === "invalid") viewer = { kind: "anonymous", credentialError: credentials.messageKey };
  if (credentials.kind === "bearer") {
    signedIn = userViewer(credentials.claims, tenant?.id ?? null, opened?.[0]);
    current = signedIn.scope;
    viewer = signedIn.viewer;
  } else if (credentials.kind === "device") {
    const device = await authenticateDevice(tx, scope, credentials.token);
    viewer = device
      ? { kind: "device", deviceId: device.deviceId, tenantId: device.tenantId }
      : { kind: "anonymous", credentialError: "auth.tokenInvalid" };
  }

  const tenantId = viewer.kind === "anonymous" ? (tenant?.id ?? null) : viewer.tenantId;
  await scope({ tenantId, userId: viewer.kind === "user" ? viewer.userId : null });
  if (tenantId && tenant?.id !== tenantId) tenant = await loadTenant(app, tx, { id: tenantId });

  return assembleContext(app, tx, {
    requestId: input.requestId,
    viewer,
    tenant,
    language:
      (viewer.kind === "user" ? viewer.language : undefined) ??
      fromAcceptLanguage(input.acceptLanguage) ??
      tenant?.defaultLanguage ??
      "ar",
    ip: input.ip,
    userAgent: input.userAgent ?? null,
    user: signedIn?.user,
    membership: signedIn?.membership,
  }, afterCommit);
}

/** A viewer the caller already knows, with what was read about them (to prime the loaders). */
export interface KnownViewer {
  requestId: string;
  viewer: Viewer;
  tenant: TenantInfo | null;
  language: Language;
  ip: string;
  userAgent: string | null;
  user?: User;
  membership?: Membership | null;
}

/** The context object for a transaction already scoped to the viewer. */
function assembleContext(app: AppDeps, tx: Db, known: KnownViewer, afterCommit: Context["afterCommit"]): Context {
  const { viewer, tenant } = known;
  const ctx: Context = {
    app,
    requestId: known.requestId,
    db: tx,
    viewer,
    tenant,
    language: known.language,
    ip: known.ip,
    userAgent: known.userAgent,
    loaders: undefined as unknown as Loaders,
    planner: undefined as unknown as Planner,
    afterCommit,
  };
  ctx.loaders = createLoaders(ctx);
  ctx.planner = new Planner(ctx);
  // What building the context read already, the loaders need not read again.
  if (viewer.kind === "user" && known.user) {
    ctx.loaders.user.prime(viewer.userId, known.user);
    // The membership was looked up in the viewer's tenant (when there is one).
    if (viewer.tenantId) ctx.loaders.membershipByUser.prime(viewer.userId, known.membership ?? null);
  }
  if (tenant) ctx.loaders.tenant.prime(tenant.id, tenant);
  return ctx;
}

/**
 * Runs `run` once per audience of one subscription event, all in ONE transaction
 * scoped to the event's tenant (and to the person, on a person's channel). No
 * viewer is read: sockets were authenticated at connection_init and are closed
 * when their access changes. Within one tenant, row-level security shows every
 * member the same rows, so the audiences can share the scope; each still gets its
 * own viewer, loaders and planner, so what the resolvers decide per viewer holds.
 */
export async function withAudiences<T>(
  app: AppDeps,
  scope: Scope,
  audiences: KnownViewer[],
  run: (ctx: Context, index: number) => Promise<T>,
): Promise<T[]> {
  const afterCommit: Context["afterCommit"] = [];
  const results = await app.database.transaction(async (tx) => {
    return Promise.all(
      audiences.map((known, index) =>
        runWithRequestStore({ requestId: known.requestId, language: known.language, sqlStatements: 0 }, () =>
          run(assembleContext(app, tx, known, afterCommit), index),
        ),
      ),
    );
  }, scopeStatement(scope));
  for (const task of afterCommit) await task().catch((error) => app.log.error({ err: error }, "after-commit task failed"));
  return results;
}

/**
 * Runs a unit of work in a savepoint of the request's transaction: if it throws,
 * its writes and its queued after-commit work are undone, and the request goes on.
 * Every mutation's service runs in one.
 */
export async function atomic<T>(ctx: Context, fn: (ctx: Context) => Promise<T>): Promise<T> {
  const pending: Context["afterCommit"] = [];
  const result = await ctx.db.transaction((tx) => fn({ ...ctx, db: tx, afterCommit: pending }));
  ctx.afterCommit.push(...pending);
  return result;
}

export { forgetTenant, loadTenant, type TenantInfo } from "./tenancy";
