import { Field, Float, Int, ObjectType } from "type-graphql";
import type { Device as DeviceRow, InstructorRating as RatingRow, Lecture as LectureRow, LectureAttendance as MarkRow } from "../../drizzle/schema";
import type { AttendanceSource as SourceValue } from "../../drizzle/tables/enums-types";
import { Course, Lecture } from "../courses/course.type";
import { AttendanceSource } from "../shared/enums";
import { DateTime, Decimal, UUID } from "../shared/scalars";

@ObjectType({ description: "A participant's mark for one lecture." })
export class LectureAttendance implements Pick<MarkRow, "id" | "present" | "rating" | "notes" | "source" | "markedAt"> {
  @Field(() => UUID)
  id: string;

  @Field(() => Boolean)
  present: boolean;

  @Field(() => Decimal, { nullable: true, description: "1.00–10.00 when present; null when absent." })
  rating: string | null;

  @Field(() => String, { nullable: true })
  notes: string | null;

  @Field(() => AttendanceSource, { description: "MANUAL (a person), DEVICE (a centre tablet), AUTO_ABSENT (the nightly job)." })
  source: SourceValue;

  @Field(() => DateTime)
  markedAt: Date;

  lectureId: string;
  studentId: string | null;
  childId: string | null;
  markedBy: string | null;
  markedByDeviceId: string | null;
}

@ObjectType({ description: "The marks just written for a lecture." })
export class MarkAttendancePayload {
  @Field(() => Lecture)
  lecture: LectureRow;

  @Field(() => [LectureAttendance])
  marks: MarkRow[];
}

@ObjectType({ description: "A participant's attendance record and rate." })
export class ParticipantAttendance {
  @Field(() => [LectureAttendance], { description: "Marks, by lecture date." })
  records: MarkRow[];

  @Field(() => Int)
  present: number;

  @Field(() => Int)
  absent: number;

  @Field(() => Float, { nullable: true, description: "present / marked, from 0 to 1; null before any mark." })
  rate: number | null;

  participantId: string;
}

@ObjectType({ description: "Attendance of one lecture of a course." })
export class LectureAttendanceSummary {
  @Field(() => Lecture)
  lecture: LectureRow;

  @Field(() => Int)
  present: number;

  @Field(() => Int)
  absent: number;

  @Field(() => Int, { description: "ACTIVE participants without a mark (0 for cancelled lectures)." })
  unmarked: number;

  @Field(() => Float, { nullable: true })
  rate: number | null;
}

@ObjectType({ description: "Per-lecture attendance of a course." })
export class CourseAttendance {
  @Field(() => Course)
  course: Course;

  @Field(() => [LectureAttendanceSummary])
  lectures: LectureAttendanceSummary[];

  @Field(() => Float, { nullable: true, description: "present / marked over every lecture." })
  rate: number | null;
}

@ObjectType({ description: "A rating of a course's instructor by a student or parent." })
export class InstructorRating implements Pick<RatingRow, "id" | "rating" | "comment" | "createdAt" | "updatedAt"> {
  @Field(() => UUID)
  id: string;

  @Field(() => Decimal, { description: "1.00–10.00." })
  rating: string;

  @Field(() => String, { nullable: true })
  comment: string | null;

  @Field(() => DateTime)
  createdAt: Date;

  @Field(() => DateTime)
  updatedAt: Date;

  courseId: string;
  instructorId: string;
}

@ObjectType({ description: "A registered attendance device (a centre's tablet)." })
export class Device implements Pick<DeviceRow, "id" | "name" | "lastSeenAt" | "revokedAt" | "createdAt"> {
  @Field(() => UUID)
  id: string;

  @Field(() => String)
  name: string;

  @Field(() => DateTime, { nullable: true })
  lastSeenAt: Date | null;

  @Field(() => DateTime, { nullable: true })
  revokedAt: Date | null;

  @Field(() => DateTime)
  createdAt: Date;
}

@ObjectType({ description: "A new device and its token (shown once: store it on the device)." })
export class RegisterDevicePayload {
  @Field(() => Device)
  device: DeviceRow;

  @Field(() => String, { description: "Send as `Authorization: Device <token>` (or connectionParams.deviceToken)." })
  token: string;
}

@ObjectType({ description: "Marks were written for a lecture." })
export class AttendanceUpdate {
  @Field(() => UUID)
  lectureId: string;

  @Field(() => UUID)
  courseId: string;

  attendanceIds: string[];
  participantIds: string[];
}
