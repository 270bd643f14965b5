/** Runs project commands (`npm run …`, node scripts) as a user would, capturing their output. */
import { spawn, type ChildProcess } from "node:child_process";

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Spawns `command args` with `env` on top of this process's environment. */
export function run(command: string, args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: process.cwd(), env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** `npm run <script> -- …args`. */
export const npmRun = (script: string, args: string[], env: Record<string, string | undefined> = {}) =>
  run("npm", ["run", "--silent", script, "--", ...args], env);

/** A long-running command (a server) started by a test: its output, its exit, and a way to stop it. */
export interface Started {
  /** The spawned process (npm, tsx …): what a supervisor would signal. */
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` in stdout or stderr; rejects when the process exits first or after `ms`. */
  waitFor(pattern: RegExp, ms?: number): Promise<RegExpMatchArray>;
  /** Resolves when the process has exited, with when (performance.now()). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** SIGKILLs the whole process group (cleanup: nothing the test started survives it). */
  killAll(): Promise<void>;
}

/**
 * Spawns `command args` in its own process group, so `killAll` also reaches the
 * processes it starts (npm → tsx → node) and a test can send a signal to the
 * group the way a terminal's Ctrl-C does.
 */
export function start(command: string, args: string[], env: Record<string, string | undefined> = {}): Started {
  const child = spawn(command, args, {
    cwd: process.cwd(),
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let stdout = "";
  let stderr = "";
  const watchers = new Set<() => void>();
  child.stdout!.on("data", (chunk) => {
    stdout += chunk;
    for (const watcher of watchers) watcher();
  });
  child.stderr!.on("data", (chunk) => {
    stderr += chunk;
    for (const watcher of watchers) watcher();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal, at: performance.now() })),
  );
  let gone = false;
  void exited.then(() => (gone = true));
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    waitFor(pattern, ms = 60_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(stdout) ?? pattern.exec(stderr);
          if (!match) return;
          done();
          resolve(match);
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`${pattern} not seen within ${ms} ms; output:\n${stdout}\n${stderr}`));
        }, ms);
        const onExit = () => {
          check();
          done();
          reject(new Error(`exited before ${pattern}; output:\n${stdout}\n${stderr}`));
        };
        const done = () => {
          clearTimeout(timer);
          watchers.delete(check);
          child.off("exit", onExit);
        };
        watchers.add(check);
        child.once("exit", onExit);
        check();
      });
    },
    async killAll() {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // the group is gone already
      }
      if (!gone) await exited;
    },
  };
}
