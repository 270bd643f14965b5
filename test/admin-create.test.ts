/**
 * `npm run admin:create` as an operator runs it (a child process, the password
 * piped on stdin), against the embedded data directory (or PostgreSQL in the
 * CI's second run), and the production start that refuses the demo logins.
 */
import { spawn } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { DEMO_PASSWORD, DEMO_USERS } from "../server/seed/demo";
import { LoginDocument, MeDocument } from "./sdk/graphql";
import { start, type Run, type Started } from "./helpers/cli";
import { codes, data } from "./helpers/client";
import { startTestServer } from "./helpers/server";

const onPostgres = Boolean(process.env.DATABASE_URL);
const TSX = path.resolve("node_modules/.bin/tsx");
const dirs: string[] = [];
const processes: Started[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "roster-admin-"));
  dirs.push(dir);
  return path.join(dir, "data");
};
afterEach(async () => {
  await Promise.all(processes.splice(0).map((started) => started.killAll()));
});
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

const commandEnv = (overrides: Record<string, string | undefined> = {}) => ({
  NODE_ENV: "development",
  SEED_DEMO: "false",
  LOG_LEVEL: "warn",
  ARGON2_MEMORY_KIB: "1024",
  ARGON2_TIME_COST: "1",
  ...overrides,
});

/** `npm run admin:create -- …args` with `stdin` piped in. */
function adminCreate(args: string[], stdin: string, env: Record<string, string | undefined>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn("npm", ["run", "--silent", "admin:create", "--", ...args], {
      cwd: process.cwd(),
      env: { ...process.env, ...commandEnv(env) },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

const unique = Date.now().toString(36);
const email = `boss-${unique}@centre.example`;
const phone = `+2010${String(Date.now() % 100_000_000).padStart(8, "0")}`;
const FIRST = "first-admin-secret";
const SECOND = "second-admin-secret";

describe("npm run admin:create", () => {
  const dataDir = tempDir();
  const env = onPostgres ? {} : { DATABASE_URL: undefined, ROSTER_DATA_DIR: dataDir };
  /** A server on the same database, to sign in through the API. */
  const serverOnIt = () => startTestServer(onPostgres ? {} : { ROSTER_DB: "file", ROSTER_DATA_DIR: dataDir });
  const signIn = async (server: Awaited<ReturnType<typeof serverOnIt>>, password: string) =>
    server.client().request(LoginDocument, { input: { identifier: email, password } });

  it("refuses a weak password and creates nothing", { timeout: 180_000 }, async () => {
    const weak = await adminCreate(["--email", email, "--phone", phone], "short\n", env);
    expect(weak.code, weak.stderr).toBe(1);
    expect(weak.stderr).toMatch(/admin:create: the password must be 8 to 128 characters long/);
    const demo = await adminCreate(["--email", email, "--phone", phone], `${DEMO_PASSWORD}\n`, env);
    expect(demo.code).toBe(1);
    expect(demo.stderr).toMatch(/public/);
    const usage = await adminCreate([], "", env);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/usage:/);
  });

  it("creates the platform admin from a piped password; a second run changes nothing", { timeout: 180_000 }, async () => {
    const created = await adminCreate(["--email", email, "--phone", phone, "--first-name", "Hoda"], `${FIRST}\n`, env);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(new RegExp(`created platform admin ${email} \\${phone}`));
    expect(created.stdout + created.stderr).not.toContain(FIRST);

    const again = await adminCreate(["--phone", phone], `${SECOND}\n`, env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/was already a platform admin; password unchanged/);

    const server = await serverOnIt();
    try {
      const login = data(await signIn(server, FIRST));
      const me = data(await server.client({ token: login.login.accessToken }).request(MeDocument)).me;
      expect(me).toMatchObject({ firstName: "Hoda", email, phoneNumber1: phone, isPlatformAdmin: true, isVerified: true });
      expect(codes(await signIn(server, SECOND))).toEqual(["UNAUTHENTICATED"]);

      if (!onPostgres) {
        // The server holds the data directory: the command says so and changes nothing.
        const refused = await adminCreate(["--email", email, "--reset-password"], `${SECOND}\n`, env);
        expect(refused.code).toBe(75);
        expect(refused.stderr.trim()).toMatch(/^data directory .* is in use by this process|^data directory .* is in use by pid \d+/);
        expect(refused.stderr).toMatch(/stop it first/);
      }
    } finally {
      await server.close();
    }
  });

  it("sets a new password only with --reset-password, and makes an existing account an admin", { timeout: 180_000 }, async () => {
    const reset = await adminCreate(["--email", email.toUpperCase(), "--reset-password"], `${SECOND}\n`, env);
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.stdout).toMatch(/password reset, its sessions signed out/);

    const server = await serverOnIt();
    let member;
    try {
      data(await signIn(server, SECOND));
      expect(codes(await signIn(server, FIRST))).toEqual(["UNAUTHENTICATED"]);
      member = await server.fixtures.user();
    } finally {
      await server.close();
    }
    {
      const promoted = await adminCreate(["--email", member.email], "", env);
      expect(promoted.code, promoted.stderr).toBe(0);
      expect(promoted.stdout).toMatch(/is now a platform admin; password unchanged/);
      const two = await adminCreate(["--email", member.email, "--phone", phone], `${FIRST}\n`, env);
      expect(two.code).toBe(1);
      expect(two.stderr).toMatch(/two different accounts/);
    }
  });
});

describe("production start with the demo logins", () => {
  const key = generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const dataDir = tempDir();
  // Always embedded: a database of its own that the demo seed may fill.
  const env = { DATABASE_URL: undefined, REDIS_URL: undefined, ROSTER_DATA_DIR: dataDir };
  const production = () =>
    start(TSX, ["server/main.ts"], {
      ...commandEnv(env),
      NODE_ENV: "production",
      JWT_PRIVATE_KEY: key,
      PORT: "0",
      HOST: "127.0.0.1",
      LOG_LEVEL: "info",
      SEED_DEMO: undefined,
    });

  it("refuses to start (78) while a demo account has the public password, and starts once they are switched off", {
    timeout: 300_000,
  }, async () => {
    const seeded = await new Promise<number | null>((resolve) =>
      spawn("npm", ["run", "--silent", "db:seed"], { env: { ...process.env, ...commandEnv(env) }, stdio: "ignore" }).once("close", resolve),
    );
    expect(seeded).toBe(0);

    const refused = production();
    processes.push(refused);
    const exit = await refused.exited;
    expect(exit.code, refused.stderr()).toBe(78);
    const message = refused.stderr().trim();
    expect(message.split("\n")).toHaveLength(1);
    expect(message).toMatch(/^NODE_ENV=production refuses to start: the demo accounts still sign in with the public password/);
    expect(message).toContain(DEMO_USERS[0].email);
    expect(message).toMatch(/npm run admin:create -- --email .* --phone/);
    expect(message).toMatch(/npm run admin:create -- --disable-demo-logins/);
    expect(refused.stdout()).not.toMatch(/roster is up/);

    const disabled = await adminCreate(["--disable-demo-logins"], "", env);
    expect(disabled.code, disabled.stderr).toBe(0);
    expect(disabled.stdout).toMatch(new RegExp(`disabled ${DEMO_USERS.length} demo account\\(s\\)`));

    const up = production();
    processes.push(up);
    await up.waitFor(/roster is up/, 120_000);
    const [, url] = (await up.waitFor(/"url":"(http:\/\/[^"]+)\/graphql"/)) ?? [];
    const login = await fetch(`${url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        query: "mutation($i: LoginInput!) { login(input: $i) { accessToken } }",
        variables: { i: { identifier: DEMO_USERS[0].phone, password: DEMO_PASSWORD } },
      }),
    }).then((response) => response.json() as Promise<{ errors?: { extensions?: { code?: string } }[] }>);
    expect(login.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });
});
