/**
 * `npm run generate` (last step): the trusted-documents manifest,
 * server/graphql/trusted-documents.json — every operation our own clients send
 * (the tests' SDK from test/operations, the back office's from admin/src/operations),
 * each as the exact text that client sends and its SHA-256 (hex), in Apollo's
 * persisted-query-manifest format. With TRUSTED_DOCUMENTS=enforce the server runs
 * only these (docs/trusted-documents.md). CI checks the file for drift like the SDKs.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { Kind, parse, print, type DocumentNode, type OperationDefinitionNode } from "graphql";
import * as admin from "../admin/src/api/sdk";
import * as tests from "../test/sdk/graphql";

export interface ManifestOperation {
  /** SHA-256 of `body`, lower-case hex: what clients send as `extensions.persistedQuery.sha256Hash` or `documentId`. */
  id: string;
  name: string;
  type: "query" | "mutation" | "subscription";
  body: string;
  /** Which client sends it. */
  client: "admin" | "tests";
}

const out = path.resolve(import.meta.dirname, "../server/graphql/trusted-documents.json");

const operations: ManifestOperation[] = [];
const add = (client: ManifestOperation["client"], body: string, document: DocumentNode) => {
  const operation = document.definitions.find(
    (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
  );
  if (!operation?.name) return; // fragments only
  operations.push({
    id: createHash("sha256").update(body).digest("hex"),
    name: operation.name.value,
    type: operation.operation,
    body,
    client,
  });
};

// The back office sends the typed strings as they are (admin/src/api/client.ts: document.toString()).
for (const value of Object.values(admin)) {
  if (value instanceof admin.TypedDocumentString) add("admin", value.toString(), parse(value.toString()));
}
// The tests' client sends print(document) (test/helpers/client.ts).
for (const value of Object.values(tests)) {
  if (value && typeof value === "object" && (value as DocumentNode).kind === Kind.DOCUMENT)
    add("tests", print(value as DocumentNode), value as DocumentNode);
}
operations.sort((a, b) => a.client.localeCompare(b.client) || a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
const unique = operations.filter((operation, index) => operations.findIndex((other) => other.id === operation.id) === index);
fs.writeFileSync(out, `${JSON.stringify({ format: "apollo-persisted-query-manifest", version: 1, operations: unique }, null, 2)}\n`);
console.log(`trusted documents: ${unique.length} operations in ${path.relative(process.cwd(), out)}`);
