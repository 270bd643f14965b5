import { Field, InputType, Int, registerEnumType } from "type-graphql";
import type { LectureStatus as LectureStatusValue, SeasonKind as SeasonKindValue } from "../../drizzle/tables/enums-types";
import type { CourseFilter as CourseFilterFields, CourseInput as CourseFields, CourseOrderField, ScheduleSlotInput as SlotFields, SeasonInput as SeasonFields } from "../../server/services/courses";
import type { ExamInput as ExamFields, ResultInput } from "../../server/services/exams";
import type { LectureFilter as LectureFilterFields, LectureInput as LectureFields } from "../../server/services/lectures";
import { LectureStatus, SeasonKind, SortDirection } from "../shared/enums";
import type { SortDirection as SortDirectionValue } from "../../server/pagination";
import { CurrencyCode, Decimal, LocalDate, LocalTime, UUID } from "../shared/scalars";

@InputType({ description: "A season; all fields but isActive are required when creating." })
export class SeasonInput implements SeasonFields {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => SeasonKind, { nullable: true })
  kind?: SeasonKindValue | null;

  @Field(() => LocalDate, { nullable: true })
  startsOn?: string | null;

  @Field(() => LocalDate, { nullable: true })
  endsOn?: string | null;

  @Field(() => Boolean, { nullable: true })
  isActive?: boolean | null;
}

@InputType({ description: "A weekly slot. Weekday: Saturday=0 … Friday=6." })
export class ScheduleSlotInput implements SlotFields {
  @Field(() => Int)
  weekday: number;

  @Field(() => LocalTime)
  startTime: string;

  @Field(() => Int, { nullable: true, description: "Default 60." })
  durationMinutes?: number | null;
}

@InputType({ description: "A course. Required when creating: name, startsOn, endsOn, capacity. Lists given replace the old ones." })
export class CourseInput implements CourseFields {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => LocalDate, { nullable: true })
  startsOn?: string | null;

  @Field(() => LocalDate, { nullable: true })
  endsOn?: string | null;

  @Field(() => Decimal, { nullable: true, description: "0 or more; default 0." })
  price?: string | null;

  @Field(() => CurrencyCode, { nullable: true, description: "Default: the tenant's currency." })
  currency?: string | null;

  @Field(() => Int, { nullable: true })
  capacity?: number | null;

  @Field(() => UUID, { nullable: true })
  seasonId?: string | null;

  @Field(() => UUID, { nullable: true, description: "An Instructor profile id." })
  instructorId?: string | null;

  @Field(() => [UUID], { nullable: true })
  tagIds?: string[] | null;

  @Field(() => [ScheduleSlotInput], { nullable: true })
  schedule?: ScheduleSlotInput[] | null;

  @Field(() => Boolean, { nullable: true })
  isPublished?: boolean | null;
}

@InputType({ description: "Which courses to list." })
export class CourseFilter implements CourseFilterFields {
  @Field(() => UUID, { nullable: true })
  seasonId?: string | null;

  @Field(() => Boolean, { nullable: true, description: "Only courses of active (true) or inactive (false) seasons." })
  activeSeason?: boolean | null;

  @Field(() => [UUID], { nullable: true, description: "Courses with any of these tags." })
  tagIds?: string[] | null;

  @Field(() => UUID, { nullable: true })
  instructorId?: string | null;

  @Field(() => LocalDate, { nullable: true, description: "Courses still running on or after this date." })
  from?: string | null;

  @Field(() => LocalDate, { nullable: true, description: "Courses starting on or before this date." })
  to?: string | null;

  @Field(() => String, { nullable: true, description: "Words in the name or description." })
  search?: string | null;

  @Field(() => Boolean, { nullable: true, description: "Staff: published or not." })
  isPublished?: boolean | null;
}

export const CourseOrderFieldEnum = { STARTS_ON: "STARTS_ON", NAME: "NAME", PRICE: "PRICE", CREATED_AT: "CREATED_AT" } as const;
registerEnumType(CourseOrderFieldEnum, { name: "CourseOrderField", description: "What courses are sorted by." });

@InputType({ description: "Sort order of courses (ties broken by id)." })
export class CourseOrder {
  @Field(() => CourseOrderFieldEnum)
  field: CourseOrderField;

  @Field(() => SortDirection, { nullable: true, description: "Default ASC." })
  direction?: SortDirectionValue | null;
}

@InputType({ description: "A lecture. Required when adding: date and startTime." })
export class LectureInput implements LectureFields {
  @Field(() => LocalDate, { nullable: true })
  date?: string | null;

  @Field(() => LocalTime, { nullable: true })
  startTime?: string | null;

  @Field(() => Int, { nullable: true })
  durationMinutes?: number | null;

  @Field(() => String, { nullable: true })
  title?: string | null;
}

@InputType({ description: "Changes to a scheduled lecture; status COMPLETED closes it." })
export class UpdateLectureInput extends LectureInput {
  @Field(() => LectureStatus, { nullable: true })
  status?: LectureStatusValue | null;
}

@InputType({ description: "Which lectures to list." })
export class LectureFilter implements LectureFilterFields {
  @Field(() => UUID, { nullable: true })
  courseId?: string | null;

  @Field(() => LocalDate, { nullable: true })
  from?: string | null;

  @Field(() => LocalDate, { nullable: true })
  to?: string | null;

  @Field(() => LectureStatus, { nullable: true })
  status?: LectureStatusValue | null;
}

@InputType({ description: "Which of a course's lectures: a date range, a status." })
export class CourseLectureFilter {
  @Field(() => LocalDate, { nullable: true, description: "On or after this date." })
  from?: string | null;

  @Field(() => LocalDate, { nullable: true, description: "On or before this date." })
  to?: string | null;

  @Field(() => LectureStatus, { nullable: true })
  status?: LectureStatusValue | null;
}

@InputType({ description: "An exam. Required when creating: title, date, maxScore." })
export class ExamInput implements ExamFields {
  @Field(() => String, { nullable: true })
  title?: string | null;

  @Field(() => LocalDate, { nullable: true })
  date?: string | null;

  @Field(() => Decimal, { nullable: true })
  maxScore?: string | null;
}

@InputType({ description: "A participant's score." })
export class ExamResultInput implements ResultInput {
  @Field(() => UUID, { description: "A Student or Child id." })
  participantId: string;

  @Field(() => Decimal, { description: "From 0 to the exam's maxScore." })
  score: string;

  @Field(() => String, { nullable: true })
  notes?: string | null;
}
