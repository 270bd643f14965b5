import { Field, InputType, Int, registerEnumType } from "type-graphql";
import type { LectureStatus as LectureStatusValue, SeasonKind as SeasonKindValue } from "../../drizzle/tables/enums-types";
import type {
  CourseFilter as CourseFilterFields,
  CourseInput as CourseFields,
  CourseOrderField,
  ScheduleSlotInput as SlotFields,
  SeasonInput as SeasonFields,
} from "../../server/services/courses";
import type { ExamInput as ExamFields, ResultInput } from "../../server/services/exams";
import type { LectureFilter as LectureFilterFields, LectureInput as LectureFields } from "../../server/services/lectures";
import { LectureStatus, SeasonKind, SortDirection } from "../shared/enums";
import type { SortDirection as SortDirectionValue } from "../../server/pagination";
import { CurrencyCode, Decimal, LocalDate, LocalTime, UUID } from "../shared/scalars";

@InputType({ description: "A new season. Required: name, startsOn, endsOn." })
export class CreateSeasonInput implements SeasonFields {
  @Field(() => String, { nullable: true, description: "Its name; not empty." })
  name?: string | null;

  @Field(() => SeasonKind, { nullable: true, description: "What kind of period it is (default OTHER)." })
  kind?: SeasonKindValue | null;

  @Field(() => LocalDate, { nullable: true, description: "First day (YYYY-MM-DD)." })
  startsOn?: string | null;

  @Field(() => LocalDate, { nullable: true, description: "Last day (YYYY-MM-DD), on or after startsOn." })
  endsOn?: string | null;

  @Field(() => Boolean, { nullable: true, description: "Mark it current (default false when creating)." })
  isActive?: boolean | null;
}

@InputType({ description: "Changes to a season: omitted (or null) fields keep their value." })
export class UpdateSeasonInput extends CreateSeasonInput {}

@InputType({ description: "A weekly slot. Weekday: Saturday=0 … Friday=6." })
export class ScheduleSlotInput implements SlotFields {
  @Field(() => Int, { description: "Saturday=0, Sunday=1 … Friday=6." })
  weekday: number;

  @Field(() => LocalTime, { description: "Start, local time (HH:MM:SS) in the tenant's time zone." })
  startTime: string;

  @Field(() => Int, { nullable: true, description: "Length in minutes, 1 to 1440 (default 60)." })
  durationMinutes?: number | null;
}

@InputType({ description: "A new course. Required: name, startsOn, endsOn, capacity." })
export class CreateCourseInput implements CourseFields {
  @Field(() => String, { nullable: true, description: "Its name; not empty." })
  name?: string | null;

  @Field(() => String, { nullable: true, description: "Free text (default empty)." })
  description?: string | null;

  @Field(() => LocalDate, { nullable: true, description: "First day (YYYY-MM-DD)." })
  startsOn?: string | null;

  @Field(() => LocalDate, { nullable: true, description: "Last day (YYYY-MM-DD), on or after startsOn." })
  endsOn?: string | null;

  @Field(() => Decimal, { nullable: true, description: "0 or more; default 0." })
  price?: string | null;

  @Field(() => CurrencyCode, { nullable: true, description: "Default: the tenant's currency." })
  currency?: string | null;

  @Field(() => Int, { nullable: true, description: "Places, 1 to 100,000; not below the ACTIVE enrolments (CONFLICT)." })
  capacity?: number | null;

  @Field(() => UUID, { nullable: true, description: "A season of the tenant; null when updating removes it." })
  seasonId?: string | null;

  @Field(() => UUID, { nullable: true, description: "An Instructor profile id; null when updating removes the instructor." })
  instructorId?: string | null;

  @Field(() => [UUID], { nullable: true, description: "Tags of the tenant; replace the course's tags." })
  tagIds?: string[] | null;

  @Field(() => [ScheduleSlotInput], {
    nullable: true,
    description: "Weekly slots, each weekday and time once; replace the schedule (existing lectures stay: see generateLectures).",
  })
  schedule?: ScheduleSlotInput[] | null;

  @Field(() => Boolean, {
    nullable: true,
    description: "Visible to everyone in the tenant and open for enrolment requests (default false when creating).",
  })
  isPublished?: boolean | null;

  @Field(() => Int, {
    nullable: true,
    description: "Hours a waitlist offer is held for the family it goes to, 1 to 720 (default 48); changes apply to later offers.",
  })
  offerHoldHours?: number | null;
}

@InputType({ description: "Changes to a course: omitted fields keep their value; lists given replace the old ones." })
export class UpdateCourseInput extends CreateCourseInput {}

@InputType({ description: "Which courses to list." })
export class CourseFilter implements CourseFilterFields {
  @Field(() => UUID, { nullable: true, description: "Only courses of this season." })
  seasonId?: string | null;

  @Field(() => Boolean, { nullable: true, description: "Only courses of active (true) or inactive (false) seasons." })
  activeSeason?: boolean | null;

  @Field(() => [UUID], { nullable: true, description: "Courses with any of these tags." })
  tagIds?: string[] | null;

  @Field(() => UUID, { nullable: true, description: "Only courses this Instructor teaches." })
  instructorId?: string | null;

  @Field(() => LocalDate, { nullable: true, description: "Courses still running on or after this date." })
  from?: string | null;

  @Field(() => LocalDate, { nullable: true, description: "Courses starting on or before this date." })
  to?: string | null;

  @Field(() => String, { nullable: true, description: "Text found in the name or description (any case)." })
  search?: string | null;

  @Field(() => Boolean, { nullable: true, description: "Only published (true) or unpublished (false) courses among those you may see." })
  isPublished?: boolean | null;

  @Field(() => Boolean, {
    nullable: true,
    description: "Staff: archived courses too (default false). Ignored for everyone else, who never list archived courses.",
  })
  includeArchived?: boolean | null;
}

export const CourseOrderFieldEnum = { STARTS_ON: "STARTS_ON", NAME: "NAME", PRICE: "PRICE", CREATED_AT: "CREATED_AT" } as const;
registerEnumType(CourseOrderFieldEnum, {
  name: "CourseOrderField",
  description: "What courses are sorted by.",
  valuesConfig: {
    STARTS_ON: { description: "First day (the default)." },
    NAME: { description: "Name, in the database's collation." },
    PRICE: { description: "Price amount (whatever the currency)." },
    CREATED_AT: { description: "Creation time." },
  },
});

@InputType({ description: "Sort order of courses (ties broken by id)." })
export class CourseOrder {
  @Field(() => CourseOrderFieldEnum, { description: "Sort key." })
  field: CourseOrderField;

  @Field(() => SortDirection, { nullable: true, description: "Default ASC." })
  direction?: SortDirectionValue | null;
}

@InputType({ description: "A new lecture. Required: date and startTime." })
export class CreateLectureInput implements LectureFields {
  @Field(() => LocalDate, { nullable: true, description: "Local date (YYYY-MM-DD) in the tenant's time zone." })
  date?: string | null;

  @Field(() => LocalTime, { nullable: true, description: "Start, local time (HH:MM:SS) in the tenant's time zone." })
  startTime?: string | null;

  @Field(() => Int, { nullable: true, description: "Length in minutes, 1 to 1440 (default 60 when adding)." })
  durationMinutes?: number | null;

  @Field(() => String, { nullable: true, description: "An optional title, e.g. the topic; empty or null clears it." })
  title?: string | null;
}

@InputType({ description: "Changes to a SCHEDULED lecture; omitted fields keep their value; status COMPLETED closes it." })
export class UpdateLectureInput extends CreateLectureInput {
  @Field(() => LectureStatus, { nullable: true, description: "COMPLETED closes the lecture; CANCELLED is refused (use cancelLecture)." })
  status?: LectureStatusValue | null;
}

@InputType({ description: "Which lectures to list." })
export class LectureFilter implements LectureFilterFields {
  @Field(() => UUID, { nullable: true, description: "Only this course's lectures (NOT_FOUND if you may not see it)." })
  courseId?: string | null;

  @Field(() => LocalDate, { nullable: true, description: "On or after this date." })
  from?: string | null;

  @Field(() => LocalDate, { nullable: true, description: "On or before this date (not before from)." })
  to?: string | null;

  @Field(() => LectureStatus, { nullable: true, description: "Only lectures in this state." })
  status?: LectureStatusValue | null;
}

@InputType({ description: "Which of a course's lectures: a date range, a status." })
export class CourseLectureFilter {
  @Field(() => LocalDate, { nullable: true, description: "On or after this date." })
  from?: string | null;

  @Field(() => LocalDate, { nullable: true, description: "On or before this date (not before from)." })
  to?: string | null;

  @Field(() => LectureStatus, { nullable: true, description: "Only lectures in this state." })
  status?: LectureStatusValue | null;
}

@InputType({ description: "A new exam. Required: title, date, maxScore." })
export class CreateExamInput implements ExamFields {
  @Field(() => String, { nullable: true, description: "Its title; not empty." })
  title?: string | null;

  @Field(() => LocalDate, { nullable: true, description: "When it takes place (YYYY-MM-DD)." })
  date?: string | null;

  @Field(() => Decimal, { nullable: true, description: "The highest possible score: above 0, and not below a score already recorded." })
  maxScore?: string | null;
}

@InputType({ description: "Changes to an exam: omitted fields keep their value." })
export class UpdateExamInput extends CreateExamInput {}

@InputType({ description: "A participant's score." })
export class ExamResultInput implements ResultInput {
  @Field(() => UUID, { description: "A Student or Child id." })
  participantId: string;

  @Field(() => Decimal, { description: "From 0 to the exam's maxScore." })
  score: string;

  @Field(() => String, { nullable: true, description: "The teacher's remarks." })
  notes?: string | null;
}
