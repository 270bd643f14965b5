/** Query limits (graphql-armor): depth, cost, aliases, directives, tokens. Shared by HTTP and WebSocket. */
import { ApolloArmor } from "@escape.tech/graphql-armor";
import type { Config } from "../config";

export function queryProtection(config: Config) {
  const { limits } = config;
  return new ApolloArmor({
    maxDepth: { n: limits.queryMaxDepth, ignoreIntrospection: true },
    costLimit: { maxCost: limits.queryMaxCost, ignoreIntrospection: true },
    maxAliases: { n: limits.queryMaxAliases },
    maxDirectives: { n: 20 },
    maxTokens: { n: limits.queryMaxTokens },
    // Field suggestions help in development and map the schema for attackers in production.
    blockFieldSuggestion: { enabled: config.nodeEnv === "production" },
  }).protect();
}
