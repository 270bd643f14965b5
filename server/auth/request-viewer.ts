/**
 * Who a request is and which tenant it acts in, read from the database: the
 * tenant named by X-Tenant, the opening statement (scope, and for a bearer token
 * the session, user and membership in one round trip), a device token's device,
 * and the scope the transaction ends up in. server/context.ts assembles the
 * context from what these return; it sends no SQL of its own.
 */
import type { Membership, User } from "../../drizzle/schema";
import type { AppDeps } from "../app-deps";
import type { Credentials, RequestInput } from "../context";
import type { Db, Statement } from "../db/client";
import { enterScope, scopeStatement, type Scope } from "../db/scope";
import { AppError } from "../errors";
import { loadTenant, type TenantInfo } from "../tenancy";
import { authenticateDevice } from "./devices";
import { userViewer, viewerStatement } from "./session";
import type { Viewer } from "./viewer";

/** What a request knows before its transaction: its tenant (by slug), and the statement opening it. */
export interface RequestStart {
  tenant: TenantInfo | null;
  /** Sent with BEGIN: the scope-and-viewer statement for a bearer token, else the scope (`scope`). */
  opening?: Statement;
  scope?: Scope;
}

/** The tenant a request names and the statement to open its transaction with (outside any transaction). */
export async function requestStart(app: AppDeps, input: Pick<RequestInput, "tenantSlug" | "credentials">): Promise<RequestStart> {
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

/** The viewer and tenant of a request, its transaction scoped to them; with the rows read on the way. */
export interface RequestViewer {
  viewer: Viewer;
  tenant: TenantInfo | null;
  user?: User;
  membership?: Membership | null;
}

/**
 * Inside the request's transaction (opened with `start.opening`, whose rows are
 * `opened`): the viewer from the credentials, the transaction scoped to the
 * viewer's tenant and user (a statement only when that changes the scope), and
 * that tenant.
 */
export async function resolveViewer(
  app: AppDeps,
  tx: Db,
  credentials: Credentials,
  start: RequestStart,
  opened: Record<string, unknown>[] | undefined,
): Promise<RequestViewer> {
  // Each scope change is a statement; skip the ones that change nothing.
  let current: Scope | undefined = start.scope;
  const scope = async (next: Scope) => {
    if (current && current.tenantId === next.tenantId && current.userId === next.userId) return;
    current = next;
    await enterScope(tx, next);
  };
  let tenant = start.tenant;

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
  return { viewer, tenant, user: signedIn?.user, membership: signedIn?.membership };
}
