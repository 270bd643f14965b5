/**
 * Cursor pagination (Relay connections). A cursor is the sort key of the last
 * row seen, opaque to clients (base64url JSON); pages are keyset queries, so
 * they stay fast and stable while rows are added.
 *
 * Cursors are not signed: they hold only the sort key of a row the viewer could
 * already see, and every list applies its filters and row-level security anyway,
 * so a hand-made cursor can only choose where a page starts. What is checked is
 * the shape (decodeCursor with the list's parts), so a wrong one is BAD_USER_INPUT.
 */
import { and, eq, gt, isNotNull, isNull, lt, or, sql, type AnyColumn, type SQL } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import { AppError } from "./errors";

export const DEFAULT_PAGE = 20;
export const MAX_PAGE = 100;

/**
 * Lists that are not paged, with the most items each returns (`cap`, where the
 * services cut them) and the size a query's cost counts with (`estimate`). A
 * list missing here counts as DEFAULT_LIST_ESTIMATE items.
 */
export const LIST_LIMITS: Record<string, { cap: number; estimate: number }> = {
  "AttendanceUpdate.marks": { cap: 1000, estimate: 30 },
  "AcceptWaitlistOfferPayload.enrollments": { cap: 10, estimate: 2 },
  "Course.enrollments": { cap: 1000, estimate: 30 },
  "CourseWaitlistEntry.participants": { cap: 10, estimate: 2 },
  "Course.exams": { cap: 100, estimate: 10 },
  "Course.schedule": { cap: 50, estimate: 5 },
  "Course.tags": { cap: 50, estimate: 5 },
  "CourseAttendance.lectures": { cap: 1000, estimate: 30 },
  "Enrollment.payments": { cap: 100, estimate: 5 },
  "Exam.results": { cap: 1000, estimate: 30 },
  "GenerateLecturesPayload.lectures": { cap: 1000, estimate: 50 },
  "MarkAttendancePayload.marks": { cap: 1000, estimate: 30 },
  "Membership.roles": { cap: 10, estimate: 3 },
  "Parent.children": { cap: 50, estimate: 3 },
  "Child.guardians": { cap: 10, estimate: 2 },
  "ImportPeopleResult.errors": { cap: 200, estimate: 20 },
  "ParticipantAttendance.records": { cap: 1000, estimate: 50 },
  "Payment.refunds": { cap: 100, estimate: 3 },
  "ProfileUpdate.changedFields": { cap: 20, estimate: 5 },
  "Query.devices": { cap: 500, estimate: 10 },
  "Query.instructorAttendance": { cap: 500, estimate: 20 },
  "Query.lectureAttendance": { cap: 1000, estimate: 30 },
  "Query.myChildren": { cap: 50, estimate: 3 },
  "Query.mySessions": { cap: 100, estimate: 10 },
  "Query.myTenants": { cap: 100, estimate: 3 },
  "Query.seasons": { cap: 500, estimate: 20 },
  "Query.tags": { cap: 500, estimate: 20 },
  "RefundPolicy.tiers": { cap: 10, estimate: 3 },
  "CancelEnrollmentWithRefundPayload.refunds": { cap: 100, estimate: 1 },
  "Payment.receipts": { cap: 100, estimate: 2 },
  "Invitation.roles": { cap: 10, estimate: 3 },
  "Mutation.recordExamResults": { cap: 1000, estimate: 30 },
  "NotificationPreferences.kinds": { cap: 100, estimate: 25 },
  "NotificationPreferences.enabledChannels": { cap: 10, estimate: 3 },
  "NotificationKindPreference.channels": { cap: 10, estimate: 1 },
  "NotificationSettings.enabledChannels": { cap: 10, estimate: 3 },
  "Query.offlineRegisters": { cap: 200, estimate: 10 },
  "OfflineRegister.participants": { cap: 1000, estimate: 30 },
  "OfflineRegister.marks": { cap: 1000, estimate: 30 },
  "SyncAttendancePayload.applied": { cap: 500, estimate: 50 },
  "SyncAttendancePayload.overridden": { cap: 500, estimate: 10 },
  "SyncAttendancePayload.rejected": { cap: 500, estimate: 10 },
};
export const DEFAULT_LIST_ESTIMATE = 10;

/** The size a query's cost counts a plain list field (`Type.field`) with. */
export const listEstimate = (field: string) => LIST_LIMITS[field]?.estimate ?? DEFAULT_LIST_ESTIMATE;

/** A list's total: counted now, or when the client asks for totalCount. */
export type Total = number | (() => Promise<number>);

/** The total from a count query (`select count() …`), run only when first asked for, then kept. */
export function countOf(query: PromiseLike<{ value: number }[]>): () => Promise<number> {
  let counted: Promise<number> | undefined;
  return () => (counted ??= Promise.resolve(query).then((rows) => rows[0]?.value ?? 0));
}

/** One page of rows plus what a connection needs to describe it. */
export interface Page<T> {
  nodes: T[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  /** A number, or a function the connection's totalCount field calls (GraphQL calls function-valued fields). */
  totalCount: Total;
  cursorOf: (node: T) => string;
}

/** The same page with each node mapped (rows shown as a view); cursors stay the rows'. */
export function mapPage<T, U extends object>(page: Page<T>, map: (node: T) => U): Page<U> {
  const rowOf = new Map<U, T>();
  const nodes = page.nodes.map((node) => {
    const mapped = map(node);
    rowOf.set(mapped, node);
    return mapped;
  });
  return { ...page, nodes, cursorOf: (node) => page.cursorOf(rowOf.get(node)!) };
}

/** Validates `first`: 1 to 100, 20 when absent. */
export function pageSize(first: number | null | undefined): number {
  if (first === null || first === undefined) return DEFAULT_PAGE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE) {
    throw new AppError("BAD_USER_INPUT", "input.invalid", { field: "first", reason: `1 to ${MAX_PAGE}` }, { field: "first" });
  }
  return first;
}

export const encodeCursor = (key: unknown[]) => Buffer.from(JSON.stringify(key)).toString("base64url");

/**
 * One part of a cursor: a check of the decoded JSON value. A cursor is read back
 * only when every part passes, so a forged or stale one never reaches SQL as a
 * value of the wrong type (a 500 from a failed cast, or rows silently skipped).
 */
export type CursorPart<T> = (value: unknown) => value is T;
type PartsOf<P extends readonly CursorPart<unknown>[]> = { -readonly [K in keyof P]: P[K] extends CursorPart<infer T> ? T : never };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,6})?Z$/;
const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?)?$/;
const DECIMAL = /^-?\d{1,10}(?:\.\d{1,2})?$/;
/** Cursors this API makes are far shorter; a longer one is not worth decoding. */
const CURSOR_MAX = 1024;

/** A real calendar date and time of day (Date would roll 2024-02-30 over to March). */
function isCalendar(year: string, month: string, day: string, hour = "00", minute = "00", second = "00"): boolean {
  if (Number(year) < 1 || Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return false;
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  return date.getUTCFullYear() === Number(year) && date.getUTCMonth() === Number(month) - 1 && date.getUTCDate() === Number(day);
}

const isString = (value: unknown): value is string => typeof value === "string";

/** The kinds of value cursors carry. */
export const cursorPart = {
  /** A UTC timestamp as toISOString() or exactTime() writes it. */
  timestamp: (value: unknown): value is string => {
    const match = isString(value) ? ISO_TIMESTAMP.exec(value) : null;
    return Boolean(match && isCalendar(match[1]!, match[2]!, match[3]!, match[4], match[5], match[6]));
  },
  /** A date ("2027-01-02"). */
  localDate: (value: unknown): value is string => {
    const match = isString(value) ? LOCAL_DATE_TIME.exec(value) : null;
    return Boolean(match && match[4] === undefined && isCalendar(match[1]!, match[2]!, match[3]!));
  },
  /** A date, optionally with a time of day ("2027-01-02", "2027-01-02 10:00:00"). */
  localDateTime: (value: unknown): value is string => {
    const match = isString(value) ? LOCAL_DATE_TIME.exec(value) : null;
    return Boolean(match && isCalendar(match[1]!, match[2]!, match[3]!, match[4], match[5], match[6]));
  },
  uuid: (value: unknown): value is string => isString(value) && UUID.test(value),
  /** Any text PostgreSQL can store (no NUL). */
  text: (value: unknown): value is string => isString(value) && value.length <= CURSOR_MAX && !value.includes("\u0000"),
  /** A money amount as numeric columns read back ("250.00"). */
  decimal: (value: unknown): value is string => isString(value) && DECIMAL.test(value),
  oneOf:
    <const T extends string>(...values: T[]) =>
    (value: unknown): value is T =>
      values.includes(value as T),
  nullable:
    <T>(part: CursorPart<T>) =>
    (value: unknown): value is T | null =>
      value === null || part(value),
} as const;

/** The cursor [timestamp, id] of most newest-first and oldest-first lists. */
export const TIME_ID = [cursorPart.timestamp, cursorPart.uuid] as const;

/** BAD_USER_INPUT on `after`: a cursor this API did not make (or made for another list). */
export const badCursor = () =>
  new AppError("BAD_USER_INPUT", "input.invalid", { field: "after", reason: "not a cursor from this API" }, { field: "after" });

/**
 * The sort key inside a cursor, checked part by part against the list's shape;
 * BAD_USER_INPUT (field "after") for anything else.
 */
export function decodeCursor<const P extends readonly CursorPart<unknown>[]>(
  cursor: string | null | undefined,
  parts: P,
): PartsOf<P> | null {
  if (cursor === null || cursor === undefined) return null;
  if (cursor.length === 0 || cursor.length > CURSOR_MAX || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw badCursor();
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw badCursor();
  }
  if (!Array.isArray(key) || key.length !== parts.length || !parts.every((part, index) => part(key[index]))) throw badCursor();
  return key as PartsOf<P>;
}

/** Builds a page from `limit + 1` fetched rows. */
export function toPage<T>(rows: T[], limit: number, totalCount: Total, hadCursor: boolean, cursorOf: (node: T) => string): Page<T> {
  return { nodes: rows.slice(0, limit), hasNextPage: rows.length > limit, hasPreviousPage: hadCursor, totalCount, cursorOf };
}

/**
 * The keyset condition "after this cursor" for a sort column plus the id as a
 * tie-breaker: (col, id) > (value, id) ascending, < descending.
 */
export function afterKey(
  column: AnyPgColumn | SQL,
  id: AnyPgColumn,
  direction: SortDirection,
  key: { value: unknown; id: string } | null,
): SQL | undefined {
  if (!key) return undefined;
  const beyond = direction === "ASC" ? gt : lt;
  // One call shape for columns and expressions (drizzle's overloads take either, not the union).
  const sort = column as SQL;
  if (key.value === null) {
    // NULLs sort last ascending (first descending) in PostgreSQL.
    return direction === "ASC" ? and(isNull(sort), gt(id, key.id)) : or(isNotNull(sort), and(isNull(sort), lt(id, key.id)));
  }
  return or(beyond(sort, key.value), and(eq(sort, key.value), beyond(id, key.id)));
}
/** The key of a cursor [ISO timestamp, id] as afterKey takes it (null without a cursor). */
export const timeKey = (cursor: [string, string] | null) => (cursor ? { value: new Date(cursor[0]), id: cursor[1] } : null);

/** Direction of a sorted list. */
export const SORT_DIRECTIONS = ["ASC", "DESC"] as const;
export type SortDirection = (typeof SORT_DIRECTIONS)[number];

/**
 * A timestamp column as exact text for a cursor. Timestamps are stored to the
 * millisecond (what a JavaScript Date holds), but a cursor read from the
 * database itself never depends on that: it cannot compare below its own row.
 */
export const exactTime = (column: AnyColumn) => sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** The Relay connection a page becomes: `edges { cursor node }`, `nodes`, `pageInfo`, `totalCount`. */
export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface ConnectionShape<T> {
  edges: Edge<T>[];
  nodes: T[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  totalCount: Total;
}

/**
 * Maps a service page to the connection shape, mapping each row with `map`.
 * Edges (a cursor per row) are made only when asked for: a page of nodes needs none.
 */
export function toConnection<Row, T>(page: Page<Row>, map: (row: Row) => T): ConnectionShape<T> {
  const rows = page.nodes;
  const nodes = rows.map(map);
  let edges: Edge<T>[] | undefined;
  return {
    get edges() {
      return (edges ??= rows.map((row, i) => ({ cursor: page.cursorOf(row), node: nodes[i]! })));
    },
    nodes,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: page.hasPreviousPage,
      get startCursor() {
        return rows.length ? page.cursorOf(rows[0]!) : null;
      },
      get endCursor() {
        return rows.length ? page.cursorOf(rows[rows.length - 1]!) : null;
      },
    },
    totalCount: page.totalCount,
  };
}
