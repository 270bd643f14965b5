/**
 * Input no field can take: a NUL byte in any string (PostgreSQL text cannot hold
 * one). Found in literal arguments and in variables before execution, and named,
 * so the client learns which input to fix instead of getting a database error.
 */
import { Kind, visit, type DocumentNode, type ValueNode } from "graphql";

const NUL = "\u0000";

/** The first input holding a NUL byte — an argument name or `$variable.path` — or null. */
export function findNulByte(document: DocumentNode, variables: Record<string, unknown>, _operationName?: string | null): string | null {
  for (const [name, value] of Object.entries(variables)) {
    const path = inValue(value, `$${name}`);
    if (path) return path;
  }
  let found: string | null = null;
  visit(document, {
    Argument(node) {
      if (!found && literalHasNul(node.value)) found = node.name.value;
    },
  });
  return found;
}

function inValue(value: unknown, path: string): string | null {
  if (typeof value === "string") return value.includes(NUL) ? path : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const inner = inValue(value[i], `${path}.${i}`);
      if (inner) return inner;
    }
  } else if (value && typeof value === "object") {
    for (const [key, inner] of Object.entries(value)) {
      if (key.includes(NUL)) return `${path}.${key.replaceAll(NUL, "\\0")}`;
      const found = inValue(inner, `${path}.${key}`);
      if (found) return found;
    }
  }
  return null;
}

function literalHasNul(node: ValueNode): boolean {
  switch (node.kind) {
    case Kind.STRING:
      return node.value.includes(NUL);
    case Kind.LIST:
      return node.values.some(literalHasNul);
    case Kind.OBJECT:
      return node.fields.some((field) => literalHasNul(field.value));
    default:
      return false;
  }
}
