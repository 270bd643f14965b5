/**
 * Planned reads: a relation field asks the planner, and every planned relation
 * selected at that place in the answer — for every parent row there — is loaded
 * by one statement that builds the whole subtree below as JSON (sub-selects per
 * relation, nested as deep as the selection goes). A nested read costs one
 * statement per level of rows the services load, however wide or deep it is.
 */
import DataLoader from "dataloader";
import {
  getArgumentValues,
  getNamedType,
  isObjectType,
  type FieldNode,
  type GraphQLObjectType,
  type GraphQLResolveInfo,
  type SelectionSetNode,
} from "graphql";
import type { Context } from "../context";
import { pageSize, toConnection, toPage } from "../pagination";
import { sourceOf, type ConnectionRelation, type LoadRows, type PlannableQuery, type Relation, type Row, type Source } from "./model";
import { collectFields, nodesNamed, objectTypeOf, siblingsOf, subSelections, type Fields, type SelectionScope } from "./selection";
import { rawField, rawFieldSql, RawJson, responsePath, standIn, type RawField, type Splice } from "./raw";
import { relationRowsSql } from "./subselect";
import { Aliases, jsonObject, Params, rowFromDriver, tableInfo, type Ref } from "./sql";

/** What to load for objects of one planned type. */
interface ObjectPlan {
  source: Source;
  /** Columns to carry (every column when a field needs the whole row). */
  columns: Set<string>;
  allColumns: boolean;
  relations: Map<string, FieldPlan>;
}

interface FieldPlan {
  relation: Relation;
  args: Record<string, unknown>;
  child?: ObjectPlan;
  /** For connections: page size, cursor, whether the total is asked for. */
  page?: { limit: number; after: string | null; total: boolean };
  prepared?: unknown;
  /** Built by PostgreSQL as the answer's JSON text (see raw.ts): no child plan. */
  raw?: RawField;
}

interface Level {
  plan: ObjectPlan;
  loader: DataLoader<Row, Record<string, unknown>, unknown>;
}

export class Planner {
  private readonly levels = new Map<string, Level>();
  /**
   * Whether relations may be answered as raw JSON text (raw.ts): set by the
   * executor for answers it serialises itself; `splices` are where they go.
   */
  rawJson = false;
  readonly splices: Splice[] = [];

  constructor(private readonly ctx: Context) {}

  /**
   * The value of the planned relation field `info` on `parent`: already there
   * when the parent came from a planned statement, else loaded (with every
   * sibling relation, for every parent at this place) by one statement.
   */
  load(parent: object, info: GraphQLResolveInfo): unknown {
    const key = info.path.key as string;
    const planned = (parent as Row).$;
    if (planned && key in planned) return this.answer(planned[key], info);
    return this.levelOf(info)
      .loader.load(parent as Row)
      .then((values) => this.answer(values[key], info));
  }

  /** A raw subtree is noted for the executor, and answered by its stand-in. */
  private answer(value: unknown, info: GraphQLResolveInfo): unknown {
    if (!(value instanceof RawJson)) return value;
    this.splices.push({ path: responsePath(info), text: value.text });
    return value.standIn;
  }

  /**
   * Runs a service's query for rows of a planned type with every planned relation
   * the selection asks of those rows, in the same statement. `at` are the paths
   * from the field to the rows: [[]] for the field itself, [["nodes"], ["edges",
   * "node"]] for a connection. Rows come back as Drizzle returns them, carrying
   * their relations (their resolvers then read no more).
   */
  async rows<T>(query: PlannableQuery<T>, info: GraphQLResolveInfo, at: string[][]): Promise<T[]> {
    const scope: SelectionScope = { schema: info.schema, fragments: info.fragments, variables: info.variableValues };
    const found = rowSelection(scope, info, at);
    const source = found && sourceOf(found.type.name);
    if (!found || !source) return query;
    const table = source.table;
    const plan = planObject(scope, found.type, source, found.fields, true, this.rawJson);
    if (!plan.relations.size) return query;
    await this.prepare(plan);
    const { sql, params } = query.toSQL();
    const values = new Params([...params]);
    const aliases = new Aliases();
    const p = aliases.of(table);
    const text = `select ${p.alias}.*, ${relationColumns(plan, p, values, aliases)} from (${sql}) as ${p.alias}`;
    return (await this.ctx.app.database.query(this.ctx.db, text, values.values)).map((raw) => {
      const row = rowFromDriver<Row>(table, raw);
      row.$ = finishRelations(plan, raw, row);
      return row as T;
    });
  }

  /** The row loader for a root field's rows (see rows): for services' `load` parameter. */
  loader(info: GraphQLResolveInfo, at: string[][] = [[]]): LoadRows {
    return (query) => this.rows(query, info, at);
  }

  private levelOf(info: GraphQLResolveInfo): Level {
    // Every parent at one place in the answer shares a level: found by the path without list indexes.
    const place = `${info.parentType.name}@${parentPath(info)}`;
    let level = this.levels.get(place) ?? this.levels.get(`${place}#${String(info.path.key)}`);
    if (!level) {
      const siblings = siblingsOf(info);
      const key = siblings ? place : `${place}#${String(info.path.key)}`;
      // Under a union or interface the siblings are not known: the field is planned alone.
      const fields: Fields = siblings?.fields ?? new Map([[String(info.path.key), [...info.fieldNodes]]]);
      const scope: SelectionScope = { schema: info.schema, fragments: info.fragments, variables: info.variableValues };
      const plan = planObject(scope, info.parentType, requireSource(info.parentType.name), fields, true, this.rawJson);
      level = { plan, loader: new DataLoader((parents) => this.fetch(plan, parents), { cacheKeyFn: (row) => row.id }) };
      this.levels.set(key, level);
    }
    return level;
  }

  /** Loads the planned relations of `parents` in one statement. */
  private async fetch(plan: ObjectPlan, parents: readonly Row[]): Promise<Record<string, unknown>[]> {
    const tenantId = this.ctx.tenant?.id;
    const raws = new Map<unknown, Record<string, unknown>>();
    if (tenantId) {
      await this.prepare(plan);
      const params = new Params();
      const aliases = new Aliases();
      const p = aliases.of(plan.source.table);
      const ids = [...new Set(parents.map((parent) => parent.id))];
      const text =
        `select ${p.col("id")} as id, ${relationColumns(plan, p, params, aliases)} from ${p.from}` +
        ` where ${p.col("tenantId")} = ${params.add(tenantId, "uuid")} and ${p.col("id")} = any(${params.add(ids, "uuid[]")})`;
      for (const row of await this.ctx.app.database.query(this.ctx.db, text, params.values)) raws.set(row.id, row);
    }
    return parents.map((parent) => finishRelations(plan, raws.get(parent.id) ?? {}, parent));
  }

  /** Runs the relations' `prepare` (viewer facts their SQL needs), once per statement. */
  private async prepare(plan: ObjectPlan): Promise<void> {
    for (const field of plan.relations.values()) {
      if (field.relation.kind === "value" && field.relation.prepare && field.prepared === undefined) {
        field.prepared = await field.relation.prepare(this.ctx);
      }
      if (field.child) await this.prepare(field.child);
    }
  }
}

/** The object type of the rows at `at` below the field, and what is selected on them (all paths merged). */
function rowSelection(scope: SelectionScope, info: GraphQLResolveInfo, at: string[][]): { type: GraphQLObjectType; fields: Fields } | null {
  let rowType: GraphQLObjectType | null = null;
  const sets: SelectionSetNode[] = [];
  for (const path of at) {
    let type = getNamedType(info.returnType);
    let selections = subSelections(info.fieldNodes);
    for (const key of path) {
      if (!isObjectType(type)) return null;
      // A path the client did not select still leads to the same type; it just adds no fields.
      const nodes = selections.length ? nodesNamed(collectFields(scope, type, selections), key) : [];
      const next = objectTypeOf(type, key);
      if (!next) return null;
      selections = subSelections(nodes);
      type = next;
    }
    if (!isObjectType(type) || (rowType && rowType !== type)) return null;
    rowType = type;
    sets.push(...selections);
  }
  return rowType ? { type: rowType, fields: collectFields(scope, rowType, sets) } : null;
}

function requireSource(type: string): Source {
  const source = sourceOf(type);
  if (!source) throw new Error(`${type} is not a planned type (declare it in server/plan)`);
  return source;
}

/** The response path of the field's parent object, without list indexes ("courses.nodes"). */
function parentPath(info: GraphQLResolveInfo): string {
  let path = "";
  for (let at = info.path.prev; at; at = at.prev) if (typeof at.key === "string") path = path ? `${at.key}.${path}` : at.key;
  return path;
}

/**
 * What the selection asks of objects of `type`. At a level (`relationsOnly`),
 * the parents are rows already: only their relations are loaded.
 */
function planObject(
  scope: SelectionScope,
  type: GraphQLObjectType,
  source: Source,
  fields: Fields,
  relationsOnly = false,
  raw = false,
): ObjectPlan {
  const plan: ObjectPlan = { source, columns: new Set(source.keys), allColumns: false, relations: new Map() };
  const table = tableInfo(source.table).columns;
  for (const [key, nodes] of fields) {
    const name = nodes[0]!.name.value;
    if (name === "__typename") continue;
    const relation = source.relations?.[name];
    if (relation) {
      for (const column of relation.needs) plan.columns.add(column);
      plan.relations.set(key, planField(scope, type, relation, nodes, raw));
      if (relation.kind === "value" && relation.parentField && selects(scope, type, name, nodes, relation.parentField))
        plan.allColumns = true;
    } else if (relationsOnly) {
    } else if (source.reads?.[name]) {
      for (const column of source.reads[name]!) plan.columns.add(column);
    } else if (table.has(name)) {
      plan.columns.add(name);
    } else {
      plan.allColumns = true;
    }
  }
  return plan;
}

function planField(scope: SelectionScope, type: GraphQLObjectType, relation: Relation, nodes: FieldNode[], raw = false): FieldPlan {
  const fieldDef = type.getFields()[nodes[0]!.name.value]!;
  const rawPlan = raw ? rawField(scope, type, fieldDef, relation, nodes) : null;
  if (rawPlan) return { relation, args: rawPlan.args, raw: rawPlan };
  const args = getArgumentValues(fieldDef, nodes[0]!, scope.variables as Record<string, unknown>);
  if (relation.kind === "value") return { relation, args };
  const target = relation.target();
  const returned = objectTypeOf(type, fieldDef.name);
  if (!returned) throw new Error(`${type.name}.${fieldDef.name} does not return an object type`);
  if (relation.kind !== "connection") {
    const targetType = returned;
    return { relation, args, child: planObject(scope, targetType, target, collectFields(scope, targetType, subSelections(nodes))) };
  }
  // A connection: the node's fields come from `nodes { … }` and `edges { node { … } }`.
  const connectionFields = collectFields(scope, returned, subSelections(nodes));
  const nodeType = objectTypeOf(returned, "nodes");
  if (!nodeType || !isObjectType(nodeType)) throw new Error(`${returned.name} is not a connection`);
  // Response keys may be aliases: fields are found by name.
  const nodeSets = subSelections(nodesNamed(connectionFields, "nodes"));
  const edgesType = objectTypeOf(returned, "edges");
  for (const edges of nodesNamed(connectionFields, "edges")) {
    if (!edgesType) break;
    const edgeFields = collectFields(scope, edgesType, subSelections([edges]));
    nodeSets.push(...subSelections(nodesNamed(edgeFields, "node")));
  }
  const child = planObject(scope, nodeType, target, collectFields(scope, nodeType, nodeSets));
  for (const column of relation.cursor.columns) child.columns.add(column);
  const limit = pageSize(args.first as number | null | undefined);
  const after = (args.after as string | null | undefined) ?? null;
  return { relation, args, child, page: { limit, after, total: nodesNamed(connectionFields, "totalCount").length > 0 } };
}

// ------------------------------------------------------------------ SQL

/** The JSON object of a row: its columns, and its relations under "$". */
/**
 * A row as a JSON array of its columns (in keysOf order), then its relations'
 * object when it has any: cheaper for PostgreSQL to build, and for Node to parse,
 * than an object repeating every key on every row.
 */
function objectJson(plan: ObjectPlan, c: Ref, params: Params, aliases: Aliases): string {
  const values = keysOf(plan).map((key) => c.jsonValue(key));
  if (plan.relations.size) values.push(relationsJson(plan, c, params, aliases));
  // json_build_array takes at most 100 arguments: wider rows are joined from parts.
  const chunks: string[] = [];
  for (let i = 0; i < values.length; i += 100) chunks.push(`jsonb_build_array(${values.slice(i, i + 100).join(", ")})`);
  return chunks.length === 1 ? `json_build_array(${values.join(", ")})` : `(${chunks.join(" || ")})::json`;
}

/** The columns a planned row carries, in the order its JSON array holds them. */
const keyOrder = new WeakMap<ObjectPlan, string[]>();
function keysOf(plan: ObjectPlan): string[] {
  let keys = keyOrder.get(plan);
  if (!keys) keyOrder.set(plan, (keys = plan.allColumns ? [...tableInfo(plan.source.table).columns.keys()] : [...plan.columns]));
  return keys;
}

function relationsJson(plan: ObjectPlan, p: Ref, params: Params, aliases: Aliases): string {
  return jsonObject(
    [...plan.relations].filter(([, field]) => !field.raw).map(([key, field]) => [key, fieldSql(field, p, params, aliases)]),
  );
}

/** The column of a raw relation in a level's statement. */
const rawColumn = (key: string) => `$raw:${key}`;

/** The relations of a level's rows: "$" (JSON the planner finishes), and one text column per raw relation. */
function relationColumns(plan: ObjectPlan, p: Ref, params: Params, aliases: Aliases): string {
  const columns = [`${relationsJson(plan, p, params, aliases)} as "$"`];
  for (const [key, field] of plan.relations) {
    if (field.raw) columns.push(`(${rawFieldSql(field.raw, p, params, aliases)})::text as "${rawColumn(key)}"`);
  }
  return columns.join(", ");
}

/** The GraphQL values of a level row's relations, from the statement's row. */
function finishRelations(plan: ObjectPlan, raw: Record<string, unknown>, parent: Row): Record<string, unknown> {
  const planned = (raw.$ ?? {}) as Record<string, unknown>;
  const values: Record<string, unknown> = {};
  for (const [key, field] of plan.relations) {
    if (!field.raw) values[key] = finishField(field, planned[key] ?? null, parent);
    else {
      const text = raw[rawColumn(key)];
      values[key] = typeof text === "string" ? new RawJson(text, standIn(field.raw)) : standIn(field.raw);
    }
  }
  return values;
}

/** The sub-select of one relation of the parent row `p`. */
function fieldSql(field: FieldPlan, p: Ref, params: Params, aliases: Aliases): string {
  const { relation } = field;
  if (relation.kind === "value") return relation.sql(p, params, aliases, field.prepared) ?? "null";
  const child = field.child!;
  const c = aliases.of(child.source.table);
  if (relation.kind !== "connection") return relationRowsSql(relation, p, c, aliases, (c) => objectJson(child, c, params, aliases));
  return connectionSql(relation, field, p, c, params, aliases);
}

function connectionSql(relation: ConnectionRelation, field: FieldPlan, p: Ref, c: Ref, params: Params, aliases: Aliases): string {
  const page = field.page!;
  const where = [`${c.col("tenantId")} = ${p.col("tenantId")}`, relation.on(p, c), ...(relation.filter?.(field.args, c, params) ?? [])];
  const rows =
    `array_to_json(array(select ${objectJson(field.child!, c, params, aliases)} from ${c.from}` +
    ` where ${[...where, ...(page.after ? [relation.cursor.after(c, params, page.after)] : [])].join(" and ")}` +
    ` order by ${relation.orderBy(c)} limit ${params.add(page.limit + 1, "int")}))`;
  if (!page.total) return jsonObject([["rows", rows]]);
  const counted = aliases.of(field.child!.source.table);
  const countWhere = [
    `${counted.col("tenantId")} = ${p.col("tenantId")}`,
    relation.on(p, counted),
    ...(relation.filter?.(field.args, counted, params) ?? []),
  ];
  return jsonObject([
    ["rows", rows],
    ["total", `(select count(*) from ${counted.from} where ${countWhere.join(" and ")})`],
  ]);
}

// ------------------------------------------------------------------ results

/** Turns a relation's JSON into its GraphQL value (rows revived, connections built). */
function finishField(field: FieldPlan, raw: unknown, parent: Row): unknown {
  const { relation } = field;
  switch (relation.kind) {
    case "value":
      return relation.finish(raw, parent);
    case "one":
      return raw ? finishObject(field.child!, raw as unknown[]) : null;
    case "many":
      return ((raw as unknown[][] | null) ?? []).map((row) => finishObject(field.child!, row));
    case "connection": {
      const { limit, after } = field.page!;
      const shaped = (raw as { rows: unknown[][] | null; total?: number } | null) ?? { rows: [] };
      const rows = (shaped.rows ?? []).map((row) => finishObject(field.child!, row));
      return toConnection(toPage(rows, limit, shaped.total ?? 0, Boolean(after), relation.cursor.encode), (row) => row);
    }
  }
}

const timestampsCache = new WeakMap<ObjectPlan, string[]>();

function finishObject(plan: ObjectPlan, values: unknown[]): Row {
  const keys = keysOf(plan);
  const row: Row = {};
  for (let i = 0; i < keys.length; i++) row[keys[i]!] = values[i];
  if (plan.relations.size) row.$ = (values[keys.length] ?? {}) as Record<string, unknown>;
  let timestamps = timestampsCache.get(plan);
  if (!timestamps) {
    const columns = tableInfoOf(plan);
    timestamps = [...(plan.allColumns ? columns.keys() : plan.columns)].filter((key) => columns.get(key)?.json === "timestamp");
    timestampsCache.set(plan, timestamps);
  }
  for (const key of timestamps) if (typeof row[key] === "string") row[key] = new Date(row[key] as string);
  if (plan.relations.size && row.$) {
    for (const [key, field] of plan.relations) row.$[key] = finishField(field, row.$[key] ?? null, row);
  }
  return row;
}

/** Does the selection of `field` (on `type`) select `inner` on the object it returns? */
function selects(scope: SelectionScope, type: GraphQLObjectType, field: string, nodes: FieldNode[], inner: string): boolean {
  const returned = objectTypeOf(type, field);
  if (!returned) return false;
  for (const innerNodes of collectFields(scope, returned, subSelections(nodes)).values()) {
    if (innerNodes[0]!.name.value === inner) return true;
  }
  return false;
}

const tableInfoOf = (plan: ObjectPlan) => tableInfo(plan.source.table).columns;
