import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { lectures as lecturesTable } from "../drizzle/schema";
import {
  CancelLectureDocument,
  CourseDocument,
  CoursesDocument,
  CoursesWithRelationsDocument,
  CreateCourseDocument,
  CreateLectureDocument,
  CreateSeasonDocument,
  CreateTagDocument,
  DeleteCourseDocument,
  DeleteSeasonDocument,
  GenerateLecturesDocument,
  InstructorsDocument,
  LecturesDocument,
  SeasonsDocument,
  TagsDocument,
  UpdateCourseDocument,
  UpdateLectureDocument,
  UpdateSeasonDocument,
} from "./sdk/graphql";
import { codes, data, expectFlatStatements } from "./helpers/client";
import type { SignedIn } from "./helpers/fixtures";
import { createSchool, type School } from "./helpers/school";
import { useTestServer } from "./helpers/server";

let school: School;
let parent: SignedIn;

const t = useTestServer();
beforeAll(async () => {
  school = await createSchool(t);
  parent = await t.fixtures.member(school.tenant, ["PARENT"]);
});

describe("seasons and tags", () => {
  it("staff create, change, list and delete seasons", async () => {
    const { client } = school.admin;
    const season = data(
      await client.request(CreateSeasonDocument, {
        input: { name: "Summer camp", kind: "SUMMER_CAMP", startsOn: "2099-06-01", endsOn: "2099-08-31" },
      }),
    ).createSeason;
    expect(season).toMatchObject({ name: "Summer camp", kind: "SUMMER_CAMP", isActive: false });
    data(await client.request(UpdateSeasonDocument, { id: season.id, input: { isActive: true, name: "Summer camp 2099" } }));
    const active = data(await parent.client.request(SeasonsDocument, { activeOnly: true })).seasons;
    expect(active.map((s) => s.name)).toContain("Summer camp 2099");
    expect(data(await client.request(DeleteSeasonDocument, { id: season.id })).deleteSeason).toBe(true);
    expect(codes(await client.request(DeleteSeasonDocument, { id: season.id }))).toEqual(["NOT_FOUND"]);
  });

  it("refuses bad seasons and non-staff", async () => {
    const bad = await school.admin.client.request(CreateSeasonDocument, {
      input: { name: "Backwards", startsOn: "2099-06-01", endsOn: "2099-05-01" },
    });
    expect(codes(bad)).toEqual(["BAD_USER_INPUT"]);
    const missing = await school.admin.client.request(CreateSeasonDocument, { input: { name: "No dates" } });
    expect(codes(missing)).toEqual(["BAD_USER_INPUT"]);
    const byParent = await parent.client.request(CreateSeasonDocument, {
      input: { name: "X", startsOn: "2099-01-01", endsOn: "2099-02-01" },
    });
    expect(codes(byParent)).toEqual(["FORBIDDEN"]);
    const anonymous = await t.client({ tenant: school.tenant.slug }).request(CreateSeasonDocument, {
      input: { name: "X", startsOn: "2099-01-01", endsOn: "2099-02-01" },
    });
    expect(codes(anonymous)).toEqual(["UNAUTHENTICATED"]);
  });

  it("a season with courses cannot be deleted", async () => {
    const season = data(
      await school.admin.client.request(CreateSeasonDocument, { input: { name: "School", startsOn: "2099-01-01", endsOn: "2099-06-01" } }),
    ).createSeason;
    await school.createCourse({ seasonId: season.id });
    expect(codes(await school.admin.client.request(DeleteSeasonDocument, { id: season.id }))).toEqual(["CONFLICT"]);
  });

  it("tags are unique per tenant", async () => {
    data(await school.admin.client.request(CreateTagDocument, { name: "Quran" }));
    expect(codes(await school.admin.client.request(CreateTagDocument, { name: "Quran" }))).toEqual(["CONFLICT"]);
    expect(codes(await school.admin.client.request(CreateTagDocument, { name: "  " }))).toEqual(["BAD_USER_INPUT"]);
    expect(data(await parent.client.request(TagsDocument)).tags.map((tag) => tag.name)).toContain("Quran");
  });
});

describe("courses", () => {
  it("staff create a course with season, instructor, tags and a weekly schedule", async () => {
    const { client } = school.admin;
    const tag = data(await client.request(CreateTagDocument, { name: "Arabic" })).createTag;
    const created = data(
      await client.request(CreateCourseDocument, {
        input: {
          name: "Arabic calligraphy",
          description: "Naskh and Ruq'ah",
          startsOn: "2099-02-02",
          endsOn: "2099-04-30",
          price: "350.50",
          capacity: 12,
          instructorId: school.instructor.instructorId,
          tagIds: [tag.id],
          schedule: [
            { weekday: 0, startTime: "10:00" },
            { weekday: 2, startTime: "16:30", durationMinutes: 90 },
          ],
          isPublished: true,
        },
      }),
    ).createCourse;
    expect(created).toMatchObject({
      name: "Arabic calligraphy",
      capacity: 12,
      spotsLeft: 12,
      price: { amount: "350.50", currency: "EGP" },
      instructor: { id: school.instructor.instructorId },
      tags: [{ name: "Arabic" }],
    });
    expect(created.schedule).toEqual([
      { weekday: 0, startTime: "10:00:00", durationMinutes: 60 },
      { weekday: 2, startTime: "16:30:00", durationMinutes: 90 },
    ]);
    const updated = data(
      await client.request(UpdateCourseDocument, {
        id: created.id,
        input: { capacity: 15, tagIds: [], schedule: [{ weekday: 6, startTime: "09:00" }] },
      }),
    ).updateCourse;
    expect(updated).toMatchObject({ capacity: 15, tags: [], schedule: [{ weekday: 6, startTime: "09:00:00", durationMinutes: 60 }] });
  });

  it("refuses bad course input with BAD_USER_INPUT or NOT_FOUND", async () => {
    const { client } = school.admin;
    const base = { name: "X", startsOn: "2099-01-01", endsOn: "2099-02-01", capacity: 10 };
    const cases = [
      [{ ...base, capacity: 0 }, "BAD_USER_INPUT"],
      [{ ...base, price: "-5" }, "BAD_USER_INPUT"],
      [{ ...base, price: "1.234" }, "BAD_USER_INPUT"],
      [{ ...base, endsOn: "2098-12-31" }, "BAD_USER_INPUT"],
      [{ ...base, schedule: [{ weekday: 7, startTime: "10:00" }] }, "BAD_USER_INPUT"],
      [{ ...base, schedule: [{ weekday: 1, startTime: "25:00" }] }, "BAD_USER_INPUT"],
      [
        {
          ...base,
          schedule: [
            { weekday: 1, startTime: "10:00" },
            { weekday: 1, startTime: "10:00" },
          ],
        },
        "BAD_USER_INPUT",
      ],
      [{ ...base, name: "" }, "BAD_USER_INPUT"],
      [{ ...base, currency: "XYZ1" }, "BAD_USER_INPUT"],
      [{ ...base, seasonId: "00000000-0000-4000-8000-000000000000" }, "NOT_FOUND"],
      [{ ...base, instructorId: "00000000-0000-4000-8000-000000000000" }, "NOT_FOUND"],
      [{ ...base, tagIds: ["00000000-0000-4000-8000-000000000000"] }, "NOT_FOUND"],
    ] as const;
    for (const [input, code] of cases) {
      const result = await client.request(CreateCourseDocument, { input: input as never });
      expect([JSON.stringify(input), codes(result)]).toEqual([JSON.stringify(input), [code]]);
    }
    // Another tenant's instructor does not exist here.
    const other = await createSchool(t);
    const foreign = await client.request(CreateCourseDocument, { input: { ...base, instructorId: other.instructor.instructorId } });
    expect(codes(foreign)).toEqual(["NOT_FOUND"]);
  });

  it("only staff create, change and delete courses", async () => {
    const input = { name: "X", startsOn: "2099-01-01", endsOn: "2099-02-01", capacity: 10 };
    expect(codes(await parent.client.request(CreateCourseDocument, { input }))).toEqual(["FORBIDDEN"]);
    expect(codes(await school.instructor.client.request(CreateCourseDocument, { input }))).toEqual(["FORBIDDEN"]);
    const id = await school.createCourse();
    expect(codes(await school.instructor.client.request(UpdateCourseDocument, { id, input: { capacity: 99 } }))).toEqual(["FORBIDDEN"]);
    expect(codes(await parent.client.request(DeleteCourseDocument, { id }))).toEqual(["FORBIDDEN"]);
    expect(data(await school.admin.client.request(DeleteCourseDocument, { id })).deleteCourse).toBe(true);
    expect(codes(await school.admin.client.request(CourseDocument, { id }))).toEqual(["NOT_FOUND"]);
  });

  it("unpublished courses are visible to staff and their instructor only", async () => {
    const id = await school.createCourse({ isPublished: false, name: "Secret draft" });
    data(await school.admin.client.request(CourseDocument, { id }));
    data(await school.instructor.client.request(CourseDocument, { id }));
    expect(codes(await parent.client.request(CourseDocument, { id }))).toEqual(["NOT_FOUND"]);
    expect(codes(await t.client({ tenant: school.tenant.slug }).request(CourseDocument, { id }))).toEqual(["NOT_FOUND"]);
    const listed = data(await parent.client.request(CoursesDocument, { filter: { search: "Secret draft" } })).courses;
    expect(listed.totalCount).toBe(0);
    const otherInstructor = await t.fixtures.member(school.tenant, ["INSTRUCTOR"]);
    expect(codes(await otherInstructor.client.request(CourseDocument, { id }))).toEqual(["NOT_FOUND"]);
    // Anonymous visitors see published courses of the tenant named in X-Tenant.
    const published = await school.createCourse({ name: "Open day" });
    data(await t.client({ tenant: school.tenant.slug }).request(CourseDocument, { id: published }));
    // …but not another tenant's.
    const other = await createSchool(t);
    expect(codes(await t.client({ tenant: other.tenant.slug }).request(CourseDocument, { id: published }))).toEqual(["NOT_FOUND"]);
  });

  it("filters by season, active season, tag, instructor, dates and text; sorts; pages", async () => {
    const s = await createSchool(t);
    const { client } = s.admin;
    const summer = data(
      await client.request(CreateSeasonDocument, {
        input: { name: "Summer", startsOn: "2099-06-01", endsOn: "2099-08-31", isActive: true },
      }),
    ).createSeason;
    const winter = data(
      await client.request(CreateSeasonDocument, { input: { name: "Winter", startsOn: "2099-12-01", endsOn: "2100-02-28" } }),
    ).createSeason;
    const robotics = data(await client.request(CreateTagDocument, { name: "Robotics" })).createTag;
    await s.createCourse({
      name: "Robots A",
      seasonId: summer.id,
      tagIds: [robotics.id],
      startsOn: "2099-06-05",
      endsOn: "2099-06-30",
      price: "100",
    });
    await s.createCourse({
      name: "Robots B",
      seasonId: winter.id,
      tagIds: [robotics.id],
      startsOn: "2099-12-05",
      endsOn: "2099-12-30",
      price: "300",
    });
    await s.createCourse({
      name: "Swimming",
      seasonId: summer.id,
      startsOn: "2099-07-01",
      endsOn: "2099-07-31",
      price: "200",
      instructorId: null,
    });

    const names = async (filter: object, orderBy?: object) =>
      data(await client.request(CoursesDocument, { filter, orderBy: orderBy as never })).courses.edges.map((e) => e.node.name);
    expect(await names({ seasonId: summer.id })).toEqual(["Robots A", "Swimming"]);
    expect(await names({ activeSeason: true })).toEqual(["Robots A", "Swimming"]);
    expect(await names({ activeSeason: false })).toEqual(["Robots B"]);
    expect(await names({ tagIds: [robotics.id] })).toEqual(["Robots A", "Robots B"]);
    expect(await names({ instructorId: s.instructor.instructorId })).toEqual(["Robots A", "Robots B"]);
    expect(await names({ from: "2099-07-15", to: "2099-12-10" })).toEqual(["Swimming", "Robots B"]);
    expect(await names({ search: "robot" })).toEqual(["Robots A", "Robots B"]);
    expect(await names({}, { field: "PRICE", direction: "DESC" })).toEqual(["Robots B", "Swimming", "Robots A"]);
    expect(await names({}, { field: "NAME" })).toEqual(["Robots A", "Robots B", "Swimming"]);
    expect(codes(await client.request(CoursesDocument, { filter: { from: "2099-02-01", to: "2099-01-01" } }))).toEqual(["BAD_USER_INPUT"]);

    const page1 = data(await client.request(CoursesDocument, { first: 2, orderBy: { field: "PRICE" } })).courses;
    expect(page1).toMatchObject({ totalCount: 3, pageInfo: { hasNextPage: true, hasPreviousPage: false } });
    const page2 = data(
      await client.request(CoursesDocument, { first: 2, after: page1.pageInfo.endCursor, orderBy: { field: "PRICE" } }),
    ).courses;
    expect(page2.edges.map((e) => e.node.price.amount)).toEqual(["300.00"]);
    expect(page2.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    expect(codes(await client.request(CoursesDocument, { first: 101 }))).toEqual(["BAD_USER_INPUT"]);
  });

  it("a page of 50 courses with season, instructor and tags costs the same SQL statements as a page of 5", async () => {
    const s = await createSchool(t);
    const { client } = s.admin;
    const season = data(
      await client.request(CreateSeasonDocument, { input: { name: "Big", startsOn: "2099-01-01", endsOn: "2099-12-31" } }),
    ).createSeason;
    const tagIds = [];
    for (const name of ["a", "b", "c"]) tagIds.push(data(await client.request(CreateTagDocument, { name })).createTag.id);
    for (let i = 0; i < 50; i++) await s.createCourse({ seasonId: season.id, tagIds: [tagIds[i % 3]!, tagIds[(i + 1) % 3]!] });

    const five = await client.request(CoursesWithRelationsDocument, { first: 5 });
    const fifty = await client.request(CoursesWithRelationsDocument, { first: 50 });
    expect(data(fifty).courses.nodes).toHaveLength(50);
    expect(data(fifty).courses.nodes.every((c) => c.season?.id === season.id && c.instructor?.user.firstName && c.tags.length === 2)).toBe(
      true,
    );
    expectFlatStatements(five, fifty);
  });

  it("lists instructors publicly, without their private contact details", async () => {
    const list = data(await t.client({ tenant: school.tenant.slug }).request(InstructorsDocument, {})).instructors;
    expect(list.totalCount).toBeGreaterThan(0);
    expect(list.nodes.every((node) => node.user.phoneNumber1 === null)).toBe(true);
    const asStaff = data(await school.admin.client.request(InstructorsDocument, {})).instructors;
    expect(asStaff.nodes.some((node) => node.user.phoneNumber1 !== null)).toBe(true);
  });
});

describe("lectures", () => {
  it("generates the schedule's lectures between the course dates in the tenant's time zone, once", async () => {
    // 2099-03-07 is a Saturday (weekday 0); 2099-03-09 a Monday (weekday 2).
    const id = await school.createCourse({
      startsOn: "2099-03-07",
      endsOn: "2099-03-20",
      schedule: [
        { weekday: 0, startTime: "10:00" },
        { weekday: 2, startTime: "17:00", durationMinutes: 45 },
      ],
    });
    const first = data(await school.admin.client.request(GenerateLecturesDocument, { courseId: id })).generateLectures;
    expect(first.created).toBe(4);
    expect(first.lectures.map((l) => `${l.date} ${l.startTime}`)).toEqual([
      "2099-03-07 10:00:00",
      "2099-03-09 17:00:00",
      "2099-03-14 10:00:00",
      "2099-03-16 17:00:00",
    ]);
    // Cairo is UTC+2 in March.
    expect(first.lectures[0]!.startsAt).toBe("2099-03-07T08:00:00.000Z");
    const again = data(await school.instructor.client.request(GenerateLecturesDocument, { courseId: id })).generateLectures;
    expect(again.created).toBe(0);
    expect(again.lectures).toHaveLength(4);
    const rows = await t.deps.database.db.select().from(lecturesTable).where(eq(lecturesTable.courseId, id));
    expect(rows).toHaveLength(4);
  });

  it("needs a schedule, and a teacher of the course", async () => {
    const none = await school.createCourse({ schedule: [] });
    expect(codes(await school.admin.client.request(GenerateLecturesDocument, { courseId: none }))).toEqual(["BAD_USER_INPUT"]);
    const other = await t.fixtures.member(school.tenant, ["INSTRUCTOR"]);
    const id = await school.createCourse({ schedule: [{ weekday: 1, startTime: "09:00" }] });
    expect(codes(await other.client.request(GenerateLecturesDocument, { courseId: id }))).toEqual(["FORBIDDEN"]);
    expect(codes(await parent.client.request(GenerateLecturesDocument, { courseId: id }))).toEqual(["FORBIDDEN"]);
  });

  it("adds, reschedules, completes and cancels lectures; illegal changes are CONFLICT", async () => {
    const id = await school.createCourse();
    const lecture = data(
      await school.instructor.client.request(CreateLectureDocument, { courseId: id, input: { date: "2099-01-10", startTime: "11:00" } }),
    ).createLecture;
    const clash = await school.instructor.client.request(CreateLectureDocument, {
      courseId: id,
      input: { date: "2099-01-10", startTime: "11:00" },
    });
    expect(codes(clash)).toEqual(["CONFLICT"]);
    const moved = data(
      await school.instructor.client.request(UpdateLectureDocument, { id: lecture.id, input: { startTime: "12:00" } }),
    ).updateLecture;
    expect(moved.startTime).toBe("12:00:00");
    const cancelled = data(
      await school.instructor.client.request(CancelLectureDocument, { id: lecture.id, reason: "Holiday" }),
    ).cancelLecture;
    expect(cancelled).toMatchObject({ status: "CANCELLED", cancelledReason: "Holiday" });
    const again = await school.instructor.client.request(CancelLectureDocument, { id: lecture.id });
    expect(codes(again)).toEqual(["CONFLICT"]);
    expect(again.errors?.[0]?.message).toMatch(/CANCELLED.*SCHEDULED/);
    expect(codes(await school.admin.client.request(UpdateLectureDocument, { id: lecture.id, input: { title: "x" } }))).toEqual([
      "CONFLICT",
    ]);
    expect(codes(await parent.client.request(CancelLectureDocument, { id: lecture.id }))).toEqual(["FORBIDDEN"]);
    expect(codes(await school.admin.client.request(CancelLectureDocument, { id: "00000000-0000-4000-8000-000000000000" }))).toEqual([
      "NOT_FOUND",
    ]);
    const done = data(
      await school.admin.client.request(CreateLectureDocument, { courseId: id, input: { date: "2099-01-11", startTime: "11:00" } }),
    ).createLecture;
    expect(
      data(await school.admin.client.request(UpdateLectureDocument, { id: done.id, input: { status: "COMPLETED" } })).updateLecture.status,
    ).toBe("COMPLETED");
    const [row] = await t.deps.database.db
      .select()
      .from(lecturesTable)
      .where(and(eq(lecturesTable.id, done.id)));
    expect(row?.status).toBe("COMPLETED");
  });

  it("lists lectures by course and date range, a page at a time", async () => {
    const id = await school.createCourse({ startsOn: "2099-05-02", endsOn: "2099-05-31", schedule: [{ weekday: 0, startTime: "10:00" }] });
    data(await school.admin.client.request(GenerateLecturesDocument, { courseId: id }));
    const page = data(await parent.client.request(LecturesDocument, { filter: { courseId: id }, first: 3 })).lectures;
    expect(page.totalCount).toBe(5);
    expect(page.nodes.map((l) => l.date)).toEqual(["2099-05-02", "2099-05-09", "2099-05-16"]);
    const rest = data(
      await parent.client.request(LecturesDocument, { filter: { courseId: id }, first: 3, after: page.pageInfo.endCursor }),
    ).lectures;
    expect(rest.nodes.map((l) => l.date)).toEqual(["2099-05-23", "2099-05-30"]);
    const ranged = data(
      await parent.client.request(LecturesDocument, { filter: { courseId: id, from: "2099-05-10", to: "2099-05-20" } }),
    ).lectures;
    expect(ranged.nodes.map((l) => l.date)).toEqual(["2099-05-16"]);
    const hidden = await school.createCourse({ isPublished: false, schedule: [{ weekday: 0, startTime: "10:00" }] });
    expect(codes(await parent.client.request(LecturesDocument, { filter: { courseId: hidden } }))).toEqual(["NOT_FOUND"]);
  });
});
