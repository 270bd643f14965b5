import { Field, ObjectType } from "type-graphql";
import type { Notification as NotificationRow } from "../../drizzle/schema";
import { DateTime, JSONObject, UUID } from "../shared/scalars";

@ObjectType({ description: "A message to you in this tenant, written in your language." })
export class Notification implements Pick<NotificationRow, "id" | "kind" | "title" | "body" | "data" | "readAt" | "createdAt"> {
  @Field(() => UUID)
  id: string;

  @Field(() => String, { description: "ENROLLMENT_APPROVED, ENROLLMENT_REJECTED, LECTURE_CANCELLED, ATTENDANCE_ABSENT, PASSWORD_CHANGED, …" })
  kind: string;

  @Field(() => String)
  title: string;

  @Field(() => String)
  body: string;

  @Field(() => JSONObject, { description: "Ids of what it is about (courseId, lectureId, …)." })
  data: Record<string, unknown>;

  @Field(() => DateTime, { nullable: true })
  readAt: Date | null;

  @Field(() => DateTime)
  createdAt: Date;
}
