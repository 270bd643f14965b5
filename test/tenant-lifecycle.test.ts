/**
 * Tenants: the platform admin suspends and reactivates one (members get
 * TENANT_SUSPENDED on every request, sockets close, jobs skip it, payment webhooks
 * are parked), and a tenant's data is exported as streamed JSON lines.
 */
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { auditLog, children, payments } from "../drizzle/schema";
import { listJobTenants } from "../server/jobs/runner";
import { signSandboxWebhook } from "../server/payments/sandbox";
import { EXPORT_BATCH } from "../server/services/tenant-export";
import { codes, data } from "./helpers/client";
import { PASSWORD, type SignedIn } from "./helpers/fixtures";
import { createSchool, parentIdOf } from "./helpers/school";
import { subscribed, useTestServer } from "./helpers/server";
import {
  AddChildDocument,
  AttendanceUpdatedDocument,
  AuditLogDocument,
  CurrentTenantDocument,
  LoginDocument,
  MeDocument,
  MyChildrenDocument,
  ReactivateTenantDocument,
  RefreshTokenDocument,
  StartPaymentDocument,
  SuspendTenantDocument,
  TenantBySlugDocument,
} from "./sdk/graphql";

const t = useTestServer();
let platform: SignedIn;

beforeAll(async () => {
  platform = await t.fixtures.login(await t.fixtures.user({ platformAdmin: true }));
});

describe("suspending a tenant", () => {
  it("answers every request in it with TENANT_SUSPENDED until reactivated; other tenants go on", async () => {
    const school = await createSchool(t);
    const other = await createSchool(t);
    const family = await school.family(1);

    const suspended = data(await platform.client.request(SuspendTenantDocument, { id: school.tenant.id, reason: "Unpaid invoice" }));
    expect(suspended.suspendTenant).toEqual({ id: school.tenant.id, slug: school.tenant.slug, isActive: false });

    for (const result of [
      await family.parent.client.request(MyChildrenDocument),
      await family.parent.client.request(MeDocument),
      await school.admin.client.request(AuditLogDocument, {}),
      await t.client({ tenant: school.tenant.slug }).request(CurrentTenantDocument),
      await t
        .client({ tenant: school.tenant.slug })
        .request(LoginDocument, { input: { identifier: family.parent.user.phone, password: PASSWORD } }),
    ]) {
      expect(result.status).toBe(403);
      expect(codes(result)).toEqual(["TENANT_SUSPENDED"]);
      expect(result.errors?.[0]?.message).toContain(school.tenant.slug);
    }
    // Writes are refused too, and nothing is written.
    expect(codes(await family.parent.client.request(AddChildDocument, { input: { firstName: "New" } }))).toEqual(["TENANT_SUSPENDED"]);
    // A refresh renews the session without the suspended tenant; signing in without one starts in none.
    expect(
      data(await t.client().request(RefreshTokenDocument, { refreshToken: family.parent.refreshToken })).refreshToken.tenant,
    ).toBeNull();
    const login = data(await t.client().request(LoginDocument, { input: { identifier: family.parent.user.phone, password: PASSWORD } }));
    expect(login.login.tenant).toBeNull();
    // The public directory still shows it, as inactive.
    expect(data(await t.client().request(TenantBySlugDocument, { slug: school.tenant.slug })).tenantBySlug?.id).toBe(school.tenant.id);
    // Another tenant is untouched.
    expect(codes(await other.admin.client.request(AuditLogDocument, {}))).toEqual([]);

    const reactivated = data(await platform.client.request(ReactivateTenantDocument, { id: school.tenant.id, reason: "Paid" }));
    expect(reactivated.reactivateTenant.isActive).toBe(true);
    const back = await t.fixtures.login(family.parent.user, school.tenant);
    expect(data(await back.client.request(MyChildrenDocument)).myChildren.map((child) => child.id)).toEqual(family.childIds);
    // Both changes are in the tenant's audit log, with the reason.
    const audit = data(await school.admin.client.request(AuditLogDocument, { filter: { entity: "tenant" }, first: 5 })).auditLog.nodes;
    expect(audit.map((entry) => entry.action)).toEqual(["tenant.reactivate", "tenant.suspend"]);
    expect(audit[1]).toMatchObject({ after: { isActive: false, reason: "Unpaid invoice" } });
    // The platform admin is no member: the actor is kept by id (the tenant's own list shows members only).
    const [row] = await t.deps.database.db.select({ actorId: auditLog.actorId }).from(auditLog).where(eq(auditLog.id, audit[1]!.id));
    expect(row?.actorId).toBe(platform.user.id);
  });

  it("closes the tenant's open sockets, and new ones are refused with 4403", async () => {
    const school = await createSchool(t);
    const courseId = await school.createCourse();
    const other = await createSchool(t);
    const otherCourse = await other.createCourse();
    const ws = t.ws({ token: school.admin.token });
    await subscribed(t, () => ws.subscribe(AttendanceUpdatedDocument, { courseId }));
    const untouched = t.ws({ token: other.admin.token });
    await subscribed(t, () => untouched.subscribe(AttendanceUpdatedDocument, { courseId: otherCourse }));

    data(await platform.client.request(SuspendTenantDocument, { id: school.tenant.id }));
    expect((await ws.firstClose).code).toBe(4401);
    const again = t.ws({ token: school.admin.token });
    again.subscribe(AttendanceUpdatedDocument, { courseId });
    expect(await again.firstClose).toMatchObject({ code: 4403, reason: "Forbidden: tenant.suspended" });
    expect(untouched.closed).toEqual([]);
    await Promise.all([ws.close(), again.close(), untouched.close()]);
    data(await platform.client.request(ReactivateTenantDocument, { id: school.tenant.id }));
  });

  it("takes the tenant out of the scheduled jobs until reactivated", async () => {
    const school = await createSchool(t);
    expect((await listJobTenants(t.deps, [school.tenant.id])).map((tenant) => tenant.id)).toEqual([school.tenant.id]);
    data(await platform.client.request(SuspendTenantDocument, { id: school.tenant.id }));
    expect(await listJobTenants(t.deps, [school.tenant.id])).toEqual([]);
    data(await platform.client.request(ReactivateTenantDocument, { id: school.tenant.id }));
    expect((await listJobTenants(t.deps, [school.tenant.id])).map((tenant) => tenant.id)).toEqual([school.tenant.id]);
  });

  it("parks payment webhooks (503, payment unchanged) and applies them once reactivated", async () => {
    const school = await createSchool(t);
    const courseId = await school.createCourse();
    const family = await school.family(1);
    const enrollmentId = await school.enroll(courseId, family.childIds[0]!, family.parent);
    const started = data(
      await family.parent.client.request(StartPaymentDocument, {
        input: { enrollmentId, provider: "sandbox", idempotencyKey: randomUUID() },
      }),
    ).startPayment;
    const event = JSON.stringify((started.nextAction as { event: unknown }).event);
    const secret = t.deps.config.payments.sandbox!.webhookSecret;
    const deliver = async () => {
      const response = await fetch(`${t.url}/webhooks/payments/sandbox`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-roster-signature": signSandboxWebhook(secret, event) },
        body: event,
      });
      return { status: response.status, retryAfter: response.headers.get("retry-after"), body: (await response.json()) as any };
    };

    data(await platform.client.request(SuspendTenantDocument, { id: school.tenant.id }));
    const parked = await deliver();
    expect(parked).toMatchObject({ status: 503, retryAfter: "3600", body: { errors: [{ extensions: { code: "TENANT_SUSPENDED" } }] } });
    const [row] = await t.deps.database.db.select({ status: payments.status }).from(payments).where(eq(payments.id, started.id));
    expect(row?.status).toBe("PENDING");

    data(await platform.client.request(ReactivateTenantDocument, { id: school.tenant.id }));
    expect(await deliver()).toMatchObject({ status: 200, body: { status: "processed", paymentStatus: "SUCCEEDED" } });
  });

  it("is for platform admins only, and says when nothing changes", async () => {
    const school = await createSchool(t);
    const other = await createSchool(t);
    const parent = await t.fixtures.member(school.tenant, ["PARENT"]);
    const id = school.tenant.id;
    expect(codes(await t.client().request(SuspendTenantDocument, { id }))).toEqual(["UNAUTHENTICATED"]);
    expect(codes(await parent.client.request(SuspendTenantDocument, { id }))).toEqual(["FORBIDDEN"]);
    expect(codes(await school.admin.client.request(SuspendTenantDocument, { id }))).toEqual(["FORBIDDEN"]);
    expect(codes(await other.admin.client.request(SuspendTenantDocument, { id }))).toEqual(["FORBIDDEN"]);
    expect(codes(await school.admin.client.request(ReactivateTenantDocument, { id }))).toEqual(["FORBIDDEN"]);
    expect(codes(await platform.client.request(SuspendTenantDocument, { id: "nope" }))).toEqual(["BAD_USER_INPUT"]);
    expect(codes(await platform.client.request(SuspendTenantDocument, { id: randomUUID() }))).toEqual(["NOT_FOUND"]);
    expect(codes(await platform.client.request(ReactivateTenantDocument, { id }))).toEqual(["CONFLICT"]);
    // Still active after all of that.
    expect(codes(await school.admin.client.request(AuditLogDocument, {}))).toEqual([]);
  });
});

describe("exporting a tenant", () => {
  const exportOf = (tenantId: string, token?: string) =>
    fetch(`${t.url}/tenants/${tenantId}/export`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const lines = async (response: Response) =>
    (await response.text())
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));

  it("streams JSON lines: header, every row of the tenant (and only of it), no secrets, an end line with counts", async () => {
    const school = await createSchool(t);
    const other = await createSchool(t);
    const otherFamily = await other.family(1);
    // More children than one batch, so the keyset paging is exercised.
    const family = await school.family(1);
    const parentId = await parentIdOf(t, family.parent);
    await t.deps.database.db
      .insert(children)
      .values(Array.from({ length: EXPORT_BATCH + 3 }, (_, i) => ({ tenantId: school.tenant.id, parentId, firstName: `Bulk${i}` })));

    const response = await exportOf(school.tenant.id, school.admin.token);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("application/x-ndjson");
    expect(response.headers.get("content-disposition")).toContain(`${school.tenant.slug}-export.jsonl`);
    const all = await lines(response);
    expect(all[0]).toMatchObject({ type: "header", format: "roster.tenant-export", version: 1, tenant: { id: school.tenant.id } });
    const end = all.at(-1);
    expect(end.type).toBe("end");
    const rows = all.slice(1, -1);
    const childRows = rows.filter((line) => line.table === "children");
    expect(childRows).toHaveLength(EXPORT_BATCH + 4);
    expect(new Set(childRows.map((line) => line.row.id)).size).toBe(EXPORT_BATCH + 4);
    expect(end.counts.children).toBe(EXPORT_BATCH + 4);
    expect(rows).toHaveLength(Object.values(end.counts as Record<string, number>).reduce((a, b) => a + b, 0));
    // Only this tenant's rows and members.
    expect(rows.every((line) => line.table === "users" || line.row.tenantId === school.tenant.id)).toBe(true);
    const userIds = rows.filter((line) => line.table === "users").map((line) => line.row.id);
    expect(userIds).toContain(family.parent.user.id);
    expect(userIds).not.toContain(otherFamily.parent.user.id);
    // No credentials anywhere.
    const text = JSON.stringify(all);
    expect(text).not.toMatch(/passwordHash|tokenHash|\$argon2/);
    expect(rows.some((line) => ["authSessions", "refreshTokens", "verificationCodes"].includes(line.table))).toBe(false);
  });

  it("platform admins may export any tenant; others are refused with typed errors", async () => {
    const school = await createSchool(t);
    const other = await createSchool(t);
    const staff = await t.fixtures.member(school.tenant, ["STAFF"]);
    const parent = await t.fixtures.member(school.tenant, ["PARENT"]);
    const asPlatform = await exportOf(school.tenant.id, platform.token);
    expect(asPlatform.status).toBe(200);
    expect((await lines(asPlatform)).at(-1).type).toBe("end");

    const refused = async (response: Response, status: number, code: string) => {
      expect(response.status).toBe(status);
      expect(((await response.json()) as any).errors[0].extensions.code).toBe(code);
    };
    await refused(await exportOf(school.tenant.id), 401, "UNAUTHENTICATED");
    await refused(await exportOf(school.tenant.id, "garbage"), 401, "UNAUTHENTICATED");
    await refused(await exportOf(school.tenant.id, staff.token), 403, "FORBIDDEN");
    await refused(await exportOf(school.tenant.id, parent.token), 403, "FORBIDDEN");
    await refused(await exportOf(school.tenant.id, other.admin.token), 403, "FORBIDDEN");
    await refused(await exportOf("not-a-uuid", platform.token), 400, "BAD_USER_INPUT");
    await refused(await exportOf(randomUUID(), platform.token), 404, "NOT_FOUND");
    // A suspended tenant's admins cannot; the platform's can.
    data(await platform.client.request(SuspendTenantDocument, { id: school.tenant.id }));
    await refused(await exportOf(school.tenant.id, school.admin.token), 403, "TENANT_SUSPENDED");
    expect((await exportOf(school.tenant.id, platform.token)).status).toBe(200);
    data(await platform.client.request(ReactivateTenantDocument, { id: school.tenant.id }));
  });
});
