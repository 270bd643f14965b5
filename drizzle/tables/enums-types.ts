/** TypeScript unions of the PostgreSQL enums, derived from the enum definitions. */
import type * as enums from "./enums";

type Values<E extends { enumValues: readonly string[] }> = E["enumValues"][number];

export type Language = Values<typeof enums.languageEnum>;
export type Gender = Values<typeof enums.genderEnum>;
export type MembershipRole = Values<typeof enums.membershipRoleEnum>;
export type InvitationStatus = Values<typeof enums.invitationStatusEnum>;
export type VerificationChannel = Values<typeof enums.verificationChannelEnum>;
export type SeasonKind = Values<typeof enums.seasonKindEnum>;
export type LectureStatus = Values<typeof enums.lectureStatusEnum>;
export type EnrollmentRequestStatus = Values<typeof enums.enrollmentRequestStatusEnum>;
export type EnrollmentStatus = Values<typeof enums.enrollmentStatusEnum>;
export type PaymentStatus = Values<typeof enums.paymentStatusEnum>;
export type RefundStatus = Values<typeof enums.refundStatusEnum>;
export type AttendanceSource = Values<typeof enums.attendanceSourceEnum>;
export type AttendanceStatus = Values<typeof enums.attendanceStatusEnum>;
export type ExcuseStatus = Values<typeof enums.excuseStatusEnum>;
export type SyncOutcome = Values<typeof enums.syncOutcomeEnum>;
export type JobRunStatus = Values<typeof enums.jobRunStatusEnum>;
export type EventStatus = Values<typeof enums.eventStatusEnum>;
export type RegistrationStatus = Values<typeof enums.registrationStatusEnum>;
export type MessageDeliveryStatus = Values<typeof enums.messageDeliveryStatusEnum>;
export type GuardianRelation = Values<typeof enums.guardianRelationEnum>;
export type CourseWaitlistStatus = Values<typeof enums.courseWaitlistStatusEnum>;
