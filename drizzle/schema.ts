/** The whole Drizzle schema: every table, enum and relation (what drizzle-kit and the client load). */
export * from "./tables/enums";
export * from "./tables/tenants";
export * from "./tables/users";
export * from "./tables/memberships";
export * from "./tables/invitations";
export * from "./tables/auth";
export * from "./tables/courses";
export * from "./tables/enrollments";
export * from "./tables/payments";
export * from "./tables/attendance";
export * from "./tables/events";
export * from "./tables/notifications";
export * from "./tables/notification-preferences";
export * from "./tables/audit";
export * from "./tables/idempotency";
export * from "./relations";
