/**
 * The process's life, through the real entry points (`npm start`, `npm run dev`,
 * `npm run db:seed` …, each a child process): one process per embedded data
 * directory, a taken port, and a bounded, clean shutdown on SIGTERM and SIGINT.
 * Embedded by default; with DATABASE_URL and REDIS_URL (the CI's second run) the
 * servers run on PostgreSQL + Redis, where there is no data-directory lock.
 */
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { DEMO_PASSWORD, DEMO_TENANT, DEMO_USERS } from "../server/seed/demo";
import { createDeps, createServer } from "../server/app";
import { loadConfig } from "../server/config";
import { StartupError } from "../server/startup-error";
import { CoursesDocument, LoginDocument, MeDocument, ProfileUpdatedDocument } from "./sdk/graphql";
import { npmRun, run, start, type Started } from "./helpers/cli";
import { data, GraphQLClient } from "./helpers/client";
import { testEnv } from "./helpers/server";
import { connectWs } from "./helpers/ws";

const onPostgres = Boolean(process.env.DATABASE_URL);
const TSX = path.resolve("node_modules/.bin/tsx");
const LOCK = "roster.lock";

const dirs: string[] = [];
const processes: Started[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "roster-lifecycle-"));
  dirs.push(dir);
  return dir;
};
afterEach(async () => {
  await Promise.all(processes.splice(0).map((started) => started.killAll()));
});
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** A server's environment as a developer runs it (not NODE_ENV=test), on a free port, with the demo data. */
const serverEnv = (overrides: Record<string, string | undefined> = {}) => ({
  NODE_ENV: "development",
  PORT: "0",
  HOST: "127.0.0.1",
  LOG_LEVEL: "info",
  SEED_DEMO: "true",
  JOBS_ENABLED: "true",
  ARGON2_MEMORY_KIB: "1024",
  ARGON2_TIME_COST: "1",
  ...overrides,
});

type Entry = "npm start" | "npm run dev" | "tsx";

/** Starts a server through `entry` and resolves once it listens. */
async function startServer(entry: Entry, env: Record<string, string | undefined>) {
  const started =
    entry === "tsx"
      ? start(TSX, ["server/main.ts"], serverEnv(env))
      : start("npm", ["run", "--silent", entry.split(" ").at(-1)!], serverEnv(env));
  processes.push(started);
  const [, url] = await started.waitFor(/"url":"(http:\/\/[^"]+)\/graphql"/, 120_000);
  return Object.assign(started, { url: url! });
}

const lockOf = (dataDir: string) =>
  JSON.parse(fs.readFileSync(path.join(dataDir, LOCK), "utf8")) as { pid: number; token: string; command: string };
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const oneLine = (text: string) => text.trim().split("\n");

async function demoAdminToken(url: string) {
  const admin = DEMO_USERS.find((user) => user.key === "admin")!;
  const login = await new GraphQLClient(`${url}/graphql`, { tenant: DEMO_TENANT.slug }).request(LoginDocument, {
    input: { identifier: admin.phone, password: DEMO_PASSWORD },
  });
  return data(login).login.accessToken;
}
const demoCourses = async (url: string) =>
  data(await new GraphQLClient(`${url}/graphql`, { tenant: DEMO_TENANT.slug }).request(CoursesDocument, {})).courses.totalCount;

describe.skipIf(onPostgres)("one process per embedded data directory", () => {
  // Embedded only, whatever the CI's run: the children get no DATABASE_URL.
  const embedded = (dataDir: string) => ({ ROSTER_DATA_DIR: dataDir, DATABASE_URL: undefined, REDIS_URL: undefined, ROSTER_DB: undefined });

  it("refuses a second instance and every command at once, in one line naming the holder; the first keeps working; " +
    "after kill -9 the next start takes the stale lock over with the data intact", async () => {
    const dataDir = tempDir();
    const first = await startServer("tsx", embedded(dataDir));
    const holder = lockOf(dataDir);
    expect(holder.command).toBe("server/main.ts");
    const token = await demoAdminToken(first.url);

    const refusal = new RegExp(
      `^data directory ${escapeRegExp(fs.realpathSync(dataDir))} is in use by pid ${holder.pid} \\(server/main.ts, since [\\d-]+ [\\d:]+ UTC\\); ` +
        `one process per embedded database: stop it first, or set ROSTER_DATA_DIR or DATABASE_URL$`,
    );
    const env = { ...serverEnv(embedded(dataDir)), SEED_DEMO: undefined };
    const refused = await Promise.all([
      npmRun("start", [], env),
      npmRun("db:seed", [], env),
      npmRun("db:migrate", [], env),
      npmRun("jobs", ["run", "mark-absent"], env),
    ]);
    for (const result of refused) {
      expect(result.code, result.stderr).toBe(75);
      expect(oneLine(result.stderr)).toHaveLength(1);
      expect(result.stderr.trim()).toMatch(refusal);
      expect(result.stdout).not.toMatch(/roster is up|migrations applied|demo data in place|SUCCEEDED/);
    }

    // The first instance was not disturbed: it reads and writes as before, and still holds the lock.
    expect(await demoCourses(first.url)).toBe(3);
    expect(data(await new GraphQLClient(`${first.url}/graphql`, { token }).request(MeDocument)).me.firstName).toBe("Amira");
    const session = await demoAdminToken(first.url);
    expect(lockOf(dataDir).token).toBe(holder.token);

    // A crash: the lock file stays behind, naming a dead process.
    process.kill(holder.pid, "SIGKILL");
    await first.exited;
    expect(lockOf(dataDir).pid).toBe(holder.pid);

    const next = await startServer("npm start", embedded(dataDir));
    const taken = lockOf(dataDir);
    expect(taken.pid).not.toBe(holder.pid);
    expect(taken.command).toBe("server/main.ts via npm start");
    expect(await demoCourses(next.url)).toBe(3);
    // Signed-in sessions survived the crash (the user, the session and the signing key are on disk).
    expect(data(await new GraphQLClient(`${next.url}/graphql`, { token: session }).request(MeDocument)).me.firstName).toBe("Amira");

    next.child.kill("SIGTERM");
    expect((await next.exited).code).toBe(0);
    expect(fs.existsSync(path.join(dataDir, LOCK))).toBe(false);
  }, 240_000);
});

describe("a port that cannot be had", () => {
  it(`is one line naming the port and exit 75, after closing the database (${onPostgres ? "PostgreSQL + Redis" : "embedded: lock released"})`, async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const { port } = blocker.address() as net.AddressInfo;
    const dataDir = tempDir();
    try {
      const result = await run(TSX, ["server/main.ts"], serverEnv({ PORT: String(port), ROSTER_DATA_DIR: dataDir, SEED_DEMO: "false" }));
      expect(result.code, result.stderr).toBe(75);
      expect(oneLine(result.stderr)).toEqual([`port ${port} is in use on 127.0.0.1; set PORT (or stop the process that has it)`]);
      expect(result.stdout).not.toMatch(/roster is up/);
      if (!onPostgres) {
        expect(fs.existsSync(path.join(dataDir, "pglite"))).toBe(true);
        expect(fs.existsSync(path.join(dataDir, LOCK))).toBe(false);
      }
    } finally {
      blocker.close();
    }
  }, 120_000);

  it("METRICS_PORT in use is named the same way, and the main listener is closed again", async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const { port } = blocker.address() as net.AddressInfo;
    const config = loadConfig(testEnv({ METRICS_PORT: String(port) }));
    const server = await createServer(config, await createDeps(config));
    try {
      const error = await server.listen().catch((caught: Error) => caught);
      expect(error).toBeInstanceOf(StartupError);
      expect((error as StartupError).exitCode).toBe(75);
      expect((error as Error).message).toBe(`port ${port} is in use on 127.0.0.1; set METRICS_PORT (or stop the process that has it)`);
    } finally {
      await server.close();
      blocker.close();
    }
    expect(server.httpServer.listening).toBe(false);
  }, 60_000);

  it.skipIf(onPostgres)(
    "HOST that is not an address of this machine is a configuration error (78) naming HOST",
    async () => {
      // 192.0.2.1 is TEST-NET-1: never assigned to a machine, so binding to it fails at once.
      const result = await run(
        TSX,
        ["server/main.ts"],
        serverEnv({ HOST: "192.0.2.1", ROSTER_DB: "memory", SEED_DEMO: "false", DATABASE_URL: undefined, REDIS_URL: undefined }),
      );
      expect(result.code, result.stderr).toBe(78);
      expect(oneLine(result.stderr)).toEqual([
        'Configuration error: HOST: cannot listen on 192.0.2.1: not an address of this machine (got "192.0.2.1")',
      ]);
    },
    120_000,
  );
});

/** A POST /graphql whose body is sent in two halves: in flight until `finish()`. */
function halfSentRequest(url: string, query: string) {
  const body = JSON.stringify({ query });
  const { hostname, port } = new URL(url);
  const request = http.request({
    host: hostname,
    port,
    path: "/graphql",
    method: "POST",
    agent: false,
    headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), "x-tenant": DEMO_TENANT.slug },
  });
  const response = new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    request.once("error", reject);
    request.once("response", (res) => {
      let text = "";
      res.on("data", (chunk) => (text += chunk));
      res.once("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
      res.once("error", reject);
    });
  });
  response.catch(() => {});
  request.write(body.slice(0, 10));
  return { response, finish: () => request.end(body.slice(10)) };
}

/** An idle kept-alive connection: one answered request, then nothing. */
async function idleKeepAlive(url: string) {
  const agent = new http.Agent({ keepAlive: true });
  await new Promise<void>((resolve, reject) =>
    http.get(`${url}/health`, { agent }, (res) => res.resume().once("end", resolve)).once("error", reject),
  );
  return agent;
}

describe(`shutdown (${onPostgres ? "PostgreSQL + Redis" : "embedded"})`, () => {
  const cases: { signal: NodeJS.Signals; entry: Entry; how: string }[] = [
    { signal: "SIGTERM", entry: "npm start", how: "sent to npm start, as a supervisor does" },
    { signal: "SIGINT", entry: "npm run dev", how: "sent to the process group of npm run dev, as Ctrl-C does" },
  ];

  it.each(cases)(
    "$signal $how: within 3 s and exit 0; the request in flight is answered, the WebSocket closed with 1001",
    async ({ signal, entry }) => {
      const dataDir = tempDir();
      const server = await startServer(entry, { ROSTER_DATA_DIR: dataDir });
      const token = await demoAdminToken(server.url);
      const ws = connectWs(server.url, { token });
      const subscription = ws.subscribe(ProfileUpdatedDocument);
      expect((await ws.execute(MeDocument)).data?.me.firstName).toBe("Amira");
      const agent = await idleKeepAlive(server.url);
      const inFlight = halfSentRequest(server.url, "{ courses { totalCount } }");
      await new Promise((resolve) => setTimeout(resolve, 200));

      const signalled = performance.now();
      if (entry === "npm run dev") process.kill(-server.child.pid!, signal);
      else server.child.kill(signal);
      await server.waitFor(/"msg":"shutting down"/, 3000);
      // Not accepting any more.
      await expect(fetch(`${server.url}/health`, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();

      inFlight.finish();
      const answer = await inFlight.response;
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toMatchObject({ data: { courses: { totalCount: 3 } } });
      expect(answer.headers.connection).toBe("close");
      expect(await ws.firstClose).toMatchObject({ code: 1001 });
      await subscription.done;

      const exit = await server.exited;
      const ms = performance.now() - signalled;
      agent.destroy();
      expect(exit.code, server.stdout() + server.stderr()).toBe(0);
      expect(ms).toBeLessThan(3000);
      expect(server.stdout()).toMatch(/"msg":"roster stopped"/);
      if (!onPostgres) expect(fs.existsSync(path.join(dataDir, LOCK))).toBe(false);
    },
    180_000,
  );

  it("a request that never finishes is cut when SHUTDOWN_GRACE is over, and the exit is still 0", async () => {
    const server = await startServer("tsx", { ROSTER_DATA_DIR: tempDir(), SHUTDOWN_GRACE: "1s", SEED_DEMO: "false" });
    const stuck = halfSentRequest(server.url, "{ __typename }");
    await new Promise((resolve) => setTimeout(resolve, 200));
    const signalled = performance.now();
    server.child.kill("SIGTERM");
    const exit = await server.exited;
    const ms = performance.now() - signalled;
    expect(exit.code, server.stdout() + server.stderr()).toBe(0);
    expect(ms).toBeGreaterThanOrEqual(1000);
    expect(ms).toBeLessThan(2500);
    expect(server.stdout()).toMatch(/"msg":"shutdown grace period over: cutting what is left"/);
    await expect(stuck.response).rejects.toThrow();
  }, 120_000);
});
