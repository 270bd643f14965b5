/** Loaders for the catalogue and enrolment: courses and their relations, people profiles, participants. */
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import {
  children,
  courseSchedules,
  courseTags,
  courses,
  enrollmentRequests,
  enrollments,
  examResults,
  exams,
  instructorRatings,
  instructors,
  lectureAttendance,
  lectures,
  parents,
  seasons,
  students,
  tags,
} from "../../drizzle/schema";
import { manyLoader, oneLoader } from "./batch";
import type { LoaderContext } from "./index";

export function courseLoaders(ctx: LoaderContext) {
  const { db } = ctx;
  /** The request's tenant, stated in every query (row-level security repeats it). */
  const { inTenant } = ctx.scope;

  return {
    course: oneLoader(
      (ids: readonly string[]) => db.select().from(courses).where(and(inTenant(courses), inArray(courses.id, [...ids]))),
      (row) => row.id,
    ),
    season: oneLoader(
      (ids: readonly string[]) => db.select().from(seasons).where(and(inTenant(seasons), inArray(seasons.id, [...ids]))),
      (row) => row.id,
    ),
    instructor: oneLoader(
      (ids: readonly string[]) => db.select().from(instructors).where(and(inTenant(instructors), inArray(instructors.id, [...ids]))),
      (row) => row.id,
    ),
    instructorByUser: oneLoader(
      (userIds: readonly string[]) =>
        db.select().from(instructors).where(and(inTenant(instructors), inArray(instructors.userId, [...userIds]))),
      (row) => row.userId,
    ),
    studentByUser: oneLoader(
      (userIds: readonly string[]) => db.select().from(students).where(and(inTenant(students), inArray(students.userId, [...userIds]))),
      (row) => row.userId,
    ),
    parentByUser: oneLoader(
      (userIds: readonly string[]) => db.select().from(parents).where(and(inTenant(parents), inArray(parents.userId, [...userIds]))),
      (row) => row.userId,
    ),
    parent: oneLoader(
      (ids: readonly string[]) => db.select().from(parents).where(and(inTenant(parents), inArray(parents.id, [...ids]))),
      (row) => row.id,
    ),
    childrenOfParent: manyLoader(
      (parentIds: readonly string[]) =>
        db
          .select()
          .from(children)
          .where(and(inTenant(children), inArray(children.parentId, [...parentIds])))
          .orderBy(asc(children.createdAt)),
      (row) => row.parentId,
    ),
    /** Ids of the participants an account answers for: its student profile and its children. */
    participantIdsOfUser: manyLoader(
      async (userIds: readonly string[]) => {
        const [own, kids] = await Promise.all([
          db
            .select({ id: students.id, userId: students.userId })
            .from(students)
            .where(and(inTenant(students), inArray(students.userId, [...userIds]))),
          db
            .select({ id: children.id, userId: parents.userId })
            .from(children)
            .innerJoin(parents, and(eq(parents.tenantId, children.tenantId), eq(parents.id, children.parentId)))
            .where(and(inTenant(children), inArray(parents.userId, [...userIds]))),
        ]);
        return [...own, ...kids];
      },
      (row) => row.userId,
    ),
    /** A student or a child, by id. */
    participant: oneLoader(
      async (ids: readonly string[]) => {
        const [studentRows, childRows] = await Promise.all([
          db.select().from(students).where(and(inTenant(students), inArray(students.id, [...ids]))),
          db.select().from(children).where(and(inTenant(children), inArray(children.id, [...ids]))),
        ]);
        return [
          ...studentRows.map((row) => ({ kind: "student" as const, id: row.id, row })),
          ...childRows.map((row) => ({ kind: "child" as const, id: row.id, row })),
        ];
      },
      (row) => row.id,
    ),
    tagsOfCourse: manyLoader(
      (courseIds: readonly string[]) =>
        db
          .select({ courseId: courseTags.courseId, tag: tags })
          .from(courseTags)
          .innerJoin(tags, and(eq(tags.tenantId, courseTags.tenantId), eq(tags.id, courseTags.tagId)))
          .where(and(inTenant(courseTags), inArray(courseTags.courseId, [...courseIds])))
          .orderBy(asc(tags.name)),
      (row) => row.courseId,
    ),
    scheduleOfCourse: manyLoader(
      (courseIds: readonly string[]) =>
        db
          .select()
          .from(courseSchedules)
          .where(and(inTenant(courseSchedules), inArray(courseSchedules.courseId, [...courseIds])))
          .orderBy(asc(courseSchedules.weekday), asc(courseSchedules.startTime)),
      (row) => row.courseId,
    ),
    lecture: oneLoader(
      (ids: readonly string[]) => db.select().from(lectures).where(and(inTenant(lectures), inArray(lectures.id, [...ids]))),
      (row) => row.id,
    ),
    lecturesOfCourse: manyLoader(
      (courseIds: readonly string[]) =>
        db
          .select()
          .from(lectures)
          .where(and(inTenant(lectures), inArray(lectures.courseId, [...courseIds])))
          .orderBy(asc(lectures.date), asc(lectures.startTime)),
      (row) => row.courseId,
    ),
    exam: oneLoader(
      (ids: readonly string[]) => db.select().from(exams).where(and(inTenant(exams), inArray(exams.id, [...ids]))),
      (row) => row.id,
    ),
    examsOfCourse: manyLoader(
      (courseIds: readonly string[]) =>
        db
          .select()
          .from(exams)
          .where(and(inTenant(exams), inArray(exams.courseId, [...courseIds])))
          .orderBy(asc(exams.date)),
      (row) => row.courseId,
    ),
    resultsOfExam: manyLoader(
      (examIds: readonly string[]) =>
        db
          .select()
          .from(examResults)
          .where(and(inTenant(examResults), inArray(examResults.examId, [...examIds])))
          .orderBy(asc(examResults.createdAt)),
      (row) => row.examId,
    ),
    attendanceOfLecture: manyLoader(
      (lectureIds: readonly string[]) =>
        db
          .select()
          .from(lectureAttendance)
          .where(and(inTenant(lectureAttendance), inArray(lectureAttendance.lectureId, [...lectureIds])))
          .orderBy(asc(lectureAttendance.markedAt), asc(lectureAttendance.id)),
      (row) => row.lectureId,
    ),
    /** Average rating and count per instructor. */
    ratingOfInstructor: oneLoader(
      (instructorIds: readonly string[]) =>
        db
          .select({
            instructorId: instructorRatings.instructorId,
            average: sql<string>`round(avg(${instructorRatings.rating}), 2)::text`,
            count: sql<number>`count(*)::int`,
          })
          .from(instructorRatings)
          .where(and(inTenant(instructorRatings), inArray(instructorRatings.instructorId, [...instructorIds])))
          .groupBy(instructorRatings.instructorId),
      (row) => row.instructorId,
    ),
    enrollment: oneLoader(
      (ids: readonly string[]) => db.select().from(enrollments).where(and(inTenant(enrollments), inArray(enrollments.id, [...ids]))),
      (row) => row.id,
    ),
    enrollmentsOfCourse: manyLoader(
      (courseIds: readonly string[]) =>
        db
          .select()
          .from(enrollments)
          .where(and(inTenant(enrollments), inArray(enrollments.courseId, [...courseIds])))
          .orderBy(asc(enrollments.enrolledAt)),
      (row) => row.courseId,
    ),
    enrollmentRequest: oneLoader(
      (ids: readonly string[]) =>
        db.select().from(enrollmentRequests).where(and(inTenant(enrollmentRequests), inArray(enrollmentRequests.id, [...ids]))),
      (row) => row.id,
    ),
  };
}
