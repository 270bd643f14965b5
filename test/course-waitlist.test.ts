/**
 * Course waitlists with timed offers (issue 13): siblings placed together, offers in line order,
 * held places, acceptance within the window, decline and expiry passing the places on (the
 * expiry under a fake clock, through the real job runner), permissions, and races: a freed
 * place is offered to exactly one family, also when frees and accepts run at the same time.
 */
import { and, eq } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { auditLog, courses, courseWaitlistEntries, notifications } from "../drizzle/schema";
import { createJobRunner, listJobTenants } from "../server/jobs/runner";
import { waitlistOffers } from "../server/jobs/waitlist-offers";
import {
  AddGuardianDocument,
  ArchiveChildDocument,
  ArchiveCourseDocument,
  AcceptWaitlistOfferDocument,
  AddChildDocument,
  ApproveEnrollmentRequestDocument,
  CourseWaitlistEntriesDocument,
  DeclineWaitlistOfferDocument,
  DropEnrollmentDocument,
  EnrollmentsDocument,
  JoinCourseWaitlistDocument,
  CancelWaitlistEntryDocument,
  RequestEnrollmentDocument,
  UpdateCourseDocument,
} from "./sdk/graphql";
import { codes, data, expectFlatStatements } from "./helpers/client";
import { createSchool, type Family, type School } from "./helpers/school";
import { useTestServer } from "./helpers/server";

const t = useTestServer();
let school: School;

beforeAll(async () => {
  school = await createSchool(t);
});

afterEach(() => {
  vi.useRealTimers();
});

const db = () => t.deps.database.db;
const entryRow = async (id: string) => (await db().select().from(courseWaitlistEntries).where(eq(courseWaitlistEntries.id, id)))[0]!;
const courseRow = async (id: string) => (await db().select().from(courses).where(eq(courses.id, id)))[0]!;
const offersTo = (userId: string) =>
  db()
    .select()
    .from(notifications)
    .where(and(eq(notifications.userId, userId), eq(notifications.kind, "WAITLIST_OFFER")));

/** A full course of `capacity` places (students enrolled); returns the course and the enrolment ids. */
async function fullCourse(capacity: number, extra: Record<string, unknown> = {}) {
  const courseId = await school.createCourse({ capacity, ...extra });
  const enrollmentIds: string[] = [];
  for (let i = 0; i < capacity; i++) enrollmentIds.push(await school.enroll(courseId, (await school.student()).studentId));
  return { courseId, enrollmentIds };
}

async function join(family: Family, courseId: string, participantIds = family.childIds) {
  return data(await family.parent.client.request(JoinCourseWaitlistDocument, { input: { courseId, participantIds } })).joinCourseWaitlist;
}

const drop = async (enrollmentId: string) => data(await school.admin.client.request(DropEnrollmentDocument, { id: enrollmentId }));

describe("joining the line", () => {
  it("siblings join together; a later family stands behind them; positions and the staff list show the line", async () => {
    const { courseId } = await fullCourse(1);
    const siblings = await school.family(2);
    const single = await school.family(1);
    const first = await join(siblings, courseId);
    expect(first).toMatchObject({ status: "WAITING", size: 2, position: 1, offerExpiresAt: null });
    expect(first.participants.map((p) => p.id).sort()).toEqual([...siblings.childIds].sort());
    const second = await join(single, courseId);
    expect(second).toMatchObject({ status: "WAITING", size: 1, position: 2 });

    const line = data(await school.admin.client.request(CourseWaitlistEntriesDocument, { filter: { courseId } })).courseWaitlistEntries;
    expect(line.nodes.map((n) => [n.id, n.position])).toEqual([
      [first.id, 1],
      [second.id, 2],
    ]);
    expect(line.nodes[0]!.requestedBy.id).toBe(siblings.parent.user.id);
    // A family sees only its own entries.
    const own = data(await single.parent.client.request(CourseWaitlistEntriesDocument, { filter: { courseId } })).courseWaitlistEntries;
    expect(own.nodes.map((n) => n.id)).toEqual([second.id]);

    // Nobody twice in a line, nobody already enrolled.
    expect(
      codes(await single.parent.client.request(JoinCourseWaitlistDocument, { input: { courseId, participantIds: single.childIds } })),
    ).toEqual(["CONFLICT"]);
    const student = await school.student();
    const enrolledCourse = await school.createCourse({ capacity: 1 });
    await school.enroll(enrolledCourse, student.studentId);
    expect(
      codes(
        await student.client.request(JoinCourseWaitlistDocument, {
          input: { courseId: enrolledCourse, participantIds: [student.studentId] },
        }),
      ),
    ).toEqual(["CONFLICT"]);

    // The listing costs the same statements for one entry as for several.
    const small = await school.admin.client.request(CourseWaitlistEntriesDocument, { filter: { courseId }, first: 1 });
    const large = await school.admin.client.request(CourseWaitlistEntriesDocument, { filter: { courseId }, first: 10 });
    expectFlatStatements(small, large);
  });

  it("a course with places for the whole group refuses the line (ask for enrolment); one place short accepts it", async () => {
    const courseId = await school.createCourse({ capacity: 2 });
    const family = await school.family(2);
    const refused = await family.parent.client.request(JoinCourseWaitlistDocument, {
      input: { courseId, participantIds: family.childIds },
    });
    expect(codes(refused)).toEqual(["CONFLICT"]);
    expect(refused.errors?.[0]?.message).toContain("2 free places");
    await school.enroll(courseId, (await school.student()).studentId);
    // One place for two siblings: they wait together, and the single place is not offered to them.
    expect(await join(family, courseId)).toMatchObject({ status: "WAITING", size: 2, position: 1 });
  });

  it("permissions and bad input: anonymous, someone else's child, another tenant, empty, duplicate and too many participants", async () => {
    const { courseId } = await fullCourse(1);
    const family = await school.family(1);
    const stranger = await school.family(1);
    const input = { courseId, participantIds: family.childIds };
    expect(codes(await t.client({ tenant: school.tenant.slug }).request(JoinCourseWaitlistDocument, { input }))).toEqual([
      "UNAUTHENTICATED",
    ]);
    expect(codes(await stranger.parent.client.request(JoinCourseWaitlistDocument, { input }))).toEqual(["FORBIDDEN"]);
    expect(codes(await school.instructor.client.request(JoinCourseWaitlistDocument, { input }))).toEqual(["FORBIDDEN"]);
    expect(codes(await family.parent.client.request(JoinCourseWaitlistDocument, { input: { courseId, participantIds: [] } }))).toEqual([
      "BAD_USER_INPUT",
    ]);
    expect(
      codes(
        await family.parent.client.request(JoinCourseWaitlistDocument, {
          input: { courseId, participantIds: [...family.childIds, ...family.childIds] },
        }),
      ),
    ).toEqual(["BAD_USER_INPUT"]);
    const many = Array.from({ length: 11 }, () => family.childIds[0]!).map((id, i) => (i === 0 ? id : crypto.randomUUID()));
    expect(codes(await family.parent.client.request(JoinCourseWaitlistDocument, { input: { courseId, participantIds: many } }))).toEqual([
      "BAD_USER_INPUT",
    ]);
    // Another tenant's course does not exist here; nor does this course for another tenant's family.
    const other = await createSchool(t);
    const otherFamily = await other.family(1);
    expect(
      codes(
        await otherFamily.parent.client.request(JoinCourseWaitlistDocument, { input: { courseId, participantIds: otherFamily.childIds } }),
      ),
    ).toEqual(["NOT_FOUND"]);
    // Staff may put anyone in line.
    expect(await data(await school.admin.client.request(JoinCourseWaitlistDocument, { input })).joinCourseWaitlist).toMatchObject({
      status: "WAITING",
    });
  });

  it("a guardian needs canEnroll to join; archived children and courses are refused with reason ARCHIVED", async () => {
    const { courseId } = await fullCourse(1);
    const family = await school.family(1);
    const second = await t.fixtures.member(school.tenant, ["MEMBER"]);
    const input = { courseId, participantIds: family.childIds };
    data(
      await family.parent.client.request(AddGuardianDocument, {
        input: { childId: family.childIds[0]!, email: second.user.email, relation: "FATHER", canEnroll: false },
      }),
    );
    expect(codes(await second.client.request(JoinCourseWaitlistDocument, { input }))).toEqual(["FORBIDDEN"]);

    data(await family.parent.client.request(ArchiveChildDocument, { id: family.childIds[0]! }));
    const archivedChild = await family.parent.client.request(JoinCourseWaitlistDocument, { input });
    expect(archivedChild.errors?.map((error) => [error.extensions?.code, error.extensions?.reason])).toEqual([["CONFLICT", "ARCHIVED"]]);

    const other = await school.family(1);
    data(await school.admin.client.request(ArchiveCourseDocument, { id: courseId }));
    const archivedCourse = await other.parent.client.request(JoinCourseWaitlistDocument, {
      input: { courseId, participantIds: other.childIds },
    });
    expect(archivedCourse.errors?.map((error) => [error.extensions?.code, error.extensions?.reason])).toEqual([["CONFLICT", "ARCHIVED"]]);
    expect(await t.deps.database.db.select().from(courseWaitlistEntries).where(eq(courseWaitlistEntries.courseId, courseId))).toEqual([]);
  });
});

describe("offers", () => {
  it("a drop offers the place to the first entry that fits; the family is told; accepting enrols; the group gets two places later", async () => {
    const { courseId, enrollmentIds } = await fullCourse(3);
    const siblings = await school.family(2);
    const single = await school.family(1);
    const arabic = await t.fixtures.member(school.tenant, ["PARENT"], { language: "ar" });
    const arabicChild = data(await arabic.client.request(AddChildDocument, { input: { firstName: "Layla", lastName: "Hassan" } })).addChild
      .id;
    const group = await join(siblings, courseId);
    const one = await join(single, courseId);
    const ar = data(
      await arabic.client.request(JoinCourseWaitlistDocument, { input: { courseId, participantIds: [arabicChild] } }),
    ).joinCourseWaitlist;

    await drop(enrollmentIds[0]!);
    // One place: the siblings (two) keep their position; the next that fits is offered.
    expect((await entryRow(group.id)).status).toBe("WAITING");
    const offered = await entryRow(one.id);
    expect(offered.status).toBe("OFFERED");
    expect(offered.offerExpiresAt!.getTime() - offered.offeredAt!.getTime()).toBe(48 * 3600_000);
    expect((await courseRow(courseId)).heldPlaces).toBe(1);
    const [notice] = await offersTo(single.parent.user.id);
    expect(notice?.title).toBe("A place is free");
    expect(notice?.body).toContain("Kid0 Test");
    expect(notice?.body).toMatch(/until \d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
    expect(await offersTo(siblings.parent.user.id)).toEqual([]);
    // A held place is not free: staff cannot approve someone else into it.
    const outsider = await school.student();
    const pending = data(
      await outsider.client.request(RequestEnrollmentDocument, { input: { courseId, participantId: outsider.studentId } }),
    );
    expect(codes(await school.admin.client.request(ApproveEnrollmentRequestDocument, { id: pending.requestEnrollment.id }))).toEqual([
      "CONFLICT",
    ]);

    // Only who answers for the entry (or staff) may accept it.
    expect(codes(await siblings.parent.client.request(AcceptWaitlistOfferDocument, { id: one.id }))).toEqual(["NOT_FOUND"]);
    expect(codes(await siblings.parent.client.request(DeclineWaitlistOfferDocument, { id: one.id }))).toEqual(["NOT_FOUND"]);
    const accepted = data(await single.parent.client.request(AcceptWaitlistOfferDocument, { id: one.id })).acceptWaitlistOffer;
    expect(accepted.entry.status).toBe("ACCEPTED");
    expect(accepted.enrollments).toHaveLength(1);
    expect(accepted.enrollments[0]).toMatchObject({ status: "ACTIVE", course: { id: courseId, spotsLeft: 0, heldPlaces: 0 } });
    expect(codes(await single.parent.client.request(AcceptWaitlistOfferDocument, { id: one.id }))).toEqual(["CONFLICT"]);

    // Next drop: one place, the siblings still do not fit; the Arabic family is offered, in Arabic.
    await drop(enrollmentIds[1]!);
    expect((await entryRow(ar.id)).status).toBe("OFFERED");
    const [arNotice] = await offersTo(arabic.user.id);
    expect(arNotice?.title).toBe("يوجد مكان شاغر");
    expect(arNotice?.body).toContain("Layla Hassan");
    // They decline: the place passes on — the siblings still need two, so it stays free.
    expect(data(await arabic.client.request(DeclineWaitlistOfferDocument, { id: ar.id })).declineWaitlistOffer.status).toBe("DECLINED");
    expect((await entryRow(group.id)).status).toBe("WAITING");
    expect((await courseRow(courseId)).heldPlaces).toBe(0);

    // A third drop makes two: the siblings are offered both, and accepting enrols them together.
    await drop(enrollmentIds[2]!);
    expect((await entryRow(group.id)).status).toBe("OFFERED");
    expect((await courseRow(courseId)).heldPlaces).toBe(2);
    const both = data(await siblings.parent.client.request(AcceptWaitlistOfferDocument, { id: group.id })).acceptWaitlistOffer;
    expect(both.enrollments.map((e) => e.status)).toEqual(["ACTIVE", "ACTIVE"]);
    const enrolled = data(await siblings.parent.client.request(EnrollmentsDocument, { filter: { courseId } })).enrollments;
    expect(enrolled.nodes.map((n) => n.participant.__typename === "Child" && n.participant.id).sort()).toEqual(
      [...siblings.childIds].sort(),
    );
    expect((await courseRow(courseId)).activeEnrollments).toBe(3);

    const actions = await db().select({ action: auditLog.action }).from(auditLog).where(eq(auditLog.entityId, group.id));
    expect(actions.map((a) => a.action).sort()).toEqual(["waitlist.accept", "waitlist.join", "waitlist.offer"]);
  });

  it("raising the capacity offers the new places; leaving the line works only while WAITING", async () => {
    const { courseId } = await fullCourse(1, { offerHoldHours: 6 });
    const a = await school.family(1);
    const b = await school.family(1);
    const c = await school.family(1);
    const ea = await join(a, courseId);
    const eb = await join(b, courseId);
    const ec = await join(c, courseId);
    expect(data(await c.parent.client.request(CancelWaitlistEntryDocument, { id: ec.id })).cancelWaitlistEntry.status).toBe("CANCELLED");
    data(await school.admin.client.request(UpdateCourseDocument, { id: courseId, input: { capacity: 3 } }));
    const [ra, rb] = [await entryRow(ea.id), await entryRow(eb.id)];
    expect([ra.status, rb.status]).toEqual(["OFFERED", "OFFERED"]);
    expect(ra.offerExpiresAt!.getTime() - ra.offeredAt!.getTime()).toBe(6 * 3600_000);
    expect(codes(await a.parent.client.request(CancelWaitlistEntryDocument, { id: ea.id }))).toEqual(["CONFLICT"]);
    // The capacity cannot go below enrolled plus held places.
    expect(codes(await school.admin.client.request(UpdateCourseDocument, { id: courseId, input: { capacity: 2 } }))).toEqual(["CONFLICT"]);
    expect(codes(await school.admin.client.request(UpdateCourseDocument, { id: courseId, input: { offerHoldHours: 0 } }))).toEqual([
      "BAD_USER_INPUT",
    ]);
  });
});

describe("expiry under a fake clock", () => {
  it("an offer is refused from its expiry instant; the job expires it and offers the place to the next in line", async () => {
    const { courseId, enrollmentIds } = await fullCourse(1, { offerHoldHours: 2 });
    const first = await school.family(1);
    const second = await school.family(1);
    // A clock days in the past, so the access tokens signed just now stay valid whatever it
    // shows; only Date is faked (timers run as usual), and the server runs in this process.
    // The fake clock stands still until moved: each step gets its own instant, so the line's order is theirs.
    const start = Date.now() - 5 * 24 * 3600_000;
    vi.useFakeTimers({ toFake: ["Date"], now: new Date(start) });
    const e1 = await join(first, courseId);
    vi.setSystemTime(new Date(start + 1000));
    const e2 = await join(second, courseId);
    vi.setSystemTime(new Date(start + 2000));
    await drop(enrollmentIds[0]!);
    const offered = await entryRow(e1.id);
    expect(offered.status).toBe("OFFERED");
    const expiresAt = offered.offerExpiresAt!;
    expect(expiresAt.getTime()).toBe(offered.offeredAt!.getTime() + 2 * 3600_000);

    const [tenant] = await listJobTenants(t.deps, [school.tenant.id]);
    const runJob = async () => {
      const outcome = await createJobRunner(t.deps, { instanceId: "waitlist-test" }).runWindow(
        waitlistOffers,
        tenant!,
        waitlistOffers.window(new Date(), tenant!.timeZone),
        { force: true },
      );
      expect(outcome.status).toBe("SUCCEEDED");
      return outcome.status === "SUCCEEDED" ? outcome.counts : {};
    };

    // A millisecond before the expiry the job leaves it alone.
    vi.setSystemTime(new Date(expiresAt.getTime() - 1));
    expect(await runJob()).toEqual({ expired: 0, offered: 0 });
    // At the expiry instant the offer can no longer be accepted …
    vi.setSystemTime(expiresAt);
    const late = await first.parent.client.request(AcceptWaitlistOfferDocument, { id: e1.id });
    expect(codes(late)).toEqual(["CONFLICT"]);
    expect(late.errors?.[0]?.message).toContain("expired");
    expect((await entryRow(e1.id)).status).toBe("OFFERED");
    // … and the job passes it to the next in line, held from now.
    vi.setSystemTime(new Date(expiresAt.getTime() + 60_000));
    expect(await runJob()).toEqual({ expired: 1, offered: 1 });
    expect((await entryRow(e1.id)).status).toBe("EXPIRED");
    const next = await entryRow(e2.id);
    expect(next.status).toBe("OFFERED");
    expect(next.offeredAt!.getTime()).toBe(expiresAt.getTime() + 60_000);
    expect((await offersTo(second.parent.user.id)).length).toBe(1);
    expect(await runJob()).toEqual({ expired: 0, offered: 0 });

    // The second family accepts a millisecond before their own expiry.
    vi.setSystemTime(new Date(next.offerExpiresAt!.getTime() - 1));
    const accepted = data(await second.parent.client.request(AcceptWaitlistOfferDocument, { id: e2.id })).acceptWaitlistOffer;
    expect(accepted.entry.status).toBe("ACCEPTED");
    expect(accepted.enrollments[0]!.course).toMatchObject({ spotsLeft: 0, heldPlaces: 0 });
  });
});

describe("races", () => {
  it("concurrent drops offer each freed place to exactly one family; concurrent accepts and an approval never overbook", async () => {
    const { courseId, enrollmentIds } = await fullCourse(3);
    const families: Family[] = [];
    const entries: Awaited<ReturnType<typeof join>>[] = [];
    for (let i = 0; i < 5; i++) {
      const family = await school.family(1);
      families.push(family);
      entries.push(await join(family, courseId));
    }
    await Promise.all(enrollmentIds.map((id) => drop(id)));
    const rows = await Promise.all(entries.map((e) => entryRow(e.id)));
    expect(rows.map((r) => r.status)).toEqual(["OFFERED", "OFFERED", "OFFERED", "WAITING", "WAITING"]);
    expect((await courseRow(courseId)).heldPlaces).toBe(3);
    for (const [i, family] of families.entries()) expect((await offersTo(family.parent.user.id)).length).toBe(i < 3 ? 1 : 0);

    // Three accepts and a staff approval race for the three held places: the approval loses.
    const outsider = await school.student();
    const pending = data(
      await outsider.client.request(RequestEnrollmentDocument, { input: { courseId, participantId: outsider.studentId } }),
    );
    const results = await Promise.all([
      ...entries.slice(0, 3).map((e, i) => families[i]!.parent.client.request(AcceptWaitlistOfferDocument, { id: e.id })),
      school.admin.client.request(ApproveEnrollmentRequestDocument, { id: pending.requestEnrollment.id }),
    ]);
    expect(results.slice(0, 3).map((r) => codes(r))).toEqual([[], [], []]);
    expect(codes(results[3]!)).toEqual(["CONFLICT"]);
    const course = await courseRow(courseId);
    expect(course).toMatchObject({ activeEnrollments: 3, heldPlaces: 0 });

    // Two places free at once while two offers race to be accepted: each place to one family.
    const enrolled = results
      .slice(0, 3)
      .map((r) => (r.data as { acceptWaitlistOffer: { enrollments: { id: string }[] } }).acceptWaitlistOffer.enrollments[0]!.id);
    await Promise.all([drop(enrolled[0]!), drop(enrolled[1]!)]);
    const [r4, r5] = await Promise.all([entryRow(entries[3]!.id), entryRow(entries[4]!.id)]);
    expect([r4.status, r5.status]).toEqual(["OFFERED", "OFFERED"]);
    const accepts = await Promise.all([
      families[3]!.parent.client.request(AcceptWaitlistOfferDocument, { id: entries[3]!.id }),
      families[4]!.parent.client.request(AcceptWaitlistOfferDocument, { id: entries[4]!.id }),
      drop(enrolled[2]!).then(() => ({ errors: undefined })),
    ]);
    expect(accepts.map((r) => r.errors ?? [])).toEqual([[], [], []]);
    // One enrolled, two accepted, one dropped meanwhile: nobody left in line, so its place stays free.
    expect(await courseRow(courseId)).toMatchObject({ activeEnrollments: 2, heldPlaces: 0, capacity: 3 });
  });
});
