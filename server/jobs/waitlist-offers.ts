/**
 * `waitlist-offers`, every 5 minutes: course waitlist offers whose hold ran out become EXPIRED
 * and their places are offered to the next in line (server/services/course-waitlist.ts). An
 * offer is also refused the moment it runs out (acceptWaitlistOffer checks the time); this
 * job only passes the places on. The window is the run's local time, e.g. `2026-11-23T18:15`.
 */
import { expireWaitlistOffers } from "../services/course-waitlist";
import { localDate, localTime } from "../time";
import type { Job } from "./job";

export const waitlistOffers: Job = {
  name: "waitlist-offers",
  description: "Expires course waitlist offers not accepted in time and offers their places to the next in line.",
  schedule: "*/5 * * * *",
  lookBack: 2,
  window: (at, timeZone) => `${localDate(at, timeZone)}T${localTime(at, timeZone).slice(0, 5)}`,
  windowOfDate: (date) => `${date}T00:00`,

  run: (ctx) => expireWaitlistOffers(ctx, new Date()),
};
