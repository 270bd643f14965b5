/** GraphQL enums generated from the PostgreSQL enums, so the two never drift. */
import { registerEnumType } from "type-graphql";
import * as db from "../../drizzle/tables/enums";
import { SORT_DIRECTIONS } from "../../server/pagination";

function fromPg<const V extends string>(pgEnum: { enumValues: readonly V[] }, name: string, description: string) {
  const values = Object.fromEntries(pgEnum.enumValues.map((value) => [value, value])) as { [K in V]: K };
  registerEnumType(values, { name, description });
  return values;
}

export const Language = fromPg(db.languageEnum, "Language", "Languages of messages and notifications.");
export const Gender = fromPg(db.genderEnum, "Gender", "Gender of a person.");
export const Role = fromPg(db.membershipRoleEnum, "Role", "What a member may do in a tenant.");
export const InvitationStatus = fromPg(
  db.invitationStatusEnum,
  "InvitationStatus",
  "Lifecycle of an invitation to join a tenant (EXPIRED once past its expiresAt).",
);
export const VerificationChannel = fromPg(db.verificationChannelEnum, "VerificationChannel", "Where codes are sent.");
export const SeasonKind = fromPg(db.seasonKindEnum, "SeasonKind", "Kind of academic period.");
export const LectureStatus = fromPg(db.lectureStatusEnum, "LectureStatus", "Lifecycle of a lecture.");
export const EnrollmentRequestStatus = fromPg(
  db.enrollmentRequestStatusEnum,
  "EnrollmentRequestStatus",
  "Lifecycle of an enrolment request.",
);
export const EnrollmentStatus = fromPg(db.enrollmentStatusEnum, "EnrollmentStatus", "Lifecycle of an enrolment.");
export const PaymentStatus = fromPg(db.paymentStatusEnum, "PaymentStatus", "Lifecycle of a payment.");
export const RefundStatus = fromPg(db.refundStatusEnum, "RefundStatus", "Lifecycle of a refund request.");
export const AttendanceSource = fromPg(db.attendanceSourceEnum, "AttendanceSource", "How an attendance mark was made.");
export const CronRunStatus = fromPg(db.cronRunStatusEnum, "CronRunStatus", "Outcome of a scheduled job run.");
export const EventStatus = fromPg(db.eventStatusEnum, "EventStatus", "Lifecycle of an event.");
export const RegistrationStatus = fromPg(db.registrationStatusEnum, "RegistrationStatus", "State of an event registration.");

/** Direction of a sorted list (any domain's `orderBy`). */
export const SortDirection = Object.fromEntries(SORT_DIRECTIONS.map((value) => [value, value])) as {
  [K in (typeof SORT_DIRECTIONS)[number]]: K;
};
registerEnumType(SortDirection, { name: "SortDirection", description: "Direction of a sorted list." });
