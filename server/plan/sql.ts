/**
 * A small SQL text builder for planned reads: numbered parameters, table
 * aliases whose column references follow Drizzle's column names (snake_case),
 * and the JSON each column is carried in. The statement text depends only on
 * the shape of the query, never on values, so PostgreSQL prepares it once.
 */
import { getTableColumns, getTableName } from "drizzle-orm";
import { toSnakeCase } from "drizzle-orm/casing";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";

/** Parameters of one statement (after `values` already there, e.g. those of a Drizzle query it wraps). */
export class Params {
  constructor(readonly values: unknown[] = []) {}
  /** A placeholder for `value`, cast to `type` when given (e.g. "uuid[]"). */
  add(value: unknown, type?: string): string {
    this.values.push(value);
    return type ? `$${this.values.length}::${type}` : `$${this.values.length}`;
  }
}

/** What the planner knows of a table's column. */
export interface ColumnInfo {
  /** The property name rows use (Drizzle's key). */
  key: string;
  /** The SQL column name. */
  name: string;
  /** How the column travels in JSON: as is, as text (numerics, exactly), or as a timestamp to revive. */
  json: "plain" | "text" | "timestamp";
  column: PgColumn;
}

const infoCache = new WeakMap<PgTable, { name: string; columns: Map<string, ColumnInfo> }>();

/** The table's SQL name and columns by property name. */
export function tableInfo(table: PgTable): { name: string; columns: Map<string, ColumnInfo> } {
  let info = infoCache.get(table);
  if (!info) {
    const columns = new Map<string, ColumnInfo>();
    for (const [key, column] of Object.entries(getTableColumns(table)) as [string, PgColumn][]) {
      const name = (column as unknown as { keyAsName: boolean }).keyAsName ? toSnakeCase(column.name) : column.name;
      const type = column.columnType;
      const json = type === "PgNumeric" || type === "PgBigInt64" ? "text" : type === "PgTimestamp" ? "timestamp" : "plain";
      columns.set(key, { key, name, json, column });
    }
    info = { name: getTableName(table), columns };
    infoCache.set(table, info);
  }
  return info;
}

const quote = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;

/** A table under an alias in one statement. */
export class Ref {
  readonly columns: Map<string, ColumnInfo>;
  readonly from: string;
  constructor(
    readonly table: PgTable,
    readonly alias: string,
  ) {
    const info = tableInfo(table);
    this.columns = info.columns;
    this.from = `${quote(info.name)} ${alias}`;
  }

  /** The column of property `key`, e.g. `t1."course_id"`. */
  col(key: string): string {
    const column = this.columns.get(key);
    if (!column) throw new Error(`${this.from} has no column ${key}`);
    return `${this.alias}.${quote(column.name)}`;
  }

  /** The column as it goes into JSON (numerics as exact text). */
  jsonValue(key: string): string {
    const column = this.columns.get(key)!;
    return column.json === "text" ? `${this.col(key)}::text` : this.col(key);
  }

  has(key: string): boolean {
    return this.columns.has(key);
  }
}

/** Fresh aliases t0, t1 … for one statement. */
export class Aliases {
  private next = 0;
  of(table: PgTable): Ref {
    return new Ref(table, `t${this.next++}`);
  }
}

/**
 * A JSON object from (key, SQL value) pairs. PostgreSQL takes at most 100
 * arguments per function call, so wider objects are merged from parts.
 */
export function jsonObject(pairs: [string, string][]): string {
  const literal = (key: string) => `'${key.replace(/'/g, "''")}'`;
  const chunks: string[] = [];
  for (let i = 0; i < pairs.length; i += 50) {
    chunks.push(
      `json_build_object(${pairs
        .slice(i, i + 50)
        .map(([key, value]) => `${literal(key)}, ${value}`)
        .join(", ")})`,
    );
  }
  if (chunks.length === 0) return "json_build_object()";
  return chunks.length === 1 ? chunks[0]! : `(${chunks.map((chunk) => `${chunk}::jsonb`).join(" || ")})::json`;
}

/** A whole row of `ref` as JSON: every column, numerics as exact text. */
export function rowJson(ref: Ref): string {
  return jsonObject([...ref.columns.keys()].map((key) => [key, ref.jsonValue(key)]));
}

/** A row read back from rowJson: timestamps revived as Dates, so it equals what Drizzle returns. */
export function reviveRow<T>(table: PgTable, json: Record<string, unknown>): T {
  for (const column of tableInfo(table).columns.values()) {
    const value = json[column.key];
    if (column.json === "timestamp" && typeof value === "string") json[column.key] = new Date(value);
  }
  return json as T;
}

/** A row as the driver returned it (SQL names, driver values) as Drizzle would return it (keys, mapped values). */
export function rowFromDriver<T>(table: PgTable, raw: Record<string, unknown>): T {
  const row: Record<string, unknown> = {};
  for (const { key, name, column } of tableInfo(table).columns.values()) {
    const value = raw[name];
    row[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
  }
  return row as T;
}
