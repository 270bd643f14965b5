/**
 * What an archived record refuses: new enrolments, waitlist places, lectures and marks
 * for an archived course (CONFLICT, reason ARCHIVED). Its own module so that services
 * below courses.ts (the course waitlist) can ask too.
 */
import type { Course } from "../../drizzle/schema";
import { AppError } from "../errors";

/** CONFLICT when the course is archived: no new enrolments, lectures or attendance marks. */
export function requireNotArchived(course: Pick<Course, "name" | "archivedAt">): void {
  if (course.archivedAt) throw new AppError("CONFLICT", "course.archived", { name: course.name }, { reason: "ARCHIVED" });
}
