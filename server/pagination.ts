/**
 * Cursor pagination (Relay connections). A cursor is the sort key of the last
 * row seen, opaque to clients (base64url JSON); pages are keyset queries, so
 * they stay fast and stable while rows are added.
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
  "Course.enrollments": { cap: 1000, estimate: 30 },
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
};
export const DEFAULT_LIST_ESTIMATE = 10;

/** The size a query's cost counts a plain list field (`Type.field`) with. */
export const listEstimate = (field: string) => LIST_LIMITS[field]?.estimate ?? DEFAULT_LIST_ESTIMATE;

/** One page of rows plus what a connection needs to describe it. */
export interface Page<T> {
  nodes: T[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  totalCount: number;
  cursorOf: (node: T) => string;
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

/** The sort key inside a cursor, or BAD_USER_INPUT for one this API did not make. */
export function decodeCursor<T extends unknown[]>(cursor: string | null | undefined): T | null {
  if (!cursor) return null;
  try {
    const key = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(key)) return key as T;
  } catch {
    // falls through to the error below
  }
  throw new AppError("BAD_USER_INPUT", "input.invalid", { field: "after", reason: "not a cursor from this API" }, { field: "after" });
}

/** Builds a page from `limit + 1` fetched rows. */
export function toPage<T>(rows: T[], limit: number, totalCount: number, hadCursor: boolean, cursorOf: (node: T) => string): Page<T> {
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
  totalCount: number;
}

/** Maps a service page to the connection shape, mapping each row with `map`. */
export function toConnection<Row, T>(page: Page<Row>, map: (row: Row) => T): ConnectionShape<T> {
  const edges = page.nodes.map((row) => ({ cursor: page.cursorOf(row), node: map(row) }));
  return {
    edges,
    nodes: edges.map((edge) => edge.node),
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: page.hasPreviousPage,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount: page.totalCount,
  };
}
