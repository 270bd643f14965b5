/**
 * The parts of Roster and which may import which (docs/architecture.md, "Parts").
 * `npm run lint:deps` checks them; .ci/run fails on a violation.
 *
 * Type-only imports are left out (tsPreCompilationDeps: false): the Context type
 * naming its loaders is not a dependency at run time, and cycles matter because of
 * what runs when a module loads.
 */
module.exports = {
  forbidden: [
    {
      name: "no-cycles",
      severity: "error",
      comment: "A module must not depend on itself through others.",
      from: {},
      to: { circular: true },
    },
    {
      name: "data-is-the-bottom",
      severity: "error",
      comment: "drizzle/ (tables, migrations, relations) depends on nothing of ours above it.",
      from: { path: "^drizzle/" },
      to: { path: "^(server|schema|scripts|test|bench)/" },
    },
    {
      name: "server-below-schema",
      severity: "error",
      comment: "The GraphQL schema sits on the server's services; only the runtime (app, main) builds it.",
      from: { path: "^server/", pathNot: "^server/(app|main)\\.ts$" },
      to: { path: "^schema/" },
    },
    {
      name: "rules-below-transports",
      severity: "error",
      comment: "Services, loaders, plans, jobs and the kernel never reach up into the transports (GraphQL, REST) or the runtime.",
      from: { path: "^server/(services|loaders|plan|jobs|realtime|payments|messaging|auth|db|domain-events|geo|observability)/" },
      to: { path: "^server/(graphql|http)/|^server/(app|main)\\.ts$" },
    },
    {
      name: "rest-beside-graphql",
      severity: "error",
      comment: "REST routes and the GraphQL transport are siblings: neither imports the other.",
      from: { path: "^server/http/" },
      to: { path: "^server/graphql/" },
    },
    {
      name: "services-do-not-run-jobs",
      severity: "error",
      comment: "Jobs call services, not the other way round.",
      from: { path: "^server/services/" },
      to: { path: "^server/jobs/" },
    },
    {
      name: "kernel-stays-small",
      severity: "error",
      comment: "The kernel (errors, i18n, pagination, request store, config, log, db scope, tenancy) is under everything.",
      from: { path: "^server/(errors|pagination|request-store|config|log|tenancy|time|validation|canonical-json)\\.ts$|^server/(i18n|db)/" },
      to: { path: "^server/(services|loaders|plan|jobs|realtime|graphql|http|domain-events|payments|messaging)/|^server/(app|main|context)\\.ts$" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "node_modules|^test/sdk" },
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: false,
  },
};
