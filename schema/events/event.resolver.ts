import { Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root, Subscription } from "type-graphql";
import type { RegistrationStatus as RegistrationStatusValue } from "../../drizzle/tables/enums-types";
import type { Context } from "../../server/context";
import type { Topic, TopicPayloads } from "../../server/pubsub/topics";
import * as events from "../../server/services/events";
import { subscribeToEvents } from "../../server/services/realtime";
import { Connection, toConnection } from "../shared/connection";
import { RegistrationStatus } from "../shared/enums";
import { UUID } from "../shared/scalars";
import { User } from "../users/user.type";
import { CreateEventInput, EventFilter, EventOrder, UpdateEventInput } from "./event.input";
import { Event, EventRegistration, EventUpdate, type EventSource } from "./event.type";

const EventConnection = Connection(Event, "Event");
const EventRegistrationConnection = Connection(EventRegistration, "EventRegistration");

@Resolver(() => Event)
export class EventResolver {
  @Query(() => Event, { description: "An event of the current tenant (drafts: their creator and staff). NOT_FOUND otherwise." })
  event(@Arg("id", () => UUID, { description: "The event's id." }) id: string, @Ctx() ctx: Context) {
    return events.getEvent(ctx, id);
  }

  @Query(() => EventConnection, {
    description: "Events of the current tenant the viewer may see (anonymous: with X-Tenant), in start order by default.",
  })
  async events(
    @Ctx() ctx: Context,
    @Arg("filter", () => EventFilter, { nullable: true, description: "Conditions the events must meet." }) filter?: EventFilter,
    @Arg("orderBy", () => EventOrder, { nullable: true, description: "Sort order (default STARTS_AT ASC)." }) orderBy?: EventOrder,
    @Arg("first", () => Int, { nullable: true, description: "Page size, 1 to 100 (default 20)." }) first?: number,
    @Arg("after", () => String, { nullable: true, description: "endCursor of the previous page (same orderBy)." }) after?: string,
  ) {
    return toConnection(await events.listEvents(ctx, { filter, orderBy, first, after }), (row) => row);
  }

  @Mutation(() => Event, { description: "Creates a draft event (tenant admins, staff and instructors)." })
  createEvent(@Arg("input", () => CreateEventInput, { description: "The new event." }) input: CreateEventInput, @Ctx() ctx: Context) {
    return events.createEvent(ctx, input);
  }

  @Mutation(() => Event, { description: "Changes an event (its creator or staff); not once cancelled." })
  updateEvent(
    @Arg("id", () => UUID, { description: "The event to change." }) id: string,
    @Arg("input", () => UpdateEventInput, { description: "The fields to change." }) input: UpdateEventInput,
    @Ctx() ctx: Context,
  ) {
    return events.updateEvent(ctx, id, input);
  }

  @Mutation(() => Event, { description: "Publishes a draft: visible to everyone in the tenant, open for registration." })
  publishEvent(@Arg("id", () => UUID, { description: "The draft to publish." }) id: string, @Ctx() ctx: Context) {
    return events.publishEvent(ctx, id);
  }

  @Mutation(() => Event, {
    description:
      "Archives an event (its creator and staff): it leaves the default lists, keeps its registrations and refuses new ones " +
      "(CONFLICT). Not a cancellation: nobody is notified. CONFLICT when already archived.",
  })
  archiveEvent(@Arg("id", () => UUID, { description: "The event to archive." }) id: string, @Ctx() ctx: Context) {
    return events.setEventArchived(ctx, id, true);
  }

  @Mutation(() => Event, { description: "Brings an archived event back (its creator and staff). CONFLICT when it is not archived." })
  unarchiveEvent(@Arg("id", () => UUID, { description: "The event to bring back." }) id: string, @Ctx() ctx: Context) {
    return events.setEventArchived(ctx, id, false);
  }

  @Mutation(() => Boolean, {
    description:
      "Deletes an event nobody ever registered for (its creator and staff); true when done. One with registrations, even " +
      "cancelled ones, is refused with CONFLICT (extensions.reason HAS_HISTORY, suggestion archiveEvent).",
  })
  deleteEvent(@Arg("id", () => UUID, { description: "The event to delete." }) id: string, @Ctx() ctx: Context) {
    return events.deleteEvent(ctx, id);
  }

  @Mutation(() => Event, { description: "Cancels a draft or published event; registrants are notified with the reason." })
  cancelEvent(
    @Arg("id", () => UUID, { description: "The event to cancel." }) id: string,
    @Arg("reason", () => String, { description: "Why (up to 500 characters); sent to registrants." }) reason: string,
    @Ctx() ctx: Context,
  ) {
    return events.cancelEvent(ctx, id, reason);
  }

  @Subscription(() => EventUpdate, {
    description: "Live changes to the tenant's events you may see (members only); all of them, or one with eventId.",
    subscribe: ({ args, context }) => subscribeToEvents(context as Context, (args as { eventId?: string | null }).eventId),
  })
  eventUpdated(
    @Root() payload: TopicPayloads[Topic.EventUpdated],
    @Arg("eventId", () => UUID, { nullable: true, description: "Only this event." }) _eventId?: string,
  ): EventUpdate {
    return { change: payload.change, eventId: payload.eventId };
  }

  @FieldResolver(() => Int, { description: "Places left (0 when full)." })
  spotsLeft(@Root() event: EventSource) {
    return Math.max(0, event.maxParticipants - event.confirmedCount);
  }

  @FieldResolver(() => Boolean, { description: "It has not started yet." })
  isUpcoming(@Root() event: EventSource) {
    return event.startsAt.getTime() > Date.now();
  }

  @FieldResolver(() => User, { nullable: true, description: "Who created it (null if no longer visible in this tenant)." })
  creator(@Root() event: EventSource, @Ctx() ctx: Context) {
    return ctx.loaders.user.load(event.createdBy);
  }

  @FieldResolver(() => EventRegistration, {
    nullable: true,
    description: "Your registration (any status, CANCELLED included); null when signed out or never registered.",
  })
  myRegistration(@Root() event: EventSource, @Ctx() ctx: Context) {
    return ctx.loaders.myRegistration.load(event.id);
  }

  @FieldResolver(() => EventRegistrationConnection, {
    nullable: true,
    description: "Who registered, in registration order (its creator and staff; FORBIDDEN otherwise).",
  })
  async registrations(
    @Root() event: EventSource,
    @Ctx() ctx: Context,
    @Arg("status", () => RegistrationStatus, { nullable: true, description: "Only registrations in this state." })
    status?: RegistrationStatusValue,
    @Arg("first", () => Int, { nullable: true, description: "Page size, 1 to 100 (default 20)." }) first?: number,
    @Arg("after", () => String, { nullable: true, description: "endCursor of the previous page." }) after?: string,
  ) {
    return toConnection(await events.listRegistrations(ctx, event, { status, first, after }), (row) => row);
  }
}

@Resolver(() => EventRegistration)
export class EventRegistrationResolver {
  @Mutation(() => EventRegistration, {
    description:
      "Takes a place in a published event that has not started (members). When full: WAITLISTED if it has a waitlist, else CONFLICT.",
  })
  registerForEvent(@Arg("eventId", () => UUID, { description: "The event." }) eventId: string, @Ctx() ctx: Context) {
    return events.registerForEvent(ctx, eventId);
  }

  @Mutation(() => EventRegistration, {
    description:
      "Cancels your registration (eventId), or any registration of an event you manage (registrationId). A freed place goes to the waitlist.",
  })
  cancelRegistration(
    @Ctx() ctx: Context,
    @Arg("eventId", () => UUID, { nullable: true, description: "Your registration for this event." }) eventId?: string,
    @Arg("registrationId", () => UUID, { nullable: true, description: "A registration by id (yours, or as creator/staff)." })
    registrationId?: string,
  ) {
    return events.cancelRegistration(ctx, { eventId, registrationId });
  }

  @FieldResolver(() => User, { nullable: true, description: "The registered person." })
  user(@Root() registration: EventRegistration, @Ctx() ctx: Context) {
    return ctx.loaders.user.load(registration.userId);
  }

  @FieldResolver(() => Event, { description: "The event." })
  event(@Root() registration: EventRegistration, @Ctx() ctx: Context) {
    return events.getEvent(ctx, registration.eventId);
  }
}

@Resolver(() => EventUpdate)
export class EventUpdateResolver {
  @FieldResolver(() => Event, { description: "The event as it is now." })
  event(@Root() update: EventUpdate, @Ctx() ctx: Context) {
    return events.getEvent(ctx, update.eventId);
  }
}
