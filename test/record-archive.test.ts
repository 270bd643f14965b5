/**
 * Records: a course with history cannot be deleted (CONFLICT suggesting archive);
 * an archived course leaves the default lists, keeps its history and takes no new
 * enrolments, lectures or marks.
 */
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { auditLog, enrollments } from "../drizzle/schema";
import { codes, data } from "./helpers/client";
import { createSchool, type School } from "./helpers/school";
import { useTestServer } from "./helpers/server";
import {
  AddChildDocument,
  ApproveEnrollmentRequestDocument,
  ArchiveChildDocument,
  ArchiveCourseDocument,
  DeleteChildDocument,
  MyChildrenArchivedDocument,
  UnarchiveChildDocument,
  ArchiveEventDocument,
  CancelRegistrationDocument,
  CreateEventDocument,
  DeleteEventDocument,
  DeleteLectureDocument,
  LecturesDocument,
  EventListDocument,
  PublishEventDocument,
  RegisterForEventDocument,
  UnarchiveEventDocument,
  CourseArchivedAtDocument,
  CourseListDocument,
  CreateLectureDocument,
  DeleteCourseDocument,
  GenerateLecturesDocument,
  MarkAttendanceDocument,
  RequestEnrollmentDocument,
  UnarchiveCourseDocument,
} from "./sdk/graphql";

const t = useTestServer();
let school: School;

beforeAll(async () => {
  school = await createSchool(t);
});

const listed = async (client: School["admin"]["client"], includeArchived?: boolean) =>
  data(
    await client.request(CourseListDocument, { filter: includeArchived == null ? null : { includeArchived }, first: 100 }),
  ).courses.nodes.map((course) => course.id);

describe("deleting a course", () => {
  it("is refused with CONFLICT once it has enrolments, explaining why and suggesting archive; an unused one is deleted", async () => {
    const used = await school.createCourse();
    const family = await school.family(1);
    await school.enroll(used, family.childIds[0]!, family.parent);
    const refused = await school.admin.client.request(DeleteCourseDocument, { id: used });
    expect(codes(refused)).toEqual(["CONFLICT"]);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ reason: "HAS_HISTORY", suggestion: "archiveCourse" });
    expect(refused.errors?.[0]?.message).toMatch(/archive/i);
    expect(data(await school.admin.client.request(CourseArchivedAtDocument, { id: used })).course.id).toBe(used);

    const unused = await school.createCourse();
    expect(data(await school.admin.client.request(DeleteCourseDocument, { id: unused })).deleteCourse).toBe(true);
    expect(codes(await school.admin.client.request(CourseArchivedAtDocument, { id: unused }))).toEqual(["NOT_FOUND"]);
  });
});

describe("archiving a course", () => {
  it("hides it from default lists (staff may include it), keeps its history, and blocks enrolments, lectures and marks", async () => {
    const courseId = await school.createCourse();
    const family = await school.family(2);
    const enrollmentId = await school.enroll(courseId, family.childIds[0]!, family.parent);
    // A request made before archiving, still pending.
    const pending = data(
      await family.parent.client.request(RequestEnrollmentDocument, { input: { courseId, participantId: family.childIds[1]! } }),
    ).requestEnrollment.id;
    const lectureId = data(
      await school.admin.client.request(CreateLectureDocument, { courseId, input: { date: "2099-02-02", startTime: "09:00" } }),
    ).createLecture.id;

    const archived = data(await school.admin.client.request(ArchiveCourseDocument, { id: courseId })).archiveCourse;
    expect(archived.id).toBe(courseId);
    expect(Date.parse(archived.archivedAt as string)).toBeGreaterThan(Date.now() - 60_000);

    expect(await listed(school.admin.client)).not.toContain(courseId);
    expect(await listed(school.admin.client, true)).toContain(courseId);
    expect(await listed(family.parent.client)).not.toContain(courseId);
    expect(await listed(family.parent.client, true)).not.toContain(courseId);
    // Still readable by id, with its enrolment.
    expect(data(await school.admin.client.request(CourseArchivedAtDocument, { id: courseId })).course.archivedAt).toBe(archived.archivedAt);
    const [kept] = await t.deps.database.db.select().from(enrollments).where(eq(enrollments.id, enrollmentId));
    expect(kept?.status).toBe("ACTIVE");

    const blocked = [
      await family.parent.client.request(RequestEnrollmentDocument, { input: { courseId, participantId: family.childIds[1]! } }),
      await school.admin.client.request(ApproveEnrollmentRequestDocument, { id: pending }),
      await school.admin.client.request(CreateLectureDocument, { courseId, input: { date: "2099-02-09", startTime: "09:00" } }),
      await school.admin.client.request(GenerateLecturesDocument, { courseId }),
      await school.instructor.client.request(MarkAttendanceDocument, {
        lectureId,
        marks: [{ participantId: family.childIds[0]!, present: true, rating: "9" }],
      }),
    ];
    for (const result of blocked) {
      expect(codes(result), JSON.stringify(result.errors)).toEqual(["CONFLICT"]);
      expect(result.errors?.[0]?.extensions?.reason).toBe("ARCHIVED");
    }

    // Brought back, it works again.
    expect(data(await school.admin.client.request(UnarchiveCourseDocument, { id: courseId })).unarchiveCourse.archivedAt).toBeNull();
    expect(await listed(family.parent.client)).toContain(courseId);
    data(await school.admin.client.request(ApproveEnrollmentRequestDocument, { id: pending }));
    data(
      await school.instructor.client.request(MarkAttendanceDocument, {
        lectureId,
        marks: [{ participantId: family.childIds[0]!, present: true, rating: "9" }],
      }),
    );
    const actions = await t.deps.database.db.select({ action: auditLog.action }).from(auditLog).where(eq(auditLog.entityId, courseId));
    expect(actions.map((row) => row.action)).toEqual(expect.arrayContaining(["course.archive", "course.unarchive"]));
  });

  it("is for staff: anonymous, a parent, the instructor and another tenant's admin are refused; bad ids and repeats are typed", async () => {
    const courseId = await school.createCourse();
    const parent = await t.fixtures.member(school.tenant, ["PARENT"]);
    const other = await createSchool(t);
    expect(codes(await t.client({ tenant: school.tenant.slug }).request(ArchiveCourseDocument, { id: courseId }))).toEqual([
      "UNAUTHENTICATED",
    ]);
    expect(codes(await parent.client.request(ArchiveCourseDocument, { id: courseId }))).toEqual(["FORBIDDEN"]);
    expect(codes(await school.instructor.client.request(ArchiveCourseDocument, { id: courseId }))).toEqual(["FORBIDDEN"]);
    expect(codes(await other.admin.client.request(ArchiveCourseDocument, { id: courseId }))).toEqual(["NOT_FOUND"]);
    expect(codes(await school.admin.client.request(ArchiveCourseDocument, { id: "x" }))).toEqual(["BAD_USER_INPUT"]);
    expect(codes(await school.admin.client.request(UnarchiveCourseDocument, { id: courseId }))).toEqual(["CONFLICT"]);
    // Nothing happened.
    expect(await listed(parent.client)).toContain(courseId);
    data(await school.admin.client.request(ArchiveCourseDocument, { id: courseId }));
    expect(codes(await school.admin.client.request(ArchiveCourseDocument, { id: courseId }))).toEqual(["CONFLICT"]);
  });
});

describe("events", () => {
  const inHours = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();
  async function event(by = school.admin) {
    const created = data(
      await by.client.request(CreateEventDocument, {
        input: { title: "Open day", startsAt: inHours(48), endsAt: inHours(50), maxParticipants: 10 },
      }),
    ).createEvent;
    data(await by.client.request(PublishEventDocument, { id: created.id }));
    return created.id;
  }
  const eventsListed = async (client: School["admin"]["client"], includeArchived?: boolean) =>
    data(
      await client.request(EventListDocument, { filter: includeArchived == null ? null : { includeArchived }, first: 100 }),
    ).events.nodes.map((e) => e.id);

  it("one with registrations (even cancelled) cannot be deleted: CONFLICT suggesting archive; an unused one is deleted", async () => {
    const used = await event();
    const member = await t.fixtures.member(school.tenant, ["MEMBER"]);
    const registration = data(await member.client.request(RegisterForEventDocument, { eventId: used })).registerForEvent;
    data(await member.client.request(CancelRegistrationDocument, { registrationId: registration.id }));
    const refused = await school.admin.client.request(DeleteEventDocument, { id: used });
    expect(codes(refused)).toEqual(["CONFLICT"]);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ reason: "HAS_HISTORY", suggestion: "archiveEvent" });
    const unused = await event();
    expect(data(await school.admin.client.request(DeleteEventDocument, { id: unused })).deleteEvent).toBe(true);
    expect(await eventsListed(school.admin.client, true)).not.toContain(unused);
    expect(await eventsListed(school.admin.client, true)).toContain(used);
  });

  it("archived: hidden from default lists (staff may include it), registrations kept, new ones refused; others may not archive", async () => {
    const id = await event(school.instructor);
    const member = await t.fixtures.member(school.tenant, ["MEMBER"]);
    const late = await t.fixtures.member(school.tenant, ["MEMBER"]);
    data(await member.client.request(RegisterForEventDocument, { eventId: id }));

    expect(codes(await member.client.request(ArchiveEventDocument, { id }))).toEqual(["FORBIDDEN"]);
    const other = await createSchool(t);
    expect(codes(await other.admin.client.request(ArchiveEventDocument, { id }))).toEqual(["NOT_FOUND"]);
    expect(codes(await t.client({ tenant: school.tenant.slug }).request(DeleteEventDocument, { id }))).toEqual(["UNAUTHENTICATED"]);

    // Its creator (an instructor) archives it.
    expect(data(await school.instructor.client.request(ArchiveEventDocument, { id })).archiveEvent.archivedAt).toBeTruthy();
    expect(codes(await school.instructor.client.request(ArchiveEventDocument, { id }))).toEqual(["CONFLICT"]);
    expect(await eventsListed(member.client)).not.toContain(id);
    expect(await eventsListed(member.client, true)).not.toContain(id);
    expect(await eventsListed(school.admin.client)).not.toContain(id);
    expect(await eventsListed(school.admin.client, true)).toContain(id);
    const refused = await late.client.request(RegisterForEventDocument, { eventId: id });
    expect(codes(refused)).toEqual(["CONFLICT"]);
    expect(refused.errors?.[0]?.extensions?.reason).toBe("ARCHIVED");

    expect(data(await school.admin.client.request(UnarchiveEventDocument, { id })).unarchiveEvent.archivedAt).toBeNull();
    expect(data(await late.client.request(RegisterForEventDocument, { eventId: id })).registerForEvent.status).toBe("CONFIRMED");
  });
});

describe("lectures", () => {
  it("one with attendance cannot be deleted (CONFLICT suggesting cancelLecture); an unmarked one is deleted by its instructor", async () => {
    const courseId = await school.createCourse();
    const family = await school.family(1);
    await school.enroll(courseId, family.childIds[0]!, family.parent);
    const lecture = async (date: string) =>
      data(await school.admin.client.request(CreateLectureDocument, { courseId, input: { date, startTime: "09:00" } })).createLecture.id;
    const marked = await lecture("2099-02-02");
    const unmarked = await lecture("2099-02-09");
    data(
      await school.instructor.client.request(MarkAttendanceDocument, {
        lectureId: marked,
        marks: [{ participantId: family.childIds[0]!, present: false }],
      }),
    );
    const refused = await school.instructor.client.request(DeleteLectureDocument, { id: marked });
    expect(codes(refused)).toEqual(["CONFLICT"]);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ reason: "HAS_HISTORY", suggestion: "cancelLecture" });

    expect(codes(await family.parent.client.request(DeleteLectureDocument, { id: unmarked }))).toEqual(["FORBIDDEN"]);
    const other = await createSchool(t);
    expect(codes(await other.admin.client.request(DeleteLectureDocument, { id: unmarked }))).toEqual(["NOT_FOUND"]);
    expect(data(await school.instructor.client.request(DeleteLectureDocument, { id: unmarked })).deleteLecture).toBe(true);
    expect(codes(await school.instructor.client.request(DeleteLectureDocument, { id: unmarked }))).toEqual(["NOT_FOUND"]);
    const left = data(await school.admin.client.request(LecturesDocument, { filter: { courseId }, first: 100 })).lectures;
    expect(JSON.stringify(left)).toContain(marked);
    expect(JSON.stringify(left)).not.toContain(unmarked);
  });
});

describe("children", () => {
  it("one with enrolments cannot be deleted (CONFLICT suggesting archive); one added by mistake is deleted", async () => {
    const courseId = await school.createCourse();
    const family = await school.family(1);
    await school.enroll(courseId, family.childIds[0]!, family.parent);
    const refused = await family.parent.client.request(DeleteChildDocument, { id: family.childIds[0]! });
    expect(codes(refused)).toEqual(["CONFLICT"]);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ reason: "HAS_HISTORY", suggestion: "archiveChild" });
    const mistake = data(await family.parent.client.request(AddChildDocument, { input: { firstName: "Typo" } })).addChild.id;
    const stranger = await t.fixtures.member(school.tenant, ["PARENT"]);
    expect(codes(await stranger.client.request(DeleteChildDocument, { id: mistake }))).toEqual(["FORBIDDEN"]);
    const other = await createSchool(t);
    expect(codes(await other.admin.client.request(DeleteChildDocument, { id: mistake }))).toEqual(["NOT_FOUND"]);
    expect(data(await family.parent.client.request(DeleteChildDocument, { id: mistake })).deleteChild).toBe(true);
    expect(data(await family.parent.client.request(MyChildrenArchivedDocument, {})).myChildren.map((c) => c.id)).toEqual(family.childIds);
  });

  it("archived: left out of myChildren unless asked, enrolment kept, no new requests; staff may archive too; others may not", async () => {
    const first = await school.createCourse();
    const second = await school.createCourse();
    const family = await school.family(1);
    const childId = family.childIds[0]!;
    const enrollmentId = await school.enroll(first, childId, family.parent);
    const stranger = await t.fixtures.member(school.tenant, ["PARENT"]);
    expect(codes(await stranger.client.request(ArchiveChildDocument, { id: childId }))).toEqual(["FORBIDDEN"]);
    expect(codes(await t.client({ tenant: school.tenant.slug }).request(ArchiveChildDocument, { id: childId }))).toEqual([
      "UNAUTHENTICATED",
    ]);

    expect(data(await family.parent.client.request(ArchiveChildDocument, { id: childId })).archiveChild.archivedAt).toBeTruthy();
    expect(codes(await school.admin.client.request(ArchiveChildDocument, { id: childId }))).toEqual(["CONFLICT"]);
    expect(data(await family.parent.client.request(MyChildrenArchivedDocument, {})).myChildren).toEqual([]);
    expect(
      data(await family.parent.client.request(MyChildrenArchivedDocument, { includeArchived: true })).myChildren.map((c) => c.id),
    ).toEqual([childId]);
    const [kept] = await t.deps.database.db.select().from(enrollments).where(eq(enrollments.id, enrollmentId));
    expect(kept?.status).toBe("ACTIVE");
    const refused = await family.parent.client.request(RequestEnrollmentDocument, { input: { courseId: second, participantId: childId } });
    expect(codes(refused)).toEqual(["CONFLICT"]);
    expect(refused.errors?.[0]?.extensions?.reason).toBe("ARCHIVED");

    // Staff bring the child back; requests work again.
    expect(data(await school.admin.client.request(UnarchiveChildDocument, { id: childId })).unarchiveChild.archivedAt).toBeNull();
    data(await family.parent.client.request(RequestEnrollmentDocument, { input: { courseId: second, participantId: childId } }));
  });
});
