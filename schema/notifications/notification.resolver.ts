import { Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root, Subscription } from "type-graphql";
import type { Context } from "../../server/context";
import type { Topic, TopicPayloads } from "../../server/pubsub/topics";
import * as notifications from "../../server/services/notifications";
import { subscribeToNotifications } from "../../server/services/realtime";
import { Connection, toConnection } from "../shared/connection";
import { UUID } from "../shared/scalars";
import { Notification } from "./notification.type";

const NotificationConnection = Connection(Notification, "Notification");

@Resolver(() => Notification)
export class NotificationResolver {
  @Query(() => NotificationConnection, { description: "Your notifications in this tenant, newest first." })
  async notifications(
    @Ctx() ctx: Context,
    @Arg("unreadOnly", () => Boolean, { defaultValue: false, description: "Only those not yet read." }) unreadOnly: boolean,
    @Arg("first", () => Int, { nullable: true, description: "Page size, 1 to 100 (default 20)." }) first?: number,
    @Arg("after", () => String, { nullable: true, description: "endCursor of the previous page." }) after?: string,
  ) {
    return toConnection(await notifications.listNotifications(ctx, { unreadOnly, first, after }), (row) => row);
  }

  @Query(() => Int, { description: "How many of your notifications are unread." })
  unreadNotificationCount(@Ctx() ctx: Context) {
    return notifications.unreadCount(ctx);
  }

  @Mutation(() => Notification, { description: "Marks one of your notifications read (again: no change); NOT_FOUND for anyone else's." })
  markNotificationRead(@Arg("id", () => UUID, { description: "The notification's id." }) id: string, @Ctx() ctx: Context) {
    return notifications.markRead(ctx, id);
  }

  @Mutation(() => Int, { description: "Marks every unread notification read; returns how many changed." })
  markAllNotificationsRead(@Ctx() ctx: Context) {
    return notifications.markAllRead(ctx);
  }

  @Subscription(() => Notification, {
    description: "Your new notifications in this tenant, as they are created.",
    subscribe: ({ context }) => subscribeToNotifications(context as Context),
  })
  async notificationAdded(@Root() payload: TopicPayloads[Topic.NotificationAdded], @Ctx() ctx: Context) {
    return notifications.ownNotification(ctx, payload.notificationId);
  }

  @FieldResolver(() => Boolean, { description: "readAt is set." })
  isRead(@Root() notification: Notification) {
    return notification.readAt !== null;
  }
}
