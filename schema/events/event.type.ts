import { Field, Int, ObjectType, registerEnumType } from "type-graphql";
import type { Event as EventRow, EventRegistration as RegistrationRow } from "../../drizzle/schema";
import type { EventStatus as EventStatusValue, RegistrationStatus as RegistrationStatusValue } from "../../drizzle/tables/enums-types";
import { EVENT_CHANGES, type EventChange as EventChangeValue } from "../../server/domain-events/domain-events";
import { EventStatus, RegistrationStatus } from "../shared/enums";
import { DateTime, UUID } from "../shared/scalars";

export const EventChange = Object.fromEntries(EVENT_CHANGES.map((value) => [value, value])) as { [K in EventChangeValue]: K };
registerEnumType(EventChange, {
  name: "EventChange",
  description: "What happened to an event.",
  valuesConfig: {
    CREATED: { description: "A draft was created (seen by its creator and staff only)." },
    UPDATED: { description: "Its details changed." },
    PUBLISHED: { description: "It was published and is open for registration." },
    CANCELLED: { description: "It was cancelled." },
    REGISTRATION: { description: "Someone registered or cancelled: confirmedCount and spotsLeft may have changed." },
  },
});

/**
 * An event as the API shows it; resolvers return the row itself, whose
 * `tenantId` and `createdBy` the field resolvers read (see EventResolver).
 */
@ObjectType({ description: "Something that happens at a given time with a limited number of places: a workshop, a match, a trip." })
export class Event
  implements
    Pick<
      EventRow,
      | "id"
      | "title"
      | "description"
      | "startsAt"
      | "endsAt"
      | "location"
      | "maxParticipants"
      | "confirmedCount"
      | "waitlistEnabled"
      | "status"
      | "createdAt"
      | "updatedAt"
      | "archivedAt"
      | "createdBy"
    >
{
  @Field(() => UUID, { description: "Identifier of the event." })
  id: string;

  @Field(() => String, { description: "Title, up to 200 characters." })
  title: string;

  @Field(() => String, { description: "Free text; may be empty." })
  description: string;

  @Field(() => DateTime, { description: "When it starts; registration closes then." })
  startsAt: Date;

  @Field(() => DateTime, { description: "When it ends (always after startsAt)." })
  endsAt: Date;

  @Field(() => String, { description: "Where it takes place; may be empty." })
  location: string;

  @Field(() => Int, { description: "Places available in total." })
  maxParticipants: number;

  @Field(() => Int, { description: "Places taken (CONFIRMED registrations)." })
  confirmedCount: number;

  @Field(() => Boolean, { description: "When full, registrations join a waitlist instead of being refused." })
  waitlistEnabled: boolean;

  @Field(() => EventStatus, { description: "DRAFT (visible to its creator and staff), PUBLISHED or CANCELLED." })
  status: EventStatusValue;

  @Field(() => DateTime, { description: "When the event was created." })
  createdAt: Date;

  @Field(() => DateTime, { description: "When the event last changed." })
  updatedAt: Date;

  @Field(() => DateTime, {
    nullable: true,
    description:
      "When it was archived (archiveEvent); null while current. Archived events are left out of lists unless staff ask " +
      "(EventFilter.includeArchived) and take no new registrations; registrations stay.",
  })
  archivedAt: Date | null;

  /** Read by the `creator` field resolver. */
  createdBy: string;
}

/** What resolvers return for an Event: the row. */
export type EventSource = EventRow;

@ObjectType({ description: "A person's place (or place in the queue) at an event." })
export class EventRegistration
  implements Pick<RegistrationRow, "id" | "status" | "registeredAt" | "cancelledAt" | "promotedAt" | "eventId" | "userId">
{
  @Field(() => UUID, { description: "Identifier of the registration." })
  id: string;

  @Field(() => RegistrationStatus, { description: "CONFIRMED (has a place), WAITLISTED (queued) or CANCELLED." })
  status: RegistrationStatusValue;

  @Field(() => DateTime, { description: "When the place was asked for; the waitlist is served in this order." })
  registeredAt: Date;

  @Field(() => DateTime, { nullable: true, description: "When it was cancelled, if it is." })
  cancelledAt: Date | null;

  @Field(() => DateTime, { nullable: true, description: "When it moved from the waitlist to a confirmed place, if it did." })
  promotedAt: Date | null;

  /** Read by the `event` field resolver. */
  eventId: string;
  /** Read by the `user` field resolver. */
  userId: string;
}

@ObjectType({ description: "A live change to an event (subscription eventUpdated)." })
export class EventUpdate {
  @Field(() => EventChange, { description: "What happened." })
  change: EventChangeValue;

  /** Read by the `event` field resolver, which loads the event as it is now. */
  eventId: string;
}
