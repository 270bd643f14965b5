/**
 * One HTTP call to a payment gateway's API, for the adapters that talk JSON
 * (Selcom, Polar, Paymob): a time limit, and the failures a caller must tell
 * apart as a typed GatewayError. The payments service turns a thrown error into
 * a FAILED payment ("could not be reached; nothing was charged") or a FAILED
 * refund request, with nothing else written.
 */
import type { Log } from "../log";

export type GatewayFailure = "timeout" | "unreachable" | "server" | "refused" | "answer";

/** A gateway call that did not give a usable answer. */
export class GatewayError extends Error {
  override name = "GatewayError";
  constructor(
    readonly provider: string,
    /** timeout: no answer in time; unreachable: no connection; server: 5xx; refused: 4xx; answer: not the JSON expected. */
    readonly failure: GatewayFailure,
    readonly status: number | null,
    message: string,
    /** The gateway's own words (its JSON body), when it answered. */
    readonly answer: Record<string, unknown> | null = null,
  ) {
    super(message);
  }
}

/**
 * The gateway's own words when it refused a call (a 4xx: `detail`, else `message`), or `fallback`
 * when it said nothing usable; null for every other failure (thrown on: "could not be reached").
 */
export function refusalReason(error: unknown, fallback: string): string | null {
  if (!(error instanceof GatewayError) || error.failure !== "refused") return null;
  const detail = error.answer?.detail ?? error.answer?.message;
  return typeof detail === "string" ? detail : fallback;
}

/** A payment the gateway never took (wrong currency, a refused request): FAILED, with the reason. */
export const failedStart = (providerReference: string, failureReason: string) => ({
  providerReference,
  status: "FAILED" as const,
  nextAction: null,
  failureReason,
});

export interface GatewayCall {
  provider: string;
  method: "GET" | "POST";
  url: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  log: Log;
}

/**
 * The gateway's JSON object answer to a 2xx; GatewayError for everything else
 * (a 4xx carries the gateway's body in `answer` for the adapter to quote).
 */
export async function callGateway(call: GatewayCall): Promise<Record<string, unknown>> {
  const path = new URL(call.url).pathname;
  let response: Response;
  try {
    response = await fetch(call.url, {
      method: call.method,
      headers: call.headers,
      body: call.body,
      signal: AbortSignal.timeout(call.timeoutMs),
    });
  } catch (error) {
    const timedOut = (error as Error).name === "TimeoutError" || (error as Error).name === "AbortError";
    call.log.warn({ provider: call.provider, path, err: error }, timedOut ? "payment gateway timed out" : "payment gateway unreachable");
    throw new GatewayError(
      call.provider,
      timedOut ? "timeout" : "unreachable",
      null,
      timedOut
        ? `${call.provider} ${path}: no answer within ${call.timeoutMs} ms`
        : `${call.provider} ${path}: ${(error as Error).message}`,
    );
  }
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw new GatewayError(
      call.provider,
      "timeout",
      response.status,
      `${call.provider} ${path}: the answer did not arrive (${(error as Error).message})`,
    );
  }
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  const object = body && typeof body === "object" && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
  if (response.status >= 500) {
    call.log.warn({ provider: call.provider, path, status: response.status }, "payment gateway failed");
    throw new GatewayError(call.provider, "server", response.status, `${call.provider} ${path} answered ${response.status}`, object);
  }
  if (!response.ok) {
    call.log.warn({ provider: call.provider, path, status: response.status, answer: object }, "payment gateway refused a request");
    throw new GatewayError(call.provider, "refused", response.status, `${call.provider} ${path} answered ${response.status}`, object);
  }
  if (!object)
    throw new GatewayError(call.provider, "answer", response.status, `${call.provider} ${path}: the answer is not a JSON object`);
  return object;
}

/** Integer minor units ("250.50" → 25050) as a JS number: gateways that take cents (Polar, Paymob). */
export const minorUnits = (cents: bigint): number => {
  if (cents > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error("amount too large");
  return Number(cents);
};

/** Reads a JSON field path ("order.id") of an object. */
export function fieldAt(object: Record<string, unknown>, path: string): unknown {
  let value: unknown = object;
  for (const key of path.split(".")) {
    if (!value || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}
