/**
 * Consent before an account joins a tenant, and private details that stay with
 * the person: invitations (addMember, myInvitations, accept, decline, revoke,
 * expiry) and the privacy policy every private field goes through.
 */
import { and, asc, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { auditLog, invitations, memberships, notifications, users } from "../drizzle/schema";
import {
  AcceptInvitationDocument,
  AddChildDocument,
  AddMemberDocument,
  ChildPrivacyDocument,
  DeclineInvitationDocument,
  InstructorPrivacyDocument,
  InvitationsDocument,
  MeDocument,
  MembersDocument,
  MyInvitationsDocument,
  MyTenantsDocument,
  RevokeInvitationDocument,
  UpdateChildDocument,
  type AddMemberInput,
} from "./sdk/graphql";
import { codes, data, type GraphQLClient, type Result, expectFlatStatements } from "./helpers/client";
import { PASSWORD, uniquePhone, uniqueSlug, type SignedIn, type TestTenant, type TestUser } from "./helpers/fixtures";
import { createSchool } from "./helpers/school";
import { useTestServer } from "./helpers/server";

let a: TestTenant;
let b: TestTenant;
let adminA: TestUser;
let staffB: SignedIn;
let adminB: SignedIn;

const IDENTITY = "29001011234567";
const BIRTH = "1990-01-01";

const unknownEmail = () => `${uniqueSlug("nobody")}@test.example`;

/** Gives a user the private details the probe went after. */
async function withPrivateDetails(user: TestUser) {
  await t.deps.database.db
    .update(users)
    .set({ identityNumber: IDENTITY, dateOfBirth: BIRTH, phoneNumber2: uniquePhone() })
    .where(eq(users.id, user.id));
  return user;
}

/** An answer with what differs by construction (ids, times, the login typed) set aside. */
function comparable(result: Result<{ addMember: Record<string, unknown> }>) {
  if (!result.data?.addMember) return { status: result.status, errors: result.errors?.map((e) => e.extensions?.code) };
  const { id, createdAt, expiresAt, email, phoneNumber, ...rest } = result.data.addMember;
  return {
    status: result.status,
    shape: Object.keys(result.data.addMember).sort(),
    idIsUuid: /^[0-9a-f-]{36}$/.test(String(id)),
    typed: { email: email !== null, phoneNumber: phoneNumber !== null },
    expiresInDays: Math.round((Date.parse(String(expiresAt)) - Date.parse(String(createdAt))) / 86_400_000),
    ...rest,
  };
}

const invite = (as: SignedIn, input: Partial<AddMemberInput>) =>
  as.client.request(AddMemberDocument, {
    input: { firstName: "Guest", roles: ["PARENT"], temporaryPassword: PASSWORD, ...input } as AddMemberInput,
  });

async function membershipOf(tenant: TestTenant, userId: string) {
  const [row] = await t.deps.database.db
    .select()
    .from(memberships)
    .where(and(eq(memberships.tenantId, tenant.id), eq(memberships.userId, userId)));
  return row;
}

const t = useTestServer();
beforeAll(async () => {
  a = await t.fixtures.tenant({ name: "Alpha Academy" });
  b = await t.fixtures.tenant({ name: "Beta Club" });
  adminA = await withPrivateDetails(await t.fixtures.user({ tenant: a, roles: ["ADMIN"], firstName: "Amira" }));
  staffB = await t.fixtures.member(b, ["STAFF"]);
  adminB = await t.fixtures.member(b, ["ADMIN"]);
});

describe("the probe: staff of one tenant adds another tenant's admin by email", () => {
  it("without a password: the same refusal as for an unknown email, and nothing changes", async () => {
    const input = (email: string) => ({ email, firstName: "X", roles: ["PARENT"] }) as unknown as AddMemberInput;
    const known = await staffB.client.request(AddMemberDocument, { input: input(adminA.email) });
    const unknown = await staffB.client.request(AddMemberDocument, { input: input(unknownEmail()) });
    expect(known.status).toBe(unknown.status);
    expect(codes(known)).toEqual(codes(unknown));
    // The message quotes the input back; apart from the typed email it is the same.
    const email = (result: typeof known, typed: string) => result.errors?.[0]?.message.replace(typed, "<email>");
    expect(email(known, adminA.email)).toBe(
      email(unknown, String(unknown.errors?.[0]?.message.match(/nobody-[0-9a-f]+@test\.example/)?.[0])),
    );
    expect(known.data ?? null).toBeNull();
    expect(await membershipOf(b, adminA.id)).toBeUndefined();
  });

  it("with a password: an invitation showing only what was typed, answered exactly as for an unknown email", async () => {
    const known = await invite(staffB, { email: adminA.email, firstName: "X" });
    const unknown = await invite(staffB, { email: unknownEmail(), firstName: "X" });
    expect(comparable(known)).toEqual(comparable(unknown));
    const invitation = data(known).addMember;
    expect(invitation).toMatchObject({
      status: "PENDING",
      roles: ["PARENT"],
      firstName: "X",
      lastName: "",
      email: adminA.email,
      phoneNumber: null,
    });
    // Nothing of the account came back: not its name, phone, national id or date of birth.
    const text = JSON.stringify(known);
    for (const secret of [adminA.id, adminA.phone, "Amira", IDENTITY, BIRTH]) expect(text).not.toContain(secret);

    // No membership, and nothing of the account anywhere the inviting tenant can look.
    expect(await membershipOf(b, adminA.id)).toBeUndefined();
    const search = data(await staffB.client.request(MembersDocument, { search: adminA.email })).members;
    expect(search.totalCount).toBe(0);
    const listed = data(await staffB.client.request(InvitationsDocument, {})).invitations.nodes.find((n) => n.id === invitation.id);
    expect(listed).toEqual(invitation);
    const audit = await t.deps.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.tenantId, b.id), eq(auditLog.entityId, invitation.id)));
    expect(audit.map((row) => row.action)).toEqual(["invitation.create"]);
    expect(JSON.stringify(audit)).not.toContain(adminA.id);
  });

  it("by phone the same: an existing and an unknown phone number get the same answer", async () => {
    const known = await invite(staffB, { phoneNumber: adminA.phone, firstName: "Y", roles: ["STUDENT"] });
    const unknown = await invite(staffB, { phoneNumber: uniquePhone(), firstName: "Y", roles: ["STUDENT"] });
    expect(comparable(known)).toEqual(comparable(unknown));
    expect(await membershipOf(b, adminA.id)).toBeUndefined();
  });

  it("offering a staff role is for admins, whether or not the login exists", async () => {
    for (const email of [adminA.email, unknownEmail()]) {
      const refused = await invite(staffB, { email, roles: ["STAFF"] });
      expect(codes(refused)).toEqual(["FORBIDDEN"]);
      expect(refused.errors?.[0]?.message).toContain("STAFF");
    }
    const byAdmin = data(await invite(adminB, { email: unknownEmail(), roles: ["ADMIN", "STAFF"] })).addMember;
    expect(byAdmin.roles).toEqual(["ADMIN", "STAFF"]);
  });

  it("bad input is refused the same way for known and unknown logins, NUL bytes included", async () => {
    const cases: Partial<AddMemberInput>[] = [
      { temporaryPassword: "short" },
      { firstName: "   " },
      { firstName: "Na\u0000me" },
      { lastName: "x".repeat(101) },
      { roles: [] },
    ];
    for (const extra of cases) {
      const known = await invite(staffB, { email: adminA.email, ...extra });
      const unknown = await invite(staffB, { email: unknownEmail(), ...extra });
      expect(codes(known)).toEqual(["BAD_USER_INPUT"]);
      expect(comparable(known)).toEqual(comparable(unknown));
    }
    expect(codes(await invite(staffB, { email: "a\u0000b@test.example" }))).toEqual(["BAD_USER_INPUT"]);
    expect(codes(await invite(staffB, { phoneNumber: "+2010\u000012345678" }))).toEqual(["BAD_USER_INPUT"]);
    expect(codes(await invite(staffB, {}))).toEqual(["BAD_USER_INPUT"]);
  });

  it("is for staff: members get FORBIDDEN, anonymous requests UNAUTHENTICATED", async () => {
    const parent = await t.fixtures.member(b, ["PARENT"]);
    expect(codes(await invite(parent, { email: adminA.email }))).toEqual(["FORBIDDEN"]);
    const anonymous = await t.client({ tenant: b.slug }).request(AddMemberDocument, {
      input: { email: adminA.email, firstName: "X", roles: ["PARENT"], temporaryPassword: PASSWORD },
    });
    expect(codes(anonymous)).toEqual(["UNAUTHENTICATED"]);
  });
});

describe("the invitee", () => {
  it("is told in their own language and sees the invitation from any tenant, or none", async () => {
    const person = await t.fixtures.user({ tenant: a, roles: ["PARENT"], language: "fr" });
    const invitation = data(await invite(staffB, { phoneNumber: person.phone, firstName: "Pat", roles: ["STUDENT", "PARENT"] })).addMember;

    const [note] = await t.deps.database.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.userId, person.id), eq(notifications.kind, "INVITATION")));
    expect(note).toMatchObject({ tenantId: b.id, title: "Invitation de Beta Club", data: { invitationId: invitation.id, tenantId: b.id } });
    expect(note!.body).toContain("rejoindre Beta Club en tant que parent, élève");

    const arabic = await t.fixtures.user({ language: "ar" });
    data(await invite(staffB, { email: arabic.email, roles: ["STUDENT"] }));
    const [arabicNote] = await t.deps.database.db.select().from(notifications).where(eq(notifications.userId, arabic.id));
    expect(arabicNote!.title).toBe("دعوة من Beta Club");
    expect(arabicNote!.body).toContain("طالب");

    // Signed in to another tenant, or to none at all: the invitation is there.
    for (const signedIn of [await t.fixtures.login(person, a), await t.fixtures.login(person)]) {
      const mine = data(await signedIn.client.request(MyInvitationsDocument, {})).myInvitations;
      expect(mine.totalCount).toBe(1);
      expect(mine.nodes[0]).toMatchObject({
        id: invitation.id,
        status: "PENDING",
        roles: ["PARENT", "STUDENT"],
        tenant: { id: b.id, name: "Beta Club" },
      });
      expect(mine.nodes[0]!.invitedByName).toBe("Test User");
    }
  });

  it("accepts: joins with the roles offered, once, and the tenant then sees the person", async () => {
    const person = await withPrivateDetails(await t.fixtures.user({ tenant: a, roles: ["PARENT"] }));
    const invitation = data(await invite(staffB, { email: person.email, roles: ["PARENT"] })).addMember;
    // Before accepting, staff of the inviting tenant cannot read the account at all.
    expect(data(await staffB.client.request(MembersDocument, { search: person.email })).members.totalCount).toBe(0);

    const signedIn = await t.fixtures.login(person, a);
    const joined = data(await signedIn.client.request(AcceptInvitationDocument, { id: invitation.id })).acceptInvitation;
    expect(joined).toMatchObject({ roles: ["PARENT"], isActive: true, tenant: { id: b.id }, user: { id: person.id } });
    const again = data(await signedIn.client.request(AcceptInvitationDocument, { id: invitation.id })).acceptInvitation;
    expect(again.id).toBe(joined.id);
    expect(data(await signedIn.client.request(MyInvitationsDocument, {})).myInvitations.totalCount).toBe(0);
    expect(
      data(await signedIn.client.request(MyTenantsDocument))
        .myTenants.map((m) => m.tenant.id)
        .sort(),
    ).toEqual([a.id, b.id].sort());
    expect(codes(await signedIn.client.request(DeclineInvitationDocument, { id: invitation.id }))).toEqual(["CONFLICT"]);

    const member = data(await staffB.client.request(MembersDocument, { search: person.email })).members.nodes[0];
    expect(member?.user).toMatchObject({ id: person.id, phoneNumber1: person.phone, identityNumber: IDENTITY, dateOfBirth: BIRTH });
    const listed = data(await staffB.client.request(InvitationsDocument, { status: "ACCEPTED" })).invitations.nodes;
    expect(listed.find((n) => n.id === invitation.id)?.respondedAt).toBeTruthy();
    const audit = await t.deps.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.tenantId, b.id), eq(auditLog.entityId, invitation.id)))
      .orderBy(asc(auditLog.createdAt));
    expect(audit.map((row) => [row.action, row.actorId])).toEqual([
      ["invitation.create", staffB.user.id],
      ["invitation.accept", person.id],
    ]);
  });

  it("declines: stays out; accepting afterwards is a CONFLICT saying why; declining again answers the same", async () => {
    const person = await t.fixtures.user();
    const invitation = data(await invite(staffB, { email: person.email })).addMember;
    const signedIn = await t.fixtures.login(person);
    const declined = data(await signedIn.client.request(DeclineInvitationDocument, { id: invitation.id })).declineInvitation;
    expect(declined).toMatchObject({ id: invitation.id, status: "DECLINED" });
    expect(data(await signedIn.client.request(DeclineInvitationDocument, { id: invitation.id })).declineInvitation.status).toBe("DECLINED");
    const late = await signedIn.client.request(AcceptInvitationDocument, { id: invitation.id });
    expect(codes(late)).toEqual(["CONFLICT"]);
    expect(late.errors?.[0]?.message).toBe("You declined this invitation. Ask the organisation to invite you again.");
    expect(await membershipOf(b, person.id)).toBeUndefined();
    const listed = data(await staffB.client.request(InvitationsDocument, { status: "DECLINED" })).invitations.nodes;
    expect(listed.map((n) => n.id)).toContain(invitation.id);
    // The tenant may ask again: a new invitation.
    const next = data(await invite(staffB, { email: person.email })).addMember;
    expect(next.id).not.toBe(invitation.id);
  });

  it("cannot answer someone else's invitation, a made-up id, or anything while anonymous", async () => {
    const person = await t.fixtures.user();
    const invitation = data(await invite(staffB, { email: person.email })).addMember;
    const stranger = await t.fixtures.login(await t.fixtures.user({ tenant: b, roles: ["ADMIN"] }), b);
    const answers = [
      (client: GraphQLClient, id: string) => client.request(AcceptInvitationDocument, { id }),
      (client: GraphQLClient, id: string) => client.request(DeclineInvitationDocument, { id }),
    ];
    for (const answer of answers) {
      expect(codes(await answer(stranger.client, invitation.id))).toEqual(["NOT_FOUND"]);
      expect(codes(await answer(stranger.client, "00000000-0000-4000-8000-000000000000"))).toEqual(["NOT_FOUND"]);
      expect(codes(await answer(stranger.client, "not-a-uuid"))).toEqual(["BAD_USER_INPUT"]);
      expect(codes(await answer(t.client(), invitation.id))).toEqual(["UNAUTHENTICATED"]);
    }
    expect(codes(await t.client().request(MyInvitationsDocument, {}))).toEqual(["UNAUTHENTICATED"]);
    expect(data(await stranger.client.request(MyInvitationsDocument, {})).myInvitations.totalCount).toBe(0);
    // Still pending, untouched.
    const [row] = await t.deps.database.db.select().from(invitations).where(eq(invitations.id, invitation.id));
    expect(row!.status).toBe("PENDING");
  });
});

describe("the inviting tenant", () => {
  it("revokes: staff their own kind of invitation, admins any; revoking again answers the same", async () => {
    const person = await t.fixtures.user();
    const parentInvite = data(await invite(staffB, { email: person.email })).addMember;
    const revoked = data(await staffB.client.request(RevokeInvitationDocument, { id: parentInvite.id })).revokeInvitation;
    expect(revoked).toMatchObject({ status: "REVOKED" });
    expect(data(await staffB.client.request(RevokeInvitationDocument, { id: parentInvite.id })).revokeInvitation.status).toBe("REVOKED");
    const signedIn = await t.fixtures.login(person);
    const late = await signedIn.client.request(AcceptInvitationDocument, { id: parentInvite.id });
    expect(codes(late)).toEqual(["CONFLICT"]);
    expect(late.errors?.[0]?.message).toBe("The organisation withdrew this invitation.");

    const staffInvite = data(await invite(adminB, { email: person.email, roles: ["STAFF"] })).addMember;
    expect(codes(await staffB.client.request(RevokeInvitationDocument, { id: staffInvite.id }))).toEqual(["FORBIDDEN"]);
    const otherAdmin = await t.fixtures.member(a, ["ADMIN"]);
    expect(codes(await otherAdmin.client.request(RevokeInvitationDocument, { id: staffInvite.id }))).toEqual(["NOT_FOUND"]);
    const parent = await t.fixtures.member(b, ["PARENT"]);
    expect(codes(await parent.client.request(RevokeInvitationDocument, { id: staffInvite.id }))).toEqual(["FORBIDDEN"]);
    data(await adminB.client.request(RevokeInvitationDocument, { id: staffInvite.id }));

    // An accepted invitation is no longer the tenant's to withdraw.
    const accepted = data(await invite(staffB, { email: person.email })).addMember;
    data(await signedIn.client.request(AcceptInvitationDocument, { id: accepted.id }));
    expect(codes(await staffB.client.request(RevokeInvitationDocument, { id: accepted.id }))).toEqual(["CONFLICT"]);
    const audit = await t.deps.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.tenantId, b.id), eq(auditLog.action, "invitation.revoke")));
    expect(audit.map((row) => row.entityId)).toEqual(expect.arrayContaining([parentInvite.id, staffInvite.id]));
  });

  it("inviting the same way again renews the open invitation (roles added), telling the person once", async () => {
    const person = await t.fixtures.user();
    const first = data(await invite(staffB, { email: person.email, roles: ["PARENT"] })).addMember;
    const second = data(await invite(staffB, { email: person.email.toUpperCase(), firstName: "Renamed", roles: ["STUDENT"] })).addMember;
    expect(second).toMatchObject({ id: first.id, roles: ["PARENT", "STUDENT"], firstName: "Renamed", email: person.email });
    expect(Date.parse(second.expiresAt)).toBeGreaterThanOrEqual(Date.parse(first.expiresAt));
    const told = await t.deps.database.db.select().from(notifications).where(eq(notifications.userId, person.id));
    expect(told).toHaveLength(1);
    // Asked for by phone, it is another invitation: renewing the email's one would tell the
    // tenant that this phone number and that email belong to one person.
    const byPhone = data(await invite(staffB, { phoneNumber: person.phone, roles: ["MEMBER"] })).addMember;
    expect(byPhone).toMatchObject({ roles: ["MEMBER"], phoneNumber: person.phone, email: null });
    expect(byPhone.id).not.toBe(first.id);
    const actions = await t.deps.database.db.select({ action: auditLog.action }).from(auditLog).where(eq(auditLog.entityId, first.id));
    expect(actions.map((row) => row.action).sort()).toEqual(["invitation.create", "invitation.renew"]);
  });

  it("concurrent invitations of one unknown login make one account and one invitation", async () => {
    const phone = uniquePhone();
    const answers = await Promise.all([1, 2, 3].map(() => invite(staffB, { phoneNumber: phone })));
    const ids = new Set(answers.map((answer) => data(answer).addMember.id));
    expect(ids.size).toBe(1);
    const accounts = await t.deps.database.db.select().from(users).where(eq(users.phoneNumber1, phone));
    expect(accounts).toHaveLength(1);
    const open = await t.deps.database.db.select().from(invitations).where(eq(invitations.userId, accounts[0]!.id));
    expect(open).toHaveLength(1);
  });

  it("an invitation past its date cannot be accepted, reads EXPIRED, and a new one can be made", async () => {
    const person = await t.fixtures.user();
    const invitation = data(await invite(staffB, { email: person.email })).addMember;
    await t.deps.database.db
      .update(invitations)
      .set({ expiresAt: new Date(Date.now() - 60_000) })
      .where(eq(invitations.id, invitation.id));
    const signedIn = await t.fixtures.login(person);
    expect(data(await signedIn.client.request(MyInvitationsDocument, {})).myInvitations.totalCount).toBe(0);
    const late = await signedIn.client.request(AcceptInvitationDocument, { id: invitation.id });
    expect(codes(late)).toEqual(["CONFLICT"]);
    expect(late.errors?.[0]?.message).toMatch(/^This invitation expired on \d{4}-\d{2}-\d{2}\. Ask the organisation/);
    expect(codes(await signedIn.client.request(DeclineInvitationDocument, { id: invitation.id }))).toEqual(["CONFLICT"]);
    expect(codes(await staffB.client.request(RevokeInvitationDocument, { id: invitation.id }))).toEqual(["CONFLICT"]);
    const expired = data(await staffB.client.request(InvitationsDocument, { status: "EXPIRED" })).invitations.nodes;
    expect(expired.find((n) => n.id === invitation.id)?.status).toBe("EXPIRED");
    const pending = data(await staffB.client.request(InvitationsDocument, { status: "PENDING" })).invitations.nodes;
    expect(pending.map((n) => n.id)).not.toContain(invitation.id);

    const renewed = data(await invite(staffB, { email: person.email })).addMember;
    expect(renewed.id).not.toBe(invitation.id);
    data(await signedIn.client.request(AcceptInvitationDocument, { id: renewed.id }));
    expect((await membershipOf(b, person.id))?.isActive).toBe(true);
  });

  it("re-invites a deactivated member with only the roles offered now", async () => {
    const tenant = await t.fixtures.tenant();
    const staff = await t.fixtures.member(tenant, ["STAFF"]);
    const former = await t.fixtures.user({ tenant, roles: ["ADMIN"] });
    await t.deps.database.db.update(memberships).set({ isActive: false }).where(eq(memberships.userId, former.id));
    const invitation = data(await invite(staff, { email: former.email, roles: ["PARENT"] })).addMember;
    data(await (await t.fixtures.login(former)).client.request(AcceptInvitationDocument, { id: invitation.id }));
    expect(await membershipOf(tenant, former.id)).toMatchObject({ isActive: true, roles: ["PARENT"] });
  });

  it("lists invitations for staff only, in pages, with a fixed number of statements", async () => {
    const tenant = await t.fixtures.tenant();
    const admin = await t.fixtures.member(tenant, ["ADMIN"]);
    for (let i = 0; i < 6; i++) data(await invite(admin, { email: unknownEmail(), firstName: `Guest${i}` }));
    const one = await admin.client.request(InvitationsDocument, { first: 1 });
    const six = await admin.client.request(InvitationsDocument, { first: 6 });
    expect(data(six).invitations.nodes.map((n) => n.firstName)).toEqual(["Guest5", "Guest4", "Guest3", "Guest2", "Guest1", "Guest0"]);
    expectFlatStatements(one, six);
    const page1 = data(await admin.client.request(InvitationsDocument, { first: 4 })).invitations;
    const page2 = data(await admin.client.request(InvitationsDocument, { first: 4, after: page1.pageInfo.endCursor })).invitations;
    expect(page1.totalCount).toBe(6);
    expect(page2.nodes.map((n) => n.firstName)).toEqual(["Guest1", "Guest0"]);
    expect(codes(await admin.client.request(InvitationsDocument, { after: "forged" }))).toEqual(["BAD_USER_INPUT"]);
    expect(codes(await admin.client.request(InvitationsDocument, { first: 1000 }))).toEqual(["BAD_USER_INPUT"]);
    const parent = await t.fixtures.member(tenant, ["PARENT"]);
    expect(codes(await parent.client.request(InvitationsDocument, {}))).toEqual(["FORBIDDEN"]);
    expect(codes(await t.client({ tenant: tenant.slug }).request(InvitationsDocument, {}))).toEqual(["UNAUTHENTICATED"]);
    // Another tenant's staff see none of them.
    expect(data(await staffB.client.request(InvitationsDocument, {})).invitations.nodes.map((n) => n.tenant.id)).not.toContain(tenant.id);
  });

  it("myInvitations from many tenants costs a fixed number of statements and pages", async () => {
    const person = await t.fixtures.user();
    for (let i = 0; i < 4; i++) {
      const tenant = await t.fixtures.tenant({ name: `Host ${i}` });
      data(await invite(await t.fixtures.member(tenant, ["STAFF"]), { email: person.email }));
    }
    const signedIn = await t.fixtures.login(person);
    const one = await signedIn.client.request(MyInvitationsDocument, { first: 1 });
    const four = await signedIn.client.request(MyInvitationsDocument, { first: 4 });
    expect(data(four).myInvitations.nodes.map((n) => n.tenant.name)).toEqual(["Host 3", "Host 2", "Host 1", "Host 0"]);
    expectFlatStatements(one, four);
    const next = data(
      await signedIn.client.request(MyInvitationsDocument, { first: 3, after: data(one).myInvitations.pageInfo.endCursor }),
    );
    expect(next.myInvitations.nodes.map((n) => n.tenant.name)).toEqual(["Host 2", "Host 1", "Host 0"]);
  });
});

describe("private details", () => {
  /** A person who teaches at `a` (and once did at `b`, now deactivated) and is the guardian of a child at `a`. */
  async function person() {
    const tenant = await t.fixtures.tenant();
    const other = await t.fixtures.tenant();
    const firstName = `Priv${uniqueSlug("").slice(2)}`;
    const user = await withPrivateDetails(await t.fixtures.user({ tenant, roles: ["INSTRUCTOR", "PARENT"], firstName }));
    const { grantMembership } = await import("../server/services/members");
    await grantMembership(t.deps.database.db, other.id, user.id, ["INSTRUCTOR"]);
    await t.deps.database.db
      .update(memberships)
      .set({ isActive: false })
      .where(and(eq(memberships.tenantId, other.id), eq(memberships.userId, user.id)));
    const self = await t.fixtures.login(user, tenant);
    const child = data(await self.client.request(AddChildDocument, { input: { firstName: "Kid", dateOfBirth: "2016-02-01" } })).addChild;
    data(await self.client.request(UpdateChildDocument, { id: child.id, input: { notes: "peanut allergy" } }));
    return { tenant, other, user, firstName, self, childId: child.id };
  }

  const seen = async (client: SignedIn["client"], search: string) =>
    data(await client.request(InstructorPrivacyDocument, { search })).instructors.nodes[0]?.user;

  it("the person, staff of a tenant they actively belong to, and the guardian see them; nobody else does", async () => {
    const p = await person();
    const full = {
      phoneNumber1: p.user.phone,
      email: p.user.email,
      identityNumber: IDENTITY,
      dateOfBirth: BIRTH,
      parentProfile: { children: [{ id: p.childId, dateOfBirth: "2016-02-01", notes: "peanut allergy" }] },
    };
    // Self (and so the child's guardian).
    expect(await seen(p.self.client, p.firstName)).toMatchObject(full);
    // Staff of the person's tenant.
    const staff = await t.fixtures.member(p.tenant, ["STAFF"]);
    expect(await seen(staff.client, p.firstName)).toMatchObject(full);

    const hidden = {
      firstName: p.firstName,
      phoneNumber1: null,
      phoneNumber2: null,
      email: null,
      identityNumber: null,
      dateOfBirth: null,
      gender: null,
      parentProfile: null,
    };
    // Staff of a tenant where the membership was deactivated: the name only.
    const formerStaff = await t.fixtures.member(p.other, ["ADMIN"]);
    expect(await seen(formerStaff.client, p.firstName)).toEqual({ id: p.user.id, ...hidden });
    // Another parent, an instructor, anonymous: the name only.
    const otherParent = await t.fixtures.member(p.tenant, ["PARENT"]);
    expect(await seen(otherParent.client, p.firstName)).toEqual({ id: p.user.id, ...hidden });
    const colleague = await t.fixtures.member(p.tenant, ["INSTRUCTOR"]);
    expect(await seen(colleague.client, p.firstName)).toEqual({ id: p.user.id, ...hidden });
    expect(await seen(t.client({ tenant: p.tenant.slug }), p.firstName)).toEqual({ id: p.user.id, ...hidden });
    // Staff of a tenant the person does not belong to: not even the name.
    expect(await seen(staffB.client, p.firstName)).toBeUndefined();
    // A platform admin who is not staff here gets no exception.
    const platform = await t.fixtures.login(await t.fixtures.user({ platformAdmin: true }));
    expect(await seen(t.client({ token: platform.token, tenant: p.tenant.slug }), p.firstName)).toEqual({ id: p.user.id, ...hidden });
  });

  it("a child's date of birth and notes: the guardian and staff, not the instructor teaching the child", async () => {
    const school = await createSchool(t);
    const family = await school.family(1);
    const childId = family.childIds[0]!;
    data(await family.parent.client.request(UpdateChildDocument, { id: childId, input: { dateOfBirth: "2015-05-05", notes: "asthma" } }));
    const courseId = await school.createCourse();
    await school.enroll(courseId, childId, family.parent);
    const childOf = async (as: SignedIn) =>
      data(await as.client.request(ChildPrivacyDocument, { courseId })).enrollments.nodes.map((n) => n.participant)[0];
    expect(await childOf(family.parent)).toMatchObject({ id: childId, dateOfBirth: "2015-05-05", notes: "asthma" });
    expect(await childOf(school.admin)).toMatchObject({ id: childId, dateOfBirth: "2015-05-05", notes: "asthma" });
    expect(await childOf(school.instructor)).toEqual({
      __typename: "Child",
      id: childId,
      firstName: "Kid0",
      dateOfBirth: null,
      notes: null,
    });
    const otherFamily = await school.family(0);
    expect(await childOf(otherFamily.parent)).toBeUndefined();
  });

  it("me: the person always sees their own details", async () => {
    const user = await withPrivateDetails(await t.fixtures.user());
    const me = data(await (await t.fixtures.login(user)).client.request(MeDocument)).me;
    expect(me).toMatchObject({ phoneNumber1: user.phone, email: user.email, identityNumber: IDENTITY, dateOfBirth: BIRTH });
  });
});
