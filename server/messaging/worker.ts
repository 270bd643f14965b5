/**
 * The delivery worker: sends the outbox's rows (drizzle/tables/messages.ts) through the channel
 * adapters, after commit, with retries.
 *
 * - Claim: one UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED) marks due rows SENDING,
 *   counts the attempt and sets a lease (3 × MESSAGE_SEND_TIMEOUT). Across instances on PostgreSQL
 *   each row is claimed by one of them; a row whose lease ran out (its sender died) is due again.
 * - Send, then mark: SENT (with the provider's message id), or back to QUEUED with the next attempt
 *   after an exponential delay with jitter, DEAD after MESSAGE_MAX_ATTEMPTS, FAILED at once when the
 *   provider refused for good (a 4xx, an SMTP 5xx).
 * - Woken after commit for the rows a request queued (`sendNow`), and every MESSAGE_POLL_INTERVAL for
 *   retries, held-back rows (notBefore) and rows of instances that died.
 *
 * A crash between the provider's answer and the mark leaves the row SENDING: after the lease it is
 * sent again. See docs/messages.md for which providers dedupe that second send.
 */
import { sql } from "drizzle-orm";
import type { Config } from "../config";
import type { Database } from "../db/client";
import { rowsOf } from "../db/scope";
import type { Log } from "../log";
import type { Metrics } from "../metrics";
import { outsideRequest } from "../request-store";
import type { MessageChannels } from "./channels";
import { DeliveryError } from ".";

/** A claimed row, as the claim statement returns it. */
interface ClaimedRow {
  id: string;
  channel: "SMS" | "WHATSAPP" | "EMAIL";
  destination: string;
  kind: string;
  language: "ar" | "en" | "fr";
  subject: string;
  body: string;
  params: Record<string, string> | string;
  attempts: number;
}

export interface WorkerOptions {
  /** The worker's clock (tests move it to replay an hour in a second). */
  now?: () => Date;
  /** Jitter's source, in [0, 1). */
  random?: () => number;
  /** Rows claimed per statement. */
  batch?: number;
}

type Messaging = Config["messaging"];

/** Delay before attempt n+1 after n failed attempts: base × 2^(n−1), capped at max, ±20% jitter. */
export function retryDelayMs(
  messaging: Pick<Messaging, "retryBaseMs" | "retryMaxMs">,
  failedAttempts: number,
  random = Math.random,
): number {
  const plain = Math.min(messaging.retryMaxMs, messaging.retryBaseMs * 2 ** Math.max(0, failedAttempts - 1));
  return Math.round(plain * (0.8 + 0.4 * random()));
}

/** Longest error text kept on the row. */
const MAX_ERROR = 500;

const describe = (error: unknown): string => {
  const err = error as Error & { cause?: { code?: string; message?: string } };
  const cause = err.cause ? ` (${err.cause.code ?? err.cause.message})` : "";
  return `${err.name === "TimeoutError" ? "timed out" : err.message}${cause}`.slice(0, MAX_ERROR);
};

export class DeliveryWorker {
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();
  private stopped = false;
  private readonly now: () => Date;
  private readonly random: () => number;
  private readonly batch: number;

  constructor(
    private readonly app: { database: Database; log: Log; config: { messaging: Messaging }; channels: MessageChannels; metrics?: Metrics },
    options: WorkerOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.random = options.random ?? Math.random;
    this.batch = options.batch ?? 20;
  }

  private get messaging() {
    return this.app.config.messaging;
  }

  /** Starts the periodic poll (MESSAGE_POLL_INTERVAL). */
  start(): this {
    if (!this.timer && !this.stopped) {
      this.timer = setInterval(() => void this.poll(), this.messaging.pollMs);
      this.timer.unref();
    }
    return this;
  }

  /** Sends these rows now if no one has them (after the commit that queued them). */
  sendNow(ids: string[]): Promise<number> {
    if (this.stopped || ids.length === 0) return Promise.resolve(0);
    // Detached from the request that queued the rows: its budget, abort and statement count are not the worker's.
    return this.track(outsideRequest(() => this.claimAndSend(ids)));
  }

  /** Claims and sends every due row, batch after batch; resolves with how many were attempted. */
  async runOnce(): Promise<number> {
    let total = 0;
    while (!this.stopped) {
      const sent = await this.track(this.claimAndSend());
      total += sent;
      if (sent < this.batch) break;
    }
    return total;
  }

  /** Waits for `work`, but no longer than `ms` (the work goes on). */
  async within(ms: number, work: Promise<unknown>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([work.catch(() => {}), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms).unref()))]);
    clearTimeout(timer);
  }

  /** Stops polling and waits (up to MESSAGE_SEND_TIMEOUT) for the sends under way; rows not marked are leased and retried later. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.within(this.messaging.sendTimeoutMs, Promise.all([this.polling, ...this.inFlight]));
  }

  private poll(): Promise<void> {
    this.polling ??= this.runOnce()
      .then(() => undefined)
      .catch((error) => this.app.log.error({ err: error }, "message delivery poll failed"))
      .finally(() => (this.polling = undefined));
    return this.polling;
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work)).catch(() => {});
    return work;
  }

  /** Claims due rows (or the given ones, due or not) and sends them side by side. */
  private async claimAndSend(ids?: string[]): Promise<number> {
    const now = this.now();
    const leaseUntil = new Date(now.getTime() + 3 * this.messaging.sendTimeoutMs);
    const which = ids
      ? sql`id in (${sql.join(
          ids.map((id) => sql`${id}::uuid`),
          sql`, `,
        )}) and status = 'QUEUED'`
      : sql`((status = 'QUEUED' and next_attempt_at <= ${now.toISOString()}::timestamptz)
             or (status = 'SENDING' and locked_until < ${now.toISOString()}::timestamptz))`;
    const claimed = rowsOf<ClaimedRow>(
      await this.app.database.db.execute(sql`
        update message_deliveries
           set status = 'SENDING', attempts = attempts + 1, locked_until = ${leaseUntil.toISOString()}::timestamptz, updated_at = now()
         where id in (select id from message_deliveries
                       where ${which}
                       order by urgent desc, next_attempt_at
                       limit ${this.batch}
                       for update skip locked)
        returning id, channel, destination, kind, language, subject, body, params, attempts`),
    );
    await Promise.all(claimed.map((row) => this.deliver(row)));
    return claimed.length;
  }

  private async deliver(row: ClaimedRow): Promise<void> {
    const channel = this.app.channels.for(row.channel);
    const params = typeof row.params === "string" ? (JSON.parse(row.params) as Record<string, string>) : (row.params ?? {});
    let outcome: { providerMessageId?: string | null } | undefined;
    let failure: unknown;
    try {
      outcome = await channel.send(
        {
          deliveryId: row.id,
          channel: row.channel,
          to: row.destination,
          kind: row.kind,
          language: row.language,
          subject: row.subject,
          text: row.body,
          params,
        },
        AbortSignal.timeout(this.messaging.sendTimeoutMs),
      );
    } catch (error) {
      failure = error;
    }
    const now = this.now();
    // Only our own claim is marked (a claim taken over after its lease belongs to the other sender).
    const ours = sql`id = ${row.id}::uuid and status = 'SENDING' and attempts = ${row.attempts}`;
    if (!failure) {
      this.app.metrics?.messageDeliveries.inc({ channel: row.channel, provider: channel.name, outcome: "sent" });
      await this.app.database.db.execute(sql`
        update message_deliveries
           set status = 'SENT', provider = ${channel.name}, provider_message_id = ${outcome?.providerMessageId ?? null},
               sent_at = ${now.toISOString()}::timestamptz, locked_until = null, last_error = null, updated_at = now()
         where ${ours}`);
      return;
    }
    const error = describe(failure);
    const permanent = failure instanceof DeliveryError && failure.permanent;
    const dead = !permanent && row.attempts >= this.messaging.maxAttempts;
    const next = new Date(now.getTime() + retryDelayMs(this.messaging, row.attempts, this.random));
    const status = permanent ? "FAILED" : dead ? "DEAD" : "QUEUED";
    this.app.metrics?.messageDeliveries.inc({
      channel: row.channel,
      provider: channel.name,
      outcome: status === "QUEUED" ? "retry" : status.toLowerCase(),
    });
    this.app.log[status === "QUEUED" ? "warn" : "error"](
      { delivery: row.id, channel: row.channel, provider: channel.name, attempt: row.attempts, status, err: error },
      status === "QUEUED" ? "message delivery failed; will retry" : "message delivery given up",
    );
    await this.app.database.db.execute(sql`
      update message_deliveries
         set status = ${status}, provider = ${channel.name}, last_error = ${error}, locked_until = null, updated_at = now(),
             next_attempt_at = ${status === "QUEUED" ? next.toISOString() : now.toISOString()}::timestamptz
       where ${ours}`);
  }
}
