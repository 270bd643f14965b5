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
  @Field(() => UUID)
  id: string;

  @Field(() => String)
  name: string;

  @Field(() => SeasonKind)
  kind: SeasonKindValue;

  @Field(() => LocalDate)
  startsOn: string;

  @Field(() => LocalDate)
  endsOn: string;

  @Field(() => Boolean)
  isActive: boolean;
}

@ObjectType({ description: "A label that groups courses." })
export class Tag implements Pick<TagRow, "id" | "name"> {
  @Field(() => UUID)
  id: string;

  @Field(() => String)
  name: string;
}

@ObjectType({ description: "A weekly slot. Weekday: Saturday=0 … Friday=6." })
export class ScheduleSlot implements Pick<CourseSchedule, "weekday" | "startTime" | "durationMinutes"> {
  @Field(() => Int, { description: "Saturday=0, Sunday=1 … Friday=6." })
  weekday: number;

  @Field(() => LocalTime, { description: "Local time in the tenant's time zone." })
  startTime: string;

  @Field(() => Int)
  durationMinutes: number;
}

@ObjectType({ description: "A course: dates, price, capacity, season, instructor, tags and weekly schedule." })
export class Course
  implements
    Pick<CourseRow, "id" | "name" | "description" | "startsOn" | "endsOn" | "capacity" | "isPublished" | "createdAt">
{
  @Field(() => UUID)
  id: string;

  @Field(() => String)
  name: string;

  @Field(() => String)
  description: string;

  @Field(() => LocalDate)
  startsOn: string;

  @Field(() => LocalDate)
  endsOn: string;

  @Field(() => Int)
  capacity: number;

  @Field(() => Boolean, { description: "Visible to everyone in the tenant and open for enrolment requests." })
  isPublished: boolean;

  @Field(() => DateTime)
  createdAt: Date;

  price: string;
  currency: string;
  seasonId: string | null;
  instructorId: string | null;
  activeEnrollments: number;
  tenantId: string;
}

@ObjectType({ description: "One session of a course." })
export class Lecture implements Pick<LectureRow, "id" | "date" | "startTime" | "durationMinutes" | "title" | "status" | "attendanceTaken" | "cancelledReason"> {
  @Field(() => UUID)
  id: string;

  @Field(() => LocalDate, { description: "Local date in the tenant's time zone." })
  date: string;

  @Field(() => LocalTime)
  startTime: string;

  @Field(() => Int)
  durationMinutes: number;

  @Field(() => String, { nullable: true })
  title: string | null;

  @Field(() => LectureStatus)
  status: LectureStatusValue;

  @Field(() => Boolean, { description: "Attendance has been marked for this lecture." })
  attendanceTaken: boolean;

  @Field(() => String, { nullable: true })
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
  @Field(() => UUID)
  id: string;

  @Field(() => String)
  title: string;

  @Field(() => LocalDate)
  date: string;

  @Field(() => Decimal)
  maxScore: string;

  courseId: string;
  tenantId: string;
}

@ObjectType({ description: "A participant's result in an exam." })
export class ExamResult implements Pick<ExamResultRow, "id" | "score" | "notes"> {
  @Field(() => UUID)
  id: string;

  @Field(() => Decimal)
  score: string;

  @Field(() => String, { nullable: true })
  notes: string | null;

  examId: string;
  studentId: string | null;
  childId: string | null;
}
