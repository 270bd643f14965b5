/**
 * Events (Robo Events): staff and instructors create events, publish or cancel
 * them; members register. Capacity holds under concurrent registrations from any
 * number of instances: every registration change locks the event row first, and
 * the trigger-maintained `confirmed_count` has a CHECK against `max_participants`
 * as the backstop. A waitlist, when enabled, fills freed places in order.
 */
import { and, asc, count, eq, gt, gte, ilike, inArray, isNull, lt, ne, or, sql } from "drizzle-orm";
import { eventRegistrations, events, type Event, type EventRegistration } from "../../drizzle/schema";
import type { EventStatus, RegistrationStatus } from "../../drizzle/tables/enums-types";
import { requireMember, requireRole, requireTenant } from "../auth/guards";
import { isStaff, type Viewer } from "../auth/viewer";
import { atomic, type Context } from "../context";
import { AppError, forbidden, notFound, onConstraint, wrongState } from "../errors";
import { emit, type EventChange } from "../domain-events/domain-events";
import { pageSize, type Page, type SortDirection } from "../pagination";
import { keyset, page, sortKey } from "../db/page";
import { REGISTRATION_ORDER } from "../loaders/events";
import { audit } from "./audit";

type NewEvent = typeof events.$inferInsert;
/** Every key optional, and null meaning "not given" (as GraphQL sends it). */
type Optional<T> = { [K in keyof T]?: T[K] | null };

/** Fields a creator or staff edit; the rest (status, counts, creator) change only through their own mutations. */
type EditableField = "title" | "description" | "startsAt" | "endsAt" | "location" | "maxParticipants" | "waitlistEnabled";

export type CreateEventData = Pick<NewEvent, "title" | "startsAt" | "endsAt" | "maxParticipants"> &
  Optional<Pick<NewEvent, "description" | "location" | "waitlistEnabled">>;
export type UpdateEventData = Optional<Pick<NewEvent, EditableField>>;

export const EVENT_ORDER_FIELDS = ["STARTS_AT", "CREATED_AT", "TITLE"] as const;
export type EventOrderField = (typeof EVENT_ORDER_FIELDS)[number];

export interface EventFilter {
  status?: EventStatus | null;
  startsAfter?: Date | null;
  startsBefore?: Date | null;
  search?: string | null;
  upcomingOnly?: boolean | null;
  /** Staff: archived events too (others never list them). */
  includeArchived?: boolean | null;
}

export interface EventOrder {
  field?: EventOrderField | null;
  direction?: SortDirection | null;
}

const MAX_LENGTH = { title: 200, location: 255, description: 10_000, reason: 500 } as const;
/** Registrations that hold a place or wait for one. */
const ACTIVE: RegistrationStatus[] = ["CONFIRMED", "WAITLISTED"];

const full = () => new AppError("CONFLICT", "event.full");
const alreadyRegistered = (status?: RegistrationStatus) =>
  new AppError("CONFLICT", "event.alreadyRegistered", {}, status ? { registrationStatus: status } : {});

// The row lock makes these unreachable in normal operation; if a write ever slips
// past it, the database's answer reads the same as the service's.
onConstraint("events_capacity_not_exceeded", full);
onConstraint("event_registrations_once_key", () => alreadyRegistered());
onConstraint("events_ends_after_start", () => new AppError("BAD_USER_INPUT", "event.endsBeforeStart", {}, { field: "endsAt" }));
onConstraint(
  "events_max_participants_positive",
  () => new AppError("BAD_USER_INPUT", "event.capacityPositive", {}, { field: "maxParticipants" }),
);

// ---------------------------------------------------------------- who may do what

/** May the viewer change this event and see its registrations? Its creator and tenant staff. */
export function canManageEvent(viewer: Viewer, event: Pick<Event, "createdBy">): boolean {
  return viewer.kind === "user" && (viewer.userId === event.createdBy || isStaff(viewer));
}

/** May the viewer see this event? Published and cancelled ones: anyone in the tenant; drafts: who may manage them. */
export function canSeeEvent(viewer: Viewer, event: Pick<Event, "status" | "createdBy">): boolean {
  return event.status !== "DRAFT" || canManageEvent(viewer, event);
}

// ---------------------------------------------------------------- reading

/** An event the viewer may see, or NOT_FOUND (a draft of someone else does not exist for them). */
export async function getEvent(ctx: Context, id: string): Promise<Event> {
  requireTenant(ctx);
  const event = await ctx.loaders.event.load(id);
  if (!event || !canSeeEvent(ctx.viewer, event)) throw notFound("Event", id);
  return event;
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, "\\$&");

/** The tenant's events the viewer may see, filtered and sorted, one keyset page at a time. */
export async function listEvents(
  ctx: Context,
  args: { filter?: EventFilter | null; orderBy?: EventOrder | null; first?: number | null; after?: string | null },
): Promise<Page<Event>> {
  requireTenant(ctx);
  const field = args.orderBy?.field ?? "STARTS_AT";
  const direction = args.orderBy?.direction ?? "ASC";
  const column = { STARTS_AT: events.startsAt, CREATED_AT: events.createdAt, TITLE: events.title }[field];
  // The cursor names its ordering: a cursor of another ordering would silently skip rows.
  const order = keyset<Event>(direction, [sortKey(column), sortKey(events.id)], {
    tag: [field, direction],
    tagMismatch: () => new AppError("BAD_USER_INPUT", "event.cursorOrder", {}, { field: "after" }),
  });

  const { filter } = args;
  const text = filter?.search?.trim();
  const pattern = text ? `%${escapeLike(text)}%` : undefined;
  const viewer = ctx.viewer;
  const visible = isStaff(viewer)
    ? undefined
    : viewer.kind === "user"
      ? or(ne(events.status, "DRAFT"), eq(events.createdBy, viewer.userId))
      : ne(events.status, "DRAFT");
  const where = and(
    ctx.scope.inTenant(events),
    visible,
    filter?.status ? eq(events.status, filter.status) : undefined,
    filter?.startsAfter ? gte(events.startsAt, filter.startsAfter) : undefined,
    filter?.startsBefore ? lt(events.startsAt, filter.startsBefore) : undefined,
    filter?.upcomingOnly ? gt(events.startsAt, new Date()) : undefined,
    pattern ? or(ilike(events.title, pattern), ilike(events.description, pattern), ilike(events.location, pattern)) : undefined,
    filter?.includeArchived && isStaff(viewer) ? undefined : isNull(events.archivedAt),
  );
  return page(ctx, { from: events, where, order, first: args.first, after: args.after });
}

/** A page of an event's registrations, oldest first (its creator and staff). */
export async function listRegistrations(
  ctx: Context,
  event: Event,
  args: { status?: RegistrationStatus | null; first?: number | null; after?: string | null },
): Promise<Page<EventRegistration>> {
  if (!canManageEvent(ctx.viewer, event)) throw forbidden();
  const limit = pageSize(args.first);
  REGISTRATION_ORDER.after(args.after); // a cursor this list did not make is BAD_USER_INPUT before any statement
  return ctx.loaders.registrationPage.load({ eventId: event.id, status: args.status ?? null, limit, after: args.after ?? null });
}

// ---------------------------------------------------------------- changing events

type EventFields = Pick<Event, "title" | "description" | "location" | "startsAt" | "endsAt" | "maxParticipants">;

/** The rules every event obeys, checked before the database's CHECKs so the error names the field. */
function checkEvent(event: EventFields, confirmedCount: number) {
  if (!event.title) throw new AppError("BAD_USER_INPUT", "event.titleRequired", {}, { field: "title" });
  for (const field of ["title", "location", "description"] as const) {
    if (event[field].length > MAX_LENGTH[field]) {
      throw new AppError("BAD_USER_INPUT", "event.tooLong", { field, max: MAX_LENGTH[field] }, { field });
    }
  }
  if (event.endsAt.getTime() <= event.startsAt.getTime()) {
    throw new AppError("BAD_USER_INPUT", "event.endsBeforeStart", {}, { field: "endsAt" });
  }
  if (!Number.isInteger(event.maxParticipants) || event.maxParticipants < 1) {
    throw new AppError("BAD_USER_INPUT", "event.capacityPositive", {}, { field: "maxParticipants" });
  }
  if (event.maxParticipants < confirmedCount) {
    throw new AppError("BAD_USER_INPUT", "event.capacityBelowConfirmed", { confirmed: confirmedCount }, { field: "maxParticipants" });
  }
}

/** The given fields, trimmed; null and omitted both mean "keep". */
function givenFields(input: UpdateEventData): Partial<Pick<Event, EditableField>> {
  return {
    ...(input.title != null && { title: input.title.trim() }),
    ...(input.description != null && { description: input.description.trim() }),
    ...(input.location != null && { location: input.location.trim() }),
    ...(input.startsAt != null && { startsAt: input.startsAt }),
    ...(input.endsAt != null && { endsAt: input.endsAt }),
    ...(input.maxParticipants != null && { maxParticipants: input.maxParticipants }),
    ...(input.waitlistEnabled != null && { waitlistEnabled: input.waitlistEnabled }),
  };
}

/**
 * Locks an event row for the rest of the transaction. Every change to an event or
 * its registrations takes this lock first (then registration rows), so concurrent
 * registrations serialise on it, whichever instance they come from, and never deadlock.
 */
async function lockEvent(ctx: Context, id: string): Promise<Event> {
  const [event] = await ctx.db
    .select()
    .from(events)
    .where(and(ctx.scope.inTenant(events), eq(events.id, id)))
    .for("update");
  if (!event || !canSeeEvent(ctx.viewer, event)) throw notFound("Event", id);
  return event;
}

/** Re-reads a locked event (the registration trigger has moved `confirmed_count`). */
async function reloadEvent(ctx: Context, event: Event): Promise<Event> {
  ctx.loaders.event.clear(event.id);
  const [fresh] = await ctx.db
    .select()
    .from(events)
    .where(and(ctx.scope.inTenant(events), eq(events.id, event.id)));
  return fresh!;
}

/** Users holding or waiting for a place: the people an event change concerns. */
async function activeRegistrants(ctx: Context, event: Event): Promise<string[]> {
  const rows = await ctx.db
    .select({ userId: eventRegistrations.userId })
    .from(eventRegistrations)
    .where(
      and(ctx.scope.inTenant(eventRegistrations), eq(eventRegistrations.eventId, event.id), inArray(eventRegistrations.status, ACTIVE)),
    );
  return rows.map((row) => row.userId);
}

/** Tells the rest of the system an event changed: notifications now, eventUpdated after commit. */
async function announce(ctx: Context, change: EventChange, event: Event, registrants?: { userIds: string[]; reason?: string }) {
  // Later field resolvers in this request read the event as it is now.
  ctx.loaders.event.clear(event.id).prime(event.id, event);
  await emit(ctx, { type: "event.changed", change, event, registrants });
}

/** Staff and instructors create events, as drafts. */
export async function createEvent(ctx: Context, input: CreateEventData): Promise<Event> {
  const viewer = requireRole(ctx, "STAFF", "INSTRUCTOR");
  const values = {
    title: input.title.trim(),
    description: input.description?.trim() ?? "",
    location: input.location?.trim() ?? "",
    startsAt: input.startsAt,
    endsAt: input.endsAt,
    maxParticipants: input.maxParticipants,
    waitlistEnabled: input.waitlistEnabled ?? false,
  };
  checkEvent(values, 0);
  return atomic(ctx, async (ctx) => {
    const [event] = await ctx.db
      .insert(events)
      .values({ ...values, tenantId: viewer.tenantId, createdBy: viewer.userId })
      .returning();
    await audit(ctx, { action: "event.create", entity: "event", entityId: event!.id, after: event });
    await announce(ctx, "CREATED", event!);
    return event!;
  });
}

/**
 * Its creator or staff change an event. Moving a published event (time or place)
 * notifies everyone registered; more places promote people from the waitlist.
 */
export async function updateEvent(ctx: Context, id: string, input: UpdateEventData): Promise<Event> {
  const viewer = requireMember(ctx);
  const given = givenFields(input);
  return atomic(ctx, async (ctx) => {
    const before = await lockEvent(ctx, id);
    if (!canManageEvent(viewer, before)) throw forbidden();
    if (before.status === "CANCELLED") throw wrongState("Event", before.status, ["DRAFT", "PUBLISHED"]);
    checkEvent({ ...before, ...given }, before.confirmedCount);
    // Nothing to change is not an error, and not a change worth auditing or announcing.
    if (Object.keys(given).length === 0) return before;
    const [updated] = await ctx.db
      .update(events)
      .set(given)
      .where(and(ctx.scope.inTenant(events), eq(events.id, id)))
      .returning();
    // More places: people waiting move up now rather than at the next cancellation.
    const after = updated!.maxParticipants > before.maxParticipants ? await promoteWaitlisted(ctx, updated!) : updated!;

    const moved =
      before.startsAt.getTime() !== after.startsAt.getTime() ||
      before.endsAt.getTime() !== after.endsAt.getTime() ||
      before.location !== after.location;
    // Drafts have nobody registered; title or description edits are not worth a message.
    const userIds = before.status === "PUBLISHED" && moved ? await activeRegistrants(ctx, after) : [];
    await audit(ctx, { action: "event.update", entity: "event", entityId: id, before, after });
    await announce(ctx, "UPDATED", after, { userIds });
    return after;
  });
}

/**
 * Archives an event (or brings it back): its creator and staff. It leaves the
 * default lists (staff list it with filter.includeArchived), keeps its
 * registrations and refuses new ones. Not a cancellation: nobody is told.
 */
export async function setEventArchived(ctx: Context, id: string, archived: boolean): Promise<Event> {
  const viewer = requireMember(ctx);
  return atomic(ctx, async (ctx) => {
    const before = await lockEvent(ctx, id);
    if (!canManageEvent(viewer, before)) throw forbidden();
    if (Boolean(before.archivedAt) === archived)
      throw wrongState("Event", archived ? "ARCHIVED" : "CURRENT", archived ? "CURRENT" : "ARCHIVED");
    const [after] = await ctx.db
      .update(events)
      .set({ archivedAt: archived ? new Date() : null })
      .where(and(ctx.scope.inTenant(events), eq(events.id, id)))
      .returning();
    await audit(ctx, { action: archived ? "event.archive" : "event.unarchive", entity: "event", entityId: id, before, after });
    ctx.loaders.event.clear(id).prime(id, after!);
    return after!;
  });
}

/**
 * Deletes an event nobody ever registered for (its creator and staff). One with
 * registrations, even cancelled ones, is history: CONFLICT, suggesting archiveEvent.
 */
export async function deleteEvent(ctx: Context, id: string): Promise<boolean> {
  const viewer = requireMember(ctx);
  return atomic(ctx, async (ctx) => {
    const before = await lockEvent(ctx, id);
    if (!canManageEvent(viewer, before)) throw forbidden();
    const [registered] = await ctx.db
      .select({ n: count() })
      .from(eventRegistrations)
      .where(and(ctx.scope.inTenant(eventRegistrations), eq(eventRegistrations.eventId, id)));
    if ((registered?.n ?? 0) > 0) {
      throw new AppError("CONFLICT", "event.hasRegistrations", {}, { reason: "HAS_HISTORY", suggestion: "archiveEvent" });
    }
    await ctx.db.delete(events).where(and(ctx.scope.inTenant(events), eq(events.id, id)));
    await audit(ctx, { action: "event.delete", entity: "event", entityId: id, before });
    ctx.loaders.event.clear(id);
    return true;
  });
}

/** Opens a draft to everyone in the tenant, and to registration. */
export async function publishEvent(ctx: Context, id: string): Promise<Event> {
  const viewer = requireMember(ctx);
  return atomic(ctx, async (ctx) => {
    const before = await lockEvent(ctx, id);
    if (!canManageEvent(viewer, before)) throw forbidden();
    if (before.status !== "DRAFT") throw wrongState("Event", before.status, "DRAFT");
    const [after] = await ctx.db
      .update(events)
      .set({ status: "PUBLISHED" })
      .where(and(ctx.scope.inTenant(events), eq(events.id, id)))
      .returning();
    await audit(ctx, { action: "event.publish", entity: "event", entityId: id, before, after });
    await announce(ctx, "PUBLISHED", after!);
    return after!;
  });
}

/**
 * Cancels a draft or published event. Registrations are kept as they were (a
 * record of who was coming); everyone registered is told, with the reason.
 */
export async function cancelEvent(ctx: Context, id: string, reason: string): Promise<Event> {
  const viewer = requireMember(ctx);
  const why = reason.trim();
  if (!why || why.length > MAX_LENGTH.reason) {
    throw new AppError("BAD_USER_INPUT", "event.reasonRequired", { max: MAX_LENGTH.reason }, { field: "reason" });
  }
  return atomic(ctx, async (ctx) => {
    const before = await lockEvent(ctx, id);
    if (!canManageEvent(viewer, before)) throw forbidden();
    if (before.status === "CANCELLED") throw wrongState("Event", before.status, ["DRAFT", "PUBLISHED"]);
    const [after] = await ctx.db
      .update(events)
      .set({ status: "CANCELLED" })
      .where(and(ctx.scope.inTenant(events), eq(events.id, id)))
      .returning();
    const userIds = before.status === "PUBLISHED" ? await activeRegistrants(ctx, after!) : [];
    // The events table has no column for the reason: the audit row and the notifications keep it.
    await audit(ctx, { action: "event.cancel", entity: "event", entityId: id, before, after: { ...after, reason: why } });
    await announce(ctx, "CANCELLED", after!, { userIds, reason: why });
    return after!;
  });
}

// ---------------------------------------------------------------- registrations

/**
 * Fills free places from the waitlist, oldest first, and tells each person.
 * The caller holds the event's row lock. Only before the event starts: a place
 * freed during or after it is of no use to anyone.
 */
async function promoteWaitlisted(ctx: Context, event: Event): Promise<Event> {
  const free = event.maxParticipants - event.confirmedCount;
  if (free <= 0 || event.status !== "PUBLISHED" || event.startsAt <= new Date()) return event;
  const next = await ctx.db
    .select({ id: eventRegistrations.id })
    .from(eventRegistrations)
    .where(
      and(ctx.scope.inTenant(eventRegistrations), eq(eventRegistrations.eventId, event.id), eq(eventRegistrations.status, "WAITLISTED")),
    )
    .orderBy(asc(eventRegistrations.registeredAt), asc(eventRegistrations.id))
    .limit(free)
    .for("update");
  if (next.length === 0) return event;
  const promoted = await ctx.db
    .update(eventRegistrations)
    .set({ status: "CONFIRMED", promotedAt: new Date() })
    .where(
      and(
        ctx.scope.inTenant(eventRegistrations),
        inArray(
          eventRegistrations.id,
          next.map((row) => row.id),
        ),
      ),
    )
    .returning();
  const fresh = await reloadEvent(ctx, event);
  ctx.loaders.myRegistration.clear(event.id);
  for (const registration of promoted) {
    await audit(ctx, { action: "event.promote", entity: "event_registration", entityId: registration.id, after: registration });
    await emit(ctx, { type: "event.registrationPromoted", event: fresh, userId: registration.userId });
  }
  return fresh;
}

/**
 * A member takes a place in a published event that has not started: CONFIRMED
 * while places are left, else WAITLISTED if the event keeps a waitlist, else
 * CONFLICT "event is full". A cancelled registration of the same person is
 * re-activated (one row per person and event), at the back of the queue.
 */
export async function registerForEvent(ctx: Context, eventId: string): Promise<EventRegistration> {
  const viewer = requireMember(ctx);
  return atomic(ctx, async (ctx) => {
    const event = await lockEvent(ctx, eventId);
    if (event.archivedAt) throw new AppError("CONFLICT", "event.archived", { title: event.title }, { reason: "ARCHIVED" });
    if (event.status !== "PUBLISHED") throw wrongState("Event", event.status, "PUBLISHED");
    if (event.startsAt <= new Date()) throw new AppError("CONFLICT", "event.started");
    const [existing] = await ctx.db
      .select()
      .from(eventRegistrations)
      .where(
        and(ctx.scope.inTenant(eventRegistrations), eq(eventRegistrations.eventId, eventId), eq(eventRegistrations.userId, viewer.userId)),
      );
    if (existing && existing.status !== "CANCELLED") throw alreadyRegistered(existing.status);
    const isFull = event.confirmedCount >= event.maxParticipants;
    if (isFull && !event.waitlistEnabled) throw full();
    const status: RegistrationStatus = isFull ? "WAITLISTED" : "CONFIRMED";
    // The time the place was taken, under the lock (now() would be the transaction's
    // start, before the wait): the waitlist is served in this order.
    const registeredAt = sql`clock_timestamp()`;
    const [registration] = existing
      ? await ctx.db
          .update(eventRegistrations)
          .set({ status, registeredAt, cancelledAt: null, promotedAt: null })
          .where(and(ctx.scope.inTenant(eventRegistrations), eq(eventRegistrations.id, existing.id)))
          .returning()
      : await ctx.db
          .insert(eventRegistrations)
          .values({ tenantId: viewer.tenantId, eventId, userId: viewer.userId, status, registeredAt })
          .returning();
    ctx.loaders.myRegistration.clear(eventId);
    await audit(ctx, {
      action: "event.register",
      entity: "event_registration",
      entityId: registration!.id,
      before: existing ?? null,
      after: registration,
    });
    await announce(ctx, "REGISTRATION", await reloadEvent(ctx, event));
    return registration!;
  });
}

/**
 * Cancels a registration: your own (by eventId or registrationId), or anyone's
 * for the event's creator and staff (by registrationId). A confirmed place that
 * frees up goes to the oldest waitlisted registration, in the same transaction.
 */
export async function cancelRegistration(
  ctx: Context,
  target: { eventId?: string | null; registrationId?: string | null },
): Promise<EventRegistration> {
  const viewer = requireMember(ctx);
  if (Boolean(target.eventId) === Boolean(target.registrationId)) {
    throw new AppError("BAD_USER_INPUT", "event.registrationTarget", {}, { field: "registrationId" });
  }
  return atomic(ctx, async (ctx) => {
    let eventId = target.eventId;
    if (target.registrationId) {
      const [found] = await ctx.db
        .select({ eventId: eventRegistrations.eventId })
        .from(eventRegistrations)
        .where(and(ctx.scope.inTenant(eventRegistrations), eq(eventRegistrations.id, target.registrationId)));
      if (!found) throw notFound("Registration", target.registrationId);
      eventId = found.eventId;
    }
    const event = await lockEvent(ctx, eventId!);
    const [before] = await ctx.db
      .select()
      .from(eventRegistrations)
      .where(
        and(
          ctx.scope.inTenant(eventRegistrations),
          target.registrationId
            ? eq(eventRegistrations.id, target.registrationId)
            : and(eq(eventRegistrations.eventId, eventId!), eq(eventRegistrations.userId, viewer.userId)),
        ),
      )
      .for("update");
    if (!before) throw notFound("Registration", target.registrationId ?? eventId!);
    if (before.userId !== viewer.userId && !canManageEvent(viewer, event)) throw forbidden();
    if (before.status === "CANCELLED") throw wrongState("Registration", before.status, ACTIVE);
    const [after] = await ctx.db
      .update(eventRegistrations)
      .set({ status: "CANCELLED", cancelledAt: new Date() })
      .where(and(ctx.scope.inTenant(eventRegistrations), eq(eventRegistrations.id, before.id)))
      .returning();
    ctx.loaders.myRegistration.clear(before.eventId);
    await audit(ctx, { action: "event.cancelRegistration", entity: "event_registration", entityId: before.id, before, after });
    const current = await reloadEvent(ctx, event);
    const settled = before.status === "CONFIRMED" ? await promoteWaitlisted(ctx, current) : current;
    await announce(ctx, "REGISTRATION", settled);
    return after!;
  });
}
