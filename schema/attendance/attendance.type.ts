import { Field, Float, Int, ObjectType } from "type-graphql";
import type {
  Device as DeviceRow,
  InstructorRating as RatingRow,
  Lecture as LectureRow,
  LectureAttendance as MarkRow,
} from "../../drizzle/schema";
import type { AttendanceSource as SourceValue, AttendanceStatus as StatusValue } from "../../drizzle/tables/enums-types";
import { Course, Lecture } from "../courses/course.type";
import { AttendanceSource, AttendanceStatus } from "../shared/enums";
import { DateTime, Decimal, UUID } from "../shared/scalars";

@ObjectType({ description: "A participant's mark for one lecture." })
export class LectureAttendance
  implements Pick<MarkRow, "id" | "present" | "status" | "minutesLate" | "reason" | "rating" | "notes" | "source" | "markedAt">
{
  @Field(() => UUID, { description: "The mark's id." })
  id: string;

  @Field(() => AttendanceStatus, { description: "PRESENT, ABSENT, LATE or EXCUSED." })
  status: StatusValue;

  @Field(() => Boolean, { description: "Whether the participant attended: status PRESENT or LATE." })
  present: boolean;

  @Field(() => Int, { nullable: true, description: "Minutes after the lecture's start, for LATE; null otherwise." })
  minutesLate: number | null;

  @Field(() => String, { nullable: true, description: "Why, for EXCUSED (e.g. the accepted excuse's reason); null otherwise." })
  reason: string | null;

  @Field(() => Decimal, {
    nullable: true,
    description: "1.00–10.00 when attended and rated; null when not there or not rated (check-ins).",
  })
  rating: string | null;

  @Field(() => String, { nullable: true, description: "The marker's remarks; null when none." })
  notes: string | null;

  @Field(() => AttendanceSource, {
    description:
      "MANUAL (a person), DEVICE (a centre tablet, live or synced from offline), AUTO_ABSENT (the nightly job), CHECK_IN (QR scan), SELF_CHECK_IN.",
  })
  source: SourceValue;

  @Field(() => DateTime, { description: "When it was last marked (re-marking replaces the mark)." })
  markedAt: Date;

  lectureId: string;
  studentId: string | null;
  childId: string | null;
  markedBy: string | null;
  markedByDeviceId: string | null;
}

@ObjectType({ description: "The marks just written for a lecture." })
export class MarkAttendancePayload {
  @Field(() => Lecture, { description: "The lecture, now attendanceTaken." })
  lecture: LectureRow;

  @Field(() => [LectureAttendance], { description: "The marks written, in the order of the input rows." })
  marks: MarkRow[];
}

@ObjectType({ description: "A participant's attendance record and rate." })
export class ParticipantAttendance {
  @Field(() => [LectureAttendance], { description: "The marks you may see, by lecture date and time (at most 1000)." })
  records: MarkRow[];

  @Field(() => Int, { description: "Marks PRESENT, among those you may see." })
  present: number;

  @Field(() => Int, { description: "Marks LATE, among those you may see." })
  late: number;

  @Field(() => Int, { description: "Marks ABSENT, among those you may see." })
  absent: number;

  @Field(() => Int, { description: "Marks EXCUSED, among those you may see." })
  excused: number;

  @Field(() => Float, {
    nullable: true,
    description:
      "(present + late × the tenant's lateWeight) / (present + late + absent), from 0 to 1 (EXCUSED left out); null before any mark that counts.",
  })
  rate: number | null;

  participantId: string;
}

@ObjectType({ description: "Attendance of one lecture of a course." })
export class LectureAttendanceSummary {
  @Field(() => Lecture, { description: "The lecture." })
  lecture: LectureRow;

  @Field(() => Int, { description: "Participants marked PRESENT." })
  present: number;

  @Field(() => Int, { description: "Participants marked LATE." })
  late: number;

  @Field(() => Int, { description: "Participants marked ABSENT." })
  absent: number;

  @Field(() => Int, { description: "Participants marked EXCUSED." })
  excused: number;

  @Field(() => Int, { description: "ACTIVE participants without a mark (0 for cancelled lectures)." })
  unmarked: number;

  @Field(() => Float, {
    nullable: true,
    description:
      "(present + late × lateWeight) / (present + late + absent), from 0 to 1 (EXCUSED left out); null before any mark that counts.",
  })
  rate: number | null;
}

@ObjectType({ description: "Per-lecture attendance of a course." })
export class CourseAttendance {
  @Field(() => Course, { description: "The course." })
  course: Course;

  @Field(() => [LectureAttendanceSummary], { description: "Every lecture of the course by date and time, with its counts (at most 1000)." })
  lectures: LectureAttendanceSummary[];

  @Field(() => Int, { description: "PRESENT marks over every lecture." })
  present: number;

  @Field(() => Int, { description: "LATE marks over every lecture." })
  late: number;

  @Field(() => Int, { description: "ABSENT marks over every lecture." })
  absent: number;

  @Field(() => Int, { description: "EXCUSED marks over every lecture." })
  excused: number;

  @Field(() => Float, {
    nullable: true,
    description:
      "(present + late × lateWeight) / (present + late + absent) over every lecture, from 0 to 1; null before any mark that counts.",
  })
  rate: number | null;
}

@ObjectType({ description: "A rating of a course's instructor by a student or parent." })
export class InstructorRating implements Pick<RatingRow, "id" | "rating" | "comment" | "createdAt" | "updatedAt"> {
  @Field(() => UUID, { description: "The rating's id." })
  id: string;

  @Field(() => Decimal, { description: "1.00–10.00." })
  rating: string;

  @Field(() => String, { nullable: true, description: "The rater's comment; null when none." })
  comment: string | null;

  @Field(() => DateTime, { description: "When it was first given (one rating per rater and course)." })
  createdAt: Date;

  @Field(() => DateTime, { description: "When the rating last changed (rating again replaces it)." })
  updatedAt: Date;

  courseId: string;
  instructorId: string;
}

@ObjectType({ description: "A registered attendance device (a centre's tablet)." })
export class Device implements Pick<DeviceRow, "id" | "name" | "lastSeenAt" | "revokedAt" | "createdAt"> {
  @Field(() => UUID, { description: "The device's id." })
  id: string;

  @Field(() => String, { description: 'Its name, 1 to 100 characters, e.g. "Front desk tablet".' })
  name: string;

  @Field(() => DateTime, { nullable: true, description: "When its token was last used; null if never." })
  lastSeenAt: Date | null;

  @Field(() => DateTime, { nullable: true, description: "When it was revoked; null while its token works." })
  revokedAt: Date | null;

  @Field(() => DateTime, { description: "When it was registered." })
  createdAt: Date;
}

@ObjectType({ description: "A new device and its token (shown once: store it on the device)." })
export class RegisterDevicePayload {
  @Field(() => Device, { description: "The new device." })
  device: DeviceRow;

  @Field(() => String, { description: "Send as `Authorization: Device <token>` (or connectionParams.deviceToken)." })
  token: string;
}

@ObjectType({ description: "Marks were written for a lecture." })
export class AttendanceUpdate {
  @Field(() => UUID, { description: "The lecture marked." })
  lectureId: string;

  @Field(() => UUID, { description: "Its course." })
  courseId: string;

  attendanceIds: string[];
  participantIds: string[];
}
