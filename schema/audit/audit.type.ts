import { Field, InputType, ObjectType } from "type-graphql";
import type { AuditLogEntry as AuditRow } from "../../drizzle/schema";
import type { AuditFilter as AuditFilterFields } from "../../server/services/audit";
import { DateTime, JSONValue, UUID } from "../shared/scalars";

@ObjectType({ description: "One change: who did what to which record, with the record before and after." })
export class AuditLogEntry implements Pick<AuditRow, "id" | "action" | "entity" | "entityId" | "requestId" | "createdAt"> {
  @Field(() => UUID, { description: "The entry's id." })
  id: string;

  @Field(() => String, { description: "What was done, e.g. enrollment.approve, course.update." })
  action: string;

  @Field(() => String, { description: "Kind of record, e.g. course, enrollment_request." })
  entity: string;

  @Field(() => String, { nullable: true, description: "Id of the record changed; null when the change has none." })
  entityId: string | null;

  // JSON, not JSONObject: some changes keep a list (attendance.mark: every mark of the lecture).
  @Field(() => JSONValue, {
    nullable: true,
    description: "The record(s) before the change, as stored: an object, or a list for changes of many rows (secrets removed).",
  })
  before: unknown;

  @Field(() => JSONValue, {
    nullable: true,
    description: "The record(s) after the change, as stored: an object, or a list for changes of many rows (secrets removed).",
  })
  after: unknown;

  @Field(() => String, { nullable: true, description: "The request that made the change (matches the logs)." })
  requestId: string | null;

  @Field(() => DateTime, { description: "When the change was made." })
  createdAt: Date;

  actorId: string | null;
}

@InputType({ description: "Which audit entries to list." })
export class AuditFilter implements AuditFilterFields {
  @Field(() => String, { nullable: true, description: "Only changes to this kind of record, e.g. course (exact match)." })
  entity?: string | null;

  @Field(() => String, { nullable: true, description: "Only changes to the record with this id." })
  entityId?: string | null;

  @Field(() => UUID, { nullable: true, description: "Only changes made by this user." })
  actorId?: string | null;

  @Field(() => String, { nullable: true, description: "Only this action, e.g. enrollment.approve (exact match)." })
  action?: string | null;

  @Field(() => DateTime, { nullable: true, description: "Only changes made at or after this time." })
  from?: Date | null;

  @Field(() => DateTime, { nullable: true, description: "Only changes made at or before this time (not before from)." })
  to?: Date | null;
}
