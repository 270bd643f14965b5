/**
 * Course waitlists with timed offers (issue 13).
 *
 * A family joins the line of a full course with one participant, or with siblings who must be
 * placed together (all or none: the entry's size is the places it needs). When places free up
 * (a drop, a completion, a raised capacity, a declined or expired offer), `offerFreedPlaces`
 * offers them to the first entries in line that fit: an entry too large for the free places
 * keeps its position and the next one that fits is offered instead, so no place stays idle.
 * An offer holds its places (courses.held_places, kept by a trigger) for the course's
 * offerHoldHours; accepting it within that time enrols every participant of the entry at once
 * (ACTIVE, through an APPROVED request: staff approved the line when they let the course fill).
 *
 * Exactly one family per freed place: every step that changes free or held places locks the
 * course row first (a drop's counter trigger takes the same lock), so concurrent frees and
 * accepts run one after the other and each sees the other's result; the CHECK
 * courses_places_not_exceeded (active + held ≤ capacity) is the last line of defence.
 * Lock order is always course, then entry.
 */
import { and, asc, eq, inArray, lte, or, type SQL } from "drizzle-orm";
import {
  courses,
  courseWaitlistEntries,
  courseWaitlistParticipants,
  enrollmentRequests,
  enrollments,
  type Course,
  type CourseWaitlistEntry,
} from "../../drizzle/schema";
import type { CourseWaitlistStatus } from "../../drizzle/tables/enums-types";
import { requireMember, requireTenant } from "../auth/guards";
import { actsFor, alertUserIds, ownParticipantIds, ownRowsOf, participantIdOf, teaches } from "../auth/policies";
import { isStaff } from "../auth/viewer";
import { atomic, type Context } from "../context";
import { oldestFirst, page } from "../db/page";
import { emit } from "../domain-events/domain-events";
import { AppError, badInput, forbidden, notFound, onConstraint, wrongState } from "../errors";
import { localDate, localTime } from "../time";
import { requireNotArchived } from "./archive-rules";
import { audit } from "./audit";
import { findParticipants, participantColumns, participantName, requireCurrentParticipant, type Participant } from "./participants";

onConstraint("courses_places_not_exceeded", () => new AppError("CONFLICT", "course.capacityExceeded"));

/** Most participants one entry may place together. */
export const MAX_GROUP = 10;
/** Most offers the expiry job passes on per tenant and run (the rest wait for the next run). */
const EXPIRE_BATCH = 200;

const HOUR_MS = 60 * 60_000;

/** Places neither taken by an ACTIVE enrolment nor held by an offer. */
export const freePlaces = (course: Pick<Course, "capacity" | "activeEnrollments" | "heldPlaces">) =>
  Math.max(0, course.capacity - course.activeEnrollments - course.heldPlaces);

/** The course row, locked for this transaction (the one lock every waitlist step takes first). */
async function lockCourse(ctx: Context, courseId: string): Promise<Course> {
  const [course] = await ctx.db
    .select()
    .from(courses)
    .where(and(ctx.scope.inTenant(courses), eq(courses.id, courseId)))
    .for("update");
  if (!course) throw notFound("Course", courseId);
  ctx.loaders.course.clear(courseId);
  return course;
}

/** The participants of entries, by entry id, in one statement. */
async function participantsOfEntries(ctx: Context, entryIds: readonly string[]) {
  const rows = entryIds.length
    ? await ctx.db
        .select()
        .from(courseWaitlistParticipants)
        .where(and(ctx.scope.inTenant(courseWaitlistParticipants), inArray(courseWaitlistParticipants.entryId, [...entryIds])))
        .orderBy(asc(courseWaitlistParticipants.id))
    : [];
  const found = await findParticipants(ctx, [...new Set(rows.map(participantIdOf))]);
  const byEntry = new Map<string, Participant[]>();
  for (const row of rows) {
    const participant = found.get(participantIdOf(row));
    if (!participant) continue;
    byEntry.set(row.entryId, [...(byEntry.get(row.entryId) ?? []), participant]);
  }
  return byEntry;
}

/** Everyone to tell about an entry: who asked, and the accounts told about its participants (guardians with alerts on). */
const recipientsOf = (entry: CourseWaitlistEntry, participants: Participant[]) => [
  ...new Set([entry.requestedBy, ...participants.flatMap(alertUserIds)]),
];

const names = async (ctx: Context, participants: Participant[]) =>
  (await Promise.all(participants.map((p) => participantName(ctx, p)))).join(", ");

/**
 * Offers the course's free places to the first entries in line that fit, each held for the
 * course's offerHoldHours from `now`. Call with the course locked (lockCourse) or let it lock.
 * Returns the entries offered.
 */
export async function offerFreedPlaces(ctx: Context, courseId: string, now = new Date()): Promise<CourseWaitlistEntry[]> {
  const course = await lockCourse(ctx, courseId);
  let free = freePlaces(course);
  if (free === 0) return [];
  const line = await ctx.db
    .select()
    .from(courseWaitlistEntries)
    .where(
      and(
        ctx.scope.inTenant(courseWaitlistEntries),
        eq(courseWaitlistEntries.courseId, course.id),
        eq(courseWaitlistEntries.status, "WAITING"),
        lte(courseWaitlistEntries.size, free),
      ),
    )
    .orderBy(asc(courseWaitlistEntries.joinedAt), asc(courseWaitlistEntries.id))
    .limit(Math.min(free, 100));
  const chosen: CourseWaitlistEntry[] = [];
  for (const entry of line) {
    if (entry.size > free) continue;
    chosen.push(entry);
    free -= entry.size;
    if (free === 0) break;
  }
  if (chosen.length === 0) return [];
  const expiresAt = new Date(now.getTime() + course.offerHoldHours * HOUR_MS);
  const offered = await ctx.db
    .update(courseWaitlistEntries)
    .set({ status: "OFFERED", offeredAt: now, offerExpiresAt: expiresAt })
    .where(
      and(
        ctx.scope.inTenant(courseWaitlistEntries),
        inArray(
          courseWaitlistEntries.id,
          chosen.map((entry) => entry.id),
        ),
        eq(courseWaitlistEntries.status, "WAITING"),
      ),
    )
    .returning();
  ctx.loaders.course.clear(course.id);
  const participants = await participantsOfEntries(
    ctx,
    offered.map((entry) => entry.id),
  );
  const timeZone = requireTenant(ctx).timeZone;
  for (const entry of offered) {
    const people = participants.get(entry.id) ?? [];
    await audit(ctx, { action: "waitlist.offer", entity: "course_waitlist_entry", entityId: entry.id, after: entry });
    await emit(ctx, {
      type: "waitlist.offered",
      tenantId: entry.tenantId,
      recipients: recipientsOf(entry, people),
      participants: await names(ctx, people),
      course: course.name,
      courseId: course.id,
      entryId: entry.id,
      expiresAt: `${localDate(expiresAt, timeZone)} ${localTime(expiresAt, timeZone).slice(0, 5)}`,
    });
  }
  return offered;
}

/** May the viewer see the course (staff, its instructor, or anyone when published)? */
async function mayJoin(ctx: Context, course: Course) {
  return course.isPublished || isStaff(ctx.viewer) || (await teaches(ctx, course.id));
}

/**
 * Puts participants the viewer acts for in the course's line, together (all or none). Only
 * when the course cannot take them now: fewer free places than participants, or others already
 * waiting (no overtaking the line). Returns the entry, already OFFERED when places it fits were
 * free but held back for the line.
 */
export async function joinCourseWaitlist(ctx: Context, input: { courseId: string; participantIds: string[] }) {
  const viewer = requireMember(ctx);
  const ids = [...new Set(input.participantIds)];
  if (ids.length === 0) throw badInput("participantIds", "at least one participant");
  if (ids.length !== input.participantIds.length) throw badInput("participantIds", "the same participant twice");
  if (ids.length > MAX_GROUP) throw badInput("participantIds", `at most ${MAX_GROUP} participants`);
  return atomic(ctx, async (ctx) => {
    const found = await findParticipants(ctx, ids);
    const participants = ids.map((id) => {
      const participant = found.get(id);
      if (!participant) throw notFound("Participant", id);
      // Joining the line asks for a place: a guardian needs canEnroll, as for requestEnrollment.
      if (!actsFor(ctx, participant, "enroll")) throw forbidden();
      requireCurrentParticipant(participant);
      return participant;
    });
    const visible = await ctx.loaders.course.load(input.courseId);
    if (!visible || !(await mayJoin(ctx, visible))) throw notFound("Course", input.courseId);
    const course = await lockCourse(ctx, input.courseId);
    requireNotArchived(course);
    if (course.endsOn < localDate(new Date(), requireTenant(ctx).timeZone)) throw new AppError("CONFLICT", "course.ended");

    const studentIds = participants.flatMap((p) => (p.studentId ? [p.studentId] : []));
    const childIds = participants.flatMap((p) => (p.childId ? [p.childId] : []));
    const byParticipant = (table: typeof enrollments | typeof courseWaitlistParticipants) =>
      or(
        studentIds.length ? inArray(table.studentId, studentIds) : undefined,
        childIds.length ? inArray(table.childId, childIds) : undefined,
      );
    const [enrolled] = await ctx.db
      .select({ studentId: enrollments.studentId, childId: enrollments.childId })
      .from(enrollments)
      .where(
        and(
          ctx.scope.inTenant(enrollments),
          eq(enrollments.courseId, course.id),
          eq(enrollments.status, "ACTIVE"),
          byParticipant(enrollments),
        ),
      )
      .limit(1);
    if (enrolled) {
      const participant = participants.find((p) => p.id === participantIdOf(enrolled))!;
      throw new AppError("CONFLICT", "enrollment.alreadyEnrolled", { participant: await participantName(ctx, participant) });
    }
    const [inLine] = await ctx.db
      .select({ studentId: courseWaitlistParticipants.studentId, childId: courseWaitlistParticipants.childId })
      .from(courseWaitlistParticipants)
      .innerJoin(
        courseWaitlistEntries,
        and(
          eq(courseWaitlistEntries.tenantId, courseWaitlistParticipants.tenantId),
          eq(courseWaitlistEntries.id, courseWaitlistParticipants.entryId),
        ),
      )
      .where(
        and(
          ctx.scope.inTenant(courseWaitlistParticipants),
          eq(courseWaitlistParticipants.courseId, course.id),
          inArray(courseWaitlistEntries.status, ["WAITING", "OFFERED"]),
          byParticipant(courseWaitlistParticipants),
        ),
      )
      .limit(1);
    if (inLine) {
      const participant = participants.find((p) => p.id === participantIdOf(inLine))!;
      throw new AppError("CONFLICT", "waitlist.alreadyInLine", { participant: await participantName(ctx, participant) });
    }
    const [waiting] = await ctx.db
      .select({ id: courseWaitlistEntries.id })
      .from(courseWaitlistEntries)
      .where(
        and(
          ctx.scope.inTenant(courseWaitlistEntries),
          eq(courseWaitlistEntries.courseId, course.id),
          eq(courseWaitlistEntries.status, "WAITING"),
        ),
      )
      .limit(1);
    if (!waiting && freePlaces(course) >= participants.length) {
      throw new AppError("CONFLICT", "waitlist.placesFree", { free: freePlaces(course) });
    }

    const [entry] = await ctx.db
      .insert(courseWaitlistEntries)
      .values({
        tenantId: course.tenantId,
        courseId: course.id,
        requestedBy: viewer.userId,
        size: participants.length,
        joinedAt: new Date(),
      })
      .returning();
    await ctx.db.insert(courseWaitlistParticipants).values(
      participants.map((participant) => ({
        tenantId: course.tenantId,
        entryId: entry!.id,
        courseId: course.id,
        ...participantColumns(participant),
      })),
    );
    await audit(ctx, {
      action: "waitlist.join",
      entity: "course_waitlist_entry",
      entityId: entry!.id,
      after: { ...entry, participantIds: ids },
    });
    const offered = await offerFreedPlaces(ctx, course.id);
    return offered.find((row) => row.id === entry!.id) ?? entry!;
  });
}

/** The entry and its course, both locked (course first), if the viewer may answer for it. */
async function lockEntry(ctx: Context, entryId: string) {
  requireMember(ctx);
  const [found] = await ctx.db
    .select({ courseId: courseWaitlistEntries.courseId })
    .from(courseWaitlistEntries)
    .where(and(ctx.scope.inTenant(courseWaitlistEntries), eq(courseWaitlistEntries.id, entryId)));
  if (!found) throw notFound("CourseWaitlistEntry", entryId);
  const course = await lockCourse(ctx, found.courseId);
  const [entry] = await ctx.db
    .select()
    .from(courseWaitlistEntries)
    .where(and(ctx.scope.inTenant(courseWaitlistEntries), eq(courseWaitlistEntries.id, entryId)))
    .for("update");
  const participants = (await participantsOfEntries(ctx, [entryId])).get(entryId) ?? [];
  const answers = isStaff(ctx.viewer) || participants.every((p) => actsFor(ctx, p));
  if (!answers) {
    // Who may not answer for it learns nothing about it (unless they asked for it).
    if (ctx.viewer.kind === "user" && entry!.requestedBy === ctx.viewer.userId) throw forbidden();
    throw notFound("CourseWaitlistEntry", entryId);
  }
  return { course, entry: entry!, participants };
}

async function closeEntry(ctx: Context, entry: CourseWaitlistEntry, status: CourseWaitlistStatus, now: Date) {
  const [after] = await ctx.db
    .update(courseWaitlistEntries)
    .set({ status, closedAt: now })
    .where(and(ctx.scope.inTenant(courseWaitlistEntries), eq(courseWaitlistEntries.id, entry.id)))
    .returning();
  return after!;
}

/**
 * Accepts an OFFERED entry before its offer expires: every participant is enrolled (ACTIVE, with
 * an APPROVED request) in the places the offer held. CONFLICT once the offer has expired, or when
 * a participant was enrolled meanwhile (nothing changes then: all or none).
 */
export async function acceptWaitlistOffer(ctx: Context, entryId: string) {
  const viewer = requireMember(ctx);
  return atomic(ctx, async (ctx) => {
    const { course, entry, participants } = await lockEntry(ctx, entryId);
    // Accepting enrols: a guardian without canEnroll may decline but not accept.
    if (!participants.every((participant) => actsFor(ctx, participant, "enroll"))) throw forbidden();
    if (entry.status !== "OFFERED") throw wrongState("CourseWaitlistEntry", entry.status, "OFFERED");
    const now = new Date();
    if (entry.offerExpiresAt! <= now) throw new AppError("CONFLICT", "waitlist.offerExpired");
    // Release the held places first, so the enrolments below take them (the CHECK sees each statement).
    const accepted = await closeEntry(ctx, entry, "ACCEPTED", now);
    const made = [];
    for (const participant of participants) {
      const columns = participantColumns(participant);
      const own = participant.studentId ? eq(enrollments.studentId, participant.studentId) : eq(enrollments.childId, participant.childId!);
      const [existing] = await ctx.db
        .select()
        .from(enrollments)
        .where(and(ctx.scope.inTenant(enrollments), eq(enrollments.courseId, course.id), own))
        .for("update");
      if (existing?.status === "ACTIVE") {
        throw new AppError("CONFLICT", "enrollment.alreadyEnrolled", { participant: await participantName(ctx, participant) });
      }
      // A request still open for the participant is answered by the offer.
      const ownRequest = participant.studentId
        ? eq(enrollmentRequests.studentId, participant.studentId)
        : eq(enrollmentRequests.childId, participant.childId!);
      await ctx.db
        .update(enrollmentRequests)
        .set({ status: "CANCELLED", decidedBy: viewer.userId, decidedAt: now })
        .where(
          and(
            ctx.scope.inTenant(enrollmentRequests),
            eq(enrollmentRequests.courseId, course.id),
            eq(enrollmentRequests.status, "PENDING"),
            ownRequest,
          ),
        );
      const [request] = await ctx.db
        .insert(enrollmentRequests)
        .values({
          tenantId: course.tenantId,
          courseId: course.id,
          ...columns,
          requestedBy: entry.requestedBy,
          status: "APPROVED",
          note: "waitlist offer",
          decidedBy: viewer.userId,
          decidedAt: now,
        })
        .returning();
      const [enrollment] = existing
        ? await ctx.db
            .update(enrollments)
            .set({ status: "ACTIVE", requestId: request!.id, enrolledAt: now, endedAt: null })
            .where(and(ctx.scope.inTenant(enrollments), eq(enrollments.id, existing.id)))
            .returning()
        : await ctx.db
            .insert(enrollments)
            .values({ tenantId: course.tenantId, courseId: course.id, ...columns, requestId: request!.id, enrolledAt: now })
            .returning();
      await audit(ctx, {
        action: "enrollment.activate",
        entity: "enrollment",
        entityId: enrollment!.id,
        before: existing,
        after: enrollment,
      });
      await emit(ctx, {
        type: "enrollment.approved",
        tenantId: course.tenantId,
        recipients: [...new Set([entry.requestedBy, ...alertUserIds(participant)])],
        participant: await participantName(ctx, participant),
        course: course.name,
        enrollmentId: enrollment!.id,
        requestId: request!.id,
      });
      made.push(enrollment!);
    }
    ctx.loaders.course.clear(course.id);
    await audit(ctx, { action: "waitlist.accept", entity: "course_waitlist_entry", entityId: entry.id, before: entry, after: accepted });
    return { entry: accepted, enrollments: made };
  });
}

/** Declines an OFFERED entry: its places go to the next in line at once. */
export async function declineWaitlistOffer(ctx: Context, entryId: string) {
  requireMember(ctx);
  return atomic(ctx, async (ctx) => {
    const { course, entry } = await lockEntry(ctx, entryId);
    if (entry.status !== "OFFERED") throw wrongState("CourseWaitlistEntry", entry.status, "OFFERED");
    const after = await closeEntry(ctx, entry, "DECLINED", new Date());
    await audit(ctx, { action: "waitlist.decline", entity: "course_waitlist_entry", entityId: entry.id, before: entry, after });
    await offerFreedPlaces(ctx, course.id);
    return after;
  });
}

/** Leaves the line while WAITING (an offer is declined instead): CANCELLED. */
export async function cancelWaitlistEntry(ctx: Context, entryId: string) {
  requireMember(ctx);
  return atomic(ctx, async (ctx) => {
    const { entry } = await lockEntry(ctx, entryId);
    if (entry.status !== "WAITING") throw wrongState("CourseWaitlistEntry", entry.status, "WAITING");
    const after = await closeEntry(ctx, entry, "CANCELLED", new Date());
    await audit(ctx, { action: "waitlist.leave", entity: "course_waitlist_entry", entityId: entry.id, before: entry, after });
    return after;
  });
}

/**
 * The expiry job's work for one tenant: offers whose time ran out by `now` become EXPIRED and
 * their places go to the next in line (the family is told it passed on). At most EXPIRE_BATCH
 * per run; what is left waits for the next run. Returns the counts.
 */
export async function expireWaitlistOffers(ctx: Context, now = new Date()) {
  requireTenant(ctx);
  const due = await ctx.db
    .select({ id: courseWaitlistEntries.id, courseId: courseWaitlistEntries.courseId })
    .from(courseWaitlistEntries)
    .where(
      and(
        ctx.scope.inTenant(courseWaitlistEntries),
        eq(courseWaitlistEntries.status, "OFFERED"),
        lte(courseWaitlistEntries.offerExpiresAt, now),
      ),
    )
    .orderBy(asc(courseWaitlistEntries.offerExpiresAt), asc(courseWaitlistEntries.id))
    .limit(EXPIRE_BATCH);
  const courseIds = [...new Set(due.map((row) => row.courseId))];
  let expired = 0;
  let offered = 0;
  for (const courseId of courseIds) {
    await lockCourse(ctx, courseId);
    // Still OFFERED and still due once the course is ours: an accept may have come first.
    const closed = await ctx.db
      .update(courseWaitlistEntries)
      .set({ status: "EXPIRED", closedAt: now })
      .where(
        and(
          ctx.scope.inTenant(courseWaitlistEntries),
          inArray(
            courseWaitlistEntries.id,
            due.filter((row) => row.courseId === courseId).map((row) => row.id),
          ),
          eq(courseWaitlistEntries.status, "OFFERED"),
          lte(courseWaitlistEntries.offerExpiresAt, now),
        ),
      )
      .returning();
    expired += closed.length;
    for (const entry of closed) {
      await audit(ctx, { action: "waitlist.expire", entity: "course_waitlist_entry", entityId: entry.id, after: entry });
    }
    offered += (await offerFreedPlaces(ctx, courseId, now)).length;
  }
  return { expired, offered };
}

// ---------------------------------------------------------------- queries

export interface WaitlistFilter {
  courseId?: string | null;
  status?: CourseWaitlistStatus | null;
}

/** Which entries the viewer may list: staff all, others those they asked for or of their own participants. */
async function entryScope(ctx: Context): Promise<SQL | undefined> {
  if (isStaff(ctx.viewer)) return undefined;
  const mine = ownRowsOf(courseWaitlistParticipants, await ownParticipantIds(ctx));
  const asked = ctx.viewer.kind === "user" ? eq(courseWaitlistEntries.requestedBy, ctx.viewer.userId) : undefined;
  const ofMine = mine
    ? inArray(
        courseWaitlistEntries.id,
        ctx.db
          .select({ id: courseWaitlistParticipants.entryId })
          .from(courseWaitlistParticipants)
          .where(and(ctx.scope.inTenant(courseWaitlistParticipants), mine)),
      )
    : undefined;
  return or(asked, ofMine) ?? ctx.scope.none();
}

/** Waitlist entries the viewer may see, in line order (earliest first). */
export async function listWaitlistEntries(
  ctx: Context,
  args: { filter?: WaitlistFilter | null; first?: number | null; after?: string | null },
) {
  requireMember(ctx);
  const f = args.filter ?? {};
  const where = and(
    ctx.scope.inTenant(courseWaitlistEntries),
    await entryScope(ctx),
    f.courseId ? eq(courseWaitlistEntries.courseId, f.courseId) : undefined,
    f.status ? eq(courseWaitlistEntries.status, f.status) : undefined,
  );
  const order = oldestFirst(courseWaitlistEntries.joinedAt, courseWaitlistEntries.id);
  return page(ctx, { from: courseWaitlistEntries, where, order, first: args.first, after: args.after });
}
