import { registerEnumType, Field, InputType, ObjectType } from "type-graphql";
import { calendarFeedScopeEnum, type CalendarFeed as CalendarFeedRow, type CalendarFeedScope as Scope } from "../../drizzle/schema";
import { DateTime, UUID } from "../shared/scalars";

export const CalendarFeedScope = Object.fromEntries(calendarFeedScopeEnum.enumValues.map((value) => [value, value])) as {
  [K in Scope]: K;
};
registerEnumType(CalendarFeedScope, {
  name: "CalendarFeedScope",
  description: "What a calendar feed shows.",
  valuesConfig: {
    PERSON: {
      description:
        "Your lectures in this organisation (as a student, your enrolled children's, or the courses you teach) and the events you registered for.",
    },
    COURSE: { description: "One course's lectures." },
  },
});

@ObjectType({
  description:
    "A secret iCal (RFC 5545) URL a calendar app subscribes to. Lectures from 60 days back to 365 days ahead; reschedules and cancellations show up as updates.",
})
export class CalendarFeed implements Pick<CalendarFeedRow, "id" | "scope" | "courseId" | "lastFetchedAt" | "revokedAt" | "createdAt"> {
  @Field(() => UUID, { description: "The feed's id." })
  id: string;

  @Field(() => CalendarFeedScope, { description: "What it shows." })
  scope: Scope;

  @Field(() => UUID, { nullable: true, description: "The course of a COURSE feed; null for a PERSON feed." })
  courseId: string | null;

  @Field(() => DateTime, { nullable: true, description: "When a calendar app last fetched it; null if never." })
  lastFetchedAt: Date | null;

  @Field(() => DateTime, { nullable: true, description: "When it was revoked (its URL answers 404 since); null while it works." })
  revokedAt: Date | null;

  @Field(() => DateTime, { description: "When it was created." })
  createdAt: Date;
}

@ObjectType({ description: "A new calendar feed and its URL (shown once: paste it into a calendar app)." })
export class CreateCalendarFeedPayload {
  @Field(() => CalendarFeed, { description: "The new feed." })
  feed: CalendarFeedRow;

  @Field(() => String, {
    description:
      "The feed's URL, `<PUBLIC_URL>/calendar/<token>.ics` (just the path when PUBLIC_URL is not configured). It is the credential: anyone with it reads the feed until it is revoked.",
  })
  url: string;
}

@InputType({ description: "Which calendar feed to create." })
export class CreateCalendarFeedInput {
  @Field(() => CalendarFeedScope, { description: "PERSON (your own calendar) or COURSE (one course's lectures)." })
  scope: Scope;

  @Field(() => UUID, {
    nullable: true,
    description:
      "The course of a COURSE feed (staff, its instructor, or a family with an ACTIVE enrolment in it); must be absent for PERSON.",
  })
  courseId?: string | null;
}
