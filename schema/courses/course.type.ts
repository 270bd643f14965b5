import { Field, Int, ObjectType } from "type-graphql";
import type {
  Course as CourseRow,
  CourseSchedule,
  Exam as ExamRow,
  ExamResult as ExamResultRow,
  Lecture as LectureRow,
  Season as SeasonRow,
  Tag as TagRow,
} from "../../drizzle/schema";
import type { LectureStatus as LectureStatusValue, SeasonKind as SeasonKindValue } from "../../drizzle/tables/enums-types";
import { LectureStatus, SeasonKind } from "../shared/enums";
import { DateTime, Decimal, LocalDate, LocalTime, UUID } from "../shared/scalars";

@ObjectType({ description: "An academic period: summer camp, school term, Ramadan, Eid …" })
export class Season implements Pick<SeasonRow, "id" | "name" | "kind" | "startsOn" | "endsOn" | "isActive"> {
  @Field(() => UUID, { description: "The season's id." })
  id: string;

  @Field(() => String, { description: 'Its name, e.g. "Summer 2025".' })
  name: string;

  @Field(() => SeasonKind, { description: "What kind of period it is." })
  kind: SeasonKindValue;

  @Field(() => LocalDate, { description: "First day (YYYY-MM-DD)." })
  startsOn: string;

  @Field(() => LocalDate, { description: "Last day (YYYY-MM-DD), on or after startsOn." })
  endsOn: string;

  @Field(() => Boolean, {
    description: "Marked current by staff (several may be); seasons(activeOnly) and CourseFilter.activeSeason read it.",
  })
  isActive: boolean;
}

@ObjectType({ description: "A label that groups courses." })
export class Tag implements Pick<TagRow, "id" | "name"> {
  @Field(() => UUID, { description: "The tag's id." })
  id: string;

  @Field(() => String, { description: "Unique in the tenant, 1 to 60 characters." })
  name: string;
}

@ObjectType({ description: "A weekly slot. Weekday: Saturday=0 … Friday=6." })
export class ScheduleSlot implements Pick<CourseSchedule, "weekday" | "startTime" | "durationMinutes"> {
  @Field(() => Int, { description: "Saturday=0, Sunday=1 … Friday=6." })
  weekday: number;

  @Field(() => LocalTime, { description: "Start, local time (HH:MM:SS) in the tenant's time zone." })
  startTime: string;

  @Field(() => Int, { description: "Length in minutes, 1 to 1440." })
  durationMinutes: number;
}

@ObjectType({ description: "A course: dates, price, capacity, season, instructor, tags and weekly schedule." })
export class Course
  implements
    Pick<
      CourseRow,
      "id" | "name" | "description" | "startsOn" | "endsOn" | "capacity" | "isPublished" | "offerHoldHours" | "createdAt" | "archivedAt"
    >
{
  @Field(() => UUID, { description: "The course's id." })
  id: string;

  @Field(() => String, { description: "Its name (not empty)." })
  name: string;

  @Field(() => String, { description: "Free text; may be empty." })
  description: string;

  @Field(() => LocalDate, { description: "First day (YYYY-MM-DD); generateLectures starts here." })
  startsOn: string;

  @Field(() => LocalDate, { description: "Last day (YYYY-MM-DD), on or after startsOn; enrolment requests close after it." })
  endsOn: string;

  @Field(() => Int, { description: "Places in total, 1 to 100,000: ACTIVE enrolments never exceed it." })
  capacity: number;

  @Field(() => Boolean, { description: "Visible to everyone in the tenant and open for enrolment requests." })
  isPublished: boolean;

  @Field(() => Int, { description: "Hours a waitlist offer is held for the family it goes to (1 to 720; default 48)." })
  offerHoldHours: number;

  @Field(() => DateTime, { description: "When the course was created." })
  createdAt: Date;

  @Field(() => DateTime, {
    nullable: true,
    description:
      "When staff archived it (archiveCourse); null while current. An archived course is left out of lists unless staff ask " +
      "for it (CourseFilter.includeArchived) and takes no new enrolments, lectures or attendance marks; its history stays.",
  })
  archivedAt: Date | null;

  price: string;
  currency: string;
  seasonId: string | null;
  instructorId: string | null;
  activeEnrollments: number;
  heldPlaces: number;
  tenantId: string;
}

@ObjectType({ description: "One session of a course." })
export class Lecture
  implements Pick<LectureRow, "id" | "date" | "startTime" | "durationMinutes" | "title" | "status" | "attendanceTaken" | "cancelledReason">
{
  @Field(() => UUID, { description: "The lecture's id." })
  id: string;

  @Field(() => LocalDate, { description: "Local date (YYYY-MM-DD) in the tenant's time zone." })
  date: string;

  @Field(() => LocalTime, { description: "Start, local time (HH:MM:SS) in the tenant's time zone." })
  startTime: string;

  @Field(() => Int, { description: "Length in minutes, 1 to 1440." })
  durationMinutes: number;

  @Field(() => String, { nullable: true, description: "A title, e.g. the topic; null when none was given." })
  title: string | null;

  @Field(() => LectureStatus, { description: "SCHEDULED, COMPLETED or CANCELLED." })
  status: LectureStatusValue;

  @Field(() => Boolean, { description: "Attendance has been marked for this lecture." })
  attendanceTaken: boolean;

  @Field(() => String, { nullable: true, description: "Why it was cancelled (cancelLecture's reason); null otherwise." })
  cancelledReason: string | null;

  courseId: string;
  tenantId: string;
}

@ObjectType({ description: "Lectures created from a course's schedule." })
export class GenerateLecturesPayload {
  @Field(() => Int, { description: "Lectures created now (0 when run again)." })
  created: number;

  @Field(() => [Lecture], { description: "Every lecture of the course, by date." })
  lectures: LectureRow[];
}

@ObjectType({ description: "An exam of a course." })
export class Exam implements Pick<ExamRow, "id" | "title" | "date" | "maxScore"> {
  @Field(() => UUID, { description: "The exam's id." })
  id: string;

  @Field(() => String, { description: "Its title (not empty)." })
  title: string;

  @Field(() => LocalDate, { description: "When it takes place (YYYY-MM-DD)." })
  date: string;

  @Field(() => Decimal, { description: "The highest possible score (above 0)." })
  maxScore: string;

  courseId: string;
  tenantId: string;
}

@ObjectType({ description: "A participant's result in an exam." })
export class ExamResult implements Pick<ExamResultRow, "id" | "score" | "notes"> {
  @Field(() => UUID, { description: "The result's id." })
  id: string;

  @Field(() => Decimal, { description: "From 0 to the exam's maxScore." })
  score: string;

  @Field(() => String, { nullable: true, description: "The teacher's remarks; null when none." })
  notes: string | null;

  examId: string;
  studentId: string | null;
  childId: string | null;
}
