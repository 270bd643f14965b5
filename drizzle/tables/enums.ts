/** Every PostgreSQL enum of the model, in one place (GraphQL enums are built from these). */
import { pgEnum } from "drizzle-orm/pg-core";

export const languageEnum = pgEnum("language", ["ar", "en", "fr"]);
export const genderEnum = pgEnum("gender", ["MALE", "FEMALE", "UNSPECIFIED"]);
export const membershipRoleEnum = pgEnum("membership_role", ["ADMIN", "STAFF", "INSTRUCTOR", "PARENT", "STUDENT", "MEMBER"]);
/** Lifecycle of an invitation to join a tenant (EXPIRED is also read from expires_at). */
export const invitationStatusEnum = pgEnum("invitation_status", ["PENDING", "ACCEPTED", "DECLINED", "REVOKED", "EXPIRED"]);
export const verificationChannelEnum = pgEnum("verification_channel", ["SMS", "WHATSAPP", "EMAIL"]);
export const seasonKindEnum = pgEnum("season_kind", ["SUMMER_CAMP", "SCHOOL", "RAMADAN", "EID", "OTHER"]);
export const lectureStatusEnum = pgEnum("lecture_status", ["SCHEDULED", "COMPLETED", "CANCELLED"]);
export const enrollmentRequestStatusEnum = pgEnum("enrollment_request_status", ["PENDING", "APPROVED", "REJECTED", "CANCELLED"]);
export const enrollmentStatusEnum = pgEnum("enrollment_status", ["ACTIVE", "COMPLETED", "DROPPED", "REFUNDED"]);
export const paymentStatusEnum = pgEnum("payment_status", ["PENDING", "SUCCEEDED", "FAILED", "PARTIALLY_REFUNDED", "REFUNDED"]);
export const refundStatusEnum = pgEnum("refund_status", ["REQUESTED", "APPROVED", "REFUNDED", "REJECTED", "FAILED"]);
export const attendanceSourceEnum = pgEnum("attendance_source", ["MANUAL", "DEVICE", "AUTO_ABSENT", "CHECK_IN", "SELF_CHECK_IN"]);
/** A participant's attendance at one lecture (issue 13); LATE carries minutes late, EXCUSED a reason. */
export const attendanceStatusEnum = pgEnum("attendance_status", ["PRESENT", "ABSENT", "LATE", "EXCUSED"]);
/** An absence excuse a family submits ahead of a lecture, decided by staff. */
export const excuseStatusEnum = pgEnum("excuse_status", ["PENDING", "ACCEPTED", "REJECTED"]);
/** What an offline device's mark became when synced. */
export const syncOutcomeEnum = pgEnum("sync_outcome", ["APPLIED", "OVERRIDDEN"]);
export const jobRunStatusEnum = pgEnum("job_run_status", ["RUNNING", "SUCCEEDED", "FAILED"]);
export const eventStatusEnum = pgEnum("event_status", ["DRAFT", "PUBLISHED", "CANCELLED"]);
export const registrationStatusEnum = pgEnum("registration_status", ["CONFIRMED", "WAITLISTED", "CANCELLED"]);
export const idempotencyStatusEnum = pgEnum("idempotency_status", ["IN_PROGRESS", "COMPLETED"]);
/** Life of one outgoing message (server/messaging/outbox.ts): queued → sending → sent → delivered; failed (refused), dead (gave up). */
export const messageDeliveryStatusEnum = pgEnum("message_delivery_status", ["QUEUED", "SENDING", "SENT", "DELIVERED", "FAILED", "DEAD"]);
/** How a guardian is related to a child. */
export const guardianRelationEnum = pgEnum("guardian_relation", ["MOTHER", "FATHER", "OTHER"]);
/** A course waitlist entry (one family's place in line, siblings together): waiting → offered → accepted / declined / expired; or cancelled. */
export const courseWaitlistStatusEnum = pgEnum("course_waitlist_status", [
  "WAITING",
  "OFFERED",
  "ACCEPTED",
  "DECLINED",
  "EXPIRED",
  "CANCELLED",
]);
