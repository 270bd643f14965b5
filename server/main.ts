/**
 * `npm start`: one Roster instance. With no configuration it runs embedded
 * (PGlite in .data/, in-memory pub/sub, migrations and demo data applied).
 */
import "reflect-metadata";
import { DEMO_PASSWORD, DEMO_TENANT, DEMO_USERS, seedDemo } from "../drizzle/seed";
import { createDeps, createServer } from "./app";
import { ConfigError, EXIT_CONFIG, loadConfigOrExit } from "./config";
import { startJobs } from "./jobs/scheduler";
import { createLog } from "./log";

async function main() {
  const config = loadConfigOrExit();
  const log = createLog(config);
  const deps = await createDeps(config, log);
  if (config.database.seedDemo) await seedDemo(deps.database, deps.passwords);
  const server = await createServer(config, deps);
  const url = await server.listen();
  // Every instance runs the scheduler; the database claim runs each window once.
  const jobs = config.jobs.enabled ? startJobs({ app: deps }) : undefined;

  log.info({ url: `${url}/graphql`, database: deps.database.kind, pubsub: deps.redis ? "redis" : "memory" }, "roster is up");
  if (process.stdout.isTTY || config.database.seedDemo) {
    const lines = [
      "",
      `  Roster is running (${deps.database.kind === "pglite" ? `embedded PostgreSQL${config.database.embedded === "memory" ? ", in memory" : " in .data/"}` : "PostgreSQL"}, ${deps.redis ? "Redis" : "in-memory"} pub/sub)`,
      "",
      ...(config.graphql.introspection ? [`  Apollo Sandbox   ${url}/graphql   (open in a browser; loads from Apollo's CDN)`] : []),
      `  GraphQL          POST ${url}/graphql, subscriptions ws://${url.replace(/^http:\/\//, "")}/graphql`,
      `  Health           ${url}/health  ${url}/ready  ${url}/info${server.metricsUrl() ? `  ${server.metricsUrl()}` : ""}`,
    ];
    if (config.database.seedDemo) {
      lines.push(
        "",
        `  Demo tenant "${DEMO_TENANT.name}" (X-Tenant: ${DEMO_TENANT.slug}); every demo password is "${DEMO_PASSWORD}":`,
        ...DEMO_USERS.map((user) => `    ${user.key.padEnd(11)} ${user.phone}  ${user.email}`),
        "",
        `  Try:  mutation { login(input: { identifier: "${DEMO_USERS[1].phone}", password: "${DEMO_PASSWORD}" }) { accessToken } }`,
        `  then set the header  Authorization: Bearer <accessToken>  and run  { me { firstName membership { roles } } }`,
      );
    }
    console.log(lines.join("\n") + "\n");
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "shutting down");
    const timer = setTimeout(() => process.exit(1), 10_000).unref();
    await jobs?.stop();
    await server.close();
    clearTimeout(timer);
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

main().catch((error) => {
  // A bad JWT_PRIVATE_KEY is found while building the services.
  if (error instanceof ConfigError) {
    console.error(`Configuration error: ${error.message}`);
    process.exit(EXIT_CONFIG);
  }
  console.error(error);
  process.exit(1);
});
