/**
 * Account deletion with a grace period: scheduling (password, last admin), cancelling,
 * signing in during grace, the erase-accounts job under a fake clock (not before the
 * due instant, at it, and again), what is kept anonymised and what is deleted, and
 * registering again with the freed phone number.
 */
import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { auditLog, authSessions, children, enrollments, memberships, messageDeliveries, payments, users } from "../drizzle/schema";
import { eraseAccounts } from "../server/jobs/erase-accounts";
import { createJobRunner, listJobTenants } from "../server/jobs/runner";
import { codes, data } from "./helpers/client";
import { PASSWORD, type SignedIn } from "./helpers/fixtures";
import { createSchool, type School } from "./helpers/school";
import { useTestServer } from "./helpers/server";
import {
  AddGuardianDocument,
  CancelAccountDeletionDocument,
  DeleteMyAccountDocument,
  LoginDocument,
  MembersDeletionDocument,
  MyDeletionDocument,
  RecordManualPaymentDocument,
  RegisterDocument,
} from "./sdk/graphql";

const GRACE_MS = 14 * 86_400_000;
const t = useTestServer();
let school: School;

beforeAll(async () => {
  school = await createSchool(t);
});

afterEach(() => {
  vi.useRealTimers();
});

const userRow = async (id: string) => (await t.deps.database.db.select().from(users).where(eq(users.id, id)))[0]!;
const deletionOf = async (who: SignedIn) => data(await who.client.request(MyDeletionDocument)).me.deletionScheduledAt;

describe("scheduling a deletion", () => {
  it("needs a signed-in user", async () => {
    expect(codes(await t.client().request(DeleteMyAccountDocument, { password: PASSWORD }))).toEqual(["UNAUTHENTICATED"]);
    expect(codes(await t.client().request(CancelAccountDeletionDocument))).toEqual(["UNAUTHENTICATED"]);
  });

  it("refuses a wrong password with a typed error and schedules nothing", async () => {
    const parent = await t.fixtures.member(school.tenant, ["PARENT"]);
    const wrong = await parent.client.request(DeleteMyAccountDocument, { password: "not-the-password" });
    expect(codes(wrong)).toEqual(["BAD_USER_INPUT"]);
    expect(wrong.errors?.[0]?.extensions?.field).toBe("password");
    expect(await deletionOf(parent)).toBeNull();
  });

  it("refuses the last active admin of a tenant (CONFLICT, LAST_ADMIN) until another admin exists", async () => {
    const centre = await t.fixtures.tenant();
    const only = await t.fixtures.member(centre, ["ADMIN"]);
    const refused = await only.client.request(DeleteMyAccountDocument, { password: PASSWORD });
    expect(codes(refused)).toEqual(["CONFLICT"]);
    expect(refused.errors?.[0]?.extensions?.reason).toBe("LAST_ADMIN");
    expect(refused.errors?.[0]?.message).toContain(centre.slug);
    expect((await userRow(only.user.id)).deletionScheduledAt).toBeNull();

    // An admin who is leaving too does not count as the one who stays.
    const other = await t.fixtures.member(centre, ["ADMIN"]);
    data(await other.client.request(DeleteMyAccountDocument, { password: PASSWORD }));
    expect(codes(await only.client.request(DeleteMyAccountDocument, { password: PASSWORD }))).toEqual(["CONFLICT"]);
    data(await other.client.request(CancelAccountDeletionDocument));
    const scheduled = data(await only.client.request(DeleteMyAccountDocument, { password: PASSWORD })).deleteMyAccount;
    expect(scheduled.deletionScheduledAt).not.toBeNull();
  });

  it("schedules at now + grace, shows it to the person only, lets them sign in, audits, tells them, and can be cancelled", async () => {
    const parent = await t.fixtures.member(school.tenant, ["PARENT"]);
    const before = Date.now();
    const scheduled = data(await parent.client.request(DeleteMyAccountDocument, { password: PASSWORD })).deleteMyAccount;
    const due = new Date(scheduled.deletionScheduledAt as string).getTime();
    expect(due).toBeGreaterThanOrEqual(before + GRACE_MS);
    expect(due).toBeLessThanOrEqual(Date.now() + GRACE_MS);
    // Asking again keeps the first date.
    const again = data(await parent.client.request(DeleteMyAccountDocument, { password: PASSWORD })).deleteMyAccount;
    expect(again.deletionScheduledAt).toBe(scheduled.deletionScheduledAt);

    // Staff see the member, not the deletion date.
    const listed = data(await school.admin.client.request(MembersDeletionDocument, { first: 100 })).members.nodes;
    const seen = listed.find((m) => m.user.id === parent.user.id);
    expect(seen?.user.deletionScheduledAt).toBeNull();

    // Signing in during grace works, and `me` shows the date.
    const login = data(
      await t
        .client({ tenant: school.tenant.slug })
        .request(LoginDocument, { input: { identifier: parent.user.phone, password: PASSWORD } }),
    ).login;
    const fresh = t.client({ token: login.accessToken });
    expect(data(await fresh.request(MyDeletionDocument)).me.deletionScheduledAt).toBe(scheduled.deletionScheduledAt);

    // Audited in the person's tenant; a notice queued to their phone.
    const entries = await t.deps.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entity, "user"), eq(auditLog.entityId, parent.user.id)));
    expect(entries.map((e) => [e.action, e.tenantId, e.actorId])).toEqual([
      ["account.deletionScheduled", school.tenant.id, parent.user.id],
    ]);
    const notices = await t.deps.database.db
      .select()
      .from(messageDeliveries)
      .where(and(eq(messageDeliveries.userId, parent.user.id), eq(messageDeliveries.kind, "account.deletionScheduled")));
    expect(notices.map((n) => n.destination)).toEqual([parent.user.phone]);

    const cancelled = data(await fresh.request(CancelAccountDeletionDocument)).cancelAccountDeletion;
    expect(cancelled.deletionScheduledAt).toBeNull();
    expect((await userRow(parent.user.id)).deletionScheduledAt).toBeNull();
    const twice = await fresh.request(CancelAccountDeletionDocument);
    expect(codes(twice)).toEqual(["CONFLICT"]);
    expect(twice.errors?.[0]?.extensions?.reason).toBe("NOT_SCHEDULED");
  });
});

describe("erasure by the job under a fake clock", () => {
  it("erases at the due instant and not before, keeps records anonymised, frees the phone number, and a replay changes nothing", async () => {
    const courseId = await school.createCourse();
    const family = await school.family(2);
    const parent = family.parent;
    const [soleChild, sharedChild] = family.childIds as [string, string];
    // The second child has another guardian: it keeps its name.
    const other = await t.fixtures.member(school.tenant, ["PARENT"]);
    data(
      await parent.client.request(AddGuardianDocument, {
        input: { childId: sharedChild, phoneNumber: other.user.phone, relation: "MOTHER" },
      }),
    );
    const enrollmentId = await school.enroll(courseId, soleChild, parent);
    const payment = data(
      await school.admin.client.request(RecordManualPaymentDocument, {
        input: { enrollmentId, amount: "100.00", idempotencyKey: randomUUID() },
      }),
    ).recordManualPayment;

    // A clock days in the past, so access tokens signed just now stay valid whatever it shows.
    const start = Date.now() - 20 * 86_400_000;
    vi.useFakeTimers({ toFake: ["Date"], now: new Date(start) });
    data(await parent.client.request(DeleteMyAccountDocument, { password: PASSWORD }));
    const due = (await userRow(parent.user.id)).deletionScheduledAt!;
    expect(due.getTime()).toBe(start + GRACE_MS);

    const [tenant] = await listJobTenants(t.deps, [school.tenant.id]);
    const runJob = async () => {
      const outcome = await createJobRunner(t.deps, { instanceId: "erase-test" }).runWindow(
        eraseAccounts,
        tenant!,
        eraseAccounts.window(new Date(), tenant!.timeZone),
        { force: true },
      );
      expect(outcome.status).toBe("SUCCEEDED");
    };

    // A millisecond before the due instant: nothing happens.
    vi.setSystemTime(new Date(due.getTime() - 1));
    await runJob();
    expect((await userRow(parent.user.id)).erasedAt).toBeNull();
    expect((await userRow(parent.user.id)).phoneNumber1).toBe(parent.user.phone);

    // At the due instant: erased.
    vi.setSystemTime(due);
    await runJob();
    const db = t.deps.database.db;
    const erased = await userRow(parent.user.id);
    expect(erased).toMatchObject({
      firstName: "Deleted user",
      lastName: "",
      phoneNumber1: null,
      phoneNumber2: null,
      email: null,
      passwordHash: "",
      dateOfBirth: null,
      identityNumber: null,
      isActive: false,
      isVerified: false,
    });
    expect(erased.erasedAt?.getTime()).toBe(due.getTime());

    // Gone: sessions (and their refresh tokens), unsent messages; membership inactive.
    expect(await db.select().from(authSessions).where(eq(authSessions.userId, parent.user.id))).toEqual([]);
    const unsent = await db.select().from(messageDeliveries).where(eq(messageDeliveries.userId, parent.user.id));
    expect(unsent.filter((m) => m.status !== "SENT" && m.status !== "DELIVERED")).toEqual([]);
    const [membership] = await db.select().from(memberships).where(eq(memberships.userId, parent.user.id));
    expect(membership?.isActive).toBe(false);

    // Kept: the enrolment and the payment, still pointing at the tombstone's records.
    const [enrollment] = await db.select().from(enrollments).where(eq(enrollments.id, enrollmentId));
    expect(enrollment?.childId).toBe(soleChild);
    const [paid] = await db.select().from(payments).where(eq(payments.id, payment.id));
    expect(paid).toMatchObject({ enrollmentId, amount: "100.00" });

    // Audit rows stay, still naming the tombstone as their actor.
    const audited = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entity, "user"), eq(auditLog.entityId, parent.user.id)));
    expect(audited.map((e) => [e.action, e.actorId])).toEqual([["account.deletionScheduled", parent.user.id]]);

    // The sole-guardian child is anonymised; the shared one keeps its name.
    const [sole] = await db.select().from(children).where(eq(children.id, soleChild));
    expect(sole).toMatchObject({ firstName: "Deleted child", lastName: "", dateOfBirth: null });
    const [shared] = await db.select().from(children).where(eq(children.id, sharedChild));
    expect(shared?.firstName).toBe("Kid1");

    // The old token and password no longer work.
    expect(codes(await parent.client.request(MyDeletionDocument)).length).toBeGreaterThan(0);
    const login = await t.client().request(LoginDocument, { input: { identifier: parent.user.phone, password: PASSWORD } });
    expect(codes(login)).not.toEqual([]);

    // Replay: nothing changes.
    vi.setSystemTime(new Date(due.getTime() + 15 * 60_000));
    await runJob();
    expect(await userRow(parent.user.id)).toEqual(erased);

    // The phone number can register again, as a new account.
    vi.useRealTimers();
    data(
      await t.client().request(RegisterDocument, {
        input: { phoneNumber: parent.user.phone, password: PASSWORD, firstName: "Again", role: "PARENT" },
      }),
    );
    const again = data(await t.client().request(LoginDocument, { input: { identifier: parent.user.phone, password: PASSWORD } })).login;
    expect(again.user.id).not.toBe(parent.user.id);
    expect(again.user.firstName).toBe("Again");
  });

  it("leaves a cancelled deletion alone when its date passes", async () => {
    const parent = await t.fixtures.member(school.tenant, ["PARENT"]);
    const start = Date.now() - 20 * 86_400_000;
    vi.useFakeTimers({ toFake: ["Date"], now: new Date(start) });
    data(await parent.client.request(DeleteMyAccountDocument, { password: PASSWORD }));
    data(await parent.client.request(CancelAccountDeletionDocument));
    vi.setSystemTime(new Date(start + GRACE_MS + 60_000));
    const [tenant] = await listJobTenants(t.deps, [school.tenant.id]);
    const outcome = await createJobRunner(t.deps, { instanceId: "erase-test" }).runWindow(
      eraseAccounts,
      tenant!,
      eraseAccounts.window(new Date(), tenant!.timeZone),
      { force: true },
    );
    expect(outcome.status).toBe("SUCCEEDED");
    const row = await userRow(parent.user.id);
    expect(row.erasedAt).toBeNull();
    expect(row.phoneNumber1).toBe(parent.user.phone);
  });
});
