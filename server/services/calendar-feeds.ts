/**
 * Calendar feeds: secret, revocable iCal URLs (RFC 5545) a calendar app subscribes to.
 *
 * - PERSON: the owner's lectures in this tenant (as a student, the parent of
 *   enrolled children, or the instructor of a course) and the published events
 *   they registered for (CONFIRMED).
 * - COURSE: one course's lectures (staff, its instructor, or a family with an
 *   ACTIVE enrolment in it may create one).
 *
 * The token (`rcal_<tenant id>_<secret>`) is shown once; only its SHA-256 is kept.
 * A feed answers 404 once revoked, or once its owner is no longer an active member
 * of the tenant. Items: lectures 60 days back to 365 days ahead (at most
 * FEED_MAX_LECTURES), events the same window (at most FEED_MAX_EVENTS). The
 * rendering is the transport's (server/http/calendar.ts).
 */
import { randomBytes } from "node:crypto";
import { and, asc, count, eq, exists, gte, inArray, isNull, lt, ne, or, sql } from "drizzle-orm";
import {
  calendarFeeds,
  children,
  courses,
  enrollments,
  eventRegistrations,
  events,
  guardianships,
  instructors,
  lectures,
  memberships,
  parents,
  students,
  type CalendarFeed,
} from "../../drizzle/schema";
import type { CalendarFeedScope } from "../../drizzle/schema";
import { hashToken } from "../auth/tokens";
import { requireMember } from "../auth/guards";
import { ownParticipantIds, teaches } from "../auth/policies";
import { hasRole } from "../auth/viewer";
import { atomic, type Context } from "../context";
import { badInput, forbidden, notFound } from "../errors";
import { addDays, localDate, zonedInstant } from "../time";
import { audit } from "./audit";
import { newestFirst, page } from "../db/page";

/** Live feeds one person may hold in one tenant. */
export const FEEDS_PER_PERSON = 20;
export const FEED_DAYS_BACK = 60;
export const FEED_DAYS_AHEAD = 365;
export const FEED_MAX_LECTURES = 5000;
export const FEED_MAX_EVENTS = 1000;

const TOKEN = /^rcal_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})_[\w-]{40,60}$/;

/** The tenant a feed token names, or null for a token that cannot be one. */
export function tenantOfFeedToken(token: string): string | null {
  return TOKEN.exec(token)?.[1] ?? null;
}

/** The path of a feed's URL (`PUBLIC_URL` is put before it when set). */
export const feedPath = (token: string) => `/calendar/${token}.ics`;

export interface CreateFeedInput {
  scope: CalendarFeedScope;
  courseId?: string | null;
}

/** A member creates a feed of their own calendar or of a course they may follow; the URL is returned once. */
export async function createCalendarFeed(ctx: Context, input: CreateFeedInput): Promise<{ feed: CalendarFeed; url: string }> {
  const viewer = requireMember(ctx);
  if (input.scope === "PERSON" && input.courseId) throw badInput("courseId", "only for a COURSE feed");
  if (input.scope === "COURSE") {
    if (!input.courseId) throw badInput("courseId", "a COURSE feed needs its course");
    const [course] = await ctx.db
      .select({ id: courses.id })
      .from(courses)
      .where(and(ctx.scope.inTenant(courses), eq(courses.id, input.courseId)));
    if (!course) throw notFound("Course", input.courseId);
    if (!(await teaches(ctx, input.courseId)) && !(await enrolledIn(ctx, input.courseId))) throw forbidden();
  }
  return atomic(ctx, async (ctx) => {
    const [{ live } = { live: 0 }] = await ctx.db
      .select({ live: count() })
      .from(calendarFeeds)
      .where(and(ctx.scope.inTenant(calendarFeeds), eq(calendarFeeds.userId, viewer.userId), isNull(calendarFeeds.revokedAt)));
    if (live >= FEEDS_PER_PERSON) throw badInput("scope", `at most ${FEEDS_PER_PERSON} live calendar feeds: revoke one first`);
    const token = `rcal_${viewer.tenantId}_${randomBytes(32).toString("base64url")}`;
    const [feed] = await ctx.db
      .insert(calendarFeeds)
      .values({
        tenantId: viewer.tenantId,
        userId: viewer.userId,
        scope: input.scope,
        courseId: input.scope === "COURSE" ? input.courseId! : null,
        tokenHash: hashToken(token),
      })
      .returning();
    await audit(ctx, { action: "calendarFeed.create", entity: "calendarFeed", entityId: feed!.id, after: publicPart(feed!) });
    return { feed: feed!, url: `${ctx.app.config.http.publicUrl ?? ""}${feedPath(token)}` };
  });
}

/** Is one of the viewer's own participants ACTIVE in the course? */
async function enrolledIn(ctx: Context, courseId: string): Promise<boolean> {
  const own = await ownParticipantIds(ctx);
  if (own.length === 0) return false;
  const [row] = await ctx.db
    .select({ id: enrollments.id })
    .from(enrollments)
    .where(
      and(
        ctx.scope.inTenant(enrollments),
        eq(enrollments.courseId, courseId),
        eq(enrollments.status, "ACTIVE"),
        or(inArray(enrollments.studentId, own), inArray(enrollments.childId, own)),
      ),
    )
    .limit(1);
  return !!row;
}

const publicPart = (feed: CalendarFeed) => ({ id: feed.id, userId: feed.userId, scope: feed.scope, courseId: feed.courseId });

/** The owner (or a tenant admin) revokes a feed: its URL answers 404 from now on. Revoking twice is a no-op. */
export async function revokeCalendarFeed(ctx: Context, id: string): Promise<CalendarFeed> {
  const viewer = requireMember(ctx);
  return atomic(ctx, async (ctx) => {
    const [feed] = await ctx.db
      .select()
      .from(calendarFeeds)
      .where(and(ctx.scope.inTenant(calendarFeeds), eq(calendarFeeds.id, id)))
      .for("update");
    // Someone else's feed is as unknown as a missing one (admins excepted).
    if (!feed || (feed.userId !== viewer.userId && !hasRole(viewer, "ADMIN"))) throw notFound("CalendarFeed", id);
    if (feed.revokedAt) return feed;
    const [revoked] = await ctx.db
      .update(calendarFeeds)
      .set({ revokedAt: new Date() })
      .where(and(ctx.scope.inTenant(calendarFeeds), eq(calendarFeeds.id, id)))
      .returning();
    await audit(ctx, { action: "calendarFeed.revoke", entity: "calendarFeed", entityId: id, before: publicPart(feed) });
    return revoked!;
  });
}

/** The viewer's feeds in this tenant, newest first, revoked ones too. */
export async function listCalendarFeeds(ctx: Context, args: { first?: number | null; after?: string | null }) {
  const viewer = requireMember(ctx);
  return page(ctx, {
    from: calendarFeeds,
    where: and(ctx.scope.inTenant(calendarFeeds), eq(calendarFeeds.userId, viewer.userId)),
    order: newestFirst(calendarFeeds.createdAt, calendarFeeds.id),
    first: args.first,
    after: args.after,
  });
}

// ---------------------------------------------------------------- the feed itself

export interface FeedItem {
  /** Stable across versions: `lecture-<id>@roster`, `event-<id>@roster`. */
  uid: string;
  sequence: number;
  start: Date;
  end: Date;
  summary: string;
  description: string | null;
  location: string | null;
  cancelled: boolean;
  lastModified: Date;
}

export interface FeedContent {
  name: string;
  timeZone: string;
  items: FeedItem[];
}

/**
 * What the feed of `token` shows, read in the context of the tenant its token
 * names (anonymous, so row-level security keeps the reads in that tenant); null
 * when there is no such live feed (the transport answers 404).
 */
export async function readCalendarFeed(ctx: Context, token: string): Promise<FeedContent | null> {
  const tenant = ctx.tenant;
  if (!tenant || tenantOfFeedToken(token) !== tenant.id) return null;
  const [feed] = await ctx.db
    .select({ feed: calendarFeeds, courseName: courses.name })
    .from(calendarFeeds)
    .leftJoin(courses, and(eq(courses.tenantId, calendarFeeds.tenantId), eq(courses.id, calendarFeeds.courseId)))
    .where(
      and(
        ctx.scope.inTenant(calendarFeeds),
        eq(calendarFeeds.tokenHash, hashToken(token)),
        isNull(calendarFeeds.revokedAt),
        // The owner must still be an active member of the tenant.
        exists(
          ctx.db
            .select({ one: sql`1` })
            .from(memberships)
            .where(
              and(
                eq(memberships.tenantId, calendarFeeds.tenantId),
                eq(memberships.userId, calendarFeeds.userId),
                eq(memberships.isActive, true),
              ),
            ),
        ),
      ),
    );
  if (!feed) return null;
  // Calendar apps poll: write the fetch time at most once a minute per feed.
  const now = new Date();
  if (!feed.feed.lastFetchedAt || now.getTime() - feed.feed.lastFetchedAt.getTime() > 60_000) {
    await ctx.db
      .update(calendarFeeds)
      .set({ lastFetchedAt: now })
      .where(and(ctx.scope.inTenant(calendarFeeds), eq(calendarFeeds.id, feed.feed.id)));
  }

  const today = localDate(new Date(), tenant.timeZone);
  const fromDate = addDays(today, -FEED_DAYS_BACK);
  const toDate = addDays(today, FEED_DAYS_AHEAD);
  const userId = feed.feed.userId;

  const lectureCourses = feed.feed.scope === "COURSE" ? eq(lectures.courseId, feed.feed.courseId!) : personCourses(ctx, userId);
  const lectureRows = await ctx.db
    .select({ lecture: lectures, courseName: courses.name })
    .from(lectures)
    .innerJoin(courses, and(eq(courses.tenantId, lectures.tenantId), eq(courses.id, lectures.courseId)))
    .where(and(ctx.scope.inTenant(lectures), lectureCourses, gte(lectures.date, fromDate), lt(lectures.date, toDate)))
    .orderBy(asc(lectures.date), asc(lectures.startTime), asc(lectures.id))
    .limit(FEED_MAX_LECTURES);

  const items: FeedItem[] = lectureRows.map(({ lecture, courseName }) => {
    const start = zonedInstant(lecture.date, lecture.startTime, tenant.timeZone);
    return {
      uid: `lecture-${lecture.id}@roster`,
      sequence: lecture.calendarSequence,
      start,
      end: new Date(start.getTime() + lecture.durationMinutes * 60_000),
      summary: lecture.title ? `${courseName}: ${lecture.title}` : courseName,
      description: lecture.status === "CANCELLED" ? lecture.cancelledReason : null,
      location: null,
      cancelled: lecture.status === "CANCELLED",
      lastModified: lecture.updatedAt,
    };
  });

  if (feed.feed.scope === "PERSON") {
    const eventRows = await ctx.db
      .select({ event: events })
      .from(eventRegistrations)
      .innerJoin(events, and(eq(events.tenantId, eventRegistrations.tenantId), eq(events.id, eventRegistrations.eventId)))
      .where(
        and(
          ctx.scope.inTenant(eventRegistrations),
          eq(eventRegistrations.userId, userId),
          eq(eventRegistrations.status, "CONFIRMED"),
          ne(events.status, "DRAFT"),
          gte(events.endsAt, zonedInstant(fromDate, "00:00:00", tenant.timeZone)),
          lt(events.startsAt, zonedInstant(toDate, "00:00:00", tenant.timeZone)),
        ),
      )
      .orderBy(asc(events.startsAt), asc(events.id))
      .limit(FEED_MAX_EVENTS);
    for (const { event } of eventRows) {
      items.push({
        uid: `event-${event.id}@roster`,
        sequence: event.calendarSequence,
        start: event.startsAt,
        end: event.endsAt,
        summary: event.title,
        description: event.description || null,
        location: event.location || null,
        cancelled: event.status === "CANCELLED",
        lastModified: event.updatedAt,
      });
    }
  }
  const name = feed.feed.scope === "COURSE" ? `${tenant.name}: ${feed.courseName ?? ""}` : tenant.name;
  return { name, timeZone: tenant.timeZone, items };
}

/** Courses a person follows in the tenant: as a student, as a guardian of a child, as the instructor. */
function personCourses(ctx: Context, userId: string) {
  const enrolled = ctx.db
    .select({ courseId: enrollments.courseId })
    .from(enrollments)
    .leftJoin(students, and(eq(students.tenantId, enrollments.tenantId), eq(students.id, enrollments.studentId)))
    .leftJoin(children, and(eq(children.tenantId, enrollments.tenantId), eq(children.id, enrollments.childId)))
    // Every guardian of the child follows its courses, not only the primary one.
    .leftJoin(guardianships, and(eq(guardianships.tenantId, children.tenantId), eq(guardianships.childId, children.id)))
    .leftJoin(parents, and(eq(parents.tenantId, guardianships.tenantId), eq(parents.id, guardianships.parentId)))
    .where(
      and(ctx.scope.inTenant(enrollments), eq(enrollments.status, "ACTIVE"), or(eq(students.userId, userId), eq(parents.userId, userId))),
    );
  const taught = ctx.db
    .select({ courseId: courses.id })
    .from(courses)
    .innerJoin(instructors, and(eq(instructors.tenantId, courses.tenantId), eq(instructors.id, courses.instructorId)))
    .where(and(ctx.scope.inTenant(courses), eq(instructors.userId, userId)));
  return or(inArray(lectures.courseId, enrolled), inArray(lectures.courseId, taught));
}
