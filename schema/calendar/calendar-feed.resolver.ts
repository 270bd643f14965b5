import { Arg, Ctx, Int, Mutation, Query, Resolver } from "type-graphql";
import type { Context } from "../../server/context";
import * as feeds from "../../server/services/calendar-feeds";
import { Connection, toConnection } from "../shared/connection";
import { UUID } from "../shared/scalars";
import { CalendarFeed, CreateCalendarFeedInput, CreateCalendarFeedPayload } from "./calendar-feed.type";

const CalendarFeedConnection = Connection(CalendarFeed, "CalendarFeed");

@Resolver(() => CalendarFeed)
export class CalendarFeedResolver {
  @Query(() => CalendarFeedConnection, { description: "Your calendar feeds in this organisation, newest first, revoked ones too." })
  async calendarFeeds(
    @Ctx() ctx: Context,
    @Arg("first", () => Int, { nullable: true, description: "Page size, 1 to 100 (default 20)." }) first?: number,
    @Arg("after", () => String, { nullable: true, description: "endCursor of the previous page." }) after?: string,
  ) {
    return toConnection(await feeds.listCalendarFeeds(ctx, { first, after }), (row) => row);
  }

  @Mutation(() => CreateCalendarFeedPayload, {
    description: `Any member: creates a calendar feed and returns its secret URL once (at most ${feeds.FEEDS_PER_PERSON} live feeds each).`,
  })
  createCalendarFeed(
    @Arg("input", () => CreateCalendarFeedInput, { description: "Which feed." }) input: CreateCalendarFeedInput,
    @Ctx() ctx: Context,
  ) {
    return feeds.createCalendarFeed(ctx, input);
  }

  @Mutation(() => CalendarFeed, {
    description:
      "Revokes one of your calendar feeds (tenant admins: anyone's): its URL answers 404 from now on. Revoking twice is harmless.",
  })
  revokeCalendarFeed(@Arg("id", () => UUID, { description: "The feed to revoke." }) id: string, @Ctx() ctx: Context) {
    return feeds.revokeCalendarFeed(ctx, id);
  }
}
