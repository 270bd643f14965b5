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
import type { Db } from "./db/client";
import { AppError } from "./errors";
import { scopeStatement, tenantScope, type Scope, type TenantScope } from "./db/scope";
import { fromAcceptLanguage, type Language, type MessageKey } from "./i18n";
import { createLoaders, type Loaders } from "./loaders";
import type { TenantInfo } from "./tenancy";
import { Planner } from "./plan/planner";
import { currentRequest, runWithRequestStore } from "./request-store";
import { requestStart, resolveViewer, type RequestStart } from "./auth/request-viewer";

export interface Context {
  app: AppDeps;
  requestId: string;
  /** The request's transaction, as roster_app with the tenant and user set. */
  db: Db;
  viewer: Viewer;
  tenant: TenantInfo | null;
  /** Data access in the request's tenant: `inTenant(table)`, `none()` (server/db/scope.ts). */
  scope: TenantScope;
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
    const start = await requestStart(app, input);
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

async function buildContext(
  app: AppDeps,
  tx: Db,
  input: RequestInput,
  start: RequestStart,
  opened: Record<string, unknown>[] | undefined,
  afterCommit: Context["afterCommit"],
): Promise<Context> {
  const { viewer, tenant, user, membership } = await resolveViewer(app, tx, input.credentials, start, opened);
  // A suspended tenant answers nobody but the platform's admins (who suspend and reactivate it).
  if (tenant && !tenant.isActive && !(viewer.kind === "user" && viewer.isPlatformAdmin)) {
    throw new AppError("TENANT_SUSPENDED", "tenant.suspended", { slug: tenant.slug }, { tenant: tenant.slug });
  }
  return assembleContext(
    app,
    tx,
    {
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
      user,
      membership,
    },
    afterCommit,
  );
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
    scope: tenantScope(tenant?.id ?? null),
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
