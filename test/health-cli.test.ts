/**
 * `npm run health` from a shell, as an operator runs it: against a running
 * instance's /ready when DATABASE_URL is unset, and directly against
 * PostgreSQL and Redis when it is set (the CI's second run).
 */
import net from "node:net";
import { describe, expect, it } from "vitest";
import { npmRun } from "./helpers/cli";
import { useTestServer } from "./helpers/server";

const t = useTestServer();

/** Runs `npm run health -- …args` with `env` on top of this process's environment. */
const health = (args: string[], env: Record<string, string | undefined>) => npmRun("health", args, env);

/** The environment of a shell next to an embedded instance: no DATABASE_URL. */
const besideInstance = (port: number) => ({ PORT: String(port), HOST: "127.0.0.1", DATABASE_URL: undefined, REDIS_URL: undefined });

const lines = (output: string) => output.trim().split("\n");

/** A port nothing listens on: bound by the system, then released. */
async function closedPort() {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const port = () => Number(new URL(t.url).port);

describe("npm run health without DATABASE_URL asks the running instance", () => {
  it("prints the three checks with timings and details and exits 0", async () => {
    const run = await health(["--all", "--verbose"], besideInstance(port()));
    expect(run.code, run.stderr).toBe(0);
    const printed = lines(run.stdout);
    expect(printed).toHaveLength(3);
    const database = t.deps.database.kind;
    const pubsub = t.deps.redis ? "redis" : "memory";
    expect(printed[0]).toMatch(new RegExp(`^ok +database +[\\d.]+ ms  ${database}$`));
    expect(printed[1]).toMatch(new RegExp(`^ok +pubsub +[\\d.]+ ms  ${pubsub}$`));
    expect(printed[2]).toMatch(/^ok +disk +[\d.]+ ms {2}\d+ MB free$/);
  });

  it("prints only the selected checks, without details unless --verbose", async () => {
    const run = await health(["--check-db", "--check-disk"], besideInstance(port()));
    expect(run.code, run.stderr).toBe(0);
    expect(lines(run.stdout).map((line) => line.split(/ +/).slice(0, 2).join(" "))).toEqual(["ok database", "ok disk"]);
    expect(run.stdout).not.toMatch(/MB free/);
  });

  it("fails every check and exits 1 when nothing answers on the port", async () => {
    const closed = await closedPort();
    const run = await health(["--all", "--verbose"], besideInstance(closed));
    expect(run.code).toBe(1);
    const printed = lines(run.stdout);
    expect(printed.map((line) => line.split(/ +/).slice(0, 2).join(" "))).toEqual(["FAIL database", "FAIL pubsub", "FAIL disk"]);
    expect(printed[0]).toContain(`http://127.0.0.1:${closed}/ready`);
    expect(run.stderr).toContain(`no answer from http://127.0.0.1:${closed}/ready`);
  });

  it("stops with exit code 78 and names the variable when PORT is wrong", async () => {
    const run = await health(["--all"], { ...besideInstance(port()), PORT: "abc" });
    expect(run.code).toBe(78);
    expect(run.stderr).toMatch(/PORT/);
  });
});

// Only meaningful with a shared PostgreSQL (CI's second run): an embedded
// database must never be opened by a second process.
describe.skipIf(!process.env.DATABASE_URL)("npm run health with DATABASE_URL checks the services directly", () => {
  it("passes against the CI's PostgreSQL and Redis without asking an instance", async () => {
    const closed = await closedPort();
    const run = await health(["--all", "--verbose"], { PORT: String(closed), HOST: "127.0.0.1" });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const printed = lines(run.stdout);
    expect(printed[0]).toMatch(/^ok +database .* postgres$/);
    expect(printed[1]).toMatch(process.env.REDIS_URL ? /^ok +pubsub .* redis$/ : /^ok +pubsub .* memory$/);
  });
});
