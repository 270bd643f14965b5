/**
 * Every pub/sub topic and its payload, in one place. Channels are scoped by
 * tenant or user so an instance only receives what its subscribers may see.
 * Payloads are JSON (they cross Redis): dates travel as ISO strings.
 */
import type { EventStatus } from "../../drizzle/tables/enums-types";
import type { EventChange } from "../domain-events/domain-events";

export enum Topic {
  ProfileUpdated = "profile",
  NotificationAdded = "notification",
  AttendanceUpdated = "attendance",
  EventUpdated = "event",
  /** Sessions signed out, roles changed, devices revoked: sockets relying on them close (server/graphql/ws.ts). */
  AccessChanged = "access",
}

export interface TopicPayloads {
  [Topic.ProfileUpdated]: { userId: string; passwordUpdated: boolean; changedFields: string[]; at: string };
  [Topic.NotificationAdded]: { tenantId: string; userId: string; notificationId: string };
  [Topic.AttendanceUpdated]: {
    tenantId: string;
    courseId: string;
    lectureId: string;
    attendanceIds: string[];
    /** Whose marks changed: lets a family's subscription skip other families' marks. */
    participantIds: string[];
  };
  /**
   * `status` and `createdBy` ride along so each subscriber can drop drafts it may not
   * see without a database round trip per subscriber per event.
   */
  [Topic.EventUpdated]: { tenantId: string; eventId: string; change: EventChange; status: EventStatus; createdBy: string };
  /** One session, every session of a user (optionally only their access to one tenant), or a device. */
  [Topic.AccessChanged]:
    | { sessionId: string }
    | { userId: string; tenantId?: string }
    | { deviceId: string }
    /** A whole tenant (suspended): every socket acting in it. */
    | { suspendedTenantId: string };
}

/** The channel keys of each topic (what follows the topic name in the channel). */
export interface TopicKeys {
  [Topic.ProfileUpdated]: [userId: string];
  [Topic.NotificationAdded]: [userId: string];
  [Topic.AttendanceUpdated]: [tenantId: string, courseId: string];
  [Topic.EventUpdated]: [tenantId: string];
  [Topic.AccessChanged]: [];
}

export const channelOf = <T extends Topic>(topic: T, keys: TopicKeys[T]) => [topic, ...keys].join(":");
