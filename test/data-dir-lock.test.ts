/**
 * The embedded data directory's lock file, on a real file system with real
 * processes as holders: who is refused, which stale locks are taken over, and
 * that processes racing for a stale lock end with exactly one holder.
 * (test/lifecycle.test.ts covers the same through `npm start` and the commands.)
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { LOCK_FILE, lockDataDir, readOwner, takeOver, type DataDirLock, type LockOwner } from "../server/db/data-dir-lock";
import { StartupError } from "../server/startup-error";

const linux = process.platform === "linux";
const startTimeOf = (pid: number) => {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
};

let sleeper: ChildProcess;
let dir: string;
const locks: DataDirLock[] = [];
const take = (target = dir) => {
  const lock = lockDataDir(target);
  locks.push(lock);
  return lock;
};
const lockFile = () => path.join(dir, LOCK_FILE);
const readLock = () => JSON.parse(fs.readFileSync(lockFile(), "utf8")) as LockOwner;
const writeLock = (owner: Partial<LockOwner>) => {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    lockFile(),
    JSON.stringify({
      pid: 1,
      host: os.hostname(),
      command: "server/main.ts via npm run dev",
      since: "2026-01-02T03:04:05.678Z",
      token: randomUUID(),
      ...owner,
    }),
  );
};
const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error as StartupError;
  }
  throw new Error("the lock was taken");
};

beforeAll(() => {
  // A live process that is not this one, to stand for another instance.
  sleeper = spawn("sleep", ["120"], { stdio: "ignore" });
});
afterAll(() => {
  sleeper.kill("SIGKILL");
});
beforeEach(() => {
  // A fresh directory per test, not created yet: lockDataDir creates it, as on a first start.
  dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "roster-lock-")), "data");
});
afterEach(() => {
  for (const lock of locks.splice(0)) lock.release();
  fs.rmSync(path.dirname(dir), { recursive: true, force: true });
});

describe("the data-directory lock", () => {
  it("creates the directory, names this process in roster.lock, and removes it on release", () => {
    const lock = take();
    expect(lock.dir).toBe(fs.realpathSync(dir));
    expect(readLock()).toMatchObject({ pid: process.pid, host: os.hostname(), token: lock.owner.token });
    if (linux) expect(readLock().startTime).toBe(startTimeOf(process.pid));
    lock.release();
    expect(fs.existsSync(lockFile())).toBe(false);
    lock.release();
    // Free again: the same process may take it anew.
    expect(take().owner.pid).toBe(process.pid);
  });

  it("refuses a live holder with exit code 75 and one line: directory, pid, command, since", () => {
    writeLock({ pid: sleeper.pid!, startTime: linux ? startTimeOf(sleeper.pid!) : undefined });
    const before = fs.readFileSync(lockFile(), "utf8");
    const error = refusal(take);
    expect(error).toBeInstanceOf(StartupError);
    expect(error.exitCode).toBe(75);
    expect(error.message).toBe(
      `data directory ${fs.realpathSync(dir)} is in use by pid ${sleeper.pid} (server/main.ts via npm run dev, since 2026-01-02 03:04:05 UTC); ` +
        "one process per embedded database: stop it first, or set ROSTER_DATA_DIR or DATABASE_URL",
    );
    expect(error.message).not.toContain("\n");
    expect(fs.readFileSync(lockFile(), "utf8")).toBe(before);
  });

  it("refuses a second open in this same process", () => {
    take();
    const error = refusal(take);
    expect(error.exitCode).toBe(75);
    expect(error.message).toMatch(/is in use by this process/);
  });

  it("takes over the lock of a process that is gone (kill -9, a crash)", () => {
    const gone = spawnSync("true").pid;
    writeLock({ pid: gone });
    const lock = take();
    expect(readLock()).toMatchObject({ pid: process.pid, token: lock.owner.token });
  });

  it.skipIf(!linux)("takes over a lock whose pid now belongs to a newer process (pid reuse: the start time differs)", () => {
    writeLock({ pid: sleeper.pid!, startTime: "1" });
    expect(take().owner.pid).toBe(process.pid);
    expect(readLock().pid).toBe(process.pid);
  });

  it("takes over a lock naming this process's own pid that this process does not hold (a container restarted as pid 1)", () => {
    writeLock({ pid: process.pid, startTime: "1" });
    const lock = take();
    expect(readLock().token).toBe(lock.owner.token);
  });

  it("never takes over another host's lock, and says which file to remove if that host is gone", () => {
    writeLock({ host: "elsewhere", pid: 4242 });
    const error = refusal(take);
    expect(error.exitCode).toBe(75);
    expect(error.message).toContain(`in use by pid 4242 on host elsewhere`);
    expect(error.message).toContain(`(if that host is gone, remove ${path.join(fs.realpathSync(dir), LOCK_FILE)})`);
  });

  it("takes over a lock file that holds no lock (garbage, or left empty long ago)", () => {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(lockFile(), "not json\0");
    take().release();
    fs.writeFileSync(lockFile(), "");
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(lockFile(), old, old);
    const lock = take();
    expect(readLock().token).toBe(lock.owner.token);
  });

  it("release leaves alone a lock file that is no longer its own", () => {
    const lock = take();
    writeLock({ pid: sleeper.pid! });
    lock.release();
    expect(readLock().pid).toBe(sleeper.pid);
  });

  it("a takeover decided on an outdated look at the file leaves the new holder's lock alone", () => {
    writeLock({ pid: spawnSync("true").pid });
    const stale = readOwner(lockFile());
    // Meanwhile another process took the stale lock over …
    writeLock({ pid: sleeper.pid!, startTime: linux ? startTimeOf(sleeper.pid!) : undefined });
    const theirs = fs.readFileSync(lockFile(), "utf8");
    // … so acting on what we saw must not replace theirs.
    const ours = { pid: process.pid, host: os.hostname(), command: "test", since: new Date().toISOString(), token: randomUUID() };
    expect(takeOver(lockFile(), stale as LockOwner, ours)).toBe(false);
    expect(fs.readFileSync(lockFile(), "utf8")).toBe(theirs);
    // While another takeover is under way (its directory exists) nobody else takes over …
    writeLock({ pid: spawnSync("true").pid });
    const dead = readOwner(lockFile()) as LockOwner;
    fs.mkdirSync(`${lockFile()}.takeover`);
    expect(takeOver(lockFile(), dead, ours)).toBe(false);
    // … unless that directory was left by a process that died in the middle of one.
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(`${lockFile()}.takeover`, old, old);
    expect(takeOver(lockFile(), dead, ours)).toBe(false);
    expect(takeOver(lockFile(), dead, ours)).toBe(true);
    expect(readLock().token).toBe(ours.token);
    expect(fs.existsSync(`${lockFile()}.takeover`)).toBe(false);
  });

  it("processes racing for a stale lock: exactly one wins, the others are refused naming it", async () => {
    writeLock({ pid: spawnSync("true").pid });
    const at = Date.now() + 6000;
    const contenders = Array.from({ length: 4 }, () => {
      const child = spawn(process.execPath, ["--import", "tsx", "test/fixtures/lock/race.ts", dir, String(at), "60000"], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      let output = "";
      child.stdout!.on("data", (chunk) => (output += chunk));
      const line = new Promise<string>((resolve) => child.stdout!.on("data", () => output.includes("\n") && resolve(output.trim())));
      return { child, line };
    });
    try {
      const lines = await Promise.all(contenders.map((contender) => contender.line));
      const won = lines.filter((line) => line.startsWith("won "));
      expect(won, lines.join("\n")).toHaveLength(1);
      const winner = Number(won[0]!.split(" ")[1]);
      expect(readLock().pid).toBe(winner);
      for (const line of lines.filter((line) => line.startsWith("lost "))) expect(line).toMatch(new RegExp(`in use by pid ${winner} `));
    } finally {
      for (const { child } of contenders) child.kill("SIGKILL");
    }
  }, 60_000);
});
