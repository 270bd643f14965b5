/** Loaders for events and their registrations. */
import DataLoader from "dataloader";
import { and, asc, count, eq, inArray, sql } from "drizzle-orm";
import { eventRegistrations, events, type EventRegistration } from "../../drizzle/schema";
import type { RegistrationStatus } from "../../drizzle/tables/enums-types";
import { oldestFirst } from "../db/page";
import { toPage, type Page } from "../pagination";
import { oneLoader } from "./batch";
import type { LoaderContext } from "./index";

/** One page of an event's registrations: the key of the `registrations` field loader. */
export interface RegistrationPageKey {
  eventId: string;
  status: RegistrationStatus | null;
  limit: number;
  /** The cursor of the last registration seen (REGISTRATION_ORDER's). */
  after: string | null;
}

/** An event's registrations, oldest first: the order and cursors of `registrationPage`. */
export const REGISTRATION_ORDER = oldestFirst<EventRegistration>(eventRegistrations.registeredAt, eventRegistrations.id);

export function eventLoaders({ db, scope, viewer }: LoaderContext) {
  const userId = viewer.kind === "user" ? viewer.userId : null;

  /** Pages for keys that share status, size and cursor: one statement for the rows, one for the totals. */
  async function pagesOf(eventIds: string[], shape: Omit<RegistrationPageKey, "eventId">): Promise<Map<string, Page<EventRegistration>>> {
    const { status, limit, after } = shape;
    const filter = and(
      scope.inTenant(eventRegistrations),
      inArray(eventRegistrations.eventId, eventIds),
      status ? eq(eventRegistrations.status, status) : undefined,
    );
    const keyset = REGISTRATION_ORDER.after(after);
    // The first limit + 1 rows of each event, in registration order, in one statement.
    const ranked = db
      .select({
        id: eventRegistrations.id,
        position:
          sql<number>`row_number() over (partition by ${eventRegistrations.eventId} order by ${sql.join(REGISTRATION_ORDER.orderBy, sql`, `)})`.as(
            "position",
          ),
      })
      .from(eventRegistrations)
      .where(and(filter, keyset))
      .as("ranked");
    const [rows, totals] = await Promise.all([
      db
        .select({ registration: eventRegistrations })
        .from(ranked)
        .innerJoin(eventRegistrations, and(scope.inTenant(eventRegistrations), eq(eventRegistrations.id, ranked.id)))
        .where(sql`${ranked.position} <= ${limit + 1}`)
        .orderBy(asc(eventRegistrations.eventId), asc(ranked.position)),
      db
        .select({ eventId: eventRegistrations.eventId, value: count() })
        .from(eventRegistrations)
        .where(filter)
        .groupBy(eventRegistrations.eventId),
    ]);
    const totalOf = new Map(totals.map((row) => [row.eventId, row.value]));
    const pages = new Map<string, Page<EventRegistration>>();
    for (const eventId of eventIds) {
      const mine = rows.filter((row) => row.registration.eventId === eventId).map((row) => row.registration);
      pages.set(eventId, toPage(mine, limit, totalOf.get(eventId) ?? 0, Boolean(after), REGISTRATION_ORDER.cursorOf));
    }
    return pages;
  }

  return {
    /** An event of the current tenant by id (visibility is the service's job). */
    event: oneLoader(
      (ids: readonly string[]) =>
        db
          .select()
          .from(events)
          .where(and(scope.inTenant(events), inArray(events.id, [...ids]))),
      (row) => row.id,
    ),
    /** The viewer's registration (any status) for each event id. */
    myRegistration: oneLoader(
      (eventIds: readonly string[]) =>
        scope.tenantId && userId
          ? db
              .select()
              .from(eventRegistrations)
              .where(
                and(
                  scope.inTenant(eventRegistrations),
                  eq(eventRegistrations.userId, userId),
                  inArray(eventRegistrations.eventId, [...eventIds]),
                ),
              )
          : Promise.resolve([]),
      (row) => row.eventId,
    ),
    /** A page of each event's registrations, oldest first. */
    registrationPage: new DataLoader<RegistrationPageKey, Page<EventRegistration>, string>(
      async (keys) => {
        if (!scope.tenantId) return keys.map(() => toPage<EventRegistration>([], 0, 0, false, () => ""));
        // Keys of one GraphQL field share their arguments, so this is one group in practice.
        const groups = new Map<string, { shape: Omit<RegistrationPageKey, "eventId">; eventIds: string[] }>();
        const groupOf = (key: RegistrationPageKey) => JSON.stringify([key.status, key.limit, key.after]);
        for (const { eventId, ...shape } of keys) {
          const id = groupOf({ eventId, ...shape });
          const group = groups.get(id) ?? groups.set(id, { shape, eventIds: [] }).get(id)!;
          group.eventIds.push(eventId);
        }
        const results = new Map<string, Map<string, Page<EventRegistration>>>();
        await Promise.all(
          [...groups].map(async ([id, group]) => results.set(id, await pagesOf([...new Set(group.eventIds)], group.shape))),
        );
        return keys.map((key) => results.get(groupOf(key))!.get(key.eventId)!);
      },
      { cacheKeyFn: (key) => JSON.stringify([key.eventId, key.status, key.limit, key.after]) },
    ),
  };
}
