/**
 * Child processes (servers, client swarms) and what /proc says about them:
 * CPU ticks, RSS. Every child is registered so that a failure or Ctrl-C ends them all.
 */
import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

export const CLK_TCK = 100; // getconf CLK_TCK on Linux x86-64

export interface Proc {
  name: string;
  child: ChildProcess;
  pid: number;
  logFile: string;
  /** Resolves with the exit code when the process ends. */
  exited: Promise<number | null>;
  tail(lines?: number): string;
}

const running = new Set<Proc>();

export function startProcess(
  name: string,
  command: string,
  args: string[],
  options: SpawnOptions & { logDir: string; ipc?: boolean },
): Proc {
  const logFile = path.join(options.logDir, `${name}.log`);
  const log = fs.createWriteStream(logFile, { flags: "a" });
  const child = spawn(command, args, {
    ...options,
    stdio: options.ipc ? ["ignore", "pipe", "pipe", "ipc"] : ["ignore", "pipe", "pipe"],
  });
  if (!child.pid) throw new Error(`could not start ${name}`);
  const recent: string[] = [];
  const keep = (chunk: Buffer) => {
    log.write(chunk);
    for (const line of chunk.toString().split("\n")) if (line) recent.push(line);
    if (recent.length > 400) recent.splice(0, recent.length - 400);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const proc: Proc = {
    name,
    child,
    pid: child.pid,
    logFile,
    exited: new Promise((resolve) => child.once("exit", (code) => resolve(code))),
    tail: (lines = 40) => recent.slice(-lines).join("\n"),
  };
  running.add(proc);
  void proc.exited.then(() => {
    running.delete(proc);
    log.end();
  });
  return proc;
}

/** SIGTERM, then SIGKILL after `graceMs`. */
export async function stopProcess(proc: Proc, graceMs = 5000): Promise<void> {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  proc.child.kill("SIGTERM");
  const timer = setTimeout(() => proc.child.kill("SIGKILL"), graceMs);
  await proc.exited;
  clearTimeout(timer);
}

export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((proc) => stopProcess(proc, 3000)));
}

/** Synchronous last resort (process 'exit' handler): SIGKILL whatever is left. */
export function killAllNow(): void {
  for (const proc of running) {
    try {
      proc.child.kill("SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** utime + stime of a process, in clock ticks; 0 when it is gone. */
export function cpuTicks(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // fields[0] is field 3 (state): utime is field 14, stime field 15.
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

/** VmRSS and VmHWM in bytes (0 when the process is gone). */
export function memoryOf(pid: number): { rss: number; hwm: number } {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0) * 1024;
    return { rss: kb("VmRSS"), hwm: kb("VmHWM") };
  } catch {
    return { rss: 0, hwm: 0 };
  }
}

/** Samples a process's RSS every `everyMs` and keeps the peak. */
export function rssSampler(pid: number, everyMs = 100) {
  let peak = memoryOf(pid).rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, memoryOf(pid).rss);
  }, everyMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, memoryOf(pid).rss);
    },
  };
}

/** CPU ticks of a set of processes, to subtract later (processes that appear later count from 0). */
export function ticksOf(pids: number[]): Map<number, number> {
  return new Map(pids.map((pid) => [pid, cpuTicks(pid)]));
}

/** CPU seconds spent between two `ticksOf` snapshots. */
export function cpuSecondsBetween(before: Map<number, number>, after: Map<number, number>): number {
  let ticks = 0;
  for (const [pid, now] of after) ticks += Math.max(0, now - (before.get(pid) ?? 0));
  return ticks / CLK_TCK;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns true, or throws after `timeoutMs`. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, proc?: Proc): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc && proc.child.exitCode !== null) {
      throw new Error(`${proc.name} exited (${proc.child.exitCode}) while waiting for ${what}:\n${proc.tail()}`);
    }
    if (await check().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${proc ? `:\n${proc.tail()}` : ""}`);
}

/** A free TCP port on 127.0.0.1 (bound, read and released). */
export async function freePort(): Promise<number> {
  const net = await import("node:net");
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
