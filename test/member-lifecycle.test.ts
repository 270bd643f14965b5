/**
 * Members: deactivate and reactivate (sign-in, switching, tokens and sockets of a
 * deactivated member; history kept), roles changed with audit, and the last
 * active admin kept.
 */
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { enrollments } from "../drizzle/schema";
import { codes, data } from "./helpers/client";
import { PASSWORD, type SignedIn } from "./helpers/fixtures";
import { createSchool, type School } from "./helpers/school";
import { subscribed, useTestServer } from "./helpers/server";
import {
  AttendanceUpdatedDocument,
  AuditLogDocument,
  DeactivateMemberDocument,
  LoginDocument,
  MeDocument,
  MembersDocument,
  MyChildrenDocument,
  MyTenantsDocument,
  ReactivateMemberDocument,
  RefreshTokenDocument,
  SetMemberRolesDocument,
  SwitchTenantDocument,
} from "./sdk/graphql";

const t = useTestServer();
let school: School;

beforeAll(async () => {
  school = await createSchool(t);
});

const membershipOf = async (who: SignedIn) => data(await who.client.request(MeDocument)).me.membership!.id;

describe("deactivating a member", () => {
  it("cuts their access to the tenant at once, keeps their rows, and reactivating gives the same roles back", async () => {
    const courseId = await school.createCourse();
    const family = await school.family(1);
    const enrollmentId = await school.enroll(courseId, family.childIds[0]!, family.parent);
    const membershipId = await membershipOf(family.parent);

    const deactivated = data(await school.admin.client.request(DeactivateMemberDocument, { membershipId })).deactivateMember;
    expect(deactivated).toEqual({ id: membershipId, roles: ["PARENT"], isActive: false });

    // The same access token no longer acts as a member.
    expect(codes(await family.parent.client.request(MyChildrenDocument))).toEqual(["FORBIDDEN"]);
    expect(data(await family.parent.client.request(MeDocument)).me.membership).toBeNull();
    // Signing in to the tenant is refused; without a tenant the session starts in none.
    const intoTenant = await t.client({ tenant: school.tenant.slug }).request(LoginDocument, {
      input: { identifier: family.parent.user.phone, password: PASSWORD },
    });
    expect(codes(intoTenant)).toEqual(["FORBIDDEN"]);
    const anywhere = data(await t.client().request(LoginDocument, { input: { identifier: family.parent.user.phone, password: PASSWORD } }));
    expect(anywhere.login.tenant).toBeNull();
    const fresh = t.client({ token: anywhere.login.accessToken });
    expect(data(await fresh.request(MyTenantsDocument)).myTenants).toEqual([]);
    expect(codes(await fresh.request(SwitchTenantDocument, { tenantId: school.tenant.id }))).toEqual(["FORBIDDEN"]);
    // A refresh token renews without the tenant.
    const renewed = data(await t.client().request(RefreshTokenDocument, { refreshToken: family.parent.refreshToken })).refreshToken;
    expect(renewed.tenant).toBeNull();

    // History kept: the enrolment is still there; staff still list the member.
    const [row] = await t.deps.database.db.select().from(enrollments).where(eq(enrollments.id, enrollmentId));
    expect(row?.id).toBe(enrollmentId);
    const listed = data(await school.admin.client.request(MembersDocument, { role: "PARENT", first: 100 })).members.nodes;
    expect(listed.map((m) => m.id)).toContain(membershipId);

    const reactivated = data(await school.admin.client.request(ReactivateMemberDocument, { membershipId })).reactivateMember;
    expect(reactivated).toEqual({ id: membershipId, roles: ["PARENT"], isActive: true });
    const back = await t.fixtures.login(family.parent.user, school.tenant);
    expect(data(await back.client.request(MyChildrenDocument)).myChildren.map((c) => c.id)).toEqual(family.childIds);

    // Both changes are audited, with the state before and after.
    const audit = data(
      await school.admin.client.request(AuditLogDocument, { filter: { entity: "membership", entityId: membershipId }, first: 10 }),
    ).auditLog.nodes;
    expect(audit.map((entry) => entry.action)).toEqual(["member.reactivate", "member.deactivate"]);
    expect(audit[1]).toMatchObject({ before: { isActive: true }, after: { isActive: false }, actor: { id: school.admin.user.id } });
  });

  it("closes the member's open sockets (4401)", async () => {
    const staff = await t.fixtures.member(school.tenant, ["STAFF"]);
    const courseId = await school.createCourse();
    const ws = t.ws({ token: staff.token });
    await subscribed(t, () => ws.subscribe(AttendanceUpdatedDocument, { courseId }));
    data(await school.admin.client.request(DeactivateMemberDocument, { membershipId: await membershipOf(staff) }));
    expect((await ws.firstClose).code).toBe(4401);
    await ws.close();
  });

  it("is for the tenant's admins only: anonymous, staff, a parent and another tenant's admin are refused", async () => {
    const target = await t.fixtures.member(school.tenant, ["STUDENT"]);
    const membershipId = await membershipOf(target);
    const staff = await t.fixtures.member(school.tenant, ["STAFF"]);
    const parent = await t.fixtures.member(school.tenant, ["PARENT"]);
    const other = await createSchool(t);
    expect(codes(await t.client({ tenant: school.tenant.slug }).request(DeactivateMemberDocument, { membershipId }))).toEqual([
      "UNAUTHENTICATED",
    ]);
    expect(codes(await staff.client.request(DeactivateMemberDocument, { membershipId }))).toEqual(["FORBIDDEN"]);
    expect(codes(await parent.client.request(DeactivateMemberDocument, { membershipId }))).toEqual(["FORBIDDEN"]);
    expect(codes(await other.admin.client.request(DeactivateMemberDocument, { membershipId }))).toEqual(["NOT_FOUND"]);
    expect(codes(await other.admin.client.request(ReactivateMemberDocument, { membershipId }))).toEqual(["NOT_FOUND"]);
    // Still active after all of that.
    expect(data(await target.client.request(MeDocument)).me.membership?.id).toBe(membershipId);
  });

  it("answers bad input and repeated changes with typed errors", async () => {
    const target = await t.fixtures.member(school.tenant, ["MEMBER"]);
    const membershipId = await membershipOf(target);
    expect(codes(await school.admin.client.request(DeactivateMemberDocument, { membershipId: "not-a-uuid" }))).toEqual(["BAD_USER_INPUT"]);
    expect(
      codes(await school.admin.client.request(DeactivateMemberDocument, { membershipId: "00000000-0000-4000-8000-000000000000" })),
    ).toEqual(["NOT_FOUND"]);
    const again = await school.admin.client.request(ReactivateMemberDocument, { membershipId });
    expect(codes(again)).toEqual(["CONFLICT"]);
    expect(again.errors?.[0]?.extensions?.reason).toBe("SAME_STATE");
    data(await school.admin.client.request(DeactivateMemberDocument, { membershipId }));
    expect(codes(await school.admin.client.request(DeactivateMemberDocument, { membershipId }))).toEqual(["CONFLICT"]);
  });
});

describe("the last active admin", () => {
  it("cannot be deactivated or demoted; with a second admin both work, and are audited", async () => {
    const centre = await createSchool(t);
    const adminMembership = await membershipOf(centre.admin);
    const deactivate = await centre.admin.client.request(DeactivateMemberDocument, { membershipId: adminMembership });
    expect(codes(deactivate)).toEqual(["CONFLICT"]);
    expect(deactivate.errors?.[0]?.extensions?.reason).toBe("LAST_ADMIN");
    const demote = await centre.admin.client.request(SetMemberRolesDocument, { membershipId: adminMembership, roles: ["STAFF"] });
    expect(codes(demote)).toEqual(["CONFLICT"]);
    // Keeping ADMIN among other roles is no demotion.
    expect(
      data(
        await centre.admin.client.request(SetMemberRolesDocument, { membershipId: adminMembership, roles: ["ADMIN", "INSTRUCTOR"] }),
      ).setMemberRoles.roles.sort(),
    ).toEqual(["ADMIN", "INSTRUCTOR"]);

    // A deactivated admin does not count as one.
    const second = await t.fixtures.member(centre.tenant, ["ADMIN"]);
    const secondMembership = await membershipOf(second);
    data(await centre.admin.client.request(DeactivateMemberDocument, { membershipId: secondMembership }));
    expect(codes(await centre.admin.client.request(SetMemberRolesDocument, { membershipId: adminMembership, roles: ["STAFF"] }))).toEqual([
      "CONFLICT",
    ]);
    data(await centre.admin.client.request(ReactivateMemberDocument, { membershipId: secondMembership }));

    // With another active admin, the first may step down.
    const demoted = data(await centre.admin.client.request(SetMemberRolesDocument, { membershipId: adminMembership, roles: ["STAFF"] }));
    expect(demoted.setMemberRoles.roles).toEqual(["STAFF"]);
    const audit = data(
      await second.client.request(AuditLogDocument, { filter: { entity: "membership", entityId: adminMembership }, first: 10 }),
    ).auditLog.nodes;
    expect(audit[0]).toMatchObject({ action: "member.setRoles", before: { roles: ["ADMIN", "INSTRUCTOR"] }, after: { roles: ["STAFF"] } });
    // And now the second one is the last.
    expect(codes(await second.client.request(DeactivateMemberDocument, { membershipId: secondMembership }))).toEqual(["CONFLICT"]);
  });

  it("two admins demoting each other at once: one succeeds, the other gets CONFLICT", async () => {
    const centre = await createSchool(t);
    const second = await t.fixtures.member(centre.tenant, ["ADMIN"]);
    const [a, b] = [await membershipOf(centre.admin), await membershipOf(second)];
    const results = await Promise.all([
      centre.admin.client.request(SetMemberRolesDocument, { membershipId: b, roles: ["STAFF"] }),
      second.client.request(DeactivateMemberDocument, { membershipId: a }),
    ]);
    const outcomes = results.map((result) => codes(result)[0] ?? "OK").sort();
    // Either the first wins (the second then is no admin: FORBIDDEN) or the second does (CONFLICT or FORBIDDEN for the first).
    expect(outcomes.filter((outcome) => outcome === "OK")).toHaveLength(1);
    const admins = data(await t.fixtures.login(centre.admin.user).then((s) => s.client.request(MyTenantsDocument))).myTenants;
    const stillAdmin = admins.length > 0 && admins.some((m) => m.roles.includes("ADMIN"));
    const other = data(await t.fixtures.login(second.user).then((s) => s.client.request(MyTenantsDocument))).myTenants;
    expect(stillAdmin || other.some((m) => m.roles.includes("ADMIN"))).toBe(true);
  });
});
