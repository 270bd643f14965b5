/** A small GraphQL-over-HTTP client for the generated TypedDocumentNodes. */
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print, type DocumentNode } from "graphql";
import { expect } from "vitest";

export interface GraphQLErrorShape {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; [key: string]: unknown };
}

export interface Result<T> {
  status: number;
  data: T | null | undefined;
  errors?: GraphQLErrorShape[];
  extensions?: { diagnostics?: { sqlStatements: number; rawSubtrees?: number }; [key: string]: unknown };
  headers: Headers;
}

const printed = new WeakMap<DocumentNode, string>();

export class GraphQLClient {
  token?: string;
  tenant?: string;
  language?: string;

  constructor(
    readonly endpoint: string,
    options: { token?: string; tenant?: string; language?: string } = {},
  ) {
    Object.assign(this, options);
  }

  /** Same endpoint and options, with a different token. */
  as(token: string | undefined) {
    return new GraphQLClient(this.endpoint, { token, tenant: this.tenant, language: this.language });
  }

  async request<TData, TVars extends Record<string, unknown>>(
    document: TypedDocumentNode<TData, TVars>,
    ...[variables]: TVars extends Record<string, never> ? [] | [TVars] : [TVars]
  ): Promise<Result<TData>> {
    let query = printed.get(document);
    if (!query) printed.set(document, (query = print(document)));
    return this.raw({ query, variables });
  }

  /** Posts any body (for malformed-input tests). */
  async raw(body: unknown, init: { headers?: Record<string, string>; method?: string; rawBody?: string } = {}): Promise<Result<any>> {
    const response = await fetch(this.endpoint, {
      method: init.method ?? "POST",
      headers: {
        "content-type": "application/json",
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...(this.tenant ? { "x-tenant": this.tenant } : {}),
        "accept-language": this.language ?? "en",
        ...init.headers,
      },
      body: init.method === "GET" ? undefined : (init.rawBody ?? JSON.stringify(body)),
    });
    const text = await response.text();
    let json: any = {};
    try {
      json = JSON.parse(text);
    } catch {
      json = { errors: [{ message: text }] };
    }
    return { status: response.status, data: json.data, errors: json.errors, extensions: json.extensions, headers: response.headers };
  }
}

/** The data of a successful result; fails the test with the errors otherwise. */
export function data<T>(result: Result<T>): T {
  if (result.errors?.length || !result.data) {
    throw new Error(`expected data, got ${result.status}: ${JSON.stringify(result.errors ?? result)}`);
  }
  return result.data;
}

/** The error codes of a result, in order. */
export const codes = (result: Result<unknown>) => (result.errors ?? []).map((error) => error.extensions?.code);

/**
 * The check against statements per row, for every list and bulk write: the same
 * operation at a small and a large size must both succeed and cost the same SQL
 * statements (read from the response's diagnostics). Returns that count.
 */
export function expectFlatStatements(small: Result<unknown>, large: Result<unknown>): number {
  data(small);
  data(large);
  const counts = [small, large].map((result) => result.extensions?.diagnostics?.sqlStatements);
  expect(counts[0], "the small operation reports its statements").toBeGreaterThan(0);
  expect(counts[1], `statements for the large operation (small: ${counts[0]})`).toBe(counts[0]);
  return counts[0]!;
}
