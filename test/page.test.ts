/**
 * The one keyset page helper (server/db/page.ts) and the request's data access
 * (ctx.scope): cursors round-trip timestamps exactly, also across a page boundary
 * between rows of the same millisecond; a cursor it did not make is BAD_USER_INPUT
 * on `after`; a request without a tenant reads no tenant rows.
 */
import { describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { events, notifications } from "../drizzle/schema";
import { withSystemContext, type Context } from "../server/context";
import { by, keyset, newestFirst, page, sortKey } from "../server/db/page";
import { tenantScope } from "../server/db/scope";
import { AppError } from "../server/errors";
import { data } from "./helpers/client";
import { NotificationsDocument } from "./sdk/graphql";
import { useTestServer } from "./helpers/server";

const t = useTestServer();

/** Runs `fn` as the system inside `tenant`, the context a job gets. */
const inTenant = <T>(tenant: { slug: string }, fn: (ctx: Context) => Promise<T>) => withSystemContext(t.deps, tenant, "page-test", fn);

/** What `fn` threw, as an AppError. */
async function appErrorOf(fn: () => Promise<unknown>): Promise<AppError> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("did not throw");
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

describe("page()", () => {
  it("pages newest first through rows of one millisecond without skipping or repeating, with exact cursors", async () => {
    const tenant = await t.fixtures.tenant();
    const member = await t.fixtures.member(tenant, ["PARENT"]);
    // Seven rows: five in the same millisecond, between two others; .999 and .001 test the edges.
    const same = new Date("2026-03-01T10:00:00.123Z");
    const times = [new Date("2026-03-01T10:00:00.999Z"), same, same, same, same, same, new Date("2026-03-01T10:00:00.001Z")];
    const inserted = await t.deps.database.db
      .insert(notifications)
      .values(
        times.map((createdAt, i) => ({ tenantId: tenant.id, userId: member.user.id, kind: "test", title: `n${i}`, body: "", createdAt })),
      )
      .returning({ id: notifications.id, createdAt: notifications.createdAt });
    const expected = [...inserted]
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1))
      .map((row) => row.id);

    const order = newestFirst<typeof notifications.$inferSelect>(notifications.createdAt, notifications.id);
    const seen: string[] = [];
    let after: string | null = null;
    for (let round = 0; round < 10; round++) {
      const [result, total] = await inTenant(tenant, async (ctx) => {
        const rows = await page(ctx, { from: notifications, where: ctx.scope.inTenant(notifications), order, first: 2, after });
        return [rows, await (rows.totalCount as () => Promise<number>)()] as const;
      });
      seen.push(...result.nodes.map((row) => row.id));
      expect(total).toBe(7);
      const last = result.nodes.at(-1)!;
      after = result.cursorOf(last);
      // The cursor keeps the row's timestamp to the millisecond, exactly.
      const [time, id] = JSON.parse(Buffer.from(after, "base64url").toString()) as [string, string];
      expect([time, id]).toEqual([last.createdAt.toISOString(), last.id]);
      expect(result.hasPreviousPage).toBe(round > 0);
      if (!result.hasNextPage) break;
    }
    expect(seen).toEqual(expected);

    // The same through the API: every row once, in order, two at a time.
    const api: string[] = [];
    const apiPage = async (after: string | null) =>
      data(await member.client.request(NotificationsDocument, { first: 2, after })).notifications;
    for (let connection = await apiPage(null); ; connection = await apiPage(connection.pageInfo.endCursor ?? null)) {
      api.push(...connection.nodes.map((node) => node.id));
      if (!connection.pageInfo.hasNextPage) break;
    }
    expect(api).toEqual(expected);
  });

  it("refuses a cursor it did not make, and `first` out of range, as BAD_USER_INPUT before any statement", async () => {
    const tenant = await t.fixtures.tenant();
    const order = newestFirst(notifications.createdAt, notifications.id);
    const forged = [
      "not a cursor!",
      b64("{"),
      b64([]),
      b64(["2026-03-01T10:00:00.123Z"]),
      b64(["yesterday", "00000000-0000-4000-8000-000000000000"]),
      b64(["2026-02-30T10:00:00.000Z", "00000000-0000-4000-8000-000000000000"]),
      b64(["2026-03-01T10:00:00.123Z", "not-a-uuid"]),
      b64([1, 2]),
      b64(["2026-03-01T10:00:00.123Z", "00000000-0000-4000-8000-000000000000", "extra"]),
    ];
    for (const after of forged) {
      const error = await appErrorOf(() => inTenant(tenant, (ctx) => page(ctx, { from: notifications, order, after })));
      expect([after, error.code, error.extensions.field]).toEqual([after, "BAD_USER_INPUT", "after"]);
    }
    for (const first of [0, 101, 1.5]) {
      const error = await appErrorOf(() => inTenant(tenant, (ctx) => page(ctx, { from: notifications, order, first })));
      expect([first, error.code, error.extensions.field]).toEqual([first, "BAD_USER_INPUT", "first"]);
    }
    // A list with several orderings refuses another ordering's cursor with its own error.
    const byTitle = keyset("ASC", [sortKey(events.title), sortKey(events.id)], {
      tag: ["TITLE", "ASC"],
      tagMismatch: () => new AppError("BAD_USER_INPUT", "event.cursorOrder", {}, { field: "after" }),
    });
    const other = b64(["STARTS_AT", "ASC", "2026-03-01T10:00:00.123Z", "00000000-0000-4000-8000-000000000000"]);
    const error = await appErrorOf(() => inTenant(tenant, (ctx) => page(ctx, { from: events, order: byTitle, after: other })));
    expect([error.code, error.messageKey, error.extensions.field]).toEqual(["BAD_USER_INPUT", "event.cursorOrder", "after"]);
  });

  it("ctx.scope: a tenant's rows only; none() and a request without a tenant match nothing", async () => {
    const [mine, theirs] = [await t.fixtures.tenant(), await t.fixtures.tenant()];
    for (const tenant of [mine, theirs]) {
      const user = await t.fixtures.user({ tenant, roles: ["PARENT"] });
      await t.deps.database.db.insert(notifications).values({ tenantId: tenant.id, userId: user.id, kind: "scope", title: "x", body: "" });
    }
    const order = by<typeof notifications.$inferSelect>("ASC", notifications.id);
    const kinds = eq(notifications.kind, "scope");
    // Read as the database owner (no row-level security): the predicate alone keeps the other tenant's row out.
    const owner = t.deps.database.db;
    const rows = await owner
      .select()
      .from(notifications)
      .where(and(kinds, tenantScope(mine.id).inTenant(notifications)));
    expect(rows.map((row) => row.tenantId)).toEqual([mine.id]);
    // No tenant: inTenant is none().
    expect(
      await owner
        .select()
        .from(notifications)
        .where(and(kinds, tenantScope(null).inTenant(notifications))),
    ).toEqual([]);
    await inTenant(mine, async (ctx) => {
      expect(ctx.scope.tenantId).toBe(mine.id);
      const nothing = await page(ctx, { from: notifications, where: and(kinds, ctx.scope.none()), order });
      expect(nothing.nodes).toEqual([]);
      expect(await (nothing.totalCount as () => Promise<number>)()).toBe(0);
      const own = await page(ctx, { from: notifications, where: and(kinds, ctx.scope.inTenant(notifications)), order });
      expect(own.nodes.map((row) => row.tenantId)).toEqual([mine.id]);
    });
  });
});
