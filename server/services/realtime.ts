/**
 * Subscriptions: what a viewer may listen to, and on which channel. Each
 * function authorises at subscribe time (with the database) and returns a live
 * source: the narrowest channel and, decided in memory per event, which events
 * the viewer may see (server/realtime/live.ts).
 */
import { requireMember, requireUser } from "../auth/guards";
import type { Context } from "../context";
import { AppError, notFound } from "../errors";
import { Topic, type TopicPayloads } from "../pubsub/topics";
import { live } from "../realtime/live";
import { onlyOwn, participantIdOf, teaches } from "../auth/policies";
import { canSeeCourse } from "./courses";
import { canSeeEvent, getEvent } from "./events";

/** The viewer's own profile and password changes. */
export function subscribeToProfile(ctx: Context) {
  const viewer = requireUser(ctx);
  return live(ctx.app.bus, { topic: Topic.ProfileUpdated, keys: [viewer.userId], keep: () => true, scope: "user" });
}

/** The viewer's new notifications in the current tenant. */
export async function subscribeToNotifications(ctx: Context) {
  const viewer = requireMember(ctx);
  return live(ctx.app.bus, {
    topic: Topic.NotificationAdded,
    keys: [viewer.userId],
    keep: (event) => event.tenantId === viewer.tenantId,
    scope: "user",
  });
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
    const enrolled = await onlyOwn(ctx, await ctx.loaders.enrollmentsOfCourse.load(course.id));
    own = new Set(enrolled.map(participantIdOf));
    if (own.size === 0) throw new AppError("FORBIDDEN", "attendance.notYourLecture");
  }
  return live(ctx.app.bus, {
    topic: Topic.AttendanceUpdated,
    keys: [course.tenantId, course.id],
    keep: (event) => (!args.lectureId || event.lectureId === args.lectureId) && (!own || event.participantIds.some((id) => own.has(id))),
    scope: "tenant",
  });
}

/**
 * Changes to the tenant's events (or to one of them) that the viewer may see:
 * members of the tenant only; drafts reach only their creator and staff. An
 * unknown or hidden eventId fails now rather than staying silent forever.
 */
export async function subscribeToEvents(ctx: Context, eventId?: string | null) {
  const viewer = requireMember(ctx);
  if (eventId) await getEvent(ctx, eventId);
  return live(ctx.app.bus, {
    topic: Topic.EventUpdated,
    keys: [viewer.tenantId],
    keep: (update: TopicPayloads[Topic.EventUpdated]) => (!eventId || update.eventId === eventId) && canSeeEvent(viewer, update),
    scope: "tenant",
  });
}
