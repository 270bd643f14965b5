/** Prometheus metrics (prom-client), one registry per instance so test processes can run several. */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { statementsTotal } from "./request-store";

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequests: new Histogram({
      name: "roster_http_request_duration_seconds",
      help: "HTTP requests by route and status",
      labelNames: ["method", "route", "status"] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    graphqlOperations: new Counter({
      name: "roster_graphql_operations_total",
      help: "GraphQL operations by type, name and outcome",
      labelNames: ["type", "name", "outcome"] as const,
      registers: [registry],
    }),
    sqlStatements: new Histogram({
      name: "roster_sql_statements_per_request",
      help: "SQL statements issued per GraphQL request",
      buckets: [1, 2, 3, 5, 8, 13, 21, 34, 55],
      registers: [registry],
    }),
    sqlStatementsTotal: new Counter({
      name: "roster_sql_statements_total",
      help: "SQL statements this process ran (requests, subscription events, jobs)",
      registers: [registry],
      collect() {
        // Counted where statements run (request-store); reported here as what was added since.
        const now = statementsTotal();
        const seen = (this as unknown as { seen?: number }).seen ?? 0;
        if (now > seen) this.inc(now - seen);
        (this as unknown as { seen?: number }).seen = now;
      },
    }),
    messageDeliveries: new Counter({
      name: "roster_message_delivery_attempts_total",
      help: "Message delivery attempts by channel, provider and outcome (sent, retry, failed, dead)",
      labelNames: ["channel", "provider", "outcome"] as const,
      registers: [registry],
    }),
    wsConnections: new Gauge({
      name: "roster_ws_connections",
      help: "Open graphql-ws connections",
      registers: [registry],
    }),
    wsSubscriptions: new Gauge({
      name: "roster_ws_subscriptions",
      help: "Active subscriptions on this instance",
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
