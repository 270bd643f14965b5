/**
 * Message deliveries: the tenant admins' read of the outbox (what went out, on which channel, how
 * it went), and the provider status webhooks that move a sent message to DELIVERED or FAILED.
 */
import { and, eq, inArray, sql } from "drizzle-orm";
import { messageDeliveries } from "../../drizzle/schema";
import type { MessageDeliveryStatus } from "../../drizzle/tables/enums-types";
import type { AppDeps } from "../app-deps";
import { requireRole } from "../auth/guards";
import type { Context } from "../context";
import { parseTwilioStatus, parseWhatsAppStatus, StatusRejected, type StatusReport } from "../messaging/status";
import { newestFirst, page } from "../db/page";

/** An address with its middle hidden: "+255•••••••21", "a•••@example.org". */
export function maskDestination(destination: string): string {
  const at = destination.indexOf("@");
  if (at > 0) return `${destination[0]}•••${destination.slice(at)}`;
  if (destination.length <= 6) return "•".repeat(destination.length);
  return destination.slice(0, 4) + "•".repeat(destination.length - 6) + destination.slice(-2);
}

/** Tenant admins: the tenant's deliveries, newest first (codes, which belong to no tenant, are never listed). */
export async function listDeliveries(
  ctx: Context,
  args: { first?: number | null; after?: string | null; status?: MessageDeliveryStatus | null },
) {
  requireRole(ctx, "ADMIN");
  return page(ctx, {
    from: messageDeliveries,
    where: and(ctx.scope.inTenant(messageDeliveries), args.status ? eq(messageDeliveries.status, args.status) : undefined),
    order: newestFirst(messageDeliveries.createdAt, messageDeliveries.id),
    first: args.first,
    after: args.after,
  });
}

/** What a status webhook did: reports applied, and reports that changed nothing (unknown id, already final, a replay). */
export interface StatusOutcome {
  applied: number;
  ignored: number;
}

/** Which statuses a report may move a delivery from: forward only, so replays and late reports change nothing. */
const FROM: Record<StatusReport["status"], MessageDeliveryStatus[]> = {
  SENT: [],
  DELIVERED: ["SENT"],
  FAILED: ["SENT"],
};

/** Verifies and applies one provider's status webhook (runs as the system: a provider is nobody's viewer). */
export async function receiveMessageStatus(
  app: AppDeps,
  provider: string,
  rawBody: Buffer,
  headers: Record<string, string | string[] | undefined>,
): Promise<StatusOutcome> {
  const messaging = app.config.messaging;
  let reports: StatusReport[];
  if (provider === "twilio" && messaging.twilio) reports = parseTwilioStatus(messaging.twilio, rawBody, headers);
  else if (provider === "whatsapp" && messaging.whatsapp) reports = parseWhatsAppStatus(messaging.whatsappAppSecret, rawBody, headers);
  else throw new StatusRejected("signature", `no provider "${provider}" reports message status here`);
  const outcome: StatusOutcome = { applied: 0, ignored: 0 };
  for (const report of reports) {
    const from = FROM[report.status];
    if (from.length === 0) {
      outcome.ignored++;
      continue;
    }
    const updated = await app.database.db
      .update(messageDeliveries)
      .set({
        status: report.status,
        ...(report.status === "DELIVERED" ? { deliveredAt: sql`now()` } : { lastError: report.error }),
      })
      .where(
        and(
          eq(messageDeliveries.provider, provider),
          eq(messageDeliveries.providerMessageId, report.providerMessageId),
          inArray(messageDeliveries.status, from),
        ),
      )
      .returning({ id: messageDeliveries.id });
    if (updated.length > 0) outcome.applied++;
    else outcome.ignored++;
  }
  return outcome;
}
