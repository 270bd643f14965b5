/**
 * The cost of an operation: how many values its answer can hold at most. Every
 * field costs 1, times the size of the list it returns — a connection's `first`
 * (20 when absent), a plain list's declared cap — so nesting multiplies, as it
 * does in the answer. Computed before execution, with the variables.
 */
import {
  getNamedType,
  getNullableType,
  GraphQLError,
  isListType,
  type DocumentNode,
  type GraphQLField,
  type GraphQLSchema,
} from "graphql";
import { getComplexity, type ComplexityEstimator } from "graphql-query-complexity";
import { DEFAULT_PAGE, listEstimate } from "../pagination";

const isConnection = (typeName: string) => typeName.endsWith("Connection");

/** How many items a field returns at most (1 for a single value). */
function sizeOf(parentType: string, field: GraphQLField<unknown, unknown>, args: Record<string, unknown>): number {
  const named = getNamedType(field.type).name;
  if (isConnection(named)) return typeof args.first === "number" && args.first > 0 ? args.first : DEFAULT_PAGE;
  if (!isListType(getNullableType(field.type))) return 1;
  // A connection's edges and nodes are the page its field was already multiplied by.
  if (isConnection(parentType)) return 1;
  return listEstimate(`${parentType}.${field.name}`);
}

const estimator: ComplexityEstimator = ({ type, field, args, childComplexity }) =>
  sizeOf(type.name, field, args) * (1 + childComplexity);

/** Per document, the cost for each set of variables seen (bounded): the same query costs no work twice. */
const memo = new WeakMap<DocumentNode, Map<string, number>>();
const MEMO_PER_DOCUMENT = 64;

/** The operation's cost, or the errors its variables give (they are the client's). */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown>,
  operationName?: string | null,
): { value: number } | { errors: GraphQLError[] } {
  const key = `${operationName ?? ""}\u0001${JSON.stringify(variables)}`;
  const known = memo.get(document)?.get(key);
  if (known !== undefined) return { value: known };
  let value: number;
  try {
    value = getComplexity({ schema, query: document, variables, operationName: operationName ?? undefined, estimators: [estimator] });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { errors: [new GraphQLError(message, { extensions: { code: "BAD_USER_INPUT" } })] };
  }
  let byVariables = memo.get(document);
  if (!byVariables) memo.set(document, (byVariables = new Map()));
  if (byVariables.size >= MEMO_PER_DOCUMENT) byVariables.delete(byVariables.keys().next().value!);
  byVariables.set(key, value);
  return { value };
}
