/**
 * What an operation selects on an object, by response key: the fields of a
 * selection set with fragments expanded and @skip/@include applied, as
 * graphql-js collects them (our own copy: graphql-js keeps its collector internal).
 */
import {
  getNamedType,
  isAbstractType,
  isObjectType,
  Kind,
  valueFromAST,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type SelectionSetNode,
  GraphQLBoolean,
  type DirectiveNode,
} from "graphql";

export interface SelectionScope {
  schema: GraphQLSchema;
  fragments: Record<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
}

export type Fields = Map<string, FieldNode[]>;

/** The fields `selectionSets` select on an object of `type`, grouped by response key. */
export function collectFields(scope: SelectionScope, type: GraphQLObjectType, selectionSets: readonly SelectionSetNode[]): Fields {
  const fields: Fields = new Map();
  const visited = new Set<string>();
  const visit = (selectionSet: SelectionSetNode) => {
    for (const selection of selectionSet.selections) {
      if (!included(scope, selection.directives)) continue;
      if (selection.kind === Kind.FIELD) {
        const key = selection.alias?.value ?? selection.name.value;
        const list = fields.get(key);
        if (list) list.push(selection);
        else fields.set(key, [selection]);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (!selection.typeCondition || applies(scope, selection.typeCondition.name.value, type)) visit(selection.selectionSet);
      } else {
        const name = selection.name.value;
        if (visited.has(name)) continue;
        visited.add(name);
        const fragment = scope.fragments[name];
        if (fragment && applies(scope, fragment.typeCondition.name.value, type)) visit(fragment.selectionSet);
      }
    }
  };
  for (const selectionSet of selectionSets) visit(selectionSet);
  return fields;
}

/** Every node selecting field `name`, under whatever response keys (aliases). */
export function nodesNamed(fields: Fields, name: string): FieldNode[] {
  const found: FieldNode[] = [];
  for (const nodes of fields.values()) if (nodes[0]!.name.value === name) found.push(...nodes);
  return found;
}

/** The sub-selections of a field's nodes. */
export const subSelections = (nodes: readonly FieldNode[]) => nodes.flatMap((node) => (node.selectionSet ? [node.selectionSet] : []));

/** The object type a field of `type` returns (null for scalars, unions and interfaces). */
export function objectTypeOf(type: GraphQLObjectType, fieldName: string): GraphQLObjectType | null {
  const field = type.getFields()[fieldName];
  const named: GraphQLNamedType | undefined = field && getNamedType(field.type);
  return named && isObjectType(named) ? named : null;
}

/**
 * The fields selected on the parent of the field being resolved: every sibling
 * of `info`'s field, on every object of that list. Null when the path crosses
 * a union or interface (the planner then plans the one field alone).
 */
export function siblingsOf(info: GraphQLResolveInfo): { fields: Fields } | null {
  const keys: string[] = [];
  for (let at = info.path.prev; at; at = at.prev) if (typeof at.key === "string") keys.push(at.key);
  keys.reverse();
  const scope: SelectionScope = { schema: info.schema, fragments: info.fragments, variables: info.variableValues };
  const root = info.schema.getRootType(info.operation.operation);
  if (!root) return null;
  let type: GraphQLObjectType = root;
  let sets: readonly SelectionSetNode[] = [info.operation.selectionSet];
  for (const key of keys) {
    const nodes = collectFields(scope, type, sets).get(key);
    const next = nodes && objectTypeOf(type, nodes[0]!.name.value);
    if (!nodes || !next) return null;
    type = next;
    sets = subSelections(nodes);
  }
  if (type !== info.parentType) return null;
  return { fields: collectFields(scope, type, sets) };
}

function included(scope: SelectionScope, directives: readonly DirectiveNode[] | undefined): boolean {
  if (!directives?.length) return true;
  for (const directive of directives) {
    const name = directive.name.value;
    if (name !== "skip" && name !== "include") continue;
    const argument = directive.arguments?.find((arg) => arg.name.value === "if");
    const value = argument ? valueFromAST(argument.value, GraphQLBoolean, scope.variables) : undefined;
    if (name === "skip" && value === true) return false;
    if (name === "include" && value !== true) return false;
  }
  return true;
}

function applies(scope: SelectionScope, condition: string, type: GraphQLObjectType): boolean {
  if (condition === type.name) return true;
  const conditionType = scope.schema.getType(condition);
  return Boolean(conditionType && isAbstractType(conditionType) && scope.schema.isSubType(conditionType, type));
}
