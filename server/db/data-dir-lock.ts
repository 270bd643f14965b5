/**
 * One process per embedded data directory. PGlite is single-process: two
 * processes that open the same directory both start, each sees only its own
 * writes, and the files end up unreadable. So whoever opens the embedded
 * database (the server, `npm run db:seed`, `npm run jobs` …) first takes
 * ROSTER_DATA_DIR/roster.lock and holds it until it exits.
 *
 * The lock file names its holder: pid, the process's start time, host and
 * command. It is created atomically (link(2) of a fully written file, so nobody
 * reads it half written) and removed on close and on exit. After a crash
 * (kill -9, OOM) it is stale: its pid is gone, or belongs to a newer process
 * (start time differs), or is our own pid (a container restarted as pid 1), and
 * the next process takes it over. A takeover happens under a second, short-lived
 * lock (a directory), and only if the file still names the holder found dead, so
 * two processes racing for a stale lock cannot both win.
 *
 * Why not proper-lockfile: it decides staleness by a heartbeat on the file's
 * mtime, so a main thread busy in PGlite's WebAssembly for longer than the stale
 * period lets a second process in, a crash blocks the next start until the
 * period passes, and it cannot say which process holds the lock. flock(2) needs a
 * native addon (a compiler in the image). A pid check is exact on one machine.
 *
 * A lock written on another host (a shared volume) cannot be checked: it is
 * never taken over, and the message says which file to remove if that host is
 * gone.
 */
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { EXIT, StartupError } from "../startup-error";

export const LOCK_FILE = "roster.lock";

/** What the lock file says about its holder. */
export interface LockOwner {
  pid: number;
  /** Process start time as the kernel counts it (/proc/<pid>/stat field 22); absent where there is no /proc. */
  startTime?: string;
  host: string;
  /** How the holder was started, e.g. "server/main.ts via npm run dev". */
  command: string;
  /** When it took the lock (ISO). */
  since: string;
  /** Tells our own lock from another with the same pid. */
  token: string;
}

export interface DataDirLock {
  dir: string;
  file: string;
  owner: LockOwner;
  /** Removes the lock file if it is still ours; safe to call twice. */
  release(): void;
}

/** Data directories this process holds (a second open in the same process is refused too). */
const held = new Map<string, DataDirLock>();
let exitHookInstalled = false;

/** Takes the lock on `dir` (created if missing) or throws a StartupError naming the holder. */
export function lockDataDir(dir: string): DataDirLock {
  fs.mkdirSync(dir, { recursive: true });
  const real = fs.realpathSync(dir);
  const file = path.join(real, LOCK_FILE);
  const mine = held.get(real);
  if (mine) throw lockedError(real, mine.owner, "this process");

  const owner: LockOwner = {
    pid: process.pid,
    startTime: startTimeOf(process.pid),
    host: os.hostname(),
    command: commandLine(),
    since: new Date().toISOString(),
    token: randomUUID(),
  };
  // A few rounds: a takeover by another process may be under way, or the holder may just have left.
  for (let attempt = 0; attempt < 50; attempt++) {
    if (create(file, owner)) return remember(real, file, owner);
    const current = readOwner(file);
    if (current === "missing") continue;
    if (current !== "unreadable" && isAlive(current)) throw lockedError(real, current, undefined, file);
    if (takeOver(file, current, owner)) return remember(real, file, owner);
    sleep(20);
  }
  throw new StartupError(`data directory ${real} is being locked by another process right now; try again`, EXIT.inUse);
}

function remember(dir: string, file: string, owner: LockOwner): DataDirLock {
  const lock: DataDirLock = {
    dir,
    file,
    owner,
    release() {
      if (held.get(dir) !== lock) return;
      held.delete(dir);
      const current = readOwner(file);
      if (typeof current === "object" && current.token === owner.token) fs.rmSync(file, { force: true });
    },
  };
  held.set(dir, lock);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // process.exit() and uncaught errors still run 'exit' listeners; kill -9 does not (that is the stale case).
    process.on("exit", () => {
      for (const lock of [...held.values()]) lock.release();
    });
  }
  return lock;
}

/** Creates the lock file with its content in one step; false when it exists. */
function create(file: string, owner: LockOwner): boolean {
  const temp = `${file}.${owner.pid}.${owner.token}.tmp`;
  fs.writeFileSync(temp, `${JSON.stringify(owner)}\n`, { mode: 0o644 });
  try {
    fs.linkSync(temp, file);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return false;
    if (code === "EPERM" || code === "ENOTSUP" || code === "EOPNOTSUPP" || code === "ENOSYS") return createExclusive(file, owner);
    throw error;
  } finally {
    fs.rmSync(temp, { force: true });
  }
}

/** For file systems without hard links: O_EXCL, then the content (a reader may briefly see it empty). */
function createExclusive(file: string, owner: LockOwner): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, "wx", 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
  try {
    fs.writeSync(fd, `${JSON.stringify(owner)}\n`);
  } finally {
    fs.closeSync(fd);
  }
  return true;
}

/** The lock file's holder; "unreadable" for content that is not a lock (stale unless just created). */
export function readOwner(file: string): LockOwner | "missing" | "unreadable" {
  let text: string;
  let age: number;
  try {
    text = fs.readFileSync(file, "utf8");
    age = Date.now() - fs.statSync(file).mtimeMs;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "missing";
    throw error;
  }
  try {
    const owner = JSON.parse(text) as LockOwner;
    if (Number.isInteger(owner.pid) && owner.pid > 0 && typeof owner.host === "string" && typeof owner.token === "string") return owner;
  } catch {
    // fall through
  }
  // createExclusive writes right after creating: an empty file a moment old is a holder still writing.
  if (text === "" && age < 2000) sleep(50);
  return text === "" && age < 2000 ? readOwner(file) : "unreadable";
}

/** Whether the process named by a lock file still runs. */
export function isAlive(owner: LockOwner): boolean {
  // Another host's process cannot be checked from here: assume it runs.
  if (owner.host !== os.hostname()) return true;
  // Not held by this process (see `held`), so our pid in the file is a previous life (a restarted container's pid 1).
  if (owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  // The pid runs: is it the same process, or a new one that was given a dead holder's pid?
  const startTime = startTimeOf(owner.pid);
  return !(owner.startTime && startTime && startTime !== owner.startTime);
}

/**
 * Replaces a stale lock file with ours. Under a takeover lock (a directory, made
 * atomically), and only while the file still names the same dead holder: a
 * process racing us either made the directory first or finds our live lock.
 * Exported for tests: the race it guards is microseconds wide.
 */
export function takeOver(file: string, stale: LockOwner | "unreadable", owner: LockOwner): boolean {
  const mutex = `${file}.takeover`;
  try {
    fs.mkdirSync(mutex);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    // A takeover lasts microseconds; one that old was left by a process that died in it.
    const age = Date.now() - (fs.statSync(mutex, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if (age > 5000) fs.rmSync(mutex, { recursive: true, force: true });
    return false;
  }
  try {
    const current = readOwner(file);
    const same =
      current === "unreadable"
        ? stale === "unreadable"
        : typeof current === "object" && typeof stale === "object" && current.token === stale.token;
    if (current !== "missing" && !same) return false;
    fs.rmSync(file, { force: true });
    return create(file, owner);
  } finally {
    fs.rmSync(mutex, { recursive: true, force: true });
  }
}

function lockedError(dir: string, owner: LockOwner, who?: string, file?: string): StartupError {
  const since = owner.since.replace("T", " ").replace(/\.\d+Z$/, " UTC");
  const holder = who ?? (owner.host === os.hostname() ? `pid ${owner.pid}` : `pid ${owner.pid} on host ${owner.host}`);
  const remote = owner.host !== os.hostname() && file ? ` (if that host is gone, remove ${file})` : "";
  return new StartupError(
    `data directory ${dir} is in use by ${holder} (${owner.command}, since ${since})${remote}; ` +
      `one process per embedded database: stop it first, or set ROSTER_DATA_DIR or DATABASE_URL`,
    EXIT.inUse,
  );
}

/** A process's start time in clock ticks since boot (Linux); undefined elsewhere or when it is gone. */
function startTimeOf(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is in parentheses and may contain spaces: count fields after the last ")".
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

/** The script, and the npm command that started it if any: "server/main.ts via npm run dev". */
function commandLine(): string {
  const entry = process.argv.slice(1).find((arg) => !arg.startsWith("-"));
  const script = entry ? path.relative(process.cwd(), entry) || entry : "node";
  // npm's variables are inherited by everything below it (npx, a test runner): only name the script that runs this file.
  const npm = process.env.npm_lifecycle_script?.includes(script) ? process.env.npm_lifecycle_event : undefined;
  return npm ? `${script} via npm ${npm === "start" || npm === "test" ? npm : `run ${npm}`}` : script;
}

function sleep(ms: number) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
