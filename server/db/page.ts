/**
 * Keyset pages: the one way a connection reads its rows. A list says what it
 * reads (a table, or a query and its count), its filters, and its order
 * (`newestFirst`, `oldestFirst`, `by`, or a `keyset` of its own); `page` checks
 * `first` and `after`, reads `first + 1` rows after the cursor, counts only when
 * totalCount is asked for, and makes each row's cursor.
 *
 * Cursors hold the sort values of a row, one encoding per kind of value.
 * Timestamps are ISO-8601 to the millisecond: every timestamp column keeps
 * milliseconds (precision 3), as a JavaScript Date does, so a cursor read back
 * compares equal to its own row, and the keyset compares the column itself
 * (its index serves the order).
 */
import { and, asc, count, desc, getTableColumns, gt, lt, type SQL } from "drizzle-orm";
import type { AnyPgColumn, PgTable } from "drizzle-orm/pg-core";
import type { AppError } from "../errors";
import {
  afterKey,
  badCursor,
  countOf,
  cursorPart,
  decodeCursor,
  encodeCursor,
  pageSize,
  toPage,
  type CursorPart,
  type Page,
  type SortDirection,
} from "../pagination";
import type { Db } from "./client";

/** How a cursor keeps one kind of sort value: its check, how SQL gets it back, how a row's value is written. */
export interface CursorKind {
  part: CursorPart<unknown>;
  read: (value: unknown) => unknown;
  write: (value: unknown) => unknown;
}

const same = (value: unknown) => value;

/** The kinds of sort values, each with its one cursor encoding. */
export const CURSOR_KINDS = {
  /** ISO-8601 UTC to the millisecond (`toISOString()`), read back as a Date: an exact round trip. */
  timestamp: { part: cursorPart.timestamp, read: (value) => new Date(value as string), write: (value) => (value as Date).toISOString() },
  uuid: { part: cursorPart.uuid, read: same, write: same },
  text: { part: cursorPart.text, read: same, write: same },
  /** "2027-01-02" */
  localDate: { part: cursorPart.localDate, read: same, write: same },
  /** "2027-01-02 10:00:00" */
  localDateTime: { part: cursorPart.localDateTime, read: same, write: same },
  /** "250.00" */
  decimal: { part: cursorPart.decimal, read: same, write: same },
} satisfies Record<string, CursorKind>;

/** One sort value of a list: the column (or expression) it sorts by, its kind, and where a row keeps it. */
export interface SortKey<Row> {
  column: AnyPgColumn | SQL;
  kind: CursorKind;
  of: (row: Row) => unknown;
}

/** A list's order: the ORDER BY, the condition "after this cursor", and each row's cursor. */
export interface Keyset<Row> {
  orderBy: SQL[];
  /** The rows after `cursor` (undefined without one); BAD_USER_INPUT on `after` for a cursor this list did not make. */
  after(cursor: string | null | undefined): SQL | undefined;
  cursorOf(row: Row): string;
}

const KIND_OF_COLUMN: Record<string, CursorKind> = {
  PgTimestamp: CURSOR_KINDS.timestamp,
  PgUUID: CURSOR_KINDS.uuid,
  PgText: CURSOR_KINDS.text,
  PgVarchar: CURSOR_KINDS.text,
  PgDateString: CURSOR_KINDS.localDate,
  PgNumeric: CURSOR_KINDS.decimal,
};

const nullable = (kind: CursorKind): CursorKind => ({
  part: cursorPart.nullable(kind.part),
  read: (value) => (value === null ? null : kind.read(value)),
  write: (value) => (value === null || value === undefined ? null : kind.write(value)),
});

/** A table column as a sort key: its kind from its type, its value from the row's field of the same column. */
export function sortKey<Row>(column: AnyPgColumn): SortKey<Row> {
  const base = KIND_OF_COLUMN[column.columnType];
  if (!base) throw new Error(`no cursor kind for ${column.columnType} (${column.name})`);
  const field = Object.entries(getTableColumns(column.table)).find(([, each]) => each === column)?.[0];
  if (!field) throw new Error(`column ${column.name} is not a column of its table`);
  return { column, kind: column.notNull ? base : nullable(base), of: (row) => (row as Record<string, unknown>)[field] };
}

/**
 * An order over sort keys, the last unique (the id): one key compares alone, two
 * as (value, id) with NULLs where PostgreSQL sorts them (afterKey). `tag` goes in
 * front of the values (a list with several orderings names the one a cursor is
 * for; another's is refused with `tagMismatch`); `orderBy` replaces the ORDER BY
 * built from the keys when the first key is an expression over several columns.
 */
export function keyset<Row>(
  direction: SortDirection,
  keys: SortKey<Row>[],
  options: { tag?: readonly string[]; tagMismatch?: () => AppError; orderBy?: SQL[] } = {},
): Keyset<Row> {
  if (keys.length < 1 || keys.length > 2) throw new Error("a keyset has one or two keys");
  const tag = options.tag ?? [];
  const order = direction === "ASC" ? asc : desc;
  const anyValue = (value: unknown): value is unknown => value !== undefined;
  return {
    orderBy: options.orderBy ?? keys.map((key) => order(key.column)),
    cursorOf: (row) => encodeCursor([...tag, ...keys.map((key) => key.kind.write(key.of(row)))]),
    after(cursor) {
      const decoded = decodeCursor(cursor, [...tag.map(() => cursorPart.text), ...keys.map(() => anyValue)]);
      if (!decoded) return undefined;
      if (tag.some((value, index) => decoded[index] !== value)) throw options.tagMismatch?.() ?? badCursor();
      const values = decoded.slice(tag.length);
      if (!keys.every((key, index) => key.kind.part(values[index]))) throw badCursor();
      const [first, second] = keys.map((key, index) => key.kind.read(values[index]));
      if (keys.length === 1) return (direction === "ASC" ? gt : lt)(keys[0]!.column as SQL, first);
      return afterKey(keys[0]!.column, keys[1]!.column as AnyPgColumn, direction, { value: first, id: second as string });
    },
  };
}

/** Ordered by these columns (the last unique, usually the id), all one way. */
export const by = <Row>(direction: SortDirection, ...columns: AnyPgColumn[]): Keyset<Row> =>
  keyset(
    direction,
    columns.map((column) => sortKey<Row>(column)),
  );

/** Newest first: a timestamp, then the id, both descending. */
export const newestFirst = <Row>(time: AnyPgColumn, id: AnyPgColumn): Keyset<Row> => by("DESC", time, id);

/** Oldest first: a timestamp, then the id, both ascending. */
export const oldestFirst = <Row>(time: AnyPgColumn, id: AnyPgColumn): Keyset<Row> => by("ASC", time, id);

/** A query `page` can finish: a dynamic Drizzle select (`.$dynamic()`), without where, order and limit yet. */
export interface PageQuery<Row> extends PromiseLike<Row[]> {
  where(where: SQL | undefined): PageQuery<Row>;
  orderBy(...columns: SQL[]): PageQuery<Row>;
  limit(limit: number): PageQuery<Row>;
  toSQL(): { sql: string; params: unknown[] };
}

interface PageArgs<Row> {
  /** The filters (the tenant's, the viewer's, the client's); the keyset is added to them. */
  where?: SQL;
  order: Keyset<NoInfer<Row>>;
  first?: number | null;
  after?: string | null;
  /** How the rows' query runs: as is, or by the planner (`ctx.planner.loader(info)`, server/plan). */
  load?: (query: PageQuery<Row>) => PromiseLike<Row[]>;
  /** A DataLoader to prime with the rows read (by id), so nested fields need not read them again. */
  prime?: { prime(id: string, row: Row): unknown };
}

/** Every row of a table, or a query of its own (joins, chosen columns) with the count to go with it. */
type PageSource<Row> =
  | { from: PgTable & { $inferSelect: Row } }
  | {
      /** `db.select(…).from(…).$dynamic()` */
      query: PageQuery<Row>;
      /** `db.select({ value: count() }).from(…).$dynamic()`: run only when totalCount is asked for. */
      count: PageQuery<{ value: number }>;
    };

/**
 * One page of a list: `first` (1 to 100, 20 when absent) rows after the cursor
 * `after`, in the list's order. BAD_USER_INPUT on `first` or `after` before any
 * statement runs. The total is counted only when the client asks for totalCount.
 */
export async function page<Row>(ctx: { db: Db }, spec: PageSource<Row> & PageArgs<Row>): Promise<Page<Row>> {
  const limit = pageSize(spec.first);
  const keyset = spec.order.after(spec.after);
  const { query, count: counted } =
    "from" in spec
      ? {
          query: ctx.db.select().from(spec.from).$dynamic() as unknown as PageQuery<Row>,
          count: ctx.db.select({ value: count() }).from(spec.from).$dynamic() as unknown as PageQuery<{ value: number }>,
        }
      : spec;
  const total = countOf(counted.where(spec.where));
  const rows = query
    .where(and(spec.where, keyset))
    .orderBy(...spec.order.orderBy)
    .limit(limit + 1);
  const read = await (spec.load ? spec.load(rows) : rows);
  if (spec.prime) for (const row of read) spec.prime.prime((row as { id: string }).id, row);
  return toPage(read, limit, total, Boolean(keyset), spec.order.cursorOf);
}
