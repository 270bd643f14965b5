/**
 * Raw subtrees: a planned relation whose whole selection PostgreSQL can write
 * exactly as the API would — columns without resolvers, in scalars whose JSON
 * form PostgreSQL produces identically, and planned relations of those — is
 * built by the statement as the answer's own JSON text. Node neither parses nor
 * walks it: the resolver answers a stand-in (an empty list, say), and the
 * executor splices the text in where the stand-in was serialised.
 *
 * Only HTTP answers take this path (their JSON text is all that leaves the
 * server); anything else (WebSocket, subscriptions, tests of resolvers) gets
 * objects as before. A selection with anything else in it — a field with a
 * resolver, a private field, pageInfo, a union — is planned the usual way.
 */
import {
  getArgumentValues,
  getNamedType,
  getNullableType,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type FieldNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLResolveInfo,
} from "graphql";
import { pageSize } from "../pagination";
import type { ConnectionRelation, ManyRelation, OneRelation, Relation, Source } from "./model";
import { collectFields, objectTypeOf, subSelections, type Fields, type SelectionScope } from "./selection";
import { relationRowsSql } from "./subselect";
import { type Aliases, jsonObject, type Params, type Ref, tableInfo } from "./sql";

/** The JSON text of a raw subtree, as the statement returned it. */
export class RawJson {
  constructor(
    readonly text: string,
    /** What the walk sees in its place. */
    readonly standIn: unknown,
  ) {}
}

type RawEntry = { kind: "literal"; sql: string } | { kind: "column"; sql: (c: Ref) => string } | { kind: "relation"; field: RawField };

interface RawObject {
  source: Source;
  entries: [key: string, entry: RawEntry][];
}

export interface RawField {
  relation: OneRelation | ManyRelation | ConnectionRelation;
  args: Record<string, unknown>;
  child: RawObject;
  /** A connection's own selection (nodes, totalCount, __typename) by response key, and its page. */
  connection?: { entries: [key: string, part: "nodes" | "totalCount" | { typename: string }][]; limit: number; after: string | null };
}

const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

/**
 * Scalars whose output PostgreSQL's JSON writes identically: the column types
 * each may come from, and how the column is written when not as is.
 */
const SCALARS: Record<string, { from: string[]; sql?: (column: string) => string }> = {
  UUID: { from: ["PgUUID"] },
  String: { from: ["PgText", "PgVarchar"] },
  Int: { from: ["PgInteger", "PgSmallInt"] },
  Boolean: { from: ["PgBoolean"] },
  // JSON writes dates and times in ISO form whatever DateStyle says: "YYYY-MM-DD", "HH:MM:SS".
  LocalDate: { from: ["PgDateString"] },
  LocalTime: { from: ["PgTime"] },
  // Exact text, as the driver gives it.
  Decimal: { from: ["PgNumeric"], sql: (column) => `${column}::text` },
  // As Date#toJSON writes it (timestamps are kept to the millisecond).
  DateTime: { from: ["PgTimestamp"], sql: (column) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')` },
};

/** The SQL writing a plain field's column as its JSON, or null when the field is not one. */
function columnEntry(field: GraphQLField<unknown, unknown>, source: Source): RawEntry | null {
  if (field.resolve || field.args.length) return null;
  const column = tableInfo(source.table).columns.get(field.name);
  const type = getNullableType(field.type);
  if (!column || isListType(type)) return null;
  // A non-null field on a nullable column could answer an error the walk would raise.
  if (isNonNullType(field.type) && !column.column.notNull) return null;
  const { columnType } = column.column;
  const named = getNamedType(type);
  if (isEnumType(named)) {
    const identity = named.getValues().every((value) => value.value === value.name);
    const textual = ["PgText", "PgVarchar", "PgEnumColumn"].includes(columnType);
    return identity && textual ? { kind: "column", sql: (c) => c.col(column.key) } : null;
  }
  const scalar = isScalarType(named) ? SCALARS[named.name] : undefined;
  if (!scalar?.from.includes(columnType)) return null;
  if (columnType === "PgTimestamp" && !(column.column as unknown as { withTimezone: boolean }).withTimezone) return null;
  const write = scalar.sql;
  return { kind: "column", sql: write ? (c) => write(c.col(column.key)) : (c) => c.col(column.key) };
}

/** The raw plan of `fields` on objects of `type`, or null when any of them needs Node. */
function rawObject(scope: SelectionScope, type: GraphQLObjectType, source: Source, fields: Fields): RawObject | null {
  const entries: [string, RawEntry][] = [];
  const defs = type.getFields();
  for (const [key, nodes] of fields) {
    const name = nodes[0]!.name.value;
    if (name === "__typename") {
      entries.push([key, { kind: "literal", sql: literal(type.name) }]);
      continue;
    }
    const def = defs[name];
    if (!def) return null;
    const relation = source.relations?.[name];
    const field = relation ? rawField(scope, type, def, relation, nodes) : null;
    const entry: RawEntry | null = relation ? field && { kind: "relation", field } : columnEntry(def, source);
    if (!entry) return null;
    entries.push([key, entry]);
  }
  return { source, entries };
}

/**
 * The raw plan of a planned relation field, or null when it must be walked. A
 * one-relation must be nullable (its stand-in is null); a connection may select
 * nodes, totalCount and __typename only (pageInfo and cursors are Node's).
 */
export function rawField(
  scope: SelectionScope,
  type: GraphQLObjectType,
  def: GraphQLField<unknown, unknown>,
  relation: Relation,
  nodes: FieldNode[],
): RawField | null {
  if (relation.kind === "value") return null;
  if (relation.kind === "one" && isNonNullType(def.type)) return null;
  const returned = objectTypeOf(type, def.name);
  if (!returned) return null;
  const args = getArgumentValues(def, nodes[0]!, scope.variables as Record<string, unknown>);
  const target = relation.target();
  if (relation.kind !== "connection") {
    const child = rawObject(scope, returned, target, collectFields(scope, returned, subSelections(nodes)));
    return child && { relation, args, child };
  }
  const nodeType = objectTypeOf(returned, "nodes");
  if (!nodeType || !isObjectType(nodeType)) return null;
  const parts: NonNullable<RawField["connection"]>["entries"] = [];
  const nodeSets = [];
  for (const [key, connectionNodes] of collectFields(scope, returned, subSelections(nodes))) {
    const name = connectionNodes[0]!.name.value;
    if (name === "nodes") {
      parts.push([key, "nodes"]);
      nodeSets.push(...subSelections(connectionNodes));
    } else if (name === "totalCount") parts.push([key, "totalCount"]);
    else if (name === "__typename") parts.push([key, { typename: returned.name }]);
    else return null;
  }
  const child = rawObject(scope, nodeType, target, collectFields(scope, nodeType, nodeSets));
  if (!child) return null;
  const limit = pageSize(args.first as number | null | undefined);
  return { relation, args, child, connection: { entries: parts, limit, after: (args.after as string | null | undefined) ?? null } };
}

/** What the walk sees in place of a raw subtree: the smallest value of the field's type. */
export function standIn(field: RawField): unknown {
  if (field.relation.kind === "one") return null;
  if (field.relation.kind === "many") return [];
  return { nodes: [], totalCount: 0 };
}

// ------------------------------------------------------------------ SQL

function objectSql(object: RawObject, c: Ref, params: Params, aliases: Aliases): string {
  return jsonObject(
    object.entries.map(([key, entry]) => [
      key,
      entry.kind === "literal" ? entry.sql : entry.kind === "column" ? entry.sql(c) : rawFieldSql(entry.field, c, params, aliases),
    ]),
  );
}

/** The JSON of a raw relation of the parent row `p`, exactly as the answer holds it. */
export function rawFieldSql(field: RawField, p: Ref, params: Params, aliases: Aliases): string {
  const { relation, child } = field;
  const c = aliases.of(child.source.table);
  if (relation.kind !== "connection") return relationRowsSql(relation, p, c, aliases, (c) => objectSql(child, c, params, aliases));
  const page = field.connection!;
  const filters = (ref: Ref) => [
    `${ref.col("tenantId")} = ${p.col("tenantId")}`,
    relation.on(p, ref),
    ...(relation.filter?.(field.args, ref, params) ?? []),
  ];
  return jsonObject(
    page.entries.map(([key, part]) => {
      if (typeof part === "object") return [key, literal(part.typename)];
      if (part === "totalCount") {
        const counted = aliases.of(child.source.table);
        return [key, `(select count(*) from ${counted.from} where ${filters(counted).join(" and ")})`];
      }
      const where = [...filters(c), ...(page.after ? [relation.cursor.after(c, params, page.after)] : [])];
      return [
        key,
        `array_to_json(array(select ${objectSql(child, c, params, aliases)} from ${c.from}` +
          ` where ${where.join(" and ")} order by ${relation.orderBy(c)} limit ${params.add(page.limit, "int")}))`,
      ];
    }),
  );
}

// ------------------------------------------------------------------ answers

/** Where a raw subtree goes in the answer, and its text. */
export interface Splice {
  path: (string | number)[];
  text: string;
}

export const responsePath = (info: GraphQLResolveInfo): (string | number)[] => {
  const path: (string | number)[] = [];
  for (let at: GraphQLResolveInfo["path"] | undefined = info.path; at; at = at.prev) path.push(at.key);
  return path.reverse();
};

const MARK = "\u0000raw:";
const MARKED = /"\\u0000raw:(\d+)"/g;

/**
 * The JSON text of `data` with each raw subtree in place of its stand-in. The
 * stand-ins are first replaced by marker strings (NUL cannot occur in text from
 * PostgreSQL, so no value can look like one), then the markers by the texts.
 */
export function stringifyWithRaw(data: Record<string, unknown>, splices: readonly Splice[], before = "", after = ""): string {
  for (const [index, { path }] of splices.entries()) {
    let holder: unknown = data;
    for (let i = 0; i < path.length - 1 && holder; i++) holder = (holder as Record<string | number, unknown>)[path[i]!];
    // An error may have nulled an ancestor: that subtree is not in the answer.
    const key = path[path.length - 1]!;
    if (holder && typeof holder === "object" && key in holder) (holder as Record<string | number, unknown>)[key] = `${MARK}${index}`;
  }
  // `before` and `after` join the skeleton (small) so that the one large string is made once.
  return `${before}${JSON.stringify(data)}${after}`.replace(MARKED, (_, index: string) => splices[Number(index)]!.text);
}
