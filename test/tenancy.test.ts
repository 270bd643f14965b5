import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { auditLog, children, enrollments, memberships, notifications, parents, students } from "../drizzle/schema";
import { inScope, rowsOf } from "../server/db/scope";
import { fromDatabaseError } from "../server/errors";
import {
  AcceptInvitationDocument,
  AddMemberDocument,
  AuditLogDocument,
  CreateTenantDocument,
  CurrentTenantDocument,
  LoginDocument,
  MeDocument,
  MembersDocument,
  MyTenantsDocument,
  SetMemberRolesDocument,
  TenantBySlugDocument,
  TenantsDocument,
  UpdateTenantDocument,
} from "./sdk/graphql";
import { codes, data, expectFlatStatements } from "./helpers/client";
import { PASSWORD, uniquePhone, uniqueSlug, type TestTenant } from "./helpers/fixtures";
import { useTestServer } from "./helpers/server";

let a: TestTenant;
let b: TestTenant;

const t = useTestServer();
beforeAll(async () => {
  a = await t.fixtures.tenant();
  b = await t.fixtures.tenant();
  const db = t.deps.database.db;
  // Rows in both tenants for the probes below.
  for (const tenant of [a, b]) {
    const user = await t.fixtures.user({ tenant, roles: ["PARENT", "STUDENT"] });
    await db.insert(notifications).values({ tenantId: tenant.id, userId: user.id, kind: "TEST", title: "t", body: "b" });
  }
});

describe("row-level security", () => {
  it("an unfiltered select inside a tenant's transaction returns only that tenant's rows", async () => {
    const db = t.deps.database.db;
    const probe = await inScope(db, { tenantId: a.id, userId: null }, async (tx) => ({
      memberships: await tx.select({ tenantId: memberships.tenantId }).from(memberships),
      notifications: await tx.select({ tenantId: notifications.tenantId }).from(notifications),
      role: rowsOf<{ current_user: string }>(await tx.execute(sql`select current_user`))[0]!.current_user,
    }));
    expect(probe.role).toBe("roster_app");
    expect(probe.memberships.length).toBeGreaterThan(0);
    expect(new Set(probe.memberships.map((row) => row.tenantId))).toEqual(new Set([a.id]));
    expect(new Set(probe.notifications.map((row) => row.tenantId))).toEqual(new Set([a.id]));
    // As the owner (no scope) both tenants are there: the filter above came from the policies.
    const all = await db.select({ tenantId: notifications.tenantId }).from(notifications);
    expect(new Set(all.map((row) => row.tenantId))).toContain(b.id);
  });

  it("refuses to insert a row with another tenant's id", async () => {
    const db = t.deps.database.db;
    const user = await t.fixtures.user({ tenant: a, roles: ["PARENT"] });
    const error = await inScope(db, { tenantId: a.id, userId: user.id }, (tx) =>
      tx.insert(notifications).values({ tenantId: b.id, userId: user.id, kind: "X", title: "x", body: "x" }),
    ).catch((e) => e);
    expect(fromDatabaseError(error)?.code).toBe("FORBIDDEN");
    const count = await db.select({ n: sql<number>`count(*)::int` }).from(notifications).where(sql`kind = 'X'`);
    expect(count[0]!.n).toBe(0);
  });

  it("sees no tenant rows at all without a tenant, and cannot move a row to another tenant", async () => {
    const db = t.deps.database.db;
    const none = await inScope(db, { tenantId: null, userId: null }, (tx) => tx.select().from(auditLog));
    expect(none).toEqual([]);
    const error = await inScope(db, { tenantId: a.id, userId: null }, (tx) => tx.update(notifications).set({ tenantId: b.id })).catch(
      (e) => e,
    );
    expect(fromDatabaseError(error)?.code).toBe("FORBIDDEN");
  });

  it("lets a user see only users of the current tenant, and themself", async () => {
    const db = t.deps.database.db;
    const inA = await t.fixtures.user({ tenant: a, roles: ["MEMBER"] });
    const inB = await t.fixtures.user({ tenant: b, roles: ["MEMBER"] });
    const loner = await t.fixtures.user();
    const visible = await inScope(db, { tenantId: a.id, userId: loner.id }, (tx) =>
      tx.execute(sql`select id from users where id in (${inA.id}, ${inB.id}, ${loner.id})`),
    );
    expect(
      rowsOf<{ id: string }>(visible)
        .map((row) => row.id)
        .sort(),
    ).toEqual([inA.id, loner.id].sort());
  });
});

describe("database constraints map to clear errors", () => {
  it("exactly one participant (CHECK) → BAD_USER_INPUT naming the rule", async () => {
    const db = t.deps.database.db;
    const [student] = await db.select().from(students).where(sql`tenant_id = ${a.id}`).limit(1);
    const [parent] = await db.select().from(parents).where(sql`tenant_id = ${a.id}`).limit(1);
    const [child] = await db.insert(children).values({ tenantId: a.id, parentId: parent!.id, firstName: "Kid" }).returning();
    const error = await inScope(db, { tenantId: a.id, userId: null }, (tx) =>
      tx.insert(enrollments).values({
        tenantId: a.id,
        courseId: "00000000-0000-0000-0000-000000000001",
        studentId: student!.id,
        childId: child!.id,
      }),
    ).catch((e) => e);
    const mapped = fromDatabaseError(error);
    expect(mapped?.code).toBe("BAD_USER_INPUT");
    expect(mapped?.extensions.constraint).toBe("enrollments_one_participant");
  });

  it("a reference to a row that does not exist → BAD_USER_INPUT", async () => {
    const db = t.deps.database.db;
    const error = await inScope(db, { tenantId: a.id, userId: null }, (tx) =>
      tx.insert(children).values({ tenantId: a.id, parentId: "00000000-0000-0000-0000-000000000001", firstName: "Nobody" }),
    ).catch((e) => e);
    expect(fromDatabaseError(error)?.code).toBe("BAD_USER_INPUT");
  });
});

describe("platform and tenant administration", () => {
  it("a platform admin creates a tenant with its first admin, who can sign in to it", async () => {
    const platform = await t.fixtures.login(await t.fixtures.user({ platformAdmin: true }));
    const slug = uniqueSlug("new");
    const adminPhone = uniquePhone();
    const created = data(
      await platform.client.request(CreateTenantDocument, {
        input: {
          slug,
          name: "Lions League",
          timeZone: "Africa/Dar_es_Salaam",
          currency: "TZS",
          admin: { phoneNumber: adminPhone, firstName: "Juma", temporaryPassword: PASSWORD },
        },
      }),
    ).createTenant;
    expect(created).toMatchObject({ slug, timeZone: "Africa/Dar_es_Salaam", currency: "TZS" });
    const login = data(await t.client({ tenant: slug }).request(LoginDocument, { input: { identifier: adminPhone, password: PASSWORD } }));
    const me = data(await t.client({ token: login.login.accessToken }).request(MeDocument)).me;
    expect(me.membership?.roles).toEqual(["ADMIN"]);
    const audit = await t.deps.database.db.select().from(auditLog).where(sql`tenant_id = ${created.id}`);
    expect(audit.map((row) => row.action)).toEqual(["tenant.create"]);

    const listed = data(await platform.client.request(TenantsDocument, { search: slug })).tenants;
    expect(listed.totalCount).toBe(1);
    expect(listed.edges[0]?.node.slug).toBe(slug);
  });

  it("pages through tenants with cursors", async () => {
    const platform = await t.fixtures.login(await t.fixtures.user({ platformAdmin: true }));
    for (let i = 0; i < 3; i++) await t.fixtures.tenant();
    const first = data(await platform.client.request(TenantsDocument, { first: 2 })).tenants;
    expect(first.edges).toHaveLength(2);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = data(await platform.client.request(TenantsDocument, { first: 2, after: first.pageInfo.endCursor })).tenants;
    expect(second.edges[0]?.node.slug > first.edges[1]!.node.slug).toBe(true);
    expect(codes(await platform.client.request(TenantsDocument, { first: 0 }))).toEqual(["BAD_USER_INPUT"]);
    expect(codes(await platform.client.request(TenantsDocument, { after: "not-a-cursor" }))).toEqual(["BAD_USER_INPUT"]);
  });

  it("refuses tenant creation to others, and bad input to platform admins", async () => {
    const admin = await t.fixtures.member(a, ["ADMIN"]);
    const input = { slug: uniqueSlug(), name: "X", admin: { phoneNumber: uniquePhone(), firstName: "X", temporaryPassword: PASSWORD } };
    expect(codes(await admin.client.request(CreateTenantDocument, { input }))).toEqual(["FORBIDDEN"]);
    expect(codes(await t.client().request(CreateTenantDocument, { input }))).toEqual(["UNAUTHENTICATED"]);
    expect(codes(await admin.client.request(TenantsDocument, {}))).toEqual(["FORBIDDEN"]);

    const platform = await t.fixtures.login(await t.fixtures.user({ platformAdmin: true }));
    expect(codes(await platform.client.request(CreateTenantDocument, { input: { ...input, slug: a.slug } }))).toEqual(["CONFLICT"]);
    expect(codes(await platform.client.request(CreateTenantDocument, { input: { ...input, slug: "Bad Slug!" } }))).toEqual([
      "BAD_USER_INPUT",
    ]);
    expect(codes(await platform.client.request(CreateTenantDocument, { input: { ...input, timeZone: "Mars/Olympus" } }))).toEqual([
      "BAD_USER_INPUT",
    ]);
    const noPassword = { ...input, admin: { phoneNumber: uniquePhone(), firstName: "X" } };
    expect(codes(await platform.client.request(CreateTenantDocument, { input: noPassword }))).toEqual(["BAD_USER_INPUT"]);
    // Nothing half-written: the refused tenant does not exist.
    expect(data(await t.client().request(TenantBySlugDocument, { slug: noPassword.slug })).tenantBySlug).toBeNull();
  });

  it("tenant admins invite staff; staff invite only non-staff roles; an invited new account joins once it accepts", async () => {
    const admin = await t.fixtures.member(a, ["ADMIN"]);
    const staffPhone = uniquePhone();
    const invited = data(
      await admin.client.request(AddMemberDocument, {
        input: { phoneNumber: staffPhone, firstName: "Sami", roles: ["STAFF"], temporaryPassword: PASSWORD },
      }),
    ).addMember;
    expect(invited).toMatchObject({ status: "PENDING", roles: ["STAFF"], phoneNumber: staffPhone, firstName: "Sami" });
    // Not a member yet: signing in to the tenant is refused until the invitation is accepted.
    const early = await t.client({ tenant: a.slug }).request(LoginDocument, { input: { identifier: staffPhone, password: PASSWORD } });
    expect(codes(early)).toEqual(["FORBIDDEN"]);
    const outside = data(await t.client().request(LoginDocument, { input: { identifier: staffPhone, password: PASSWORD } }));
    const joined = data(await t.client({ token: outside.login.accessToken }).request(AcceptInvitationDocument, { id: invited.id }));
    expect(joined.acceptInvitation).toMatchObject({ roles: ["STAFF"], isActive: true, tenant: { id: a.id } });

    const staffLogin = data(
      await t.client({ tenant: a.slug }).request(LoginDocument, { input: { identifier: staffPhone, password: PASSWORD } }),
    );
    const staffClient = t.client({ token: staffLogin.login.accessToken });
    for (const role of ["ADMIN", "STAFF"] as const) {
      const refused = await staffClient.request(AddMemberDocument, {
        input: { phoneNumber: uniquePhone(), firstName: "Z", roles: ["PARENT", role], temporaryPassword: PASSWORD },
      });
      expect(codes(refused)).toEqual(["FORBIDDEN"]);
      expect(refused.errors?.[0]?.extensions?.field).toBe("roles");
    }
    for (const role of ["INSTRUCTOR", "PARENT", "STUDENT", "MEMBER"] as const) {
      const offered = data(
        await staffClient.request(AddMemberDocument, {
          input: { phoneNumber: uniquePhone(), firstName: "P", roles: [role], temporaryPassword: PASSWORD },
        }),
      ).addMember;
      expect(offered.roles).toEqual([role]);
    }

    const parent = await t.fixtures.member(a, ["PARENT"]);
    const byParent = await parent.client.request(AddMemberDocument, {
      input: { phoneNumber: uniquePhone(), firstName: "Q", roles: ["PARENT"], temporaryPassword: PASSWORD },
    });
    expect(codes(byParent)).toEqual(["FORBIDDEN"]);
  });

  it("invites an existing account to a second tenant; it joins on accepting, its password untouched", async () => {
    const existing = await t.fixtures.user({ tenant: b, roles: ["PARENT"] });
    const admin = await t.fixtures.member(a, ["ADMIN"]);
    const invitation = data(
      await admin.client.request(AddMemberDocument, {
        input: { phoneNumber: existing.phone, firstName: "Ignored", roles: ["PARENT"], temporaryPassword: "another-password" },
      }),
    ).addMember;
    const signedIn = await t.fixtures.login(existing);
    expect(data(await signedIn.client.request(MyTenantsDocument)).myTenants.map((m) => m.tenant.id)).toEqual([b.id]);
    data(await signedIn.client.request(AcceptInvitationDocument, { id: invitation.id }));
    const tenants = data(await signedIn.client.request(MyTenantsDocument)).myTenants;
    expect(tenants.map((m) => m.tenant.id).sort()).toEqual([a.id, b.id].sort());
  });

  it("replaces roles (admins only) and a removed role stops working at once", async () => {
    const admin = await t.fixtures.member(a, ["ADMIN"]);
    const target = await t.fixtures.member(a, ["STAFF"]);
    const membership = data(await target.client.request(MeDocument)).me.membership!;
    const changed = data(await admin.client.request(SetMemberRolesDocument, { membershipId: membership.id, roles: ["PARENT"] }));
    expect(changed.setMemberRoles.roles).toEqual(["PARENT"]);
    // The same access token now carries no staff rights.
    const attempt = await target.client.request(AddMemberDocument, {
      input: { phoneNumber: uniquePhone(), firstName: "N", roles: ["PARENT"], temporaryPassword: PASSWORD },
    });
    expect(codes(attempt)).toEqual(["FORBIDDEN"]);
    expect(codes(await target.client.request(SetMemberRolesDocument, { membershipId: membership.id, roles: ["ADMIN"] }))).toEqual([
      "FORBIDDEN",
    ]);
    const otherTenantAdmin = await t.fixtures.member(b, ["ADMIN"]);
    expect(codes(await otherTenantAdmin.client.request(SetMemberRolesDocument, { membershipId: membership.id, roles: ["ADMIN"] }))).toEqual(
      ["NOT_FOUND"],
    );
  });

  it("tenant admins change settings; others may not; the change is audited", async () => {
    const admin = await t.fixtures.member(a, ["ADMIN"]);
    const updated = data(await admin.client.request(UpdateTenantDocument, { input: { name: "Renamed", defaultLanguage: "fr" } }));
    expect(updated.updateTenant).toMatchObject({ name: "Renamed", defaultLanguage: "fr" });
    expect(data(await t.client({ tenant: a.slug }).request(CurrentTenantDocument)).tenant?.name).toBe("Renamed");
    const staff = await t.fixtures.member(a, ["STAFF"]);
    expect(codes(await staff.client.request(UpdateTenantDocument, { input: { name: "No" } }))).toEqual(["FORBIDDEN"]);
    expect(codes(await admin.client.request(UpdateTenantDocument, { input: { timeZone: "Nowhere/Land" } }))).toEqual(["BAD_USER_INPUT"]);
    const audit = await t.deps.database.db.select().from(auditLog).where(sql`tenant_id = ${a.id} and action = 'tenant.update'`);
    expect(audit).toHaveLength(1);
    expect((audit[0]!.before as { name: string }).name).not.toBe("Renamed");
  });
});

describe("audit log", () => {
  it("tenant admins read every change with who, what, before and after; others may not", async () => {
    const tenant = await t.fixtures.tenant();
    const admin = await t.fixtures.member(tenant, ["ADMIN"]);
    data(await admin.client.request(UpdateTenantDocument, { input: { name: "First" } }));
    data(await admin.client.request(UpdateTenantDocument, { input: { name: "Second" } }));
    const page = data(await admin.client.request(AuditLogDocument, { filter: { action: "tenant.update" }, first: 1 })).auditLog;
    expect(page.totalCount).toBe(2);
    expect(page.nodes[0]).toMatchObject({ entity: "tenant", entityId: tenant.id, actor: { id: admin.user.id } });
    expect((page.nodes[0]!.after as { name: string }).name).toBe("Second");
    expect((page.nodes[0]!.before as { name: string }).name).toBe("First");
    expect(page.nodes[0]!.requestId).toBeTruthy();
    const next = data(
      await admin.client.request(AuditLogDocument, { filter: { action: "tenant.update" }, first: 1, after: page.pageInfo.endCursor }),
    ).auditLog;
    expect((next.nodes[0]!.after as { name: string }).name).toBe("First");
    const staff = await t.fixtures.member(tenant, ["STAFF"]);
    expect(codes(await staff.client.request(AuditLogDocument, {}))).toEqual(["FORBIDDEN"]);
    const otherAdmin = await t.fixtures.member(a, ["ADMIN"]);
    const elsewhere = data(await otherAdmin.client.request(AuditLogDocument, { filter: { entityId: tenant.id } })).auditLog;
    expect(elsewhere.totalCount).toBe(0);
    expect(
      codes(await admin.client.request(AuditLogDocument, { filter: { from: "2030-01-02T00:00:00Z", to: "2030-01-01T00:00:00Z" } })),
    ).toEqual(["BAD_USER_INPUT"]);
  });
});

describe("members list", () => {
  it("staff page through members with their contact details, filtered by role and text", async () => {
    const tenant = await t.fixtures.tenant();
    const staff = await t.fixtures.member(tenant, ["STAFF"]);
    for (let i = 0; i < 3; i++) await t.fixtures.user({ tenant, roles: ["PARENT"], firstName: `Parent${i}` });
    await t.fixtures.user({ tenant, roles: ["INSTRUCTOR"], firstName: "Teacher" });
    const parents = data(await staff.client.request(MembersDocument, { role: "PARENT", first: 2 })).members;
    expect(parents.totalCount).toBe(3);
    expect(parents.nodes).toHaveLength(2);
    expect(parents.nodes[0]?.user.phoneNumber1).toMatch(/^\+20/);
    const rest = data(await staff.client.request(MembersDocument, { role: "PARENT", first: 2, after: parents.pageInfo.endCursor })).members;
    expect(rest.nodes).toHaveLength(1);
    expect(new Set([...parents.nodes, ...rest.nodes].map((m) => m.id)).size).toBe(3);
    // Private details are decided per member without a statement per member.
    const two = await staff.client.request(MembersDocument, { first: 2 });
    const all = await staff.client.request(MembersDocument, { first: 5 });
    expect(data(all).members.nodes.every((m) => m.user.phoneNumber1 !== null)).toBe(true);
    expectFlatStatements(two, all);
    const found = data(await staff.client.request(MembersDocument, { search: "teach" })).members;
    expect(found.nodes.map((m) => m.user.firstName)).toEqual(["Teacher"]);
  });

  it("is for staff only", async () => {
    const parent = await t.fixtures.member(a, ["PARENT"]);
    expect(codes(await parent.client.request(MembersDocument, {}))).toEqual(["FORBIDDEN"]);
    expect(codes(await t.client({ tenant: a.slug }).request(MembersDocument, {}))).toEqual(["UNAUTHENTICATED"]);
  });
});
