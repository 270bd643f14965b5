/**
 * `purge-idempotency-keys`, daily at 03:30 local time: deletes the tenant's
 * idempotency keys past their 24-hour life (server/services/idempotency.ts), so
 * the table holds about a day of money-moving requests.
 */
import { and, lt } from "drizzle-orm";
import { idempotencyKeys } from "../../drizzle/schema";
import { requireTenant } from "../auth/guards";
import { localDate } from "../time";
import type { Job } from "./job";

export const purgeIdempotencyKeys: Job = {
  name: "purge-idempotency-keys",
  description: "Deletes idempotency keys older than their 24-hour life.",
  schedule: "30 3 * * *",
  lookBack: 1,
  window: (at, timeZone) => localDate(at, timeZone),
  windowOfDate: (date) => date,

  async run(ctx) {
    requireTenant(ctx);
    const deleted = await ctx.db
      .delete(idempotencyKeys)
      .where(and(ctx.scope.inTenant(idempotencyKeys), lt(idempotencyKeys.expiresAt, new Date())))
      .returning({ key: idempotencyKeys.key });
    return { deleted: deleted.length };
  },
};
