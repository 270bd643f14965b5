/** Small HTTP helpers: GraphQL posts, Roster's /metrics. */
import { METRICS_TOKEN } from "./servers";

export interface GqlResult {
  status: number;
  data?: any;
  errors?: { message: string; extensions?: { code?: string } }[];
  extensions?: { diagnostics?: { sqlStatements?: number } };
  ms: number;
}

export async function gql(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GqlResult> {
  const started = performance.now();
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", "accept-language": "en", ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  const ms = performance.now() - started;
  try {
    return { status: response.status, ...JSON.parse(text), ms };
  } catch {
    return { status: response.status, errors: [{ message: text.slice(0, 500) }], ms };
  }
}

/** The data of a result, or an error naming what failed. */
export function dataOf(result: GqlResult, what: string): any {
  if (result.errors?.length || !result.data) {
    throw new Error(`${what} failed (${result.status}): ${JSON.stringify(result.errors ?? result).slice(0, 800)}`);
  }
  return result.data;
}

/** Roster's /metrics as text (with the bearer token, in case /metrics is protected). */
export async function metricsText(baseUrl: string): Promise<string> {
  const response = await fetch(`${baseUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  if (!response.ok) throw new Error(`${baseUrl}/metrics answered ${response.status}`);
  return response.text();
}

/** Sum of every sample of a metric (all label sets); undefined when the metric is absent. */
export function metricValue(text: string, name: string): number | undefined {
  let found = false;
  let sum = 0;
  const pattern = new RegExp(`^${name}(?:\\{[^}]*\\})?\\s+([-+0-9.eE]+|NaN)`, "gm");
  for (const match of text.matchAll(pattern)) {
    found = true;
    sum += Number(match[1]);
  }
  return found ? sum : undefined;
}
