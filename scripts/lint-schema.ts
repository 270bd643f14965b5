/**
 * Schema lint (`npm run lint:schema`, a CI step): schema.graphql is the API's documentation, read in
 * Sandbox/GraphiQL, so every type, field, argument, input field and enum value has a description;
 * and names follow one convention. Prints every offender and exits 1 when there is one.
 *
 * Plain graphql-js (already a dependency) rather than graphql-schema-linter or graphql-inspector:
 * the rules are a few lines each, and the allow-lists below are ours to keep short and explicit.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  buildSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isIntrospectionType,
  isObjectType,
  isSpecifiedScalarType,
  type GraphQLArgument,
  type GraphQLNamedType,
  type GraphQLSchema,
} from "graphql";

/**
 * Coordinates allowed to stay undescribed for a while (a type excuses its fields and arguments; a
 * root field its arguments). Empty: every type, field and argument is described. An entry that no
 * longer names anything undescribed is itself an error, so the list only shrinks.
 */
export const UNDESCRIBED_FOR_NOW: readonly string[] = [];

/**
 * Names that break the conventions below and are in the public API already: renaming one is a
 * breaking change, the lead's decision. New names must follow the rules; an entry that no longer
 * matches an offence is an error.
 */
export const NAMING_EXCEPTIONS: readonly string[] = [
  // Language values are the lowercase ISO 639-1 codes (ar, en, fr), as clients and Accept-Language send them.
  "Language.ar",
  "Language.en",
  "Language.fr",
];

/**
 * First words a mutation may start with: it does something. These are the verbs in use; add one here
 * (in review) when a new mutation needs it, rather than naming a mutation after a noun.
 */
export const MUTATION_VERBS: ReadonlySet<string> = new Set([
  "accept",
  "add",
  "approve",
  "archive",
  "cancel",
  "change",
  "check",
  "complete",
  "confirm",
  "create",
  "deactivate",
  "decline",
  "delete",
  "drop",
  "generate",
  "import",
  "join",
  "login",
  "logout",
  "mark",
  "publish",
  "rate",
  "reactivate",
  "record",
  "refresh",
  "register",
  "reject",
  "remove",
  "request",
  "reset",
  "revoke",
  "set",
  "start",
  "submit",
  "suspend",
  "switch",
  "sync",
  "unarchive",
  "update",
  "verify",
]);

const PASCAL = /^[A-Z][A-Za-z0-9]*$/;
const CAMEL = /^[a-z][A-Za-z0-9]*$/;
const SCREAMING_SNAKE = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/;
const INPUT_SUFFIX = /(Input|Filter|Order)$/;

export interface Coverage {
  described: number;
  total: number;
}

export interface LintResult {
  /** Undescribed schema coordinates not allowed by UNDESCRIBED_FOR_NOW. */
  undescribed: string[];
  /** Undescribed coordinates that UNDESCRIBED_FOR_NOW allows. */
  allowed: string[];
  naming: string[];
  /** Allow-list entries that excuse nothing (or name nothing). */
  stale: string[];
  coverage: Record<"types" | "fields" | "arguments" | "inputFields" | "enumValues", Coverage>;
}

const described = (description: string | null | undefined) => !!description && description.trim().length > 0;

/** The allow-list entry that covers a coordinate ("Type", "Type.field" or "Type.field(arg:)"), if any. */
function allowedBy(coordinate: string, allowList: readonly string[]): string | undefined {
  const typeName = coordinate.split(".")[0];
  const fieldCoordinate = coordinate.replace(/\(.*$/, "");
  return allowList.find((entry) => entry === typeName || entry === fieldCoordinate);
}

export function lintSchema(
  schema: GraphQLSchema,
  { undescribedForNow = UNDESCRIBED_FOR_NOW, namingExceptions = NAMING_EXCEPTIONS } = {},
): LintResult {
  const result: LintResult = {
    undescribed: [],
    allowed: [],
    naming: [],
    stale: [],
    coverage: {
      types: { described: 0, total: 0 },
      fields: { described: 0, total: 0 },
      arguments: { described: 0, total: 0 },
      inputFields: { described: 0, total: 0 },
      enumValues: { described: 0, total: 0 },
    },
  };
  const usedAllowances = new Set<string>();
  const usedExceptions = new Set<string>();

  const count = (kind: keyof LintResult["coverage"], coordinate: string, description: string | null | undefined) => {
    result.coverage[kind].total++;
    if (described(description)) return void result.coverage[kind].described++;
    const entry = allowedBy(coordinate, undescribedForNow);
    if (entry) {
      usedAllowances.add(entry);
      result.allowed.push(coordinate);
    } else result.undescribed.push(coordinate);
  };
  const name = (coordinate: string, ok: boolean, rule: string) => {
    if (ok) return;
    if (namingExceptions.includes(coordinate)) usedExceptions.add(coordinate);
    else result.naming.push(`${coordinate}: ${rule}`);
  };
  const args = (coordinate: string, list: readonly GraphQLArgument[]) => {
    for (const arg of list) {
      const at = `${coordinate}(${arg.name}:)`;
      count("arguments", at, arg.description);
      name(at, CAMEL.test(arg.name), "arguments are camelCase");
    }
  };

  const roots = new Set([schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].filter(Boolean));
  const types = Object.values(schema.getTypeMap()).filter(
    (type: GraphQLNamedType) => !isIntrospectionType(type) && !isSpecifiedScalarType(type),
  );
  for (const type of types.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    // The root types are containers: their fields are the API's entry points and carry the descriptions.
    if (!roots.has(type as never)) count("types", type.name, type.description);
    name(type.name, PASCAL.test(type.name), "types are PascalCase");
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        const at = `${type.name}.${field.name}`;
        count("fields", at, field.description);
        name(at, CAMEL.test(field.name), "fields are camelCase");
        args(at, field.args);
        if (type === schema.getMutationType()) {
          const verb = field.name.match(/^[a-z]+/)?.[0] ?? "";
          name(at, MUTATION_VERBS.has(verb), `mutations start with a verb ("${verb}" is not in MUTATION_VERBS)`);
        }
      }
    } else if (isInputObjectType(type)) {
      name(type.name, INPUT_SUFFIX.test(type.name), "input types end with Input, Filter or Order");
      for (const field of Object.values(type.getFields())) {
        const at = `${type.name}.${field.name}`;
        count("inputFields", at, field.description);
        name(at, CAMEL.test(field.name), "input fields are camelCase");
      }
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) {
        const at = `${type.name}.${value.name}`;
        count("enumValues", at, value.description);
        name(at, SCREAMING_SNAKE.test(value.name), "enum values are SCREAMING_SNAKE_CASE");
      }
    }
  }

  for (const entry of undescribedForNow)
    if (!usedAllowances.has(entry)) result.stale.push(`UNDESCRIBED_FOR_NOW: "${entry}" excuses nothing: remove it`);
  for (const entry of namingExceptions)
    if (!usedExceptions.has(entry)) result.stale.push(`NAMING_EXCEPTIONS: "${entry}" excuses nothing: remove it`);
  return result;
}

const percent = ({ described, total }: Coverage) => (total ? `${((100 * described) / total).toFixed(1)} %` : "-");

function main(file: string): number {
  const result = lintSchema(buildSchema(fs.readFileSync(file, "utf8")));
  const all = Object.values(result.coverage).reduce((sum, c) => ({ described: sum.described + c.described, total: sum.total + c.total }), {
    described: 0,
    total: 0,
  });
  console.log(`${file}: ${all.described}/${all.total} described (${percent(all)})`);
  for (const [kind, coverage] of Object.entries(result.coverage)) {
    console.log(`  ${kind.padEnd(12)} ${coverage.described}/${coverage.total} (${percent(coverage)})`);
  }
  if (result.allowed.length)
    console.log(`  ${result.allowed.length} undescribed but allowed for now (UNDESCRIBED_FOR_NOW in scripts/lint-schema.ts)`);
  const problems = [
    ...result.undescribed.map((coordinate) => `no description: ${coordinate}`),
    ...result.naming.map((finding) => `naming: ${finding}`),
    ...result.stale,
  ];
  for (const problem of problems) console.error(problem);
  if (problems.length) console.error(`lint:schema: ${problems.length} problem(s)`);
  else console.log("lint:schema: ok");
  return problems.length ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv[2] ?? "schema.graphql");
}
