/**
 * Calendar feeds: created and revoked through the API, fetched as a calendar app
 * would (no credentials), parsed with ical.js. Stable UIDs, SEQUENCE growing on
 * reschedule, STATUS:CANCELLED, TZID of the tenant zone, the window, and the
 * tenant's (and the person's) boundaries.
 */
import { eq, and } from "drizzle-orm";
import ICAL from "ical.js";
import { beforeAll, describe, expect, it } from "vitest";
import { memberships } from "../drizzle/schema";
import { grantMembership } from "../server/services/members";
import {
  AddChildDocument,
  CalendarFeedsDocument,
  CancelEventDocument,
  CancelLectureDocument,
  AddGuardianDocument,
  CreateCalendarFeedDocument,
  CreateEventDocument,
  CreateLectureDocument,
  PublishEventDocument,
  RegisterForEventDocument,
  RevokeCalendarFeedDocument,
  UpdateLectureDocument,
} from "./sdk/graphql";
import { codes, data } from "./helpers/client";
import type { SignedIn } from "./helpers/fixtures";
import { createSchool, type Family, type School } from "./helpers/school";
import { useTestServer } from "./helpers/server";

const PUBLIC_URL = "https://roster.example";
const t = useTestServer({ PUBLIC_URL });

/** Riyadh is UTC+3 all year. */
const ZONE = "Asia/Riyadh";
const today = new Date(Date.now() + 3 * 3600_000).toISOString().slice(0, 10);
const day = (offset: number) => {
  const d = new Date(`${today}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + offset);
  return d.toISOString().slice(0, 10);
};

let school: School;
let family: Family;
let student: SignedIn & { studentId: string };
let courseA: string;
let courseB: string;
const lecturesA: Record<string, string> = {};
let lectureB: string;
let eventId: string;

const addLecture = async (courseId: string, date: string, title?: string) =>
  data(
    await school.instructor.client.request(CreateLectureDocument, {
      courseId,
      input: { date, startTime: "16:30", durationMinutes: 90, title },
    }),
  ).createLecture.id;

/** The feed as a calendar app fetches it: no Authorization, no X-Tenant. */
const fetchFeed = (url: string) => fetch(`${t.url}${url.slice(PUBLIC_URL.length)}`);

interface Item {
  uid: string;
  sequence: number;
  status: string;
  summary: string;
  tzid: string | null;
  local: string;
  start: Date;
  end: Date;
  lastModified: string;
}

async function feedItems(url: string): Promise<Item[]> {
  const res = await fetchFeed(url);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("text/calendar; charset=utf-8");
  const calendar = new ICAL.Component(ICAL.parse(await res.text()));
  for (const zone of calendar.getAllSubcomponents("vtimezone")) ICAL.TimezoneService.register(zone);
  return calendar.getAllSubcomponents("vevent").map((vevent) => {
    const event = new ICAL.Event(vevent);
    return {
      uid: event.uid,
      sequence: event.sequence,
      status: String(vevent.getFirstPropertyValue("status")),
      summary: event.summary,
      tzid: vevent.getFirstProperty("dtstart")!.getParameter("tzid") as string | null,
      local: event.startDate.toString(),
      start: event.startDate.toJSDate(),
      end: event.endDate.toJSDate(),
      lastModified: String(vevent.getFirstPropertyValue("last-modified")),
    };
  });
}

const createFeed = async (as: SignedIn, scope: "PERSON" | "COURSE", courseId?: string) =>
  data(await as.client.request(CreateCalendarFeedDocument, { input: { scope, courseId } })).createCalendarFeed;

beforeAll(async () => {
  const tenant = await t.fixtures.tenant({ timeZone: ZONE });
  school = await createSchool(t, tenant);
  courseA = await school.createCourse({ name: "الروبوتات", startsOn: day(-120), endsOn: day(500) });
  courseB = await school.createCourse({ name: "Chess", startsOn: day(-120), endsOn: day(500) });
  family = await school.family(1);
  student = await school.student();
  await school.enroll(courseA, family.childIds[0]!, family.parent);
  await school.enroll(courseB, student.studentId, student);
  for (const [name, offset] of [
    ["past", -10],
    ["soon", 7],
    ["later", 14],
    ["tooOld", -90],
    ["tooFar", 400],
  ] as const) {
    lecturesA[name] = await addLecture(courseA, day(offset), name === "soon" ? "المقدمة" : undefined);
  }
  lectureB = await addLecture(courseB, day(3));
  const event = data(
    await school.admin.client.request(CreateEventDocument, {
      input: {
        title: "يوم مفتوح",
        startsAt: `${day(20)}T07:00:00Z`,
        endsAt: `${day(20)}T09:00:00Z`,
        location: "القاعة الكبرى",
        maxParticipants: 10,
      },
    }),
  ).createEvent;
  eventId = event.id;
  data(await school.admin.client.request(PublishEventDocument, { id: eventId }));
  data(await family.parent.client.request(RegisterForEventDocument, { eventId }));
  // A published event nobody here registered for stays out of their feeds.
  const other = data(
    await school.admin.client.request(CreateEventDocument, {
      input: { title: "Other", startsAt: `${day(21)}T07:00:00Z`, endsAt: `${day(21)}T08:00:00Z`, maxParticipants: 5 },
    }),
  ).createEvent;
  data(await school.admin.client.request(PublishEventDocument, { id: other.id }));
});

describe("a person's feed", () => {
  let url: string;

  it("createCalendarFeed returns the secret URL once; the feed lists the family's lectures and registered events", async () => {
    const created = await createFeed(family.parent, "PERSON");
    url = created.url;
    expect(url).toMatch(new RegExp(`^${PUBLIC_URL}/calendar/rcal_${school.tenant.id}_[\\w-]{43}\\.ics$`));
    expect(created.feed).toMatchObject({ scope: "PERSON", courseId: null, revokedAt: null, lastFetchedAt: null });

    const items = await feedItems(url);
    expect(items.map((item) => item.uid).sort()).toEqual(
      [
        `lecture-${lecturesA.past}@roster`,
        `lecture-${lecturesA.soon}@roster`,
        `lecture-${lecturesA.later}@roster`,
        `event-${eventId}@roster`,
      ].sort(),
    );
    const soon = items.find((item) => item.uid === `lecture-${lecturesA.soon}@roster`)!;
    expect(soon).toMatchObject({ summary: "الروبوتات: المقدمة", status: "CONFIRMED", sequence: 0, tzid: ZONE });
    expect(soon.local).toBe(`${day(7)}T16:30:00`);
    // 16:30 in Riyadh is 13:30 UTC; 90 minutes long.
    expect(soon.start.toISOString()).toBe(`${day(7)}T13:30:00.000Z`);
    expect(soon.end.getTime() - soon.start.getTime()).toBe(90 * 60_000);
    const event = items.find((item) => item.uid === `event-${eventId}@roster`)!;
    expect(event).toMatchObject({ summary: "يوم مفتوح", status: "CONFIRMED", sequence: 0, tzid: ZONE, local: `${day(20)}T10:00:00` });

    // The zone is described once (VTIMEZONE); stamps are UTC.
    const raw = await (await fetchFeed(url)).text();
    expect(raw.match(/BEGIN:VTIMEZONE\r\nTZID:Asia\/Riyadh\r\n/g)).toHaveLength(1);
    expect(raw).toMatch(/\r\nDTSTAMP:\d{8}T\d{6}Z\r\n/);
    expect(raw).toMatch(/\r\nLAST-MODIFIED:\d{8}T\d{6}Z\r\n/);

    const listed = data(await family.parent.client.request(CalendarFeedsDocument, {})).calendarFeeds;
    expect(listed.nodes.map((feed) => feed.id)).toEqual([created.feed.id]);
    expect(listed.nodes[0]!.lastFetchedAt).not.toBeNull();
  });

  it("a reschedule keeps the UID, moves the times and bumps SEQUENCE; a cancellation shows as STATUS:CANCELLED", async () => {
    data(
      await school.instructor.client.request(UpdateLectureDocument, { id: lecturesA.later!, input: { date: day(15), startTime: "18:00" } }),
    );
    data(await school.instructor.client.request(CancelLectureDocument, { id: lecturesA.soon!, reason: "مرض المدرب" }));
    data(await school.admin.client.request(CancelEventDocument, { id: eventId, reason: "الطقس" }));
    const items = await feedItems(url);
    const later = items.find((item) => item.uid === `lecture-${lecturesA.later}@roster`)!;
    expect(later).toMatchObject({ sequence: 1, status: "CONFIRMED", local: `${day(15)}T18:00:00` });
    expect(later.start.toISOString()).toBe(`${day(15)}T15:00:00.000Z`);
    const soon = items.find((item) => item.uid === `lecture-${lecturesA.soon}@roster`)!;
    expect(soon).toMatchObject({ sequence: 1, status: "CANCELLED" });
    const event = items.find((item) => item.uid === `event-${eventId}@roster`)!;
    expect(event).toMatchObject({ sequence: 1, status: "CANCELLED" });
    // A second reschedule bumps again; the untouched lecture stays at 0.
    data(await school.instructor.client.request(UpdateLectureDocument, { id: lecturesA.later!, input: { startTime: "18:30" } }));
    const again = await feedItems(url);
    expect(again.find((item) => item.uid === `lecture-${lecturesA.later}@roster`)!.sequence).toBe(2);
    expect(again.find((item) => item.uid === `lecture-${lecturesA.past}@roster`)!.sequence).toBe(0);
  });

  it("a second guardian of the child follows the child's lectures too", async () => {
    const second = await t.fixtures.member(school.tenant, ["MEMBER"]);
    data(
      await family.parent.client.request(AddGuardianDocument, {
        input: { childId: family.childIds[0]!, email: second.user.email, relation: "MOTHER" },
      }),
    );
    const theirs = await feedItems((await createFeed(second, "PERSON")).url);
    expect(theirs.map((item) => item.uid).sort()).toEqual(
      [`lecture-${lecturesA.past}@roster`, `lecture-${lecturesA.soon}@roster`, `lecture-${lecturesA.later}@roster`].sort(),
    );
  });

  it("a student's feed has their own course only; the instructor's has the courses they teach", async () => {
    const mine = await feedItems((await createFeed(student, "PERSON")).url);
    expect(mine.map((item) => item.uid)).toEqual([`lecture-${lectureB}@roster`]);
    const teaching = await feedItems((await createFeed(school.instructor, "PERSON")).url);
    expect(teaching.map((item) => item.uid)).toContain(`lecture-${lectureB}@roster`);
    expect(teaching.map((item) => item.uid)).toContain(`lecture-${lecturesA.past}@roster`);
    expect(teaching.some((item) => item.uid.startsWith("event-"))).toBe(false);
  });

  it("revoked: the URL answers 404 (the same as an unknown or malformed token); the list keeps it, revoked", async () => {
    const created = await createFeed(family.parent, "PERSON");
    expect((await fetchFeed(created.url)).status).toBe(200);
    // Another member cannot revoke it (NOT_FOUND, as if it did not exist).
    const stranger = await t.fixtures.member(school.tenant, ["PARENT"]);
    expect(codes(await stranger.client.request(RevokeCalendarFeedDocument, { id: created.feed.id }))).toEqual(["NOT_FOUND"]);
    const revoked = data(await family.parent.client.request(RevokeCalendarFeedDocument, { id: created.feed.id })).revokeCalendarFeed;
    expect(revoked.revokedAt).not.toBeNull();
    // Twice is harmless.
    expect(data(await family.parent.client.request(RevokeCalendarFeedDocument, { id: created.feed.id })).revokeCalendarFeed.revokedAt).toBe(
      revoked.revokedAt,
    );
    const gone = await fetchFeed(created.url);
    expect(gone.status).toBe(404);
    expect(((await gone.json()) as any).errors[0].extensions.code).toBe("NOT_FOUND");
    const token = created.url.slice(`${PUBLIC_URL}/calendar/`.length, -".ics".length);
    for (const path of [
      `/calendar/${token.slice(0, -4)}AAAA.ics`,
      "/calendar/nonsense.ics",
      `/calendar/${token}`,
      `/calendar/rcal_00000000-0000-0000-0000-000000000000_${token.slice(-43)}.ics`,
    ]) {
      expect([path, (await fetch(`${t.url}${path}`)).status]).toEqual([path, 404]);
    }
    const listed = data(await family.parent.client.request(CalendarFeedsDocument, {})).calendarFeeds.nodes;
    expect(listed.find((feed) => feed.id === created.feed.id)!.revokedAt).not.toBeNull();
    // A tenant admin may revoke anyone's feed.
    const other = await createFeed(student, "PERSON");
    expect(
      data(await school.admin.client.request(RevokeCalendarFeedDocument, { id: other.feed.id })).revokeCalendarFeed.revokedAt,
    ).not.toBeNull();
    expect((await fetchFeed(other.url)).status).toBe(404);
  });

  it("a feed stops when its owner is no longer an active member", async () => {
    const leaver = await school.student();
    const created = await createFeed(leaver, "PERSON");
    expect((await fetchFeed(created.url)).status).toBe(200);
    await t.deps.database.db
      .update(memberships)
      .set({ isActive: false })
      .where(and(eq(memberships.tenantId, school.tenant.id), eq(memberships.userId, leaver.user.id)));
    expect((await fetchFeed(created.url)).status).toBe(404);
  });
});

describe("a course's feed", () => {
  it("the instructor (or a family enrolled in it) follows one course's lectures", async () => {
    const byInstructor = await createFeed(school.instructor, "COURSE", courseB);
    expect(byInstructor.feed).toMatchObject({ scope: "COURSE", courseId: courseB });
    expect((await feedItems(byInstructor.url)).map((item) => item.uid)).toEqual([`lecture-${lectureB}@roster`]);
    const byFamily = await createFeed(family.parent, "COURSE", courseA);
    const uids = (await feedItems(byFamily.url)).map((item) => item.uid);
    expect(uids).toHaveLength(3);
    expect(uids.every((uid) => uid.startsWith("lecture-"))).toBe(true);
  });

  it("refusals: a course the family is not in, another tenant's course, bad scope/course pairs, anonymous", async () => {
    expect(
      codes(await family.parent.client.request(CreateCalendarFeedDocument, { input: { scope: "COURSE", courseId: courseB } })),
    ).toEqual(["FORBIDDEN"]);
    const elsewhere = await createSchool(t);
    const foreignCourse = await elsewhere.createCourse();
    expect(
      codes(await school.admin.client.request(CreateCalendarFeedDocument, { input: { scope: "COURSE", courseId: foreignCourse } })),
    ).toEqual(["NOT_FOUND"]);
    expect(codes(await school.admin.client.request(CreateCalendarFeedDocument, { input: { scope: "COURSE" } }))).toEqual([
      "BAD_USER_INPUT",
    ]);
    expect(codes(await school.admin.client.request(CreateCalendarFeedDocument, { input: { scope: "PERSON", courseId: courseA } }))).toEqual(
      ["BAD_USER_INPUT"],
    );
    expect(
      codes(await t.client({ tenant: school.tenant.slug }).request(CreateCalendarFeedDocument, { input: { scope: "PERSON" } })),
    ).toEqual(["UNAUTHENTICATED"]);
    expect(codes(await t.client({ tenant: school.tenant.slug }).request(CalendarFeedsDocument, {}))).toEqual(["UNAUTHENTICATED"]);
  });

  it(`a person holds at most 20 live feeds`, async () => {
    const busy = await school.student();
    for (let i = 0; i < 20; i++) await createFeed(busy, "PERSON");
    expect(codes(await busy.client.request(CreateCalendarFeedDocument, { input: { scope: "PERSON" } }))).toEqual(["BAD_USER_INPUT"]);
    const page = data(await busy.client.request(CalendarFeedsDocument, { first: 5 })).calendarFeeds;
    expect([page.totalCount, page.nodes.length, page.pageInfo.hasNextPage]).toEqual([20, 5, true]);
  });
});

describe("tenants never mix", () => {
  it("the same parent in two centres: each centre's feed shows only that centre's lectures", async () => {
    const other = await createSchool(t, await t.fixtures.tenant({ timeZone: "Africa/Cairo" }));
    await grantMembership(t.deps.database.db, other.tenant.id, family.parent.user.id, ["PARENT"]);
    const there = await t.fixtures.login(family.parent.user, other.tenant);
    const child = data(await there.client.request(AddChildDocument, { input: { firstName: "Omar" } })).addChild.id;
    const course = await other.createCourse({ name: "Other centre course", startsOn: day(-30), endsOn: day(60) });
    await other.enroll(course, child, there);
    const foreign = data(
      await other.instructor.client.request(CreateLectureDocument, { courseId: course, input: { date: day(5), startTime: "10:00" } }),
    ).createLecture.id;

    const thereFeed = await createFeed(there, "PERSON");
    expect(thereFeed.url).toContain(`/calendar/rcal_${other.tenant.id}_`);
    const thereItems = await feedItems(thereFeed.url);
    expect(thereItems.map((item) => item.uid)).toEqual([`lecture-${foreign}@roster`]);
    expect(thereItems[0]!.tzid).toBe("Africa/Cairo");

    const hereFeed = await createFeed(family.parent, "PERSON");
    const hereUids = (await feedItems(hereFeed.url)).map((item) => item.uid);
    expect(hereUids).not.toContain(`lecture-${foreign}@roster`);
    expect(hereUids).toContain(`lecture-${lecturesA.past}@roster`);
    // The feeds list is per centre.
    const listedThere = data(await there.client.request(CalendarFeedsDocument, {})).calendarFeeds.nodes.map((feed) => feed.id);
    expect(listedThere).toEqual([thereFeed.feed.id]);
    // A token moved to the other centre's id is nobody's.
    const secret = hereFeed.url.split("_").pop()!;
    expect((await fetch(`${t.url}/calendar/rcal_${other.tenant.id}_${secret}`)).status).toBe(404);
  });
});
