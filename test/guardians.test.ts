/**
 * Several guardians per child (issue 13, People): the primary guardian (the parent who added the child,
 * backfilled for existing children) and others added by phone or email, each with their own permissions:
 * canEnroll gates enrolment, receivesAlerts decides who is told, any guardian reads the child's details.
 */
import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { children, guardianships, notifications } from "../drizzle/schema";
import { feesDue } from "../server/jobs/fees-due";
import type { Job } from "../server/jobs/job";
import { createJobRunner, listJobTenants } from "../server/jobs/runner";
import { addDays, localDate } from "../server/time";
import {
  AddChildDocument,
  AddGuardianDocument,
  CreateLectureDocument,
  MarkAttendanceDocument,
  MyChildrenGuardiansDocument,
  ParentChildrenGuardiansDocument,
  RemoveGuardianDocument,
  RequestEnrollmentDocument,
  UpdateChildDocument,
  UpdateGuardianDocument,
  ApproveEnrollmentRequestDocument,
  DropEnrollmentDocument,
} from "./sdk/graphql";
import { codes, data, expectFlatStatements } from "./helpers/client";
import { createSchool, parentIdOf, type School } from "./helpers/school";
import { useTestServer } from "./helpers/server";

const t = useTestServer();
let school: School;
beforeAll(async () => {
  school = await createSchool(t);
});

const inbox = (userId: string, kind: string) =>
  t.deps.database.db
    .select()
    .from(notifications)
    .where(and(eq(notifications.userId, userId), eq(notifications.kind, kind)));

/** A family with one child and a second member (no profile yet) to become a guardian. */
async function familyWithSecond() {
  const family = await school.family(1);
  const second = await t.fixtures.member(school.tenant, ["MEMBER"]);
  return { ...family, childId: family.childIds[0]!, second };
}

async function runJob(job: Job) {
  const [tenant] = await listJobTenants(t.deps, [school.tenant.id]);
  const outcome = await createJobRunner(t.deps, { instanceId: "guardians-test" }).runWindow(
    job,
    tenant!,
    job.window(new Date(), tenant!.timeZone),
    {
      force: true,
    },
  );
  expect(outcome.status).toBe("SUCCEEDED");
  return outcome.status === "SUCCEEDED" ? outcome.counts : {};
}

describe("guardians of a child", () => {
  it("the parent who adds a child is its primary guardian, with every permission", async () => {
    const { parent, childIds } = await school.family(1);
    const [child] = data(await parent.client.request(MyChildrenGuardiansDocument)).myChildren;
    expect(child!.id).toBe(childIds[0]);
    expect(child!.guardians).toEqual([
      {
        id: expect.any(String),
        childId: childIds[0],
        relation: "OTHER",
        canEnroll: true,
        receivesAlerts: true,
        canPickUp: true,
        isPrimary: true,
        user: { id: parent.user.id },
      },
    ]);
    const rows = await t.deps.database.db.select().from(guardianships).where(eq(guardianships.childId, childIds[0]!));
    expect(rows).toHaveLength(1);
  });

  it("the primary guardian adds a member by phone: they see the child and its private notes, with the permissions given", async () => {
    const { parent, childId, second } = await familyWithSecond();
    const added = data(
      await parent.client.request(AddGuardianDocument, {
        input: { childId, phoneNumber: second.user.phone, relation: "MOTHER", canEnroll: false, canPickUp: false },
      }),
    ).addGuardian;
    expect(added).toMatchObject({
      childId,
      relation: "MOTHER",
      canEnroll: false,
      receivesAlerts: true,
      canPickUp: false,
      isPrimary: false,
    });
    expect(added.user.id).toBe(second.user.id);

    data(await parent.client.request(UpdateChildDocument, { id: childId, input: { notes: "Allergic to nuts" } }));
    const seen = data(await second.client.request(MyChildrenGuardiansDocument)).myChildren;
    expect(seen.map((c) => [c.id, c.notes])).toEqual([[childId, "Allergic to nuts"]]);
    expect(seen[0]!.guardians!.map((g) => [g.user.id, g.isPrimary])).toEqual([
      [parent.user.id, true],
      [second.user.id, false],
    ]);
    // Their new parent profile lists the child too.
    const profile = data(await second.client.request(ParentChildrenGuardiansDocument)).me.parentProfile;
    expect(profile?.children.map((c) => c.id)).toEqual([childId]);

    // Adding the same person again: CONFLICT; by email this time.
    expect(
      codes(await parent.client.request(AddGuardianDocument, { input: { childId, email: second.user.email, relation: "OTHER" } })),
    ).toEqual(["CONFLICT"]);
  });

  it("canEnroll decides who may request (and end) an enrolment; any guardian may not manage guardians", async () => {
    const { parent, childId, second } = await familyWithSecond();
    const courseId = await school.createCourse({ name: "Swimming" });
    const guardian = data(
      await school.admin.client.request(AddGuardianDocument, {
        input: { childId, email: second.user.email.toUpperCase(), relation: "FATHER", canEnroll: false },
      }),
    ).addGuardian;
    expect(codes(await second.client.request(RequestEnrollmentDocument, { input: { courseId, participantId: childId } }))).toEqual([
      "FORBIDDEN",
    ]);
    // Not the primary: may not change permissions, not even their own.
    expect(codes(await second.client.request(UpdateGuardianDocument, { id: guardian.id, input: { canEnroll: true } }))).toEqual([
      "FORBIDDEN",
    ]);
    const updated = data(
      await parent.client.request(UpdateGuardianDocument, { id: guardian.id, input: { canEnroll: true } }),
    ).updateGuardian;
    expect(updated).toMatchObject({ canEnroll: true, relation: "FATHER", receivesAlerts: true });
    const request = data(
      await second.client.request(RequestEnrollmentDocument, { input: { courseId, participantId: childId } }),
    ).requestEnrollment;
    const approved = data(await school.admin.client.request(ApproveEnrollmentRequestDocument, { id: request.id })).approveEnrollmentRequest;
    // Both guardians (who receive alerts) are told of the decision.
    expect(await inbox(parent.user.id, "ENROLLMENT_APPROVED")).toHaveLength(1);
    expect(await inbox(second.user.id, "ENROLLMENT_APPROVED")).toHaveLength(1);

    data(await parent.client.request(UpdateGuardianDocument, { id: guardian.id, input: { canEnroll: false } }));
    expect(codes(await second.client.request(DropEnrollmentDocument, { id: approved.enrollment.id }))).toEqual(["NOT_FOUND"]);
    expect(data(await parent.client.request(DropEnrollmentDocument, { id: approved.enrollment.id })).dropEnrollment.status).toBe("DROPPED");
  });

  it("refuses the anonymous, strangers, staff of another tenant, unknown people and bad input", async () => {
    const { parent, childId, second } = await familyWithSecond();
    const input = { childId, phoneNumber: second.user.phone, relation: "OTHER" as const };
    expect(codes(await t.client({ tenant: school.tenant.slug }).request(AddGuardianDocument, { input }))).toEqual(["UNAUTHENTICATED"]);
    const stranger = await school.family(0);
    expect(codes(await stranger.parent.client.request(AddGuardianDocument, { input }))).toEqual(["FORBIDDEN"]);
    const student = await school.student();
    expect(codes(await student.client.request(AddGuardianDocument, { input }))).toEqual(["FORBIDDEN"]);
    const instructor = school.instructor;
    expect(codes(await instructor.client.request(AddGuardianDocument, { input }))).toEqual(["FORBIDDEN"]);
    const other = await createSchool(t);
    expect(codes(await other.admin.client.request(AddGuardianDocument, { input }))).toEqual(["NOT_FOUND"]);

    // Only members of this tenant: an account of another tenant is not found (and gets nothing).
    expect(codes(await parent.client.request(AddGuardianDocument, { input: { ...input, phoneNumber: other.admin.user.phone } }))).toEqual([
      "NOT_FOUND",
    ]);
    expect(codes(await parent.client.request(AddGuardianDocument, { input: { ...input, phoneNumber: "+201099999999" } }))).toEqual([
      "NOT_FOUND",
    ]);
    expect(codes(await parent.client.request(AddGuardianDocument, { input: { ...input, phoneNumber: "12" } }))).toEqual(["BAD_USER_INPUT"]);
    expect(codes(await parent.client.request(AddGuardianDocument, { input: { ...input, email: second.user.email } }))).toEqual([
      "BAD_USER_INPUT",
    ]);
    expect(codes(await parent.client.request(AddGuardianDocument, { input: { childId, relation: "OTHER" } }))).toEqual(["BAD_USER_INPUT"]);
    expect(codes(await parent.client.request(AddGuardianDocument, { input: { ...input, childId: randomUUID() } }))).toEqual(["NOT_FOUND"]);
    expect(await t.deps.database.db.select().from(guardianships).where(eq(guardianships.childId, childId))).toHaveLength(1);

    // A guardianship of this tenant is not found from another one.
    const [own] = data(await parent.client.request(MyChildrenGuardiansDocument)).myChildren[0]!.guardians!;
    expect(codes(await other.admin.client.request(UpdateGuardianDocument, { id: own!.id, input: { canPickUp: false } }))).toEqual([
      "NOT_FOUND",
    ]);
    expect(codes(await other.admin.client.request(RemoveGuardianDocument, { id: own!.id }))).toEqual(["NOT_FOUND"]);
    // Strangers read no guardians of a child (the field is private).
    expect(codes(await stranger.parent.client.request(RemoveGuardianDocument, { id: own!.id }))).toEqual(["FORBIDDEN"]);
  });

  it("only guardians who receive alerts are told of absences and fees due", async () => {
    const { parent, childId, second } = await familyWithSecond();
    const third = await t.fixtures.member(school.tenant, ["PARENT"]);
    data(await parent.client.request(AddGuardianDocument, { input: { childId, phoneNumber: second.user.phone, relation: "MOTHER" } }));
    data(
      await parent.client.request(AddGuardianDocument, {
        input: { childId, phoneNumber: third.user.phone, relation: "OTHER", receivesAlerts: false },
      }),
    );
    const today = localDate(new Date(), "Africa/Cairo");
    const courseId = await school.createCourse({
      name: "Drawing",
      startsOn: addDays(today, 2),
      endsOn: addDays(today, 40),
      price: "120.00",
    });
    await school.enroll(courseId, childId, parent);
    const lectureId = data(
      await school.instructor.client.request(CreateLectureDocument, { courseId, input: { date: addDays(today, 3), startTime: "10:00" } }),
    ).createLecture.id;
    data(
      await school.instructor.client.request(MarkAttendanceDocument, { lectureId, marks: [{ participantId: childId, present: false }] }),
    );
    expect(await inbox(parent.user.id, "ATTENDANCE_ABSENT")).toHaveLength(1);
    expect(await inbox(second.user.id, "ATTENDANCE_ABSENT")).toHaveLength(1);
    expect(await inbox(third.user.id, "ATTENDANCE_ABSENT")).toEqual([]);

    const counts = await runJob(feesDue);
    expect(counts).toMatchObject({ owing: expect.any(Number) });
    expect(await inbox(parent.user.id, "FEES_DUE")).toHaveLength(1);
    expect(await inbox(second.user.id, "FEES_DUE")).toHaveLength(1);
    expect(await inbox(third.user.id, "FEES_DUE")).toEqual([]);
    // Once per enrolment: a second run tells nobody again.
    await runJob(feesDue);
    expect(await inbox(second.user.id, "FEES_DUE")).toHaveLength(1);
  });

  it("removing: the last guardian stays; removing the primary promotes the next; a guardian may leave", async () => {
    const { parent, childId, second } = await familyWithSecond();
    const third = await t.fixtures.member(school.tenant, ["PARENT"]);
    const [primary] = data(await parent.client.request(MyChildrenGuardiansDocument)).myChildren[0]!.guardians!;
    expect(codes(await parent.client.request(RemoveGuardianDocument, { id: primary!.id }))).toEqual(["CONFLICT"]);

    const secondG = data(
      await parent.client.request(AddGuardianDocument, { input: { childId, phoneNumber: second.user.phone, relation: "MOTHER" } }),
    ).addGuardian;
    const thirdG = data(
      await parent.client.request(AddGuardianDocument, { input: { childId, phoneNumber: third.user.phone, relation: "OTHER" } }),
    ).addGuardian;
    // The third guardian leaves on their own; they may not remove the second.
    expect(codes(await third.client.request(RemoveGuardianDocument, { id: secondG.id }))).toEqual(["FORBIDDEN"]);
    data(await third.client.request(RemoveGuardianDocument, { id: thirdG.id }));
    expect(data(await third.client.request(MyChildrenGuardiansDocument)).myChildren).toEqual([]);

    // Staff remove the primary: the second becomes primary (Child.parent follows).
    const child = data(await school.admin.client.request(RemoveGuardianDocument, { id: primary!.id })).removeGuardian;
    const [row] = await t.deps.database.db.select().from(children).where(eq(children.id, childId));
    expect(child.parent.id).toBe(row!.parentId);
    expect(row!.parentId).toBe(await parentIdOf(t, second));
    const view = data(await second.client.request(MyChildrenGuardiansDocument)).myChildren[0]!;
    expect(view.guardians!.map((g) => [g.user.id, g.isPrimary])).toEqual([[second.user.id, true]]);
    expect(data(await parent.client.request(MyChildrenGuardiansDocument)).myChildren).toEqual([]);
    // The new primary manages guardians; the last one cannot go.
    expect(codes(await second.client.request(RemoveGuardianDocument, { id: secondG.id }))).toEqual(["CONFLICT"]);
    data(await second.client.request(AddGuardianDocument, { input: { childId, phoneNumber: parent.user.phone, relation: "FATHER" } }));
  });

  it("Child.guardians is batched: five children cost the statements one does", async () => {
    const small = await school.family(1);
    const large = await school.family(5);
    for (const family of [small, large]) {
      const extra = await t.fixtures.member(school.tenant, ["PARENT"]);
      for (const childId of family.childIds) {
        data(
          await family.parent.client.request(AddGuardianDocument, { input: { childId, phoneNumber: extra.user.phone, relation: "OTHER" } }),
        );
      }
    }
    const count = expectFlatStatements(
      await small.parent.client.request(ParentChildrenGuardiansDocument),
      await large.parent.client.request(ParentChildrenGuardiansDocument),
    );
    expect(count).toBeLessThanOrEqual(6);
    expect(await parentIdOf(t, small.parent)).toBeTruthy();
  });

  it("staff add a child for a parent and that parent is its primary guardian", async () => {
    const { parent } = await school.family(0);
    const child = data(
      await school.admin.client.request(AddChildDocument, { input: { firstName: "Nour", parentId: await parentIdOf(t, parent) } }),
    ).addChild;
    const [mine] = data(await parent.client.request(MyChildrenGuardiansDocument)).myChildren;
    expect(mine!.id).toBe(child.id);
    expect(mine!.guardians!.map((g) => g.isPrimary)).toEqual([true]);
  });
});
