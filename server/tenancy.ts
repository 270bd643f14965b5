/**
 * Tenants as requests see them: looked up by id or slug through two caches (this
 * process for a few seconds, then the shared cache), forgotten when they change.
 */
import { eq } from "drizzle-orm";
import { tenants } from "../drizzle/schema";
import type { AppDeps } from "./app-deps";
import type { Db } from "./db/client";
import type { Language } from "./i18n";

/** The tenant a request acts in. */
export interface TenantInfo {
  id: string;
  slug: string;
  name: string;
  timeZone: string;
  currency: string;
  defaultLanguage: Language;
  isActive: boolean;
}

const TENANT_CACHE_SECONDS = 30;

/** The columns of a tenant a request carries (and the Tenant type shows). */
export const TENANT_COLUMNS = {
  id: tenants.id,
  slug: tenants.slug,
  name: tenants.name,
  timeZone: tenants.timeZone,
  currency: tenants.currency,
  defaultLanguage: tenants.defaultLanguage,
  isActive: tenants.isActive,
};

/**
 * Tenants read by this instance in the last few seconds: every request names its
 * tenant, and tenants change rarely. Per app (tests run several in one process).
 * Another instance's change reaches this one within LOCAL_TENANT_MS.
 */
const localTenants = new WeakMap<AppDeps, Map<string, { tenant: TenantInfo | null; until: number }>>();
const LOCAL_TENANT_MS = 5_000;

/** Loads a tenant by id or slug through the caches (tenants are public rows). */
export async function loadTenant(app: AppDeps, db: Db, by: { id: string } | { slug: string }): Promise<TenantInfo | null> {
  const key = "id" in by ? `tenant:id:${by.id}` : `tenant:slug:${by.slug}`;
  let local = localTenants.get(app);
  if (!local) localTenants.set(app, (local = new Map()));
  const now = Date.now();
  const hit = local.get(key);
  if (hit && hit.until > now) return hit.tenant;
  let tenant = await app.cache.get<TenantInfo | null>(key);
  if (tenant === undefined) {
    const [row] = await db
      .select(TENANT_COLUMNS)
      .from(tenants)
      .where("id" in by ? eq(tenants.id, by.id) : eq(tenants.slug, by.slug.toLowerCase()));
    tenant = row ?? null;
    await app.cache.set(key, tenant, TENANT_CACHE_SECONDS);
  }
  if (local.size > 1000) local.clear();
  local.set(key, { tenant, until: now + LOCAL_TENANT_MS });
  return tenant;
}

/** Forgets a tenant's cached settings after it changes. */
export async function forgetTenant(app: AppDeps, tenant: { id: string; slug: string }) {
  const local = localTenants.get(app);
  local?.delete(`tenant:id:${tenant.id}`);
  local?.delete(`tenant:slug:${tenant.slug}`);
  await Promise.all([app.cache.delete(`tenant:id:${tenant.id}`), app.cache.delete(`tenant:slug:${tenant.slug}`)]);
}
