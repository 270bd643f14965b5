/** Query limits (graphql-armor): depth, cost, aliases, directives, tokens. Shared by HTTP and WebSocket. */
import { ApolloArmor } from "@escape.tech/graphql-armor";
import { NoSchemaIntrospectionCustomRule, type ParseOptions } from "graphql";
import type { Config } from "../config";

/** Parser options: a document longer than QUERY_MAX_TOKENS is a syntax error (400). */
export const parseOptions = (config: Config): ParseOptions => ({ maxTokens: config.limits.queryMaxTokens });

/**
 * Armor's validation rules and plugins, plus the rule refusing __schema and __type
 * when GRAPHQL_INTROSPECTION is off (Apollo adds it for HTTP; WebSocket uses these rules).
 */
export function queryProtection(config: Config) {
  const armor = armorProtection(config);
  const introspection = config.graphql.introspection ? [] : [NoSchemaIntrospectionCustomRule];
  return { ...armor, validationRules: [...armor.validationRules, ...introspection] };
}

function armorProtection(config: Config) {
  const { limits } = config;
  return new ApolloArmor({
    maxDepth: { n: limits.queryMaxDepth, ignoreIntrospection: true },
    // Cost is ours (server/graphql/cost.ts): it multiplies by list sizes and sees the variables.
    costLimit: { enabled: false },
    maxAliases: { n: limits.queryMaxAliases },
    maxDirectives: { n: 20 },
    // Token limits are enforced by graphql-js's own parser (parseOptions below): armor's
    // plugin re-parses and turns a plain syntax error into a 500.
    maxTokens: { enabled: false },
    // Suggestions ("Did you mean …?") help in development and map the schema for strangers
    // in production. toClientError's hideSuggestions removes all of them (fields, arguments,
    // enum values; HTTP and WebSocket): armor's plugin masks field ones only, leaving
    // "[Suggestion hidden]?" behind.
    blockFieldSuggestion: { enabled: false },
  }).protect();
}
