import { Field, InputType, Int, registerEnumType } from "type-graphql";
import type { EventStatus as EventStatusValue } from "../../drizzle/tables/enums-types";
import type { SortDirection as SortDirectionValue } from "../../server/pagination";
import {
  EVENT_ORDER_FIELDS,
  type CreateEventData,
  type EventFilter as EventFilterData,
  type EventOrder as EventOrderData,
  type EventOrderField as EventOrderFieldValue,
  type UpdateEventData,
} from "../../server/services/events";
import { EventStatus, SortDirection } from "../shared/enums";
import { DateTime } from "../shared/scalars";

export const EventOrderField = Object.fromEntries(EVENT_ORDER_FIELDS.map((value) => [value, value])) as {
  [K in EventOrderFieldValue]: K;
};
registerEnumType(EventOrderField, {
  name: "EventOrderField",
  description: "What a list of events is sorted by (ties broken by id).",
  valuesConfig: {
    STARTS_AT: { description: "Start time." },
    CREATED_AT: { description: "Creation time." },
    TITLE: { description: "Title, in the database's collation." },
  },
});

@InputType({ description: "A new event. It starts as a DRAFT: publish it to open registration." })
export class CreateEventInput implements CreateEventData {
  @Field(() => String, { description: "Required, up to 200 characters." })
  title: string;

  @Field(() => String, { nullable: true, description: "Free text, up to 10,000 characters." })
  description?: string | null;

  @Field(() => DateTime, { description: "When it starts." })
  startsAt: Date;

  @Field(() => DateTime, { description: "When it ends; must be after startsAt." })
  endsAt: Date;

  @Field(() => String, { nullable: true, description: "Where it takes place, up to 255 characters." })
  location?: string | null;

  @Field(() => Int, { description: "Places available; at least 1." })
  maxParticipants: number;

  @Field(() => Boolean, { nullable: true, description: "Queue registrations when full (default false)." })
  waitlistEnabled?: boolean | null;
}

@InputType({ description: "Changes to an event; omitted (or null) fields keep their value." })
export class UpdateEventInput implements UpdateEventData {
  @Field(() => String, { nullable: true, description: "New title (not empty)." })
  title?: string | null;

  @Field(() => String, { nullable: true, description: "New description." })
  description?: string | null;

  @Field(() => DateTime, { nullable: true, description: "New start; registrants of a published event are notified." })
  startsAt?: Date | null;

  @Field(() => DateTime, { nullable: true, description: "New end; registrants of a published event are notified." })
  endsAt?: Date | null;

  @Field(() => String, { nullable: true, description: "New place; registrants of a published event are notified." })
  location?: string | null;

  @Field(() => Int, {
    nullable: true,
    description: "New capacity: not below the confirmed places; more places promote people from the waitlist.",
  })
  maxParticipants?: number | null;

  @Field(() => Boolean, { nullable: true, description: "Queue registrations when full." })
  waitlistEnabled?: boolean | null;
}

@InputType({ description: "Which events to list; every given condition must hold." })
export class EventFilter implements EventFilterData {
  @Field(() => EventStatus, { nullable: true, description: "Only events in this state." })
  status?: EventStatusValue | null;

  @Field(() => DateTime, { nullable: true, description: "Only events starting at or after this time." })
  startsAfter?: Date | null;

  @Field(() => DateTime, { nullable: true, description: "Only events starting before this time." })
  startsBefore?: Date | null;

  @Field(() => String, { nullable: true, description: "Text found in the title, description or location (any case)." })
  search?: string | null;

  @Field(() => Boolean, { nullable: true, description: "Only events that have not started yet." })
  upcomingOnly?: boolean | null;

  @Field(() => Boolean, {
    nullable: true,
    description: "Staff: archived events too (default false). Ignored for everyone else, who never list archived events.",
  })
  includeArchived?: boolean | null;
}

@InputType({ description: "How to sort a list of events." })
export class EventOrder implements EventOrderData {
  @Field(() => EventOrderField, { nullable: true, description: "Sort key (default STARTS_AT)." })
  field?: EventOrderFieldValue | null;

  @Field(() => SortDirection, { nullable: true, description: "Direction (default ASC)." })
  direction?: SortDirectionValue | null;
}
