import { and, eq, inArray, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { auditLog, eventRegistrations, events, notifications } from "../drizzle/schema";
import { inScope } from "../server/db/scope";
import { fromDatabaseError } from "../server/errors";
import {
  CancelEventDocument,
  CancelRegistrationDocument,
  CreateEventDocument,
  EventDocument,
  EventRegistrationsDocument,
  EventsDocument,
  EventsRegistrationsDocument,
  EventsWithPeopleDocument,
  EventUpdatedDocument,
  PublishEventDocument,
  RegisterForEventDocument,
  UpdateEventDocument,
  type CreateEventInput,
  type EventsQuery,
} from "./sdk/graphql";
import { codes, data, type GraphQLClient, type Result, expectFlatStatements } from "./helpers/client";
import type { SignedIn, TestTenant } from "./helpers/fixtures";
import { useTestServer, subscribed } from "./helpers/server";

let a: TestTenant;
let b: TestTenant;
let adminA: SignedIn;
let staffA: SignedIn;
let instructorA: SignedIn;
let otherInstructorA: SignedIn;
let memberA: SignedIn;
let adminB: SignedIn;

/** An ISO time `hours` from now. */
const inHours = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();

/** Creates an event through the API (published unless told otherwise). */
async function makeEvent(client: GraphQLClient, input: Partial<CreateEventInput> = {}, { publish = true } = {}) {
  const created = data(
    await client.request(CreateEventDocument, {
      input: { title: "Robotics workshop", startsAt: inHours(48), endsAt: inHours(50), maxParticipants: 10, ...input },
    }),
  ).createEvent;
  if (publish) data(await client.request(PublishEventDocument, { id: created.id }));
  return created;
}

const errorOf = (result: Result<unknown>) => result.errors?.[0];
const notificationsOf = (userId: string, kind: string) =>
  t.deps.database.db
    .select()
    .from(notifications)
    .where(and(eq(notifications.userId, userId), eq(notifications.kind, kind)));

const t = useTestServer();
beforeAll(async () => {
  [a, b] = await Promise.all([t.fixtures.tenant(), t.fixtures.tenant()]);
  adminA = await t.fixtures.member(a, ["ADMIN"]);
  staffA = await t.fixtures.member(a, ["STAFF"]);
  instructorA = await t.fixtures.member(a, ["INSTRUCTOR"]);
  otherInstructorA = await t.fixtures.member(a, ["INSTRUCTOR"]);
  memberA = await t.fixtures.member(a, ["MEMBER"]);
  adminB = await t.fixtures.member(b, ["ADMIN"]);
});

describe("creating and changing events", () => {
  it("an instructor creates a draft and publishes it; every change is audited", async () => {
    const created = data(
      await instructorA.client.request(CreateEventDocument, {
        input: {
          title: "  Line follower build  ",
          description: "Bring a laptop",
          location: "Lab 2",
          startsAt: inHours(24),
          endsAt: inHours(27),
          maxParticipants: 12,
          waitlistEnabled: true,
        },
      }),
    ).createEvent;
    expect(created).toMatchObject({
      title: "Line follower build",
      status: "DRAFT",
      confirmedCount: 0,
      spotsLeft: 12,
      waitlistEnabled: true,
      isUpcoming: true,
      creator: { id: instructorA.user.id },
    });
    const published = data(await instructorA.client.request(PublishEventDocument, { id: created.id })).publishEvent;
    expect(published.status).toBe("PUBLISHED");
    const updated = data(await instructorA.client.request(UpdateEventDocument, { id: created.id, input: { title: "Line follower, v2" } }));
    expect(updated.updateEvent.title).toBe("Line follower, v2");

    const audit = await t.deps.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entityId, created.id), eq(auditLog.entity, "event")))
      .orderBy(auditLog.createdAt);
    expect(audit.map((row) => row.action)).toEqual(["event.create", "event.publish", "event.update"]);
    expect(audit.every((row) => row.actorId === instructorA.user.id)).toBe(true);
    expect((audit[2]!.before as { title: string }).title).toBe("Line follower build");
  });

  it("admins, staff and instructors create events; members, parents and anonymous people may not", async () => {
    const input = { title: "T", startsAt: inHours(5), endsAt: inHours(6), maxParticipants: 3 };
    for (const who of [adminA, staffA, instructorA]) data(await who.client.request(CreateEventDocument, { input }));
    expect(codes(await memberA.client.request(CreateEventDocument, { input }))).toEqual(["FORBIDDEN"]);
    const parent = await t.fixtures.member(a, ["PARENT"]);
    expect(codes(await parent.client.request(CreateEventDocument, { input }))).toEqual(["FORBIDDEN"]);
    expect(codes(await t.client({ tenant: a.slug }).request(CreateEventDocument, { input }))).toEqual(["UNAUTHENTICATED"]);
  });

  it("refuses bad input with BAD_USER_INPUT naming the field, and writes nothing", async () => {
    const base = { title: "Bad", startsAt: inHours(10), endsAt: inHours(12), maxParticipants: 5 };
    const cases: [Partial<CreateEventInput>, string][] = [
      [{ endsAt: inHours(9) }, "endsAt"],
      [{ endsAt: base.startsAt }, "endsAt"],
      [{ maxParticipants: 0 }, "maxParticipants"],
      [{ maxParticipants: -5 }, "maxParticipants"],
      [{ title: "   " }, "title"],
      [{ title: "x".repeat(201) }, "title"],
    ];
    for (const [change, field] of cases) {
      const result = await staffA.client.request(CreateEventDocument, { input: { ...base, ...change } });
      expect(codes(result), JSON.stringify(change)).toEqual(["BAD_USER_INPUT"]);
      expect(errorOf(result)?.extensions?.field).toBe(field);
    }
    const endBefore = await staffA.client.request(CreateEventDocument, { input: { ...base, endsAt: inHours(1) } });
    expect(errorOf(endBefore)?.message).toBe("An event must end after it starts.");
    const written = await t.deps.database.db
      .select()
      .from(events)
      .where(and(eq(events.tenantId, a.id), eq(events.title, "Bad")));
    expect(written).toEqual([]);
  });

  it("validates updates against the stored event: end after start, capacity not below confirmed places", async () => {
    const event = await makeEvent(staffA.client, { maxParticipants: 3 });
    for (let i = 0; i < 2; i++)
      data(await (await t.fixtures.member(a, ["MEMBER"])).client.request(RegisterForEventDocument, { eventId: event.id }));
    const earlyEnd = await staffA.client.request(UpdateEventDocument, { id: event.id, input: { endsAt: inHours(47) } });
    expect(codes(earlyEnd)).toEqual(["BAD_USER_INPUT"]);
    const below = await staffA.client.request(UpdateEventDocument, { id: event.id, input: { maxParticipants: 1 } });
    expect(codes(below)).toEqual(["BAD_USER_INPUT"]);
    expect(errorOf(below)?.message).toMatch(/2 places already confirmed/);
    expect(codes(await staffA.client.request(UpdateEventDocument, { id: event.id, input: { maxParticipants: 0 } }))).toEqual([
      "BAD_USER_INPUT",
    ]);
    expect(codes(await staffA.client.request(UpdateEventDocument, { id: event.id, input: { title: "" } }))).toEqual(["BAD_USER_INPUT"]);
    // Nothing given: nothing changes, and that is not an error.
    expect(data(await staffA.client.request(UpdateEventDocument, { id: event.id, input: {} })).updateEvent.maxParticipants).toBe(3);
    const exact = data(await staffA.client.request(UpdateEventDocument, { id: event.id, input: { maxParticipants: 2 } })).updateEvent;
    expect(exact).toMatchObject({ maxParticipants: 2, confirmedCount: 2, spotsLeft: 0 });
  });

  it("only the creator or staff change an event", async () => {
    const event = await makeEvent(instructorA.client);
    const input = { location: "Hall B" };
    expect(codes(await otherInstructorA.client.request(UpdateEventDocument, { id: event.id, input }))).toEqual(["FORBIDDEN"]);
    expect(codes(await memberA.client.request(UpdateEventDocument, { id: event.id, input }))).toEqual(["FORBIDDEN"]);
    expect(codes(await memberA.client.request(CancelEventDocument, { id: event.id, reason: "no" }))).toEqual(["FORBIDDEN"]);
    expect(codes(await t.client({ tenant: a.slug }).request(UpdateEventDocument, { id: event.id, input }))).toEqual(["UNAUTHENTICATED"]);
    // Another tenant does not even see it.
    expect(codes(await adminB.client.request(UpdateEventDocument, { id: event.id, input }))).toEqual(["NOT_FOUND"]);
    expect(data(await staffA.client.request(UpdateEventDocument, { id: event.id, input })).updateEvent.location).toBe("Hall B");
    expect(
      data(await instructorA.client.request(UpdateEventDocument, { id: event.id, input: { location: "Hall C" } })).updateEvent.location,
    ).toBe("Hall C");
  });

  it("answers NOT_FOUND for unknown ids", async () => {
    const unknown = "00000000-0000-4000-8000-000000000000";
    expect(codes(await staffA.client.request(EventDocument, { id: unknown }))).toEqual(["NOT_FOUND"]);
    expect(codes(await staffA.client.request(UpdateEventDocument, { id: unknown, input: { title: "x" } }))).toEqual(["NOT_FOUND"]);
    expect(codes(await staffA.client.request(PublishEventDocument, { id: unknown }))).toEqual(["NOT_FOUND"]);
    expect(codes(await staffA.client.request(CancelEventDocument, { id: unknown, reason: "x" }))).toEqual(["NOT_FOUND"]);
    expect(codes(await memberA.client.request(RegisterForEventDocument, { eventId: unknown }))).toEqual(["NOT_FOUND"]);
    expect(codes(await memberA.client.request(CancelRegistrationDocument, { eventId: unknown }))).toEqual(["NOT_FOUND"]);
    expect(codes(await staffA.client.request(CancelRegistrationDocument, { registrationId: unknown }))).toEqual(["NOT_FOUND"]);
    expect(codes(await staffA.client.request(EventDocument, { id: "not-a-uuid" }))).toEqual(["BAD_USER_INPUT"]);
  });

  it("refuses illegal status changes with CONFLICT naming the states", async () => {
    const event = await makeEvent(staffA.client);
    const again = await staffA.client.request(PublishEventDocument, { id: event.id });
    expect(codes(again)).toEqual(["CONFLICT"]);
    expect(errorOf(again)?.message).toBe("Event is PUBLISHED; this needs it to be DRAFT.");
    expect(codes(await staffA.client.request(CancelEventDocument, { id: event.id, reason: " " }))).toEqual(["BAD_USER_INPUT"]);
    data(await staffA.client.request(CancelEventDocument, { id: event.id, reason: "Venue flooded" }));
    const twice = await staffA.client.request(CancelEventDocument, { id: event.id, reason: "again" });
    expect(codes(twice)).toEqual(["CONFLICT"]);
    expect(errorOf(twice)?.message).toBe("Event is CANCELLED; this needs it to be DRAFT / PUBLISHED.");
    expect(codes(await staffA.client.request(UpdateEventDocument, { id: event.id, input: { title: "x" } }))).toEqual(["CONFLICT"]);
    expect(codes(await staffA.client.request(PublishEventDocument, { id: event.id }))).toEqual(["CONFLICT"]);
    // A draft may be cancelled straight away.
    const draft = await makeEvent(staffA.client, {}, { publish: false });
    expect(data(await staffA.client.request(CancelEventDocument, { id: draft.id, reason: "Not needed" })).cancelEvent.status).toBe(
      "CANCELLED",
    );
  });
});

describe("seeing events", () => {
  it("shows drafts only to their creator and staff; published and cancelled events to anyone in the tenant", async () => {
    const draft = await makeEvent(instructorA.client, { title: "Secret draft" }, { publish: false });
    const published = await makeEvent(instructorA.client, { title: "Open day" });
    const anonymous = t.client({ tenant: a.slug });
    for (const who of [instructorA.client, staffA.client, adminA.client]) {
      expect(data(await who.request(EventDocument, { id: draft.id })).event.status).toBe("DRAFT");
    }
    for (const who of [memberA.client, otherInstructorA.client, anonymous]) {
      expect(codes(await who.request(EventDocument, { id: draft.id }))).toEqual(["NOT_FOUND"]);
    }
    const seen = data(await anonymous.request(EventDocument, { id: published.id })).event;
    expect(seen).toMatchObject({ title: "Open day", myRegistration: null, creator: { id: instructorA.user.id } });
    expect(codes(await adminB.client.request(EventDocument, { id: published.id }))).toEqual(["NOT_FOUND"]);
    expect(codes(await t.client().request(EventDocument, { id: published.id }))).toEqual(["BAD_REQUEST"]);
    data(await instructorA.client.request(CancelEventDocument, { id: published.id, reason: "Rain" }));
    expect(data(await anonymous.request(EventDocument, { id: published.id })).event.status).toBe("CANCELLED");

    const search = { filter: { search: "Secret draft" } };
    expect(data(await memberA.client.request(EventsDocument, search)).events.totalCount).toBe(0);
    expect(data(await anonymous.request(EventsDocument, search)).events.totalCount).toBe(0);
    expect(data(await otherInstructorA.client.request(EventsDocument, search)).events.totalCount).toBe(0);
    expect(data(await instructorA.client.request(EventsDocument, search)).events.totalCount).toBe(1);
    expect(data(await staffA.client.request(EventsDocument, search)).events.totalCount).toBe(1);
    expect(data(await adminB.client.request(EventsDocument, { filter: { search: "Open day" } })).events.totalCount).toBe(0);
  });
});

describe("listing events", () => {
  let tenant: TestTenant;
  let staff: SignedIn;
  let member: SignedIn;
  const titles = ["Chess night", "Arduino basics", "Drone race", "Beach cleanup", "Coding dojo"];

  beforeAll(async () => {
    tenant = await t.fixtures.tenant();
    staff = await t.fixtures.member(tenant, ["STAFF"]);
    member = await t.fixtures.member(tenant, ["MEMBER"]);
    // Starts in a different order than titles and creation.
    const offsets = [30, 10, 50, 20, 40];
    for (const [i, title] of titles.entries()) {
      await makeEvent(staff.client, {
        title,
        startsAt: inHours(offsets[i]!),
        endsAt: inHours(offsets[i]! + 2),
        location: i === 3 ? "Alexandria 100% beach" : "Cairo",
        description: i === 1 ? "Microcontrollers for beginners" : "",
      });
    }
    await makeEvent(staff.client, { title: "Past meetup", startsAt: inHours(-30), endsAt: inHours(-28) });
    await makeEvent(staff.client, { title: "Unpublished plan", startsAt: inHours(60), endsAt: inHours(61) }, { publish: false });
  });

  const titlesOf = (result: { events: { edges: { node: { title: string } }[] } }) => result.events.edges.map((edge) => edge.node.title);

  it("sorts by start time by default, and by title or creation on request", async () => {
    const byStart = data(await member.client.request(EventsDocument, {}));
    expect(titlesOf(byStart)).toEqual(["Past meetup", "Arduino basics", "Beach cleanup", "Chess night", "Coding dojo", "Drone race"]);
    expect(byStart.events.totalCount).toBe(6);
    const byTitle = data(await member.client.request(EventsDocument, { orderBy: { field: "TITLE", direction: "DESC" } }));
    expect(titlesOf(byTitle)).toEqual(["Past meetup", "Drone race", "Coding dojo", "Chess night", "Beach cleanup", "Arduino basics"]);
    const byCreation = data(await staff.client.request(EventsDocument, { orderBy: { field: "CREATED_AT" } }));
    expect(titlesOf(byCreation)).toEqual([...titles, "Past meetup", "Unpublished plan"]);
  });

  it("filters by status, start range, text and upcoming", async () => {
    const upcoming = data(await member.client.request(EventsDocument, { filter: { upcomingOnly: true } }));
    expect(upcoming.events.totalCount).toBe(5);
    const range = data(await member.client.request(EventsDocument, { filter: { startsAfter: inHours(15), startsBefore: inHours(45) } }));
    expect(titlesOf(range)).toEqual(["Beach cleanup", "Chess night", "Coding dojo"]);
    const text = data(await member.client.request(EventsDocument, { filter: { search: "MICROCONTROLLER" } }));
    expect(titlesOf(text)).toEqual(["Arduino basics"]);
    const place = data(await member.client.request(EventsDocument, { filter: { search: "alexandria" } }));
    expect(titlesOf(place)).toEqual(["Beach cleanup"]);
    // LIKE wildcards in the search text are literal characters.
    expect(titlesOf(data(await member.client.request(EventsDocument, { filter: { search: "100%" } })))).toEqual(["Beach cleanup"]);
    expect(data(await member.client.request(EventsDocument, { filter: { search: "%" } })).events.totalCount).toBe(1);
    const drafts = data(await staff.client.request(EventsDocument, { filter: { status: "DRAFT" } }));
    expect(titlesOf(drafts)).toEqual(["Unpublished plan"]);
    expect(data(await member.client.request(EventsDocument, { filter: { status: "DRAFT" } })).events.totalCount).toBe(0);
  });

  it("pages with keyset cursors in every order, without gaps or repeats", async () => {
    for (const orderBy of [
      { field: "STARTS_AT" as const, direction: "ASC" as const },
      { field: "TITLE" as const, direction: "DESC" as const },
      { field: "CREATED_AT" as const, direction: "DESC" as const },
    ]) {
      const all = titlesOf(data(await staff.client.request(EventsDocument, { orderBy })));
      const paged: string[] = [];
      let after: string | null = null;
      for (let page = 0; page < 10; page++) {
        const result: EventsQuery["events"] = data(await staff.client.request(EventsDocument, { orderBy, first: 2, after })).events;
        expect(result.totalCount).toBe(7);
        expect(result.pageInfo.hasPreviousPage).toBe(after !== null);
        paged.push(...result.edges.map((edge) => edge.node.title));
        if (!result.pageInfo.hasNextPage) break;
        after = result.pageInfo.endCursor;
      }
      expect(paged).toEqual(all);
      expect(all).toHaveLength(7);
    }
  });

  it("refuses a cursor of another ordering, a made-up cursor and a bad page size", async () => {
    const first = data(await member.client.request(EventsDocument, { first: 2 })).events;
    const wrong = await member.client.request(EventsDocument, { first: 2, after: first.pageInfo.endCursor, orderBy: { field: "TITLE" } });
    expect(codes(wrong)).toEqual(["BAD_USER_INPUT"]);
    const forged = Buffer.from(JSON.stringify(["STARTS_AT", "ASC", "yesterday", "x"])).toString("base64url");
    expect(codes(await member.client.request(EventsDocument, { after: forged }))).toEqual(["BAD_USER_INPUT"]);
    expect(codes(await member.client.request(EventsDocument, { after: "garbage" }))).toEqual(["BAD_USER_INPUT"]);
    expect(codes(await member.client.request(EventsDocument, { first: 101 }))).toEqual(["BAD_USER_INPUT"]);
  });
});

describe("SQL statements per list (no N+1)", () => {
  it("a page of 25 events with creator and myRegistration runs as many statements as a page of 5", async () => {
    const tenant = await t.fixtures.tenant();
    const creators = await Promise.all([0, 1, 2, 3, 4].map(() => t.fixtures.member(tenant, ["INSTRUCTOR"])));
    const viewer = await t.fixtures.member(tenant, ["MEMBER"]);
    const staff = await t.fixtures.member(tenant, ["STAFF"]);
    for (let i = 0; i < 25; i++) {
      const event = await makeEvent(creators[i % 5]!.client, { title: `Event ${i}`, startsAt: inHours(10 + i), endsAt: inHours(11 + i) });
      if (i % 2 === 0) data(await viewer.client.request(RegisterForEventDocument, { eventId: event.id }));
      if (i % 3 === 0) data(await staff.client.request(RegisterForEventDocument, { eventId: event.id }));
    }
    const five = await viewer.client.request(EventsWithPeopleDocument, { first: 5 });
    const all = await viewer.client.request(EventsWithPeopleDocument, { first: 25 });
    expect(data(five).events.nodes).toHaveLength(5);
    expect(data(all).events.nodes).toHaveLength(25);
    expect(data(all).events.nodes.filter((node) => node.myRegistration?.status === "CONFIRMED")).toHaveLength(13);
    expect(new Set(data(all).events.nodes.map((node) => node.creator?.id)).size).toBe(5);
    expectFlatStatements(five, all);

    // The registrations of every event on the page, with their users: batched too.
    const regFive = await staff.client.request(EventsRegistrationsDocument, { first: 5 });
    const regAll = await staff.client.request(EventsRegistrationsDocument, { first: 25 });
    const counts = data(regAll).events.nodes.map((node) => node.registrations?.totalCount);
    expect(counts.slice(0, 4)).toEqual([2, 0, 1, 1]);
    expect(
      data(regAll)
        .events.nodes[0]!.registrations?.nodes.map((node) => node.user?.id)
        .sort(),
    ).toEqual([viewer.user.id, staff.user.id].sort());
    expectFlatStatements(regFive, regAll);
  });
});

describe("registering", () => {
  it("a member registers, sees their registration, and cannot register twice", async () => {
    const event = await makeEvent(staffA.client, { maxParticipants: 5 });
    const member = await t.fixtures.member(a, ["MEMBER"]);
    const registration = data(await member.client.request(RegisterForEventDocument, { eventId: event.id })).registerForEvent;
    expect(registration).toMatchObject({
      status: "CONFIRMED",
      cancelledAt: null,
      user: { id: member.user.id },
      event: { id: event.id, confirmedCount: 1, spotsLeft: 4 },
    });
    const seen = data(await member.client.request(EventDocument, { id: event.id })).event;
    expect(seen.myRegistration).toMatchObject({ id: registration.id, status: "CONFIRMED" });
    const twice = await member.client.request(RegisterForEventDocument, { eventId: event.id });
    expect(codes(twice)).toEqual(["CONFLICT"]);
    expect(errorOf(twice)?.message).toBe("You are already registered for this event.");
    expect(data(await member.client.request(EventDocument, { id: event.id })).event.confirmedCount).toBe(1);
    const audit = await t.deps.database.db.select().from(auditLog).where(eq(auditLog.entityId, registration.id));
    expect(audit.map((row) => row.action)).toEqual(["event.register"]);
  });

  it("needs a signed-in member of the tenant", async () => {
    const event = await makeEvent(staffA.client);
    expect(codes(await t.client({ tenant: a.slug }).request(RegisterForEventDocument, { eventId: event.id }))).toEqual(["UNAUTHENTICATED"]);
    expect(codes(await adminB.client.request(RegisterForEventDocument, { eventId: event.id }))).toEqual(["NOT_FOUND"]);
    const outsider = await t.fixtures.login(await t.fixtures.user());
    expect(codes(await outsider.client.request(RegisterForEventDocument, { eventId: event.id }))).toEqual(["BAD_REQUEST"]);
  });

  it("refuses drafts, cancelled and started events", async () => {
    const draft = await makeEvent(staffA.client, {}, { publish: false });
    expect(codes(await memberA.client.request(RegisterForEventDocument, { eventId: draft.id }))).toEqual(["NOT_FOUND"]);
    // Staff see the draft, and are told why they cannot register.
    const forStaff = await staffA.client.request(RegisterForEventDocument, { eventId: draft.id });
    expect(codes(forStaff)).toEqual(["CONFLICT"]);
    expect(errorOf(forStaff)?.message).toBe("Event is DRAFT; this needs it to be PUBLISHED.");

    const cancelled = await makeEvent(staffA.client);
    data(await staffA.client.request(CancelEventDocument, { id: cancelled.id, reason: "Storm" }));
    const refused = await memberA.client.request(RegisterForEventDocument, { eventId: cancelled.id });
    expect(codes(refused)).toEqual(["CONFLICT"]);
    expect(errorOf(refused)?.message).toBe("Event is CANCELLED; this needs it to be PUBLISHED.");

    const started = await makeEvent(staffA.client, { startsAt: inHours(-1), endsAt: inHours(1) });
    const late = await memberA.client.request(RegisterForEventDocument, { eventId: started.id });
    expect(codes(late)).toEqual(["CONFLICT"]);
    expect(errorOf(late)?.message).toMatch(/already started/);
    expect(data(await memberA.client.request(EventDocument, { id: started.id })).event.isUpcoming).toBe(false);
  });

  it("a full event without a waitlist answers CONFLICT 'event is full'", async () => {
    const event = await makeEvent(staffA.client, { maxParticipants: 1 });
    data(await (await t.fixtures.member(a, ["MEMBER"])).client.request(RegisterForEventDocument, { eventId: event.id }));
    const late = await (await t.fixtures.member(a, ["MEMBER"])).client.request(RegisterForEventDocument, { eventId: event.id });
    expect(codes(late)).toEqual(["CONFLICT"]);
    expect(errorOf(late)?.message).toBe("This event is full.");
    expect(late.status).toBe(200);
  });

  it("the capacity CHECK is the backstop: a write past the lock is refused with the same CONFLICT", async () => {
    const event = await makeEvent(staffA.client, { maxParticipants: 1 });
    const [first, second] = await Promise.all([
      t.fixtures.user({ tenant: a, roles: ["MEMBER"] }),
      t.fixtures.user({ tenant: a, roles: ["MEMBER"] }),
    ]);
    const db = t.deps.database.db;
    const error = await inScope(db, { tenantId: a.id, userId: null }, (tx) =>
      tx.insert(eventRegistrations).values([
        { tenantId: a.id, eventId: event.id, userId: first.id },
        { tenantId: a.id, eventId: event.id, userId: second.id },
      ]),
    ).catch((e) => e);
    const mapped = fromDatabaseError(error);
    expect(mapped?.code).toBe("CONFLICT");
    expect(mapped?.message).toBe("This event is full.");
    const rows = await db.select().from(eventRegistrations).where(eq(eventRegistrations.eventId, event.id));
    expect(rows).toEqual([]);
  });

  it("queues on the waitlist when full, and the oldest waitlisted person gets a freed place and a notification", async () => {
    const event = await makeEvent(instructorA.client, { maxParticipants: 2, waitlistEnabled: true });
    const people = [];
    for (let i = 0; i < 4; i++) people.push(await t.fixtures.member(a, ["MEMBER"], { language: i === 2 ? "fr" : "en" }));
    const registrations = [];
    for (const person of people) {
      registrations.push(data(await person.client.request(RegisterForEventDocument, { eventId: event.id })).registerForEvent);
    }
    expect(registrations.map((r) => r.status)).toEqual(["CONFIRMED", "CONFIRMED", "WAITLISTED", "WAITLISTED"]);
    expect(registrations[3]!.event).toMatchObject({ confirmedCount: 2, spotsLeft: 0 });

    // A waitlisted person leaving frees no place: nobody moves.
    const other = await t.fixtures.member(a, ["MEMBER"]);
    data(await other.client.request(RegisterForEventDocument, { eventId: event.id }));
    data(await other.client.request(CancelRegistrationDocument, { eventId: event.id }));
    expect(data(await people[2]!.client.request(EventDocument, { id: event.id })).event.myRegistration?.status).toBe("WAITLISTED");

    const cancelled = data(await people[0]!.client.request(CancelRegistrationDocument, { eventId: event.id })).cancelRegistration;
    expect(cancelled.status).toBe("CANCELLED");
    expect(cancelled.cancelledAt).not.toBeNull();
    expect(cancelled.event.confirmedCount).toBe(2);
    const promoted = data(await people[2]!.client.request(EventDocument, { id: event.id })).event.myRegistration!;
    expect(promoted.status).toBe("CONFIRMED");
    expect(promoted.promotedAt).not.toBeNull();
    expect(data(await people[3]!.client.request(EventDocument, { id: event.id })).event.myRegistration?.status).toBe("WAITLISTED");

    const [note] = await notificationsOf(people[2]!.user.id, "EVENT_PROMOTED");
    expect(note?.title).toBe("Vous avez une place : Robotics workshop");
    expect(note?.data).toEqual({ eventId: event.id });
    expect(await notificationsOf(people[3]!.user.id, "EVENT_PROMOTED")).toEqual([]);
    const audit = await t.deps.database.db.select().from(auditLog).where(eq(auditLog.entityId, promoted.id)).orderBy(auditLog.createdAt);
    expect(audit.map((row) => row.action)).toEqual(["event.register", "event.promote"]);
  });

  it("more places promote waitlisted people in order", async () => {
    const event = await makeEvent(staffA.client, { maxParticipants: 1, waitlistEnabled: true });
    const people = [];
    for (let i = 0; i < 3; i++) {
      const person = await t.fixtures.member(a, ["MEMBER"]);
      data(await person.client.request(RegisterForEventDocument, { eventId: event.id }));
      people.push(person);
    }
    const grown = data(await staffA.client.request(UpdateEventDocument, { id: event.id, input: { maxParticipants: 2 } })).updateEvent;
    expect(grown).toMatchObject({ confirmedCount: 2, spotsLeft: 0 });
    const statuses = [];
    for (const person of people) {
      statuses.push(data(await person.client.request(EventDocument, { id: event.id })).event.myRegistration?.status);
    }
    expect(statuses).toEqual(["CONFIRMED", "CONFIRMED", "WAITLISTED"]);
  });

  it("re-activates a cancelled registration (same row) at the back of the queue", async () => {
    const event = await makeEvent(staffA.client, { maxParticipants: 1, waitlistEnabled: true });
    const [first, second] = [await t.fixtures.member(a, ["MEMBER"]), await t.fixtures.member(a, ["MEMBER"])];
    const original = data(await first.client.request(RegisterForEventDocument, { eventId: event.id })).registerForEvent;
    data(await first.client.request(CancelRegistrationDocument, { eventId: event.id }));
    const again = await first.client.request(CancelRegistrationDocument, { eventId: event.id });
    expect(codes(again)).toEqual(["CONFLICT"]);
    expect(errorOf(again)?.message).toBe("Registration is CANCELLED; this needs it to be CONFIRMED / WAITLISTED.");
    data(await second.client.request(RegisterForEventDocument, { eventId: event.id }));
    const back = data(await first.client.request(RegisterForEventDocument, { eventId: event.id })).registerForEvent;
    expect(back).toMatchObject({ id: original.id, status: "WAITLISTED", cancelledAt: null });
    expect(new Date(back.registeredAt).getTime()).toBeGreaterThan(new Date(original.registeredAt).getTime());
  });

  it("staff and the creator cancel anyone's registration by id; other members may not", async () => {
    const event = await makeEvent(instructorA.client, { maxParticipants: 5 });
    const person = await t.fixtures.member(a, ["MEMBER"]);
    const registration = data(await person.client.request(RegisterForEventDocument, { eventId: event.id })).registerForEvent;
    expect(codes(await memberA.client.request(CancelRegistrationDocument, { registrationId: registration.id }))).toEqual(["FORBIDDEN"]);
    expect(codes(await otherInstructorA.client.request(CancelRegistrationDocument, { registrationId: registration.id }))).toEqual([
      "FORBIDDEN",
    ]);
    expect(codes(await adminB.client.request(CancelRegistrationDocument, { registrationId: registration.id }))).toEqual(["NOT_FOUND"]);
    expect(codes(await staffA.client.request(CancelRegistrationDocument, { eventId: event.id, registrationId: registration.id }))).toEqual([
      "BAD_USER_INPUT",
    ]);
    expect(codes(await staffA.client.request(CancelRegistrationDocument, {}))).toEqual(["BAD_USER_INPUT"]);
    expect(
      data(await staffA.client.request(CancelRegistrationDocument, { registrationId: registration.id })).cancelRegistration.status,
    ).toBe("CANCELLED");
    data(await person.client.request(RegisterForEventDocument, { eventId: event.id }));
    expect(
      data(await instructorA.client.request(CancelRegistrationDocument, { registrationId: registration.id })).cancelRegistration.status,
    ).toBe("CANCELLED");
  });

  it("lists registrations to the creator and staff only, in registration order, with paging", async () => {
    const event = await makeEvent(instructorA.client, { maxParticipants: 2, waitlistEnabled: true });
    const people = [];
    for (let i = 0; i < 3; i++) {
      const person = await t.fixtures.member(a, ["MEMBER"]);
      data(await person.client.request(RegisterForEventDocument, { eventId: event.id }));
      people.push(person);
    }
    const page = data(await instructorA.client.request(EventRegistrationsDocument, { id: event.id, first: 2 })).event.registrations!;
    expect(page.totalCount).toBe(3);
    expect(page.nodes.map((node) => node.user?.id)).toEqual([people[0]!.user.id, people[1]!.user.id]);
    const rest = data(
      await instructorA.client.request(EventRegistrationsDocument, { id: event.id, first: 2, after: page.pageInfo.endCursor }),
    ).event.registrations!;
    expect(rest.nodes.map((node) => [node.user?.id, node.status])).toEqual([[people[2]!.user.id, "WAITLISTED"]]);
    expect(rest.pageInfo.hasNextPage).toBe(false);
    const waitlisted = data(await staffA.client.request(EventRegistrationsDocument, { id: event.id, status: "WAITLISTED" })).event
      .registrations!;
    expect(waitlisted.totalCount).toBe(1);
    const refused = await people[0]!.client.request(EventRegistrationsDocument, { id: event.id });
    expect(codes(refused)).toEqual(["FORBIDDEN"]);
    expect(refused.data?.event.registrations).toBeNull();
  });
});

describe("notifications", () => {
  it("moving a published event notifies everyone registered or waitlisted; a title change does not", async () => {
    const event = await makeEvent(staffA.client, { maxParticipants: 1, waitlistEnabled: true, location: "Lab 1" });
    const [confirmed, waiting, gone] = [
      await t.fixtures.member(a, ["MEMBER"]),
      await t.fixtures.member(a, ["MEMBER"], { language: "ar" }),
      await t.fixtures.member(a, ["MEMBER"]),
    ];
    for (const person of [confirmed, waiting, gone]) data(await person.client.request(RegisterForEventDocument, { eventId: event.id }));
    data(await gone.client.request(CancelRegistrationDocument, { eventId: event.id }));

    data(await staffA.client.request(UpdateEventDocument, { id: event.id, input: { title: "Robotics workshop (new title)" } }));
    expect(await notificationsOf(confirmed.user.id, "EVENT_CHANGED")).toEqual([]);

    data(await staffA.client.request(UpdateEventDocument, { id: event.id, input: { location: "Main hall" } }));
    const [toConfirmed] = await notificationsOf(confirmed.user.id, "EVENT_CHANGED");
    expect(toConfirmed?.title).toBe("Event changed: Robotics workshop (new title)");
    expect(toConfirmed?.body).toMatch(/at Main hall\.$/);
    expect(toConfirmed?.data).toEqual({ eventId: event.id, change: "UPDATED" });
    const [toWaiting] = await notificationsOf(waiting.user.id, "EVENT_CHANGED");
    expect(toWaiting?.title).toBe("تغيير في الفعالية: Robotics workshop (new title)");
    expect(await notificationsOf(gone.user.id, "EVENT_CHANGED")).toEqual([]);
  });

  it("cancelling a published event notifies everyone registered, with the reason", async () => {
    const event = await makeEvent(staffA.client, { maxParticipants: 5 });
    const person = await t.fixtures.member(a, ["MEMBER"]);
    data(await person.client.request(RegisterForEventDocument, { eventId: event.id }));
    data(await staffA.client.request(CancelEventDocument, { id: event.id, reason: "The robot arm broke" }));
    const [note] = await notificationsOf(person.user.id, "EVENT_CANCELLED");
    expect(note?.title).toBe("Event cancelled: Robotics workshop");
    expect(note?.body).toMatch(/Reason: The robot arm broke$/);
    const audit = await t.deps.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entityId, event.id), eq(auditLog.action, "event.cancel")));
    expect((audit[0]!.after as { reason: string }).reason).toBe("The robot arm broke");
  });
});

describe("eventUpdated subscription", () => {
  it("delivers changes to allowed subscribers only: not to another tenant, not drafts to non-staff", async () => {
    const staffWs = t.ws({ token: staffA.token });
    const memberWs = t.ws({ token: memberA.token });
    const otherTenantWs = t.ws({ token: adminB.token });
    try {
      const toStaff = await subscribed(t, () => staffWs.subscribe(EventUpdatedDocument, {}));
      const toMember = await subscribed(t, () => memberWs.subscribe(EventUpdatedDocument, {}));
      const toOtherTenant = await subscribed(t, () => otherTenantWs.subscribe(EventUpdatedDocument, {}));

      const draft = await makeEvent(instructorA.client, { title: "Live draft" }, { publish: false });
      const created = await toStaff.next();
      expect(created.data?.eventUpdated).toMatchObject({ change: "CREATED", event: { id: draft.id, status: "DRAFT" } });

      data(await instructorA.client.request(PublishEventDocument, { id: draft.id }));
      expect((await toStaff.next()).data?.eventUpdated).toMatchObject({ change: "PUBLISHED", event: { id: draft.id } });
      // The member's first event is the publication: the draft's creation never reached them.
      const first = await toMember.next();
      expect(first.data?.eventUpdated).toMatchObject({ change: "PUBLISHED", event: { id: draft.id, title: "Live draft" } });

      data(await memberA.client.request(RegisterForEventDocument, { eventId: draft.id }));
      expect((await toMember.next()).data?.eventUpdated).toMatchObject({
        change: "REGISTRATION",
        event: { id: draft.id, confirmedCount: 1 },
      });
      expect(await toOtherTenant.quiet(300)).toBe(true);
      expect(toOtherTenant.events).toEqual([]);
      expect(toMember.events).toHaveLength(2);
    } finally {
      await Promise.all([staffWs.close(), memberWs.close(), otherTenantWs.close()]);
    }
  });

  it("with an eventId, delivers only that event; a hidden or unknown one is refused at once", async () => {
    const watched = await makeEvent(staffA.client, { title: "Watched" });
    const other = await makeEvent(staffA.client, { title: "Other" });
    const draft = await makeEvent(staffA.client, {}, { publish: false });
    const ws = t.ws({ token: memberA.token });
    try {
      const hidden = ws.subscribe(EventUpdatedDocument, { eventId: draft.id });
      const refused = await hidden.next();
      expect(refused.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");

      const updates = await subscribed(t, () => ws.subscribe(EventUpdatedDocument, { eventId: watched.id }));
      data(await staffA.client.request(UpdateEventDocument, { id: other.id, input: { description: "ignored" } }));
      data(await staffA.client.request(UpdateEventDocument, { id: watched.id, input: { description: "seen" } }));
      const update = await updates.next();
      expect(update.data?.eventUpdated).toMatchObject({ change: "UPDATED", event: { id: watched.id } });
      data(await staffA.client.request(CancelEventDocument, { id: watched.id, reason: "Done" }));
      expect((await updates.next()).data?.eventUpdated).toMatchObject({ change: "CANCELLED", event: { status: "CANCELLED" } });
      expect(await updates.quiet(200)).toBe(true);
    } finally {
      await ws.close();
    }
  });

  it("needs a member of a tenant", async () => {
    const outsider = await t.fixtures.login(await t.fixtures.user());
    const ws = t.ws({ token: outsider.token });
    try {
      const refused = await ws.subscribe(EventUpdatedDocument, {}).next();
      expect(refused.errors?.[0]?.extensions?.code).toBe("BAD_REQUEST");
    } finally {
      await ws.close();
    }
  });

  it("publishes nothing for a change that rolled back", async () => {
    const event = await makeEvent(staffA.client, { maxParticipants: 1 });
    data(await (await t.fixtures.member(a, ["MEMBER"])).client.request(RegisterForEventDocument, { eventId: event.id }));
    const ws = t.ws({ token: staffA.token });
    try {
      const updates = await subscribed(t, () => ws.subscribe(EventUpdatedDocument, { eventId: event.id }));
      expect(codes(await memberA.client.request(RegisterForEventDocument, { eventId: event.id }))).toEqual(["CONFLICT"]);
      expect(await updates.quiet(300)).toBe(true);
    } finally {
      await ws.close();
    }
  });
});

describe("concurrent registrations", () => {
  it("30 people registering at once for 10 places: exactly 10 confirmed, 20 told the event is full", async () => {
    const event = await makeEvent(staffA.client, { title: "Hackathon", maxParticipants: 10, waitlistEnabled: false });
    const people: SignedIn[] = [];
    for (let i = 0; i < 30; i++) people.push(await t.fixtures.member(a, ["MEMBER"]));
    const results = await Promise.all(people.map((person) => person.client.request(RegisterForEventDocument, { eventId: event.id })));
    const outcome = results.map((result) =>
      result.errors?.length ? result.errors[0]!.extensions?.code : result.data?.registerForEvent.status,
    );
    const tally: Record<string, number> = {};
    for (const key of outcome) tally[String(key)] = (tally[String(key)] ?? 0) + 1;
    console.info("30 concurrent registrations for 10 places:", tally);
    expect(tally).toEqual({ CONFIRMED: 10, CONFLICT: 20 });
    expect(results.filter((result) => result.errors?.length).every((result) => result.errors![0]!.message === "This event is full.")).toBe(
      true,
    );

    const db = t.deps.database.db;
    const rows = await db
      .select({ status: eventRegistrations.status, n: sql<number>`count(*)::int` })
      .from(eventRegistrations)
      .where(eq(eventRegistrations.eventId, event.id))
      .groupBy(eventRegistrations.status);
    expect(rows).toEqual([{ status: "CONFIRMED", n: 10 }]);
    const [stored] = await db.select().from(events).where(eq(events.id, event.id));
    expect(stored?.confirmedCount).toBe(10);
    const confirmedUsers = await db
      .select({ userId: eventRegistrations.userId })
      .from(eventRegistrations)
      .where(
        and(
          eq(eventRegistrations.eventId, event.id),
          inArray(
            eventRegistrations.userId,
            people.map((p) => p.user.id),
          ),
        ),
      );
    expect(confirmedUsers).toHaveLength(10);
  });
});
