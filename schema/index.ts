/** Builds the one GraphQL schema from every domain's resolvers. */
import "reflect-metadata";
import { defaultFieldResolver, getNullableType, isListType, isObjectType, isUnionType, type GraphQLSchema } from "graphql";
import type { Context } from "../server/context";
import { LIST_LIMITS, type ConnectionShape } from "../server/pagination";
import { sourceOf } from "../server/plan/model";
import { buildSchema, getMetadataStorage } from "type-graphql";
// The planned types (server/plan/<domain>.ts) declare themselves on import.
import "../server/plan/courses";
import { AttendanceResolver, AttendanceUpdateResolver, ParticipantAttendanceResolver } from "./attendance/attendance.resolver";
import { CheckInResolver } from "./attendance/check-in.resolver";
import { DeviceResolver } from "./attendance/device.resolver";
import { OfflineRegisterResolver } from "./attendance/offline.resolver";
import { AbsenceExcuseResolver, AttendanceSettingsResolver } from "./attendance/excuse.resolver";
import { InstructorRatingResolver, InstructorRatingsResolver } from "./attendance/rating.resolver";
import { AuditLogResolver } from "./audit/audit.resolver";
import { CalendarFeedResolver } from "./calendar/calendar-feed.resolver";
import { MessageDeliveryResolver } from "./messages/delivery.resolver";
import { AuthResolver, SessionResolver } from "./auth/auth.resolver";
import { CourseResolver } from "./courses/course.resolver";
import { ExamResolver, ExamResultResolver } from "./courses/exam.resolver";
import { LectureResolver } from "./courses/lecture.resolver";
import { SeasonResolver } from "./courses/season.resolver";
import { TagResolver } from "./courses/tag.resolver";
import { EnrollmentRequestResolver, EnrollmentResolver } from "./enrollments/enrollment.resolver";
import { GeolocationResolver, SessionGeolocationResolver } from "./geo/geo.resolver";
import { JobRunResolver, InstructorAttendanceResolver } from "./jobs/job.resolver";
import { InvitationResolver } from "./invitations/invitation.resolver";
import { NotificationResolver } from "./notifications/notification.resolver";
import { NotificationPreferencesResolver } from "./notifications/preferences.resolver";
import { EnrollmentPaymentsResolver, PaymentResolver, RefundRequestResolver } from "./payments/payment.resolver";
import { ChildResolver, InstructorResolver, ParentResolver, StudentResolver } from "./people/people.resolver";
import { ChildGuardiansResolver, GuardianResolver } from "./people/guardian.resolver";
import { PeopleImportResolver } from "./people/import.resolver";
import { participantTypeOf } from "./people/people.type";
import { EventRegistrationResolver, EventResolver, EventUpdateResolver } from "./events/event.resolver";
import { MembershipResolver, TenantResolver } from "./tenants/tenant.resolver";
import { privacyChecker } from "./shared/privacy";
import { ProfileUpdateResolver, UserResolver } from "./users/user.resolver";
import { CourseWaitlistResolver } from "./waitlists/waitlist.resolver";
import { CourseRefundPolicyResolver } from "./refund-policies/refund-policy.resolver";
import { PaymentReceiptsResolver, ReceiptResolver } from "./receipts/receipt.resolver";

export const resolvers = [
  AuthResolver,
  SessionResolver,
  SessionGeolocationResolver,
  GeolocationResolver,
  TenantResolver,
  MembershipResolver,
  InvitationResolver,
  UserResolver,
  ProfileUpdateResolver,
  StudentResolver,
  InstructorResolver,
  ParentResolver,
  ChildResolver,
  GuardianResolver,
  ChildGuardiansResolver,
  PeopleImportResolver,
  SeasonResolver,
  TagResolver,
  CourseResolver,
  LectureResolver,
  ExamResolver,
  ExamResultResolver,
  EnrollmentResolver,
  EnrollmentRequestResolver,
  CourseWaitlistResolver,
  AttendanceResolver,
  ParticipantAttendanceResolver,
  AttendanceUpdateResolver,
  InstructorRatingResolver,
  InstructorRatingsResolver,
  DeviceResolver,
  CalendarFeedResolver,
  AbsenceExcuseResolver,
  AttendanceSettingsResolver,
  CheckInResolver,
  OfflineRegisterResolver,
  NotificationResolver,
  NotificationPreferencesResolver,
  EventResolver,
  EventRegistrationResolver,
  EventUpdateResolver,
  AuditLogResolver,
  MessageDeliveryResolver,
  PaymentResolver,
  RefundRequestResolver,
  CourseRefundPolicyResolver,
  ReceiptResolver,
  PaymentReceiptsResolver,
  EnrollmentPaymentsResolver,
  JobRunResolver,
  InstructorAttendanceResolver,
] as const;

let built: Promise<GraphQLSchema> | undefined;

/**
 * Planned relations (server/plan) resolve straight through the planner: their
 * resolver methods declare the fields (and their arguments) for the schema, but
 * type-graphql's per-call machinery (argument objects, middlewares) would cost
 * more than the lookup itself on every parent of a large answer.
 */
function planRelations(schema: GraphQLSchema): void {
  for (const type of Object.values(schema.getTypeMap())) {
    const relations = isObjectType(type) ? sourceOf(type.name)?.relations : undefined;
    if (!relations || !isObjectType(type)) continue;
    for (const [name, field] of Object.entries(type.getFields())) {
      if (relations[name]) field.resolve = (parent: object, _args, ctx: Context, info) => ctx.planner.load(parent, info);
    }
  }
}

/**
 * Plain fields — a property of the object, without @Authorized, middleware,
 * arguments or a field resolver — are read inline by the compiled executor:
 * type-graphql would wrap each one in a resolver that runs an empty middleware
 * chain, once per field of every object of an answer. (The planner also relies
 * on it: a field without a resolver is a column it may serialise in SQL.)
 */
function inlinePlainFields(schema: GraphQLSchema): void {
  const storage = getMetadataStorage();
  for (const objectType of storage.objectTypes) {
    const type = schema.getType(objectType.name);
    if (!isObjectType(type)) continue;
    const fields = type.getFields();
    for (const field of objectType.fields ?? []) {
      const plain =
        !field.roles &&
        !field.middlewares?.length &&
        !field.params?.length &&
        field.schemaName === field.name &&
        !storage.fieldResolvers.some((resolver) => resolver.getObjectType?.() === field.target && resolver.methodName === field.name);
      const built = fields[field.schemaName];
      if (plain && built) built.resolve = undefined;
    }
  }
}

/**
 * Every list that is not a connection has a cap (LIST_LIMITS): its field answers
 * at most that many items, whatever a service returns, and a query's cost counts
 * it at its estimate. A list without one stops the schema from building.
 */
function capLists(schema: GraphQLSchema): void {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith("__") || type.name.endsWith("Connection")) continue;
    for (const field of Object.values(type.getFields())) {
      if (!isListType(getNullableType(field.type))) continue;
      const limit = LIST_LIMITS[`${type.name}.${field.name}`];
      if (!limit) throw new Error(`${type.name}.${field.name} is a list without a cap: add it to LIST_LIMITS (server/pagination.ts)`);
      const resolve = field.resolve ?? defaultFieldResolver;
      const cut = (items: unknown) => (Array.isArray(items) && items.length > limit.cap ? items.slice(0, limit.cap) : items);
      field.resolve = (source, args, context, info) => {
        const items = resolve(source, args, context, info);
        return items instanceof Promise ? items.then(cut) : cut(items);
      };
    }
  }
}

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
    inlinePlainFields(schema);
    planRelations(schema);
    capLists(schema);
    // A connection's total is counted only when asked for: services give a function.
    for (const type of Object.values(schema.getTypeMap())) {
      const totalCount = isObjectType(type) && type.name.endsWith("Connection") ? type.getFields().totalCount : undefined;
      if (totalCount)
        totalCount.resolve = (connection: ConnectionShape<unknown>) =>
          typeof connection.totalCount === "function" ? connection.totalCount() : connection.totalCount;
    }
    return schema;
  });
  return built;
}
