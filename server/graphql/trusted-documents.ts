/**
 * Trusted documents (persisted operations). `npm run generate` writes
 * trusted-documents.json: every operation our own clients send (the tests', the
 * back office's), with the SHA-256 of its text. Shared by HTTP and WebSocket:
 *
 * - Any mode: a request may name a listed operation by hash instead of sending its
 *   text — `extensions.persistedQuery.sha256Hash` (Apollo's APQ format) or
 *   `documentId` — and the transport puts the listed text in its place (`textFor`).
 * - TRUSTED_DOCUMENTS=enforce: the executor runs only listed operations (`refusal`).
 *   An unknown hash answers PERSISTED_QUERY_NOT_FOUND; any other text
 *   PERSISTED_QUERY_NOT_ALLOWED — except, with TRUSTED_DOCUMENTS_ALLOW_STAFF_ADHOC,
 *   for tenant staff and platform admins (the back office's GraphiQL, scripts).
 *
 * A document counts as listed when its printed form is a listed one's, so whitespace
 * and comments do not matter; a client that sends the listed text verbatim needs no
 * change at all. See docs/trusted-documents.md.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { parse, print, type DocumentNode } from "graphql";
import { isStaff, type Viewer } from "../auth/viewer";
import type { Config } from "../config";
import type { Credentials } from "../context";
import { AppError } from "../errors";

export const MANIFEST_FILE = path.resolve(import.meta.dirname, "trusted-documents.json");

interface Manifest {
  format: "apollo-persisted-query-manifest";
  version: 1;
  operations: { id: string; name: string; type: string; body: string }[];
}

/** What a request may carry instead of (or beside) its text. */
export interface PersistedReference {
  extensions?: { persistedQuery?: { version?: number; sha256Hash?: unknown } } | null;
  documentId?: unknown;
}

export type TrustedDocuments = ReturnType<typeof createTrustedDocuments>;

export const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

export function createTrustedDocuments(config: Config, file = MANIFEST_FILE) {
  const enforce = config.graphql.trustedDocuments === "enforce";
  const allowStaffAdhoc = config.graphql.trustedDocumentsAllowStaffAdhoc;
  const manifest = JSON.parse(fs.readFileSync(file, "utf8")) as Manifest;
  const byHash = new Map(manifest.operations.map((operation) => [operation.id, operation.body]));
  const printed = new Set(manifest.operations.map((operation) => print(parse(operation.body))));
  const trustedDocument = new WeakMap<DocumentNode, boolean>();

  const isTrusted = (document: DocumentNode) => {
    let trusted = trustedDocument.get(document);
    if (trusted === undefined) trustedDocument.set(document, (trusted = printed.has(print(document))));
    return trusted;
  };

  return {
    enforce,
    size: byHash.size,

    /** The hash a request names, if any (documentId first, then APQ's). */
    hashOf(reference: PersistedReference): string | undefined {
      const named = reference.documentId ?? reference.extensions?.persistedQuery?.sha256Hash;
      if (named === undefined || named === null) return undefined;
      // "sha256:<hex>" is the GraphQL-over-HTTP persisted-documents proposal's prefixed form.
      return typeof named === "string" ? named.replace(/^sha256:/, "").toLowerCase() : String(named);
    },

    /**
     * The text to run for a request that sends no text: the listed operation its hash
     * names. Undefined when it names none; an unknown hash throws PERSISTED_QUERY_NOT_FOUND
     * in enforce mode (otherwise Apollo's own APQ cache may still know it, over HTTP).
     */
    textFor(hash: string): string | undefined {
      const body = byHash.get(hash);
      if (body === undefined && enforce)
        throw new AppError("PERSISTED_QUERY_NOT_FOUND", "query.persistedNotFound", { hash: hash.slice(0, 80) });
      return body;
    },

    isTrusted,

    /**
     * Enforce mode: the error for a document that is not listed, or undefined when it
     * may run. `viewer` undefined: not known yet (before the request context) — then
     * a bearer token with TRUSTED_DOCUMENTS_ALLOW_STAFF_ADHOC passes here and is
     * checked again once the viewer is known (`late`).
     */
    refusal(document: DocumentNode, credentials: Credentials, viewer?: Viewer): AppError | undefined {
      if (!enforce || isTrusted(document)) return undefined;
      if (allowStaffAdhoc) {
        if (viewer === undefined ? credentials.kind === "bearer" : viewer.kind === "user" && (isStaff(viewer) || viewer.isPlatformAdmin))
          return undefined;
      }
      return new AppError("PERSISTED_QUERY_NOT_ALLOWED", "query.notTrusted");
    },
  };
}

const perConfig = new WeakMap<Config, TrustedDocuments>();

/** One instance per configuration (the manifest is read once), shared by HTTP, WebSocket and the executor. */
export function trustedDocumentsFor(config: Config): TrustedDocuments {
  let trusted = perConfig.get(config);
  if (!trusted) perConfig.set(config, (trusted = createTrustedDocuments(config)));
  return trusted;
}
