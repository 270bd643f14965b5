/** GraphQL enums generated from the PostgreSQL enums, so the two never drift. */
import { registerEnumType } from "type-graphql";
import * as db from "../../drizzle/tables/enums";
import { SORT_DIRECTIONS } from "../../server/pagination";

/** One description per value: a value added to the PostgreSQL enum must be described here too. */
type ValueDescriptions<V extends string> = { [K in V]: string };

function fromPg<const V extends string>(
  pgEnum: { enumValues: readonly V[] },
  name: string,
  description: string,
  values: ValueDescriptions<V>,
) {
  const enumObject = Object.fromEntries(pgEnum.enumValues.map((value) => [value, value])) as { [K in V]: K };
  const valuesConfig = Object.fromEntries(pgEnum.enumValues.map((value) => [value, { description: values[value] }])) as {
    [K in V]: { description: string };
  };
  registerEnumType(enumObject, { name, description, valuesConfig });
  return enumObject;
}

export const Language = fromPg(db.languageEnum, "Language", "Languages of messages and notifications (ISO 639-1 codes).", {
  ar: "Arabic.",
  en: "English.",
  fr: "French.",
});
export const Gender = fromPg(db.genderEnum, "Gender", "Gender of a person.", {
  MALE: "Male.",
  FEMALE: "Female.",
  UNSPECIFIED: "Not given (the default).",
});
export const Role = fromPg(db.membershipRoleEnum, "Role", "What a member may do in a tenant; a member may hold several.", {
  ADMIN: "Everything STAFF may, plus the tenant's settings, members' roles, the audit log, and inviting ADMIN or STAFF.",
  STAFF: "Runs the tenant: catalogue, enrolments, payments and refunds, attendance, devices, invitations of non-staff roles.",
  INSTRUCTOR: "Teaches courses: their lectures, exams and attendance, and their weekly attendance report.",
  PARENT: "Has a parent profile: adds children, enrols them, pays and asks for refunds for them.",
  STUDENT: "Has a student profile: takes part in courses under their own account.",
  MEMBER: "Belongs to the tenant without a profile: events, notifications.",
});
export const InvitationStatus = fromPg(
  db.invitationStatusEnum,
  "InvitationStatus",
  "Lifecycle of an invitation to join a tenant (EXPIRED once past its expiresAt).",
  {
    PENDING: "Open: its owner may accept or decline it until expiresAt.",
    ACCEPTED: "Accepted: the person is a member with the roles offered.",
    DECLINED: "Declined by the person invited.",
    REVOKED: "Withdrawn by the tenant before an answer.",
    EXPIRED: "Not answered before expiresAt.",
  },
);
export const VerificationChannel = fromPg(db.verificationChannelEnum, "VerificationChannel", "Where codes are sent.", {
  SMS: "A text message to the phone number.",
  WHATSAPP: "A WhatsApp message to the phone number.",
  EMAIL: "An email to the email address.",
});
export const SeasonKind = fromPg(db.seasonKindEnum, "SeasonKind", "Kind of academic period.", {
  SUMMER_CAMP: "A summer camp.",
  SCHOOL: "A school term.",
  RAMADAN: "The month of Ramadan.",
  EID: "Eid holidays.",
  OTHER: "Anything else (the default).",
});
export const LectureStatus = fromPg(db.lectureStatusEnum, "LectureStatus", "Lifecycle of a lecture.", {
  SCHEDULED: "Planned: may be rescheduled, completed or cancelled.",
  COMPLETED: "Held and closed by a teacher (updateLecture); attendance may still be marked.",
  CANCELLED: "Called off (cancelLecture); enrolled families were notified. No attendance.",
});
export const EnrollmentRequestStatus = fromPg(
  db.enrollmentRequestStatusEnum,
  "EnrollmentRequestStatus",
  "Lifecycle of an enrolment request.",
  {
    PENDING: "Waiting for staff to decide.",
    APPROVED: "Approved by staff: the participant has an ACTIVE enrolment.",
    REJECTED: "Declined by staff, with a reason (decisionReason).",
    CANCELLED: "Withdrawn before a decision, by its requester, whoever acts for the participant, or staff.",
  },
);
export const EnrollmentStatus = fromPg(db.enrollmentStatusEnum, "EnrollmentStatus", "Lifecycle of an enrolment.", {
  ACTIVE: "Holds a place in the course (counts against its capacity).",
  COMPLETED: "Finished: staff marked it completed.",
  DROPPED: "Left the course; the place was freed.",
  REFUNDED: "Everything paid for it was refunded; the place was freed.",
});
export const PaymentStatus = fromPg(db.paymentStatusEnum, "PaymentStatus", "Lifecycle of a payment.", {
  PENDING: "Started: waiting for the provider to confirm (see nextAction).",
  SUCCEEDED: "The money was received.",
  FAILED: "Declined or failed at the provider: nothing was received.",
  PARTIALLY_REFUNDED: "Received, and part of it refunded.",
  REFUNDED: "Received, and all of it refunded.",
});
export const RefundStatus = fromPg(db.refundStatusEnum, "RefundStatus", "Lifecycle of a refund request.", {
  REQUESTED: "Waiting for staff to approve or reject it.",
  APPROVED: "Reserved for refunds approved but not yet paid back; approveRefund currently answers REFUNDED or FAILED.",
  REFUNDED: "Paid back through the provider.",
  REJECTED: "Declined by staff, with a reason (decisionNote).",
  FAILED: "Approved, but the provider could not pay it back (decisionNote says why).",
});
export const AttendanceSource = fromPg(db.attendanceSourceEnum, "AttendanceSource", "How an attendance mark was made.", {
  MANUAL: "By a person: staff or the course's instructor.",
  DEVICE: "By an attendance device of the tenant.",
  AUTO_ABSENT: "By the nightly mark-absent job: absent, as the participant was left unmarked on the lecture's day.",
  CHECK_IN: "By scanning the participant's QR code at the door (a device or staff).",
  SELF_CHECK_IN: "By the student, with the lecture's rotating code.",
});
export const AttendanceStatus = fromPg(db.attendanceStatusEnum, "AttendanceStatus", "A participant's attendance at one lecture.", {
  PRESENT: "Attended, on time (or within the tenant's grace after the start).",
  ABSENT: "Did not attend, without an accepted excuse.",
  LATE: "Attended, arriving minutesLate after the start; rates count it by the tenant's lateWeight.",
  EXCUSED: "Did not attend, excused (reason); left out of rates and of absence alerts.",
});
export const ExcuseStatus = fromPg(db.excuseStatusEnum, "ExcuseStatus", "Where an absence excuse stands.", {
  PENDING: "Submitted, waiting for staff or the instructor.",
  ACCEPTED: "Accepted: the participant is marked EXCUSED for the lecture.",
  REJECTED: "Rejected: the lecture's mark is left as it is.",
});
export const SyncOutcome = fromPg(db.syncOutcomeEnum, "SyncOutcome", "What a synced offline mark became.", {
  APPLIED: "The mark is now the participant's mark for the lecture.",
  OVERRIDDEN: "Another mark won (a later one, or a staff member's); the winning mark is given.",
});
export const JobRunStatus = fromPg(db.jobRunStatusEnum, "JobRunStatus", "Outcome of a scheduled job run.", {
  RUNNING: "In progress (a run RUNNING for over an hour is taken as crashed and run again).",
  SUCCEEDED: "Done; its work and this log were committed together.",
  FAILED: "Failed and rolled back (error says why); tried again later.",
});
export const EventStatus = fromPg(db.eventStatusEnum, "EventStatus", "Lifecycle of an event.", {
  DRAFT: "Being prepared: visible to its creator and staff only.",
  PUBLISHED: "Visible to everyone in the tenant and open for registration until it starts.",
  CANCELLED: "Called off; registrants were notified.",
});
export const RegistrationStatus = fromPg(db.registrationStatusEnum, "RegistrationStatus", "State of an event registration.", {
  CONFIRMED: "Has a place.",
  WAITLISTED: "Queued for a place; promoted in registration order when one frees up.",
  CANCELLED: "Cancelled by the person or the event's manager.",
});

/** Direction of a sorted list (any domain's `orderBy`). */
export const MessageDeliveryStatus = fromPg(
  db.messageDeliveryStatusEnum,
  "MessageDeliveryStatus",
  "Where an outgoing message (email, SMS, WhatsApp) is in its life.",
  {
    QUEUED: "Waiting for its first attempt, or for the next one after a failure (see nextAttemptAt).",
    SENDING: "Being handed to the provider now.",
    SENT: "The provider accepted it.",
    DELIVERED: "The provider reported it delivered (or read) to the recipient.",
    FAILED: "The provider refused it for good (a bad address or number) or reported it undelivered; not retried.",
    DEAD: "Every attempt failed (MESSAGE_MAX_ATTEMPTS); not retried.",
  },
);
export const SortDirection = Object.fromEntries(SORT_DIRECTIONS.map((value) => [value, value])) as {
  [K in (typeof SORT_DIRECTIONS)[number]]: K;
};
registerEnumType(SortDirection, {
  name: "SortDirection",
  description: "Direction of a sorted list.",
  valuesConfig: {
    ASC: { description: "Ascending: smallest, earliest or A first." },
    DESC: { description: "Descending: largest, latest or Z first." },
  },
});
export const GuardianRelation = fromPg(db.guardianRelationEnum, "GuardianRelation", "How a guardian is related to a child.", {
  MOTHER: "The child's mother.",
  FATHER: "The child's father.",
  OTHER: "Another guardian (grandparent, aunt, carer …); also the primary guardians recorded before guardians had a relation.",
});
export const CourseWaitlistStatus = fromPg(
  db.courseWaitlistStatusEnum,
  "CourseWaitlistStatus",
  "Where a course waitlist entry stands: in line, offered places, or out of the line.",
  {
    WAITING: "In line for places.",
    OFFERED: "Places are held for it until offerExpiresAt: accept or decline.",
    ACCEPTED: "The offer was accepted: every participant of the entry is enrolled.",
    DECLINED: "The offer was declined; its places went to the next in line.",
    EXPIRED: "The offer was not accepted in time; its places went to the next in line.",
    CANCELLED: "Left the line before an offer.",
  },
);
