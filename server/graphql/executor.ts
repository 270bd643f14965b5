/**
 * Runs GraphQL operations, for HTTP (as Apollo's executor) and WebSocket alike.
 *
 * Before any database work: the operation's cost (list sizes multiplied through)
 * and its input (no NUL bytes). Then one request context (one transaction under
 * row-level security) runs a graphql-jit compiled query inside the execution
 * budget: past its time or response size the request ends with a typed error and
 * its transaction is rolled back.
 */
import {
  execute as executeWithGraphQLJs,
  GraphQLError,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
  type OperationDefinitionNode,
  getOperationAST,
} from "graphql";
import { compileQuery, isCompiledQuery, type CompiledQuery } from "graphql-jit";
import type { AppDeps } from "../app-deps";
import { withRequestContext, type Context, type RequestInput } from "../context";
import { AppError, fromDatabaseError, requestFailure } from "../errors";
import { currentRequest } from "../request-store";
import { operationCost } from "./cost";
import { findNulByte } from "./input-guard";
import { trustedDocumentsFor } from "./trusted-documents";
import { stringifyWithRaw } from "../plan/raw";
import type { Viewer } from "../auth/viewer";

export interface Operation {
  document: DocumentNode;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
  request: RequestInput;
  /**
   * The answer leaves as the JSON text `serializedData` gives (HTTP), so planned
   * subtrees may be spliced in as PostgreSQL wrote them (server/plan/raw.ts).
   */
  asText?: boolean;
}

/**
 * A result's answer as text, made once while checking its size (see stringifyResult):
 * `{"data":…}` and a newline, so an answer with nothing else is sent as is — one
 * flat string, not a copy of its data wrapped again (a large answer is a large string).
 */
const serialized = new WeakMap<object, string>();
export const DATA_OPEN = '{"data":';
export const DATA_CLOSE = "}\n";
export const serializedBody = (data: object | null | undefined) => (data ? serialized.get(data) : undefined);

export type Executor = ReturnType<typeof createExecutor>;

export function createExecutor(app: AppDeps, schema: GraphQLSchema) {
  const { limits } = app.config;
  const trusted = trustedDocumentsFor(app.config);
  // Compiled queries live as long as their document (Apollo and graphql-ws cache documents).
  const compiledByDocument = new WeakMap<DocumentNode, Map<string, CompiledQuery | ExecutionResult>>();

  function compiled(document: DocumentNode, operationName: string | null | undefined): CompiledQuery | ExecutionResult {
    let byName = compiledByDocument.get(document);
    if (!byName) compiledByDocument.set(document, (byName = new Map()));
    const key = operationName ?? "";
    let entry = byName.get(key);
    if (!entry) byName.set(key, (entry = compileQuery(schema, document, operationName ?? undefined, { disableLeafSerialization: false })));
    return entry;
  }

  /**
   * The checks an operation passes before it may touch the database: cost and
   * input (and, with TRUSTED_DOCUMENTS=enforce, that the document is a trusted one;
   * `viewer` when the transport knows it already, as WebSocket does). Returns errors
   * to answer with, or undefined when it may run.
   */
  function check(operation: Operation, viewer?: Viewer): readonly GraphQLError[] | undefined {
    const untrusted = trusted.refusal(operation.document, operation.request.credentials, viewer);
    if (untrusted) return [untrusted];
    const nul = findNulByte(operation.document, operation.variables ?? {}, operation.operationName);
    if (nul) return [new AppError("BAD_USER_INPUT", "input.nulByte", { field: nul }, { field: nul })];
    const cost = operationCost(schema, operation.document, operation.variables ?? {}, operation.operationName);
    if ("errors" in cost) return cost.errors;
    if (cost.value > limits.queryMaxCost) {
      return [
        new AppError(
          "QUERY_TOO_COMPLEX",
          "query.tooComplex",
          { cost: cost.value, limit: limits.queryMaxCost },
          { cost: cost.value, limit: limits.queryMaxCost },
        ),
      ];
    }
    return undefined;
  }

  /**
   * Runs a query or mutation (or one subscription event, with `rootValue`).
   * `failure` is set when the request failed as a whole (the transport's status).
   */
  async function execute(operation: Operation, rootValue?: unknown): Promise<ExecutionResult & { failure?: AppError }> {
    const refused = rootValue === undefined ? check(operation) : undefined;
    if (refused) return { errors: refused };
    const query = compiled(operation.document, operation.operationName);
    if (!isCompiledQuery(query)) return { errors: query.errors?.map(normalizeError) };
    // Enforce mode with staff ad-hoc allowed: an unlisted document from a bearer token runs only for staff.
    const viewerMustBeStaff = rootValue === undefined && !!trusted.refusal(operation.document, { kind: "none" });
    if (viewerMustBeStaff && isIntrospectionOnly(operation.document, operation.operationName)) {
      try {
        await withRequestContext(app, operation.request, async (ctx) => {
          const refused = trusted.refusal(operation.document, operation.request.credentials, ctx.viewer);
          if (refused) throw refused;
        });
      } catch (error) {
        const failure = requestFailure(error);
        if (!failure) throw error;
        return { errors: [new GraphQLError(failure.message, { originalError: failure, extensions: failure.extensions })], failure };
      }
    }
    if (isIntrospectionOnly(operation.document, operation.operationName)) {
      // Schema introspection needs no viewer and no database.
      return executeWithGraphQLJs({
        schema,
        document: operation.document,
        operationName: operation.operationName,
        variableValues: operation.variables,
      });
    }
    // The budget runs from here: waiting for a connection or a lock counts too.
    const store = currentRequest();
    if (store) store.operationName = operation.operationName ?? getOperationAST(operation.document, operation.operationName)?.name?.value;
    let timer: NodeJS.Timeout | undefined;
    const overTime = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new AppError(
          "BUDGET_EXCEEDED",
          "query.overTime",
          { ms: limits.executionMs },
          { budget: "time", limit: limits.executionMs },
        );
        // What the abandoned request still tries to run fails at once, so its transaction rolls back.
        if (store) store.abortedWith = error;
        reject(error);
      }, limits.executionMs);
    });
    try {
      const running = withRequestContext(app, operation.request, (ctx) => {
        // A signed-out session or an unknown device is refused, never served as anonymous.
        if (ctx.viewer.kind === "anonymous" && ctx.viewer.credentialError)
          throw new AppError("UNAUTHENTICATED", ctx.viewer.credentialError);
        if (viewerMustBeStaff) {
          const refused = trusted.refusal(operation.document, operation.request.credentials, ctx.viewer);
          if (refused) throw refused;
        }
        if (operation.asText && rootValue === undefined) ctx.planner.rawJson = true;
        return runWithinSize(ctx, query, operation, rootValue);
      });
      // Past the budget the request is answered; the abandoned work ends on its own.
      running.catch(() => {});
      return await Promise.race([running, overTime]);
    } catch (error) {
      // The whole request failed: it could not start (unknown tenant, a token for another
      // tenant, a signed-out session), ran over budget, or its COMMIT was refused.
      const failure = requestFailure(error);
      if (!failure) return { errors: [normalizeError(error)] };
      app.log.debug({ code: failure.code, reason: failure.messageKey }, "request refused");
      return { errors: [new GraphQLError(failure.message, { originalError: failure, extensions: failure.extensions })], failure };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Executes in `ctx`; an answer over the size budget throws (so the transaction rolls back). */
  async function runWithinSize(ctx: Context, query: CompiledQuery, operation: Operation, rootValue: unknown): Promise<ExecutionResult> {
    const result = (await query.query(rootValue ?? {}, ctx, operation.variables ?? {})) as ExecutionResult;
    const store = currentRequest();
    if (result.data) {
      const { splices } = ctx.planner;
      const body = splices.length
        ? stringifyWithRaw(result.data, splices, DATA_OPEN, DATA_CLOSE)
        : `${DATA_OPEN}${JSON.stringify(result.data)}${DATA_CLOSE}`;
      if (store) store.rawSubtrees = splices.length;
      if (body.length > limits.responseBytes) {
        throw new AppError(
          "BUDGET_EXCEEDED",
          "query.tooLarge",
          { limit: limits.responseBytes },
          { budget: "size", limit: limits.responseBytes },
        );
      }
      serialized.set(result.data, body);
    }
    if (!result.errors) return result;
    const errors = result.errors.map(normalizeError);
    // A failed statement aborts the transaction: its COMMIT fails next, and is typed like this error.
    const failed = errors.find((error) => fromDatabaseError(error.originalError));
    if (store && failed && store.databaseError === undefined) store.databaseError = failed.originalError;
    return { ...result, errors };
  }

  return { check, execute, compiled, trusted };
}

/**
 * graphql-jit's errors are not graphql-js GraphQLErrors; make them so, keeping
 * the original error (an AppError, say) for formatting.
 */
export function normalizeError(error: unknown): GraphQLError {
  // graphql-jit's errors inherit GraphQLError's prototype but lack its constructor's fields.
  if (error instanceof GraphQLError && error.extensions) return error;
  const shaped = error as {
    message?: string;
    path?: readonly (string | number)[];
    originalError?: unknown;
    extensions?: Record<string, unknown>;
  };
  const original = shaped.originalError ?? error;
  if (original instanceof GraphQLError && !shaped.path) return original;
  return new GraphQLError(shaped.message ?? String(error), {
    path: shaped.path,
    originalError: original instanceof Error ? original : undefined,
    extensions: original instanceof GraphQLError ? original.extensions : shaped.extensions,
  });
}

/** True when every root field of the operation is schema introspection (__schema, __type, __typename). */
function isIntrospectionOnly(document: DocumentNode, operationName: string | null | undefined): boolean {
  const operation = document.definitions.find(
    (definition): definition is OperationDefinitionNode =>
      definition.kind === "OperationDefinition" && (!operationName || definition.name?.value === operationName),
  );
  return Boolean(
    operation?.operation === "query" &&
      operation.selectionSet.selections.every((selection) => selection.kind === "Field" && selection.name.value.startsWith("__")),
  );
}
