/** A real graphql-ws client over the ws package, with helpers to await events. */
import { createClient, type Client } from "graphql-ws";
import { print, type DocumentNode } from "graphql";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import WebSocket from "ws";

export interface WsOptions {
  token?: string;
  deviceToken?: string;
  connectionParams?: Record<string, unknown>;
}

export interface Subscription<T> {
  /** Events received so far. */
  events: { data?: T | null; errors?: { message: string; extensions?: { code?: string } }[] }[];
  /** Resolves with the next event (or rejects after `ms`). */
  next(ms?: number): Promise<Subscription<T>["events"][number]>;
  /** Resolves true if no event arrives within `ms`. */
  quiet(ms?: number): Promise<boolean>;
  stop(): void;
  done: Promise<void>;
}

export function connectWs(baseUrl: string, options: WsOptions) {
  const closed: { code: number; reason: string }[] = [];
  let resolveClosed: (event: { code: number; reason: string }) => void;
  const firstClose = new Promise<{ code: number; reason: string }>((resolve) => (resolveClosed = resolve));
  const client: Client = createClient({
    url: `${baseUrl.replace(/^http/, "ws")}/graphql`,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: true,
    connectionParams: options.connectionParams ?? {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.deviceToken ? { authorization: `Device ${options.deviceToken}` } : {}),
    },
    on: {
      closed: (event) => {
        const { code, reason } = event as { code: number; reason: string };
        closed.push({ code, reason });
        resolveClosed({ code, reason });
      },
    },
  });

  function subscribe<T, V extends Record<string, unknown>>(document: TypedDocumentNode<T, V>, variables?: V): Subscription<T> {
    const events: Subscription<T>["events"] = [];
    const waiters: ((event: Subscription<T>["events"][number]) => void)[] = [];
    let finish: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    const stop = client.subscribe<T>(
      { query: print(document as DocumentNode), variables },
      {
        next: (event) => {
          const entry = event as Subscription<T>["events"][number];
          events.push(entry);
          waiters.shift()?.(entry);
        },
        error: (error) => {
          const entry = { errors: Array.isArray(error) ? error : [{ message: String((error as Error).message ?? error) }] };
          events.push(entry as never);
          waiters.shift()?.(entry as never);
          finish();
        },
        complete: () => finish(),
      },
    );
    let seen = 0;
    return {
      events,
      done,
      stop,
      next(ms = 5000) {
        if (events.length > seen) return Promise.resolve(events[seen++]!);
        return new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no event within ${ms} ms`)), ms);
          waiters.push((event) => {
            clearTimeout(timer);
            seen++;
            resolve(event);
          });
        });
      },
      quiet(ms = 500) {
        const before = events.length;
        return new Promise((resolve) => setTimeout(() => resolve(events.length === before), ms));
      },
    };
  }

  return {
    client,
    subscribe,
    closed,
    firstClose,
    /** Runs a query or mutation over the socket. */
    async execute<T, V extends Record<string, unknown>>(document: TypedDocumentNode<T, V>, variables?: V) {
      const iterator = client.iterate<T>({ query: print(document as DocumentNode), variables });
      const { value } = await iterator.next();
      await iterator.return?.();
      return value as { data?: T | null; errors?: { message: string; extensions?: { code?: string } }[] };
    },
    close: () => client.dispose(),
  };
}
