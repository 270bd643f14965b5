/**
 * `npm start`: one Roster instance. With no configuration it runs embedded
 * (PGlite in .data/, in-memory pub/sub, migrations and demo data applied).
 *
 * SIGTERM/SIGINT: stop accepting, let running requests finish and close the
 * WebSockets (1001) within SHUTDOWN_GRACE, stop the jobs, close Redis and the
 * database (releasing the data-directory lock), exit 0. A signal during
 * start-up stops at the next step. Whatever hangs, the process exits (1) at
 * SHUTDOWN_GRACE + 2 s. More signals do not cut the shutdown short: one Ctrl-C
 * under npm reaches the process twice (the terminal's and npm's forwarded one).
 */
// First: V8's heap settings apply to everything loaded after them.
import "./heap-settings";
import "reflect-metadata";
import { DEMO_PASSWORD, DEMO_TENANT, DEMO_USERS, refuseDemoLogins, seedDemo } from "./seed/demo";
import type { AppDeps } from "./app-deps";
import { closeDeps, createDeps, createServer, type RosterServer } from "./app";
import { loadConfigOrExit } from "./config";
import type { Jobs } from "./jobs/scheduler";
import { startJobs } from "./jobs/scheduler";
import { createLog } from "./log";
import { exitOnStartupError } from "./startup-error";

/** Beyond the grace period: closing Redis and the database, then the hard stop. */
const CLOSE_BUDGET_MS = 2000;

async function main() {
  const config = loadConfigOrExit();
  const log = createLog(config);

  let deps: AppDeps | undefined;
  let server: RosterServer | undefined;
  let jobs: Jobs | undefined;
  let stopping: Promise<void> | undefined;
  let signalled: NodeJS.Signals | undefined;
  let up = false;

  const stop = () =>
    (stopping ??= (async () => {
      const started = performance.now();
      try {
        // Requests, sockets and the running job finish side by side, each within the grace period.
        // The delivery worker stops claiming at once; sends under way finish (MESSAGE_SEND_TIMEOUT) or are retried after their lease.
        await Promise.all([
          server?.drain(),
          jobs && within(config.shutdownGraceMs, jobs.stop()),
          deps && within(config.shutdownGraceMs, deps.deliveries.stop()),
        ]);
        if (server) await server.close();
        else if (deps) await closeDeps(deps);
        log.info({ ms: Math.round(performance.now() - started) }, "roster stopped");
        process.exit(0);
      } catch (error) {
        log.error({ err: error }, "shutdown failed");
        process.exit(1);
      }
    })());

  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) return void log.debug({ signal }, "already shutting down");
    signalled = signal;
    log.info({ signal }, "shutting down");
    const limit = config.shutdownGraceMs + CLOSE_BUDGET_MS;
    setTimeout(() => {
      log.error({ ms: limit }, "shutdown did not finish in time; exiting");
      process.exit(1);
    }, limit).unref();
    // During start-up the step under way finishes first (see `startupStopped`).
    if (up) void stop();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  /** After each start-up step: a signal that came meanwhile stops here. */
  const startupStopped = () => {
    if (signalled) void stop();
    return signalled !== undefined;
  };

  deps = await createDeps(config, log);
  if (startupStopped()) return;
  if (config.database.seedDemo) await seedDemo(deps.database, deps.passwords);
  if (startupStopped()) return;
  if (config.nodeEnv === "production") {
    // Exit 78 while a demo account still has the public password (unless ALLOW_DEMO_LOGINS).
    try {
      await refuseDemoLogins(deps.database, deps.passwords, { allow: config.auth.allowDemoLogins, warn: (message) => log.warn(message) });
    } catch (error) {
      await closeDeps(deps).catch(() => {});
      throw error;
    }
    if (startupStopped()) return;
  }
  server = await createServer(config, deps);
  if (startupStopped()) return;
  let url: string;
  try {
    url = await server.listen();
  } catch (error) {
    // A taken port: close the database (and free its lock) before the one-line message.
    await server.close().catch(() => {});
    throw error;
  }
  // Every instance runs the scheduler; the database claim runs each window once.
  jobs = config.jobs.enabled ? startJobs({ app: deps }) : undefined;
  if (startupStopped()) return;
  up = true;

  log.info(
    { url: `${url}/graphql`, database: deps.database.kind, pubsub: deps.redis ? "redis" : "memory", redisPrefix: deps.redis?.prefix },
    "roster is up",
  );
  if (process.stdout.isTTY || config.database.seedDemo) {
    const lines = [
      "",
      `  Roster is running (${deps.database.kind === "pglite" ? `embedded PostgreSQL${config.database.embedded === "memory" ? ", in memory" : " in .data/"}` : "PostgreSQL"}, ${deps.redis ? "Redis" : "in-memory"} pub/sub)`,
      "",
      ...(config.admin.mode !== "off" ? [`  Back office      ${url}/admin   (staff web app; sign in with a demo login below)`] : []),
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
    console.log(`${lines.join("\n")}\n`);
  }
}

/** Waits for `work`, but no longer than `ms`. */
async function within(ms: number, work: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work, new Promise((resolve) => (timer = setTimeout(resolve, ms).unref()))]);
  clearTimeout(timer);
}

main().catch(exitOnStartupError);
