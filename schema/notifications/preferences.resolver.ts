import { Arg, Ctx, Mutation, Query, Resolver } from "type-graphql";
import type { Context } from "../../server/context";
import * as preferences from "../../server/services/notification-preferences";
import {
  NotificationPreferenceInput,
  NotificationPreferences,
  NotificationSettings,
  QuietHoursInput,
  UpdateNotificationSettingsInput,
} from "./preferences.type";

@Resolver(() => NotificationPreferences)
export class NotificationPreferencesResolver {
  @Query(() => NotificationPreferences, { description: "Your notification channels per kind and quiet hours in the current tenant." })
  myNotificationPreferences(@Ctx() ctx: Context) {
    return preferences.myNotificationPreferences(ctx);
  }

  @Mutation(() => NotificationPreferences, {
    description: "Sets your channels for one kind of notification; returns all your preferences.",
  })
  setNotificationPreference(
    @Arg("input", () => NotificationPreferenceInput, { description: "The kind and its channels." }) input: NotificationPreferenceInput,
    @Ctx() ctx: Context,
  ) {
    return preferences.setNotificationPreference(ctx, { kind: input.kind, channels: input.channels ?? null });
  }

  @Mutation(() => NotificationPreferences, { description: "Sets your quiet hours (null clears them); returns all your preferences." })
  setQuietHours(
    @Arg("quietHours", () => QuietHoursInput, { nullable: true, description: "The window, or null for none." })
    quietHours: QuietHoursInput | null,
    @Ctx() ctx: Context,
  ) {
    return preferences.setQuietHours(ctx, quietHours ?? null);
  }

  @Query(() => NotificationSettings, { description: "The tenant's notification settings (tenant admins)." })
  notificationSettings(@Ctx() ctx: Context) {
    return preferences.getNotificationSettings(ctx);
  }

  @Mutation(() => NotificationSettings, { description: "Changes the tenant's notification settings (tenant admins)." })
  updateNotificationSettings(
    @Arg("input", () => UpdateNotificationSettingsInput, { description: "The settings to change." }) input: UpdateNotificationSettingsInput,
    @Ctx() ctx: Context,
  ) {
    return preferences.updateNotificationSettings(ctx, input);
  }
}
