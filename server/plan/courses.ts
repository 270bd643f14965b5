/** Planned reads of the catalogue: courses, their lectures, season, instructor, tags, schedule and exams. */
import {
  attendanceSettings,
  courseSchedules,
  courses,
  courseTags,
  exams,
  instructors,
  lectureAttendance,
  lectures,
  seasons,
  tags,
} from "../../drizzle/schema";
import { viewerInstructorId } from "../auth/policies";
import { isStaff } from "../auth/viewer";
import { badInput } from "../errors";
import { cursorPart, decodeCursor, encodeCursor, LIST_LIMITS } from "../pagination";
import { attendanceSummary, type StatusCounts } from "../services/attendance";
import { declareSources, type Row, type Source } from "./model";

const cap = (field: string) => LIST_LIMITS[field]!.cap;
const sameId = (column: string) => (p: { col(k: string): string }, c: { col(k: string): string }) => `${c.col("id")} = ${p.col(column)}`;

// Keys are what a planned object carries besides its selected fields: as few as
// resolvers need (every key is built and parsed for every row of a large answer).
export const Season: Source = { type: "Season", table: seasons, keys: ["id"] };
export const Tag: Source = { type: "Tag", table: tags, keys: ["id"] };
export const ScheduleSlot: Source = { type: "ScheduleSlot", table: courseSchedules, keys: ["id"] };
export const Instructor: Source = {
  type: "Instructor",
  table: instructors,
  keys: ["id", "tenantId", "userId"],
  reads: { user: ["userId"], averageRating: ["id"], ratingCount: ["id"] },
};

/** A lecture's place in a course's list: date and start time ("YYYY-MM-DD HH:MM:SS"), then id. */
export const lectureCursor = (row: Row) => encodeCursor([`${row.date} ${row.startTime}`, row.id]);

export const Lecture: Source = {
  type: "Lecture",
  table: lectures,
  keys: ["id"],
  reads: { startsAt: ["date", "startTime"], endsAt: ["date", "startTime", "durationMinutes"] },
  relations: {
    course: { kind: "one", target: () => Course, needs: ["courseId"], on: sameId("courseId") },
    attendanceSummary: {
      kind: "value",
      needs: ["id", "courseId", "status"],
      // Teachers only: staff see every lecture's counts, an instructor those of their courses.
      prepare: async (ctx) => (isStaff(ctx.viewer) ? "all" : await viewerInstructorId(ctx)),
      sql(p, params, aliases, who) {
        if (!who) return null;
        const a = aliases.of(lectureAttendance);
        const w = aliases.of(attendanceSettings);
        const course = aliases.of(courses);
        const teaches = who === "all" ? "true" : `${course.col("instructorId")} = ${params.add(who, "uuid")}`;
        return (
          `(select case when ${teaches} then json_build_object(` +
          `'counts', (select json_build_object(` +
          `'present', count(*) filter (where ${a.col("status")} = 'PRESENT'), 'late', count(*) filter (where ${a.col("status")} = 'LATE'),` +
          ` 'absent', count(*) filter (where ${a.col("status")} = 'ABSENT'), 'excused', count(*) filter (where ${a.col("status")} = 'EXCUSED'))` +
          ` from ${a.from} where ${a.col("tenantId")} = ${p.col("tenantId")} and ${a.col("lectureId")} = ${p.col("id")}),` +
          ` 'lateWeight', coalesce((select ${w.col("lateWeight")} from ${w.from} where ${w.col("tenantId")} = ${p.col("tenantId")}), 1),` +
          ` 'enrolled', ${course.col("activeEnrollments")}) end` +
          ` from ${course.from} where ${course.col("tenantId")} = ${p.col("tenantId")} and ${course.col("id")} = ${p.col("courseId")})`
        );
      },
      finish: (raw, lecture) => {
        if (!raw) return null;
        const { counts, lateWeight, enrolled } = raw as { counts: StatusCounts; lateWeight: number; enrolled: number };
        return { ...attendanceSummary(lecture as never, counts, enrolled, lateWeight), lecture };
      },
      parentField: "lecture",
    },
  },
};

export const Exam: Source = {
  type: "Exam",
  table: exams,
  keys: ["id", "tenantId", "courseId"],
  reads: { results: ["id", "courseId"] },
  relations: {
    course: { kind: "one", target: () => Course, needs: ["courseId"], on: sameId("courseId") },
  },
};

export const Course: Source = {
  type: "Course",
  table: courses,
  keys: ["id", "tenantId"],
  reads: {
    price: ["price", "currency"],
    spotsLeft: ["capacity", "activeEnrollments", "heldPlaces"],
    heldPlaces: ["heldPlaces"],
    enrolledCount: ["activeEnrollments"],
    enrollments: ["id"],
  },
  relations: {
    season: { kind: "one", target: () => Season, needs: ["seasonId"], on: sameId("seasonId") },
    instructor: { kind: "one", target: () => Instructor, needs: ["instructorId"], on: sameId("instructorId") },
    tags: {
      kind: "many",
      target: () => Tag,
      needs: ["id"],
      on: (p, link) => `${link.col("courseId")} = ${p.col("id")}`,
      through: {
        table: courseTags,
        on: (p, link) => `${link.col("courseId")} = ${p.col("id")}`,
        to: (link, c) => `${c.col("id")} = ${link.col("tagId")}`,
      },
      orderBy: (c) => `${c.col("name")}, ${c.col("id")}`,
      cap: cap("Course.tags"),
    },
    schedule: {
      kind: "many",
      target: () => ScheduleSlot,
      needs: ["id"],
      on: (p, c) => `${c.col("courseId")} = ${p.col("id")}`,
      orderBy: (c) => `${c.col("weekday")}, ${c.col("startTime")}`,
      cap: cap("Course.schedule"),
    },
    exams: {
      kind: "many",
      target: () => Exam,
      needs: ["id"],
      on: (p, c) => `${c.col("courseId")} = ${p.col("id")}`,
      orderBy: (c) => `${c.col("date")}, ${c.col("id")}`,
      cap: cap("Course.exams"),
    },
    lectures: {
      kind: "connection",
      target: () => Lecture,
      needs: ["id"],
      on: (p, c) => `${c.col("courseId")} = ${p.col("id")}`,
      orderBy: (c) => `${c.col("date")}, ${c.col("startTime")}, ${c.col("id")}`,
      cursor: {
        columns: ["date", "startTime", "id"],
        encode: lectureCursor,
        after(c, params, cursor) {
          const [dateTime, id] = decodeCursor(cursor, [cursorPart.localDateTime, cursorPart.uuid])!;
          return `(${c.col("date")}::text || ' ' || ${c.col("startTime")}::text, ${c.col("id")}) > (${params.add(dateTime, "text")}, ${params.add(id, "uuid")})`;
        },
      },
      filter(args, c, params) {
        const filter = (args.filter ?? {}) as { from?: string | null; to?: string | null; status?: string | null };
        if (filter.from && filter.to && filter.to < filter.from) throw badInput("filter.to", "before filter.from");
        return [
          ...(filter.from ? [`${c.col("date")} >= ${params.add(filter.from, "date")}`] : []),
          ...(filter.to ? [`${c.col("date")} <= ${params.add(filter.to, "date")}`] : []),
          ...(filter.status ? [`${c.col("status")} = ${params.add(filter.status)}`] : []),
        ];
      },
    },
  },
};

declareSources(Season, Tag, ScheduleSlot, Instructor, Lecture, Exam, Course);
