/** Subscriptions: what a viewer may listen to, and on which channel. */
import { requireUser } from "../auth/guards";
import type { Context } from "../context";
import { Topic } from "../pubsub/topics";

/** The viewer's own profile and password changes. */
export function subscribeToProfile(ctx: Context) {
  const viewer = requireUser(ctx);
  return ctx.app.bus.subscribe(Topic.ProfileUpdated, [viewer.userId]);
}
