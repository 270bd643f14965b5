/** Builds the one GraphQL schema from every domain's resolvers. */
import "reflect-metadata";
import { isObjectType, isUnionType, type GraphQLSchema } from "graphql";
import type { ConnectionShape } from "../server/pagination";
import { buildSchema } from "type-graphql";
// The planned types (server/plan/<domain>.ts) declare themselves on import.
import "../server/plan/courses";
import {
  AttendanceResolver,
  AttendanceUpdateResolver,
  DeviceResolver,
  InstructorRatingResolver,
  InstructorRatingsResolver,
  ParticipantAttendanceResolver,
} from "./attendance/attendance.resolver";
import { AuditLogResolver } from "./audit/audit.resolver";
import { AuthResolver, SessionResolver } from "./auth/auth.resolver";
import {
  CourseResolver,
  ExamResolver,
  ExamResultResolver,
  LectureResolver,
  SeasonResolver,
  TagResolver,
} from "./courses/course.resolver";
import { EnrollmentRequestResolver, EnrollmentResolver } from "./enrollments/enrollment.resolver";
import { AttendanceCronLogResolver, InstructorAttendanceResolver } from "./jobs/job.resolver";
import { InvitationResolver } from "./invitations/invitation.resolver";
import { NotificationResolver } from "./notifications/notification.resolver";
import { EnrollmentPaymentsResolver, PaymentResolver, RefundRequestResolver } from "./payments/payment.resolver";
import { ChildResolver, InstructorResolver, ParentResolver, StudentResolver } from "./people/people.resolver";
import { participantTypeOf } from "./people/people.type";
import { EventRegistrationResolver, EventResolver, EventUpdateResolver } from "./events/event.resolver";
import { MembershipResolver, TenantResolver } from "./tenants/tenant.resolver";
import { privacyChecker } from "./shared/privacy";
import { ProfileUpdateResolver, UserResolver } from "./users/user.resolver";

export const resolvers = [
  AuthResolver,
  SessionResolver,
  TenantResolver,
  MembershipResolver,
  InvitationResolver,
  UserResolver,
  ProfileUpdateResolver,
  StudentResolver,
  InstructorResolver,
  ParentResolver,
  ChildResolver,
  SeasonResolver,
  TagResolver,
  CourseResolver,
  LectureResolver,
  ExamResolver,
  ExamResultResolver,
  EnrollmentResolver,
  EnrollmentRequestResolver,
  AttendanceResolver,
  ParticipantAttendanceResolver,
  AttendanceUpdateResolver,
  InstructorRatingResolver,
  InstructorRatingsResolver,
  DeviceResolver,
  NotificationResolver,
  EventResolver,
  EventRegistrationResolver,
  EventUpdateResolver,
  AuditLogResolver,
  PaymentResolver,
  RefundRequestResolver,
  EnrollmentPaymentsResolver,
  AttendanceCronLogResolver,
  InstructorAttendanceResolver,
] as const;

let built: Promise<GraphQLSchema> | undefined;

/** The schema, built once per process (type-graphql metadata is global). */
export function buildRosterSchema(): Promise<GraphQLSchema> {
  built ??= buildSchema({
    resolvers,
    // No input uses class-validator decorators; the services validate. Off, it costs
    // nothing per resolver call (on, it ran for every field with arguments).
    validate: false,
    emitSchemaFile: false,
    // @Authorized marks private fields only: unreadable ones resolve to null (schema/shared/privacy.ts).
    authChecker: privacyChecker,
    authMode: "null",
    // Every subscription brings its own `subscribe` (server/services/realtime.ts) that
    // authorises the viewer and picks a scoped channel; type-graphql's topics are unused.
    pubSub: {
      publish: () => {
        throw new Error("publish through the app's Bus, not type-graphql");
      },
      subscribe: () => {
        throw new Error("subscriptions declare their own subscribe function");
      },
    },
  }).then((schema) => {
    // type-graphql wraps a union's resolveType in an async function; the compiled
    // executor (graphql-jit) needs the answer synchronously.
    const participant = schema.getType("Participant");
    if (isUnionType(participant)) participant.resolveType = participantTypeOf;
    // A connection's total is counted only when asked for: services give a function.
    for (const type of Object.values(schema.getTypeMap())) {
      const totalCount = isObjectType(type) && type.name.endsWith("Connection") ? type.getFields().totalCount : undefined;
      if (totalCount) totalCount.resolve = (connection: ConnectionShape<unknown>) => (typeof connection.totalCount === "function" ? connection.totalCount() : connection.totalCount);
    }
    return schema;
  });
  return built;
}
