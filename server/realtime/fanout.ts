/**
 * Subscription fan-out: one bus listener per channel and instance, and each
 * event resolved once per audience — subscribers with the same document,
 * variables and visibility — then sent to every socket of that audience. All
 * audiences of an event share one transaction (server/context.ts withAudiences),
 * so the database work per event does not grow with the number of sockets.
 *
 * Backpressure: a subscriber whose socket cannot keep up (too many events queued
 * or too many bytes unsent) is closed; the others are not slowed.
 */
import type { ExecutionResult } from "graphql";
import type { AppDeps } from "../app-deps";
import { withAudiences, type Context, type KnownViewer } from "../context";
import type { Scope } from "../db/scope";
import type { Topic, TopicPayloads } from "../pubsub/topics";
import { channelOf } from "../pubsub/topics";
import type { LiveSpec } from "./live";

export interface Subscriber {
  spec: LiveSpec;
  /** Subscribers with equal keys get the same answer (document, variables, visibility). */
  audienceKey: string;
  /** The viewer an answer for this audience is resolved as. */
  audience: KnownViewer;
  /** The scope the event's transaction takes for this subscriber (tenant; person on a person's channel). */
  scope: Scope;
  /** Resolves the event for this subscriber's audience. */
  resolve: (ctx: Context, payload: unknown) => Promise<ExecutionResult>;
  /**
   * Receives an answer as UTF-8 JSON followed by "}" (encoded once per audience,
   * to close the socket's own `{"id":…,"payload":` prefix); false when the
   * subscriber was cut off (too slow a reader): it is removed at once.
   */
  deliver: (payload: Buffer) => boolean;
}

interface Channel {
  subscribers: Set<Subscriber>;
  ready: Promise<AsyncIterableIterator<unknown>>;
}

export interface FanoutStats {
  events: number;
  audiences: number;
  deliveries: number;
}

export function createFanout(app: AppDeps) {
  const channels = new Map<string, Channel>();
  const stats: FanoutStats = { events: 0, audiences: 0, deliveries: 0 };

  /** Starts listening to a channel; its events are dispatched one after another (each subscriber sees them in order). */
  function open(spec: LiveSpec): Channel {
    const name = channelOf(spec.topic, spec.keys as never);
    let channel = channels.get(name);
    if (channel) return channel;
    const subscribers = new Set<Subscriber>();
    const ready = app.bus.subscribe(spec.topic as Topic, spec.keys as never) as Promise<AsyncIterableIterator<unknown>>;
    channel = { subscribers, ready };
    channels.set(name, channel);
    void ready.then(async (source) => {
      for (;;) {
        const next = await source.next();
        if (next.done) return;
        if (subscribers.size)
          await dispatch(subscribers, next.value).catch((error) => app.log.error({ err: error, channel: name }, "event dispatch failed"));
      }
    });
    return channel;
  }

  /** Resolves one event once per audience and delivers it to every subscriber that may see it. */
  async function dispatch(subscribers: Set<Subscriber>, payload: unknown): Promise<void> {
    stats.events += 1;

    // Per transaction scope, per audience: who receives this event.
    const scopes = new Map<string, { scope: Scope; audiences: Map<string, Subscriber[]> }>();
    for (const subscriber of subscribers) {
      if (!subscriber.spec.keep(payload as TopicPayloads[Topic])) continue;
      const scopeKey = `${subscriber.scope.tenantId}|${subscriber.scope.userId}`;
      let byScope = scopes.get(scopeKey);
      if (!byScope) scopes.set(scopeKey, (byScope = { scope: subscriber.scope, audiences: new Map() }));
      const members = byScope.audiences.get(subscriber.audienceKey);
      if (members) members.push(subscriber);
      else byScope.audiences.set(subscriber.audienceKey, [subscriber]);
    }
    await Promise.all(
      [...scopes.values()].map(async ({ scope, audiences }) => {
        const groups = [...audiences.values()];
        stats.audiences += groups.length;
        const results = await withAudiences(
          app,
          scope,
          groups.map((members) => members[0]!.audience),
          (ctx, index) => groups[index]![0]!.resolve(ctx, payload),
        );
        groups.forEach((members, index) => {
          const payload = Buffer.from(`${JSON.stringify(results[index])}}`);
          for (const member of members) {
            if (member.deliver(payload)) stats.deliveries += 1;
            else subscribers.delete(member);
          }
        });
      }),
    );
  }

  return {
    /** Adds a subscriber; resolves once its channel is listened to (nothing published afterwards is missed). */
    async add(subscriber: Subscriber): Promise<void> {
      const channel = open(subscriber.spec);
      channel.subscribers.add(subscriber);
      await channel.ready;
    },
    /** Removes a subscriber; the last one of a channel stops listening to it. */
    async remove(subscriber: Subscriber): Promise<void> {
      const name = channelOf(subscriber.spec.topic, subscriber.spec.keys as never);
      const channel = channels.get(name);
      if (!channel?.subscribers.delete(subscriber) || channel.subscribers.size) return;
      channels.delete(name);
      await (await channel.ready).return?.();
    },
    /** Subscribers on this instance (tests wait for theirs to be listening). */
    subscriberCount: () => [...channels.values()].reduce((sum, channel) => sum + channel.subscribers.size, 0),
    stats,
  };
}

export type Fanout = ReturnType<typeof createFanout>;
