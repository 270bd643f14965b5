import { Field, ObjectType } from "type-graphql";
import type { Notification as NotificationRow } from "../../drizzle/schema";
import { DateTime, JSONObject, UUID } from "../shared/scalars";

@ObjectType({ description: "A message to you in this tenant, written in your language." })
export class Notification implements Pick<NotificationRow, "id" | "kind" | "title" | "body" | "data" | "readAt" | "createdAt"> {
  @Field(() => UUID, { description: "The notification's id (markNotificationRead takes it)." })
  id: string;

  @Field(() => String, {
    description: "ENROLLMENT_APPROVED, ENROLLMENT_REJECTED, LECTURE_CANCELLED, ATTENDANCE_ABSENT, PASSWORD_CHANGED, …",
  })
  kind: string;

  @Field(() => String, { description: "One line, in your language when it was written." })
  title: string;

  @Field(() => String, { description: "The message, in your language when it was written." })
  body: string;

  @Field(() => JSONObject, { description: "Ids of what it is about (courseId, lectureId, …)." })
  data: Record<string, unknown>;

  @Field(() => DateTime, { nullable: true, description: "When you marked it read; null while unread." })
  readAt: Date | null;

  @Field(() => DateTime, { description: "When it was written (the list's order, newest first)." })
  createdAt: Date;
}
