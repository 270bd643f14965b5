/**
 * Subscriptions: what a viewer may listen to, and on which channel. Each
 * function authorises at subscribe time (with the database), subscribes to the
 * narrowest channel, and filters events the viewer may not see.
 */
import { requireMember, requireUser } from "../auth/guards";
import type { Context } from "../context";
import { AppError, notFound } from "../errors";
import { Topic, type TopicPayloads } from "../pubsub/topics";
import { teaches } from "./attendance";
import { canSeeCourse } from "./courses";
import { canSeeEvent, getEvent } from "./events";
import { ownParticipantIds } from "./participants";

/** Keeps the events `keep` accepts; ending the result ends (unsubscribes) the source. */
export function filtered<T>(source: AsyncIterableIterator<T>, keep: (event: T) => boolean): AsyncIterableIterator<T> {
  const iterator: AsyncIterableIterator<T> = {
    async next() {
      for (;;) {
        const result = await source.next();
        if (result.done || keep(result.value)) return result;
      }
    },
    return: () => source.return?.() ?? Promise.resolve({ value: undefined, done: true }),
    throw: (error) => source.throw?.(error) ?? Promise.reject(error),
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}

/** The viewer's own profile and password changes. */
export function subscribeToProfile(ctx: Context) {
  const viewer = requireUser(ctx);
  return ctx.app.bus.subscribe(Topic.ProfileUpdated, [viewer.userId]);
}

/** The viewer's new notifications in the current tenant. */
export async function subscribeToNotifications(ctx: Context) {
  const viewer = requireMember(ctx);
  const source = await ctx.app.bus.subscribe(Topic.NotificationAdded, [viewer.userId]);
  return filtered(source, (event) => event.tenantId === viewer.tenantId);
}

/**
 * Attendance marks of one lecture or of one course. Teachers (staff, the course's
 * instructor) and the tenant's devices get every mark; a family only events that
 * touch its own participants.
 */
export async function subscribeToAttendance(ctx: Context, args: { lectureId?: string | null; courseId?: string | null }) {
  if (Boolean(args.lectureId) === Boolean(args.courseId)) throw new AppError("BAD_USER_INPUT", "attendance.oneTarget");
  if (ctx.viewer.kind !== "device") requireMember(ctx);
  let courseId = args.courseId ?? null;
  if (args.lectureId) {
    const lecture = await ctx.loaders.lecture.load(args.lectureId);
    if (!lecture) throw notFound("Lecture", args.lectureId);
    courseId = lecture.courseId;
  }
  const course = await ctx.loaders.course.load(courseId!);
  if (!course || (ctx.viewer.kind !== "device" && !(await canSeeCourse(ctx, course)))) {
    throw notFound(args.lectureId ? "Lecture" : "Course", (args.lectureId ?? args.courseId)!);
  }
  const everything = ctx.viewer.kind === "device" || (await teaches(ctx, course.id));
  let own: Set<string> | null = null;
  if (!everything) {
    // A family listens for its own participants enrolled in the course.
    const mine = new Set(await ownParticipantIds(ctx));
    const enrolled = await ctx.loaders.enrollmentsOfCourse.load(course.id);
    own = new Set(enrolled.map((row) => (row.studentId ?? row.childId)!).filter((id) => mine.has(id)));
    if (own.size === 0) throw new AppError("FORBIDDEN", "attendance.notYourLecture");
  }
  const source = await ctx.app.bus.subscribe(Topic.AttendanceUpdated, [course.tenantId, course.id]);
  return filtered(
    source,
    (event) => (!args.lectureId || event.lectureId === args.lectureId) && (!own || event.participantIds.some((id) => own.has(id))),
  );
}

/**
 * Changes to the tenant's events (or to one of them) that the viewer may see:
 * members of the tenant only; drafts reach only their creator and staff. An
 * unknown or hidden eventId fails now rather than staying silent forever.
 */
export async function subscribeToEvents(ctx: Context, eventId?: string | null) {
  const viewer = requireMember(ctx);
  if (eventId) await getEvent(ctx, eventId);
  const source = await ctx.app.bus.subscribe(Topic.EventUpdated, [viewer.tenantId]);
  return filtered(
    source,
    (update: TopicPayloads[Topic.EventUpdated]) => (!eventId || update.eventId === eventId) && canSeeEvent(viewer, update),
  );
}
