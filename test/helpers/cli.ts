/** Runs project commands (`npm run …`, node scripts) as a user would, capturing their output. */
import { spawn } from "node:child_process";

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
