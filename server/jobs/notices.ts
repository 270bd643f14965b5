/**
 * What the notice jobs (reminders, fees due, absence alerts, devices offline) share: the once-only
 * key table. Who is told about an enrolment's participant is services/participant-accounts.ts.
 */
import { notificationsSent } from "../../drizzle/schema";
import type { Context } from "../context";

/**
 * Records notice keys as sent; returns those that were not sent before (only these are notified).
 * In the job's transaction: a rolled-back run records nothing, so its notices go out on the retry.
 */
export async function firstTime(ctx: Context, tenantId: string, keys: readonly string[]): Promise<Set<string>> {
  const unique = [...new Set(keys)];
  if (unique.length === 0) return new Set();
  const rows = await ctx.db
    .insert(notificationsSent)
    .values(unique.map((key) => ({ tenantId, key })))
    .onConflictDoNothing()
    .returning({ key: notificationsSent.key });
  return new Set(rows.map((row) => row.key));
}
