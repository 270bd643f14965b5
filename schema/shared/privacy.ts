/**
 * Field privacy: private fields carry `@Authorized(rule)`; this checker asks the
 * privacy policy (server/auth/policies.ts) and, with `authMode: "null"`, a
 * field the viewer may not read resolves to null instead of failing the query.
 */
import type { AuthChecker } from "type-graphql";
import type { Context } from "../../server/context";
import { mayRead, type PrivacyRule } from "../../server/auth/policies";

export const privacyChecker: AuthChecker<Context, PrivacyRule> = async ({ root, context }, rules) => {
  for (const rule of rules) if (await mayRead(context, rule, root)) return true;
  return false;
};
