#!/usr/bin/env node
/**
 * `npm run bench` entry point (plain JavaScript, no dependencies): installs the
 * bench's own packages (bench/package-lock.json) when they are missing or the
 * lockfile changed, then runs bench/src/main.ts with the bench's tsx.
 * Arguments pass through: `npm run bench -- --quick --only nested,me`.
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const stamp = path.join(benchDir, "node_modules", ".bench-install-stamp");
const wanted = createHash("sha256")
  .update(fs.readFileSync(path.join(benchDir, "package.json")))
  .update(fs.readFileSync(path.join(benchDir, "package-lock.json")))
  .digest("hex");
const installed = fs.existsSync(stamp) ? fs.readFileSync(stamp, "utf8").trim() : "";
if (installed !== wanted) {
  console.log("bench: installing bench/ dependencies (npm ci --prefix bench) …");
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const result = spawnSync(npm, ["ci", "--prefix", benchDir, "--no-audit", "--no-fund"], { stdio: "inherit" });
  if (result.status !== 0) {
    console.error("bench: npm ci --prefix bench failed");
    process.exit(result.status ?? 1);
  }
  fs.writeFileSync(stamp, `${wanted}\n`);
}

// The orchestrator and the load generator run on this Node; the servers on bench's Node 22.
const child = spawn(process.execPath, ["--import", "tsx", path.join(benchDir, "src", "main.ts"), ...process.argv.slice(2)], {
  cwd: benchDir,
  stdio: "inherit",
  env: { ...process.env, ROSTER_DIR: path.resolve(process.env.ROSTER_DIR ?? path.join(benchDir, "..")) },
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
