/**
 * The catalogue: seasons, tags, courses with their weekly schedule. Staff manage
 * it; published courses are public inside the tenant (anonymous with X-Tenant
 * too); an instructor also sees their own unpublished courses.
 */
import { and, asc, count, desc, eq, exists, gte, ilike, inArray, isNull, lte, or, sql, type SQL } from "drizzle-orm";
import {
  courseSchedules,
  courseTags,
  courses,
  enrollmentRequests,
  enrollments,
  instructors,
  seasons,
  tags,
  type Course,
} from "../../drizzle/schema";
import type { SeasonKind } from "../../drizzle/tables/enums-types";
import { requireRole, requireTenant } from "../auth/guards";
import { teachesCourse, viewerInstructorId } from "../auth/policies";
import { isStaff } from "../auth/viewer";
import { atomic, type Context } from "../context";
import { AppError, badInput, notFound, onConstraint, wrongState } from "../errors";
import type { SortDirection } from "../pagination";
import { by, page } from "../db/page";
import { asIs, type LoadRows } from "../plan/model";
import { audit } from "./audit";
import { offerFreedPlaces } from "./course-waitlist";

onConstraint("courses_capacity_not_exceeded", () => new AppError("CONFLICT", "course.capacityExceeded"));
onConstraint("courses_season_fk", () => new AppError("CONFLICT", "season.inUse"));
onConstraint("tags_name_key", () => new AppError("CONFLICT", "conflict.exists", { entity: "Tag" }, { field: "name" }));
onConstraint("courses_dates", () => badInput("endsOn", "before startsOn"));
onConstraint("seasons_dates", () => badInput("endsOn", "before startsOn"));

// ---------------------------------------------------------------- seasons

export interface SeasonInput {
  name?: string | null;
  kind?: SeasonKind | null;
  startsOn?: string | null;
  endsOn?: string | null;
  isActive?: boolean | null;
}

function checkDates(startsOn: string | null | undefined, endsOn: string | null | undefined) {
  if (startsOn && endsOn && endsOn < startsOn) throw badInput("endsOn", "before startsOn");
}

export async function createSeason(ctx: Context, input: SeasonInput) {
  const viewer = requireRole(ctx, "STAFF");
  if (!input.name?.trim()) throw badInput("name", "required");
  if (!input.startsOn || !input.endsOn) throw badInput(input.startsOn ? "endsOn" : "startsOn", "required");
  checkDates(input.startsOn, input.endsOn);
  return atomic(ctx, async (ctx) => {
    const [season] = await ctx.db
      .insert(seasons)
      .values({
        tenantId: viewer.tenantId,
        name: input.name!.trim(),
        kind: input.kind ?? "OTHER",
        startsOn: input.startsOn!,
        endsOn: input.endsOn!,
        isActive: input.isActive ?? false,
      })
      .returning();
    await audit(ctx, { action: "season.create", entity: "season", entityId: season!.id, after: season });
    return season!;
  });
}

export async function updateSeason(ctx: Context, id: string, input: SeasonInput) {
  requireRole(ctx, "STAFF");
  return atomic(ctx, async (ctx) => {
    const [before] = await ctx.db
      .select()
      .from(seasons)
      .where(and(ctx.scope.inTenant(seasons), eq(seasons.id, id)))
      .for("update");
    if (!before) throw notFound("Season", id);
    if (input.name !== undefined && !input.name?.trim()) throw badInput("name", "required");
    checkDates(input.startsOn ?? before.startsOn, input.endsOn ?? before.endsOn);
    const [after] = await ctx.db
      .update(seasons)
      .set({
        ...(input.name != null && { name: input.name.trim() }),
        ...(input.kind != null && { kind: input.kind }),
        ...(input.startsOn != null && { startsOn: input.startsOn }),
        ...(input.endsOn != null && { endsOn: input.endsOn }),
        ...(input.isActive != null && { isActive: input.isActive }),
      })
      .where(and(ctx.scope.inTenant(seasons), eq(seasons.id, id)))
      .returning();
    await audit(ctx, { action: "season.update", entity: "season", entityId: id, before, after });
    return after!;
  });
}

/** Deletes a season without courses (CONFLICT while courses use it). */
export async function deleteSeason(ctx: Context, id: string) {
  requireRole(ctx, "STAFF");
  return atomic(ctx, async (ctx) => {
    const [deleted] = await ctx.db
      .delete(seasons)
      .where(and(ctx.scope.inTenant(seasons), eq(seasons.id, id)))
      .returning();
    if (!deleted) throw notFound("Season", id);
    await audit(ctx, { action: "season.delete", entity: "season", entityId: id, before: deleted });
    return true;
  });
}

export async function listSeasons(ctx: Context, activeOnly: boolean) {
  requireTenant(ctx);
  return ctx.db
    .select()
    .from(seasons)
    .where(and(ctx.scope.inTenant(seasons), activeOnly ? eq(seasons.isActive, true) : undefined))
    .orderBy(desc(seasons.startsOn), asc(seasons.id));
}

// ---------------------------------------------------------------- tags

export async function createTag(ctx: Context, name: string) {
  const viewer = requireRole(ctx, "STAFF");
  const trimmed = name.trim();
  if (!trimmed || trimmed.length > 60) throw badInput("name", "1 to 60 characters");
  return atomic(ctx, async (ctx) => {
    const [tag] = await ctx.db.insert(tags).values({ tenantId: viewer.tenantId, name: trimmed }).returning();
    await audit(ctx, { action: "tag.create", entity: "tag", entityId: tag!.id, after: tag });
    return tag!;
  });
}

export async function deleteTag(ctx: Context, id: string) {
  requireRole(ctx, "STAFF");
  return atomic(ctx, async (ctx) => {
    const [deleted] = await ctx.db
      .delete(tags)
      .where(and(ctx.scope.inTenant(tags), eq(tags.id, id)))
      .returning();
    if (!deleted) throw notFound("Tag", id);
    await audit(ctx, { action: "tag.delete", entity: "tag", entityId: id, before: deleted });
    return true;
  });
}

export async function listTags(ctx: Context) {
  requireTenant(ctx);
  return ctx.db.select().from(tags).where(ctx.scope.inTenant(tags)).orderBy(asc(tags.name));
}

// ---------------------------------------------------------------- courses

export interface ScheduleSlotInput {
  weekday: number;
  startTime: string;
  durationMinutes?: number | null;
}

export interface CourseInput {
  name?: string | null;
  description?: string | null;
  startsOn?: string | null;
  endsOn?: string | null;
  price?: string | null;
  currency?: string | null;
  capacity?: number | null;
  seasonId?: string | null;
  instructorId?: string | null;
  tagIds?: string[] | null;
  schedule?: ScheduleSlotInput[] | null;
  isPublished?: boolean | null;
  offerHoldHours?: number | null;
}

function checkCourse(input: CourseInput, creating: boolean) {
  if ((creating || input.name !== undefined) && !input.name?.trim()) throw badInput("name", "required");
  if (creating && !input.startsOn) throw badInput("startsOn", "required");
  if (creating && !input.endsOn) throw badInput("endsOn", "required");
  if (creating && input.capacity == null) throw badInput("capacity", "required");
  if (input.capacity != null && (!Number.isInteger(input.capacity) || input.capacity < 1 || input.capacity > 100_000)) {
    throw badInput("capacity", "a whole number from 1 to 100000");
  }
  if (input.offerHoldHours != null && (!Number.isInteger(input.offerHoldHours) || input.offerHoldHours < 1 || input.offerHoldHours > 720)) {
    throw badInput("offerHoldHours", "a whole number of hours from 1 to 720");
  }
  if (input.price != null && Number(input.price) < 0) throw badInput("price", "negative");
  const slots = new Set<string>();
  for (const [index, slot] of (input.schedule ?? []).entries()) {
    if (!Number.isInteger(slot.weekday) || slot.weekday < 0 || slot.weekday > 6) {
      throw badInput(`schedule[${index}].weekday`, "0 (Saturday) to 6 (Friday)");
    }
    const duration = slot.durationMinutes ?? 60;
    if (!Number.isInteger(duration) || duration < 1 || duration > 1440) {
      throw badInput(`schedule[${index}].durationMinutes`, "1 to 1440");
    }
    const key = `${slot.weekday}@${slot.startTime}`;
    if (slots.has(key)) throw badInput(`schedule[${index}]`, "the same slot twice");
    slots.add(key);
  }
}

/** Checks that referenced season, instructor and tags exist in the tenant (clear NOT_FOUND). */
async function checkReferences(ctx: Context, input: CourseInput) {
  if (input.seasonId) {
    const [found] = await ctx.db
      .select({ id: seasons.id })
      .from(seasons)
      .where(and(ctx.scope.inTenant(seasons), eq(seasons.id, input.seasonId)));
    if (!found) throw notFound("Season", input.seasonId);
  }
  if (input.instructorId) {
    const [found] = await ctx.db
      .select({ id: instructors.id })
      .from(instructors)
      .where(and(ctx.scope.inTenant(instructors), eq(instructors.id, input.instructorId)));
    if (!found) throw notFound("Instructor", input.instructorId);
  }
  if (input.tagIds?.length) {
    const found = await ctx.db
      .select({ id: tags.id })
      .from(tags)
      .where(and(ctx.scope.inTenant(tags), inArray(tags.id, input.tagIds)));
    const missing = input.tagIds.find((id) => !found.some((tag) => tag.id === id));
    if (missing) throw notFound("Tag", missing);
  }
}

async function replaceTagsAndSchedule(ctx: Context, course: Course, input: CourseInput) {
  if (input.tagIds) {
    await ctx.db.delete(courseTags).where(and(ctx.scope.inTenant(courseTags), eq(courseTags.courseId, course.id)));
    const unique = [...new Set(input.tagIds)];
    if (unique.length) {
      await ctx.db.insert(courseTags).values(unique.map((tagId) => ({ tenantId: course.tenantId, courseId: course.id, tagId })));
    }
  }
  if (input.schedule) {
    await ctx.db.delete(courseSchedules).where(and(ctx.scope.inTenant(courseSchedules), eq(courseSchedules.courseId, course.id)));
    if (input.schedule.length) {
      await ctx.db.insert(courseSchedules).values(
        input.schedule.map((slot) => ({
          tenantId: course.tenantId,
          courseId: course.id,
          weekday: slot.weekday,
          startTime: slot.startTime,
          durationMinutes: slot.durationMinutes ?? 60,
        })),
      );
    }
  }
}

export async function createCourse(ctx: Context, input: CourseInput) {
  const viewer = requireRole(ctx, "STAFF");
  checkCourse(input, true);
  checkDates(input.startsOn, input.endsOn);
  return atomic(ctx, async (ctx) => {
    await checkReferences(ctx, input);
    const [course] = await ctx.db
      .insert(courses)
      .values({
        tenantId: viewer.tenantId,
        name: input.name!.trim(),
        description: input.description?.trim() ?? "",
        startsOn: input.startsOn!,
        endsOn: input.endsOn!,
        price: input.price ?? "0",
        currency: (input.currency ?? ctx.tenant!.currency).toUpperCase(),
        capacity: input.capacity!,
        seasonId: input.seasonId ?? null,
        instructorId: input.instructorId ?? null,
        isPublished: input.isPublished ?? false,
        ...(input.offerHoldHours != null && { offerHoldHours: input.offerHoldHours }),
      })
      .returning();
    await replaceTagsAndSchedule(ctx, course!, input);
    await audit(ctx, { action: "course.create", entity: "course", entityId: course!.id, after: { ...course, input } });
    return course!;
  });
}

export async function updateCourse(ctx: Context, id: string, input: CourseInput) {
  requireRole(ctx, "STAFF");
  checkCourse(input, false);
  return atomic(ctx, async (ctx) => {
    const [before] = await ctx.db
      .select()
      .from(courses)
      .where(and(ctx.scope.inTenant(courses), eq(courses.id, id)))
      .for("update");
    if (!before) throw notFound("Course", id);
    checkDates(input.startsOn ?? before.startsOn, input.endsOn ?? before.endsOn);
    // Places held for waitlist offers count as taken until the offers are answered.
    if (input.capacity != null && input.capacity < before.activeEnrollments + before.heldPlaces) {
      throw new AppError(
        "CONFLICT",
        "course.capacityBelowEnrolled",
        { enrolled: before.activeEnrollments + before.heldPlaces },
        { field: "capacity" },
      );
    }
    await checkReferences(ctx, input);
    const [after] = await ctx.db
      .update(courses)
      .set({
        ...(input.name != null && { name: input.name.trim() }),
        ...(input.description != null && { description: input.description.trim() }),
        ...(input.startsOn != null && { startsOn: input.startsOn }),
        ...(input.endsOn != null && { endsOn: input.endsOn }),
        ...(input.price != null && { price: input.price }),
        ...(input.currency != null && { currency: input.currency.toUpperCase() }),
        ...(input.capacity != null && { capacity: input.capacity }),
        ...(input.seasonId !== undefined && { seasonId: input.seasonId }),
        ...(input.instructorId !== undefined && { instructorId: input.instructorId }),
        ...(input.isPublished != null && { isPublished: input.isPublished }),
        ...(input.offerHoldHours != null && { offerHoldHours: input.offerHoldHours }),
      })
      .where(and(ctx.scope.inTenant(courses), eq(courses.id, id)))
      .returning();
    await replaceTagsAndSchedule(ctx, after!, input);
    // A raised capacity frees places: the waitlist gets them first.
    const offered = after!.capacity > before.capacity ? await offerFreedPlaces(ctx, id) : [];
    ctx.loaders.course.clear(id);
    await audit(ctx, { action: "course.update", entity: "course", entityId: id, before, after: { ...after, input } });
    return offered.length ? ((await ctx.loaders.course.load(id)) ?? after!) : after!;
  });
}

/** Deletes a course nobody has asked to join (CONFLICT otherwise: drop or complete instead). */
export async function deleteCourse(ctx: Context, id: string) {
  requireRole(ctx, "STAFF");
  return atomic(ctx, async (ctx) => {
    const [used] = await ctx.db
      .select({ n: count() })
      .from(enrollmentRequests)
      .where(and(ctx.scope.inTenant(enrollmentRequests), eq(enrollmentRequests.courseId, id)));
    const [enrolled] = await ctx.db
      .select({ n: count() })
      .from(enrollments)
      .where(and(ctx.scope.inTenant(enrollments), eq(enrollments.courseId, id)));
    if ((used?.n ?? 0) + (enrolled?.n ?? 0) > 0) {
      // Enrolments carry the payments and attendance: history a centre must keep.
      throw new AppError("CONFLICT", "course.hasEnrollments", {}, { reason: "HAS_HISTORY", suggestion: "archiveCourse" });
    }
    const [deleted] = await ctx.db
      .delete(courses)
      .where(and(ctx.scope.inTenant(courses), eq(courses.id, id)))
      .returning();
    if (!deleted) throw notFound("Course", id);
    await audit(ctx, { action: "course.delete", entity: "course", entityId: id, before: deleted });
    return true;
  });
}

/**
 * Staff: archives a course (or brings it back). An archived course leaves the
 * default lists (staff list it with filter.includeArchived), keeps every row
 * (enrolments, payments, attendance, lectures) and refuses new enrolment requests,
 * approvals, lectures and attendance marks. Audited. Archiving is not cancelling:
 * nothing is cancelled and nobody is notified.
 */
export async function setCourseArchived(ctx: Context, id: string, archived: boolean) {
  requireRole(ctx, "STAFF");
  return atomic(ctx, async (ctx) => {
    const [before] = await ctx.db
      .select()
      .from(courses)
      .where(and(ctx.scope.inTenant(courses), eq(courses.id, id)))
      .for("update");
    if (!before) throw notFound("Course", id);
    if (Boolean(before.archivedAt) === archived)
      throw wrongState("Course", archived ? "ARCHIVED" : "CURRENT", archived ? "CURRENT" : "ARCHIVED");
    const [after] = await ctx.db
      .update(courses)
      .set({ archivedAt: archived ? new Date() : null, updatedAt: new Date() })
      .where(and(ctx.scope.inTenant(courses), eq(courses.id, id)))
      .returning();
    ctx.loaders.course.clear(id).prime(id, after!);
    await audit(ctx, { action: archived ? "course.archive" : "course.unarchive", entity: "course", entityId: id, before, after });
    return after!;
  });
}

/** May the viewer see this course? Published: anyone here; otherwise staff or its instructor. */
export async function canSeeCourse(ctx: Context, course: Course): Promise<boolean> {
  return course.isPublished || (await teachesCourse(ctx, course));
}

/** SQL: the courses the viewer may see (canSeeCourse): all for staff, published ones and those they teach for others. */
export async function courseVisibility(ctx: Context): Promise<SQL | undefined> {
  if (isStaff(ctx.viewer)) return undefined;
  const instructorId = await viewerInstructorId(ctx);
  return instructorId ? or(eq(courses.isPublished, true), eq(courses.instructorId, instructorId)) : eq(courses.isPublished, true);
}

/** A course the viewer may see, or NOT_FOUND (unpublished courses do not exist for others). */
export async function getCourse(ctx: Context, id: string, load?: LoadRows): Promise<Course> {
  requireTenant(ctx);
  let course: Course | null;
  if (load) {
    [course = null] = await load(
      ctx.db
        .select()
        .from(courses)
        .where(and(ctx.scope.inTenant(courses), eq(courses.id, id))),
    );
    if (course) ctx.loaders.course.prime(id, course);
  } else {
    course = await ctx.loaders.course.load(id);
  }
  if (!course || !(await canSeeCourse(ctx, course))) throw notFound("Course", id);
  return course;
}

/** A course the viewer teaches or manages (staff, or its instructor), or FORBIDDEN/NOT_FOUND. */
export async function courseForTeacher(ctx: Context, id: string): Promise<Course> {
  const _viewer = requireRole(ctx, "STAFF", "INSTRUCTOR");
  const course = await ctx.loaders.course.load(id);
  if (!course) throw notFound("Course", id);
  if (!(await teachesCourse(ctx, course))) {
    // Someone else's course: unpublished ones do not exist for this viewer.
    if (!course.isPublished) throw notFound("Course", id);
    throw new AppError("FORBIDDEN", "course.notYourCourse");
  }
  return course;
}

export interface CourseFilter {
  seasonId?: string | null;
  activeSeason?: boolean | null;
  tagIds?: string[] | null;
  instructorId?: string | null;
  /** Courses running on or after this date. */
  from?: string | null;
  /** Courses running on or before this date. */
  to?: string | null;
  search?: string | null;
  isPublished?: boolean | null;
  /** Staff: archived courses too (others never list them). */
  includeArchived?: boolean | null;
}

export type CourseOrderField = "STARTS_ON" | "NAME" | "PRICE" | "CREATED_AT";
export interface CourseOrder {
  field: CourseOrderField;
  direction: SortDirection;
}

/** The column each ordering sorts by (then the id); its type decides what a cursor keeps. */
const ORDER_COLUMNS = {
  STARTS_ON: courses.startsOn,
  NAME: courses.name,
  PRICE: courses.price,
  CREATED_AT: courses.createdAt,
} as const satisfies Record<CourseOrderField, unknown>;

export async function listCourses(
  ctx: Context,
  args: { filter?: CourseFilter | null; orderBy?: CourseOrder | null; first?: number | null; after?: string | null },
  load: LoadRows = asIs,
) {
  const tenant = requireTenant(ctx);
  const orderBy = args.orderBy ?? { field: "STARTS_ON", direction: "ASC" };
  const order = by<Course>(orderBy.direction, ORDER_COLUMNS[orderBy.field], courses.id);
  order.after(args.after); // checks the cursor before any statement
  const f = args.filter ?? {};
  if (f.from && f.to && f.to < f.from) throw badInput("filter.to", "before filter.from");

  const visible = await courseVisibility(ctx);
  const text = f.search?.trim();
  const where = and(
    ctx.scope.inTenant(courses),
    visible,
    f.seasonId ? eq(courses.seasonId, f.seasonId) : undefined,
    f.activeSeason != null
      ? sql`${courses.seasonId} ${f.activeSeason ? sql`IN` : sql`NOT IN`} (SELECT ${seasons.id} FROM ${seasons} WHERE ${seasons.tenantId} = ${tenant.id} AND ${seasons.isActive})`
      : undefined,
    f.tagIds?.length
      ? exists(
          ctx.db
            .select({ one: sql`1` })
            .from(courseTags)
            .where(
              and(eq(courseTags.tenantId, courses.tenantId), eq(courseTags.courseId, courses.id), inArray(courseTags.tagId, f.tagIds)),
            ),
        )
      : undefined,
    f.instructorId ? eq(courses.instructorId, f.instructorId) : undefined,
    f.from ? gte(courses.endsOn, f.from) : undefined,
    f.to ? lte(courses.startsOn, f.to) : undefined,
    text ? or(ilike(courses.name, `%${text}%`), ilike(courses.description, `%${text}%`)) : undefined,
    f.isPublished != null ? eq(courses.isPublished, f.isPublished) : undefined,
    f.includeArchived && isStaff(ctx.viewer) ? undefined : isNull(courses.archivedAt),
  );
  return page(ctx, { from: courses, where, order, first: args.first, after: args.after, load, prime: ctx.loaders.course });
}
