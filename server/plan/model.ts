/**
 * How GraphQL object types map onto tables, for planned reads: which table a
 * type's objects are rows of, which columns its resolvers read, and its
 * relations as sub-selects of the parent row. Declared once per domain
 * (server/plan/<domain>.ts); the planner turns a selection into one statement.
 */
import type { PgTable } from "drizzle-orm/pg-core";
import type { Context } from "../context";
import type { Aliases, Params, Ref } from "./sql";

/** A row as services and the planner hand it to resolvers. */
export type Row = Record<string, unknown> & { id?: unknown; $?: Record<string, unknown> };

/** A GraphQL object type whose objects are rows of `table`. */
export interface Source {
  type: string;
  table: PgTable;
  /** Columns every planned row carries: ids and keys that resolvers and relations use. */
  keys: string[];
  /**
   * Fields whose resolvers read columns (computed values, relations served
   * elsewhere), with those columns. A field that is neither a column, nor
   * here, nor a relation gets the whole row.
   */
  reads?: Record<string, string[]>;
  relations?: Record<string, Relation>;
}

/** Per-request facts a relation's SQL may depend on, prepared before building the statement. */
export type Prepared = unknown;

interface Joined {
  target: () => Source;
  /** Parent columns the join reads. */
  needs: string[];
  /** Joins the child (c) to the parent (p); tenant_id equality is added by the planner. */
  on: (p: Ref, c: Ref) => string;
}

/** At most one row (a foreign key). */
export interface OneRelation extends Joined {
  kind: "one";
}

/** A short list, cut at `cap` (see LIST_LIMITS). */
export interface ManyRelation extends Joined {
  kind: "many";
  orderBy: (c: Ref) => string;
  cap: number;
  /** A link table between parent and child (tags of a course). */
  through?: { table: PgTable; on: (p: Ref, link: Ref) => string; to: (link: Ref, c: Ref) => string };
}

/** A Relay connection: `first` (max 100), `after`, and filters from the field's arguments. */
export interface ConnectionRelation extends Joined {
  kind: "connection";
  orderBy: (c: Ref) => string;
  cursor: {
    /** Child columns the cursor is made of. */
    columns: string[];
    encode: (row: Row) => string;
    /** The keyset condition after a cursor (it throws BAD_USER_INPUT for one this API did not make). */
    after: (c: Ref, params: Params, cursor: string) => string;
  };
  /** Conditions from the field's arguments. */
  filter?: (args: Record<string, unknown>, c: Ref, params: Params) => string[];
}

/** A computed value (an aggregate, say), or null where the viewer may not see it. */
export interface ValueRelation {
  kind: "value";
  needs: string[];
  /** Facts the SQL depends on (the viewer's instructor profile, say), read once per statement. */
  prepare?: (ctx: Context) => Promise<Prepared>;
  /** JSON-valued SQL for parent p, or null for "the viewer may not see it". */
  sql: (p: Ref, params: Params, aliases: Aliases, prepared: Prepared) => string | null;
  /** The GraphQL value from the JSON (null when the SQL was null). */
  finish: (raw: unknown, parent: Row) => unknown;
  /** A field of the value that returns the parent row itself: selected, the parent carries every column. */
  parentField?: string;
}

export type Relation = OneRelation | ManyRelation | ConnectionRelation | ValueRelation;

/** Every planned type, by GraphQL type name. */
const sources = new Map<string, Source>();

/** Declares planned types (each domain's server/plan/<domain>.ts calls this once). */
export function declareSources(...declared: Source[]): void {
  for (const source of declared) sources.set(source.type, source);
}

export const sourceOf = (type: string): Source | undefined => sources.get(type);

/** A Drizzle query the planner can wrap (awaited as is, it gives the rows without relations). */
export type PlannableQuery<T> = PromiseLike<T[]> & { toSQL(): { sql: string; params: unknown[] } };

/**
 * How a service's query for rows is run: as is (the default), or by the planner
 * with the relations the client selected of those rows, in the same statement.
 * Resolvers of root fields pass the planner's; services stay unaware of GraphQL.
 */
export type LoadRows = <T>(query: PlannableQuery<T>) => PromiseLike<T[]>;
export const asIs: LoadRows = (query) => query;
