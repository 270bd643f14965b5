#!/usr/bin/env node
/**
 * Builds the back office (admin/ → admin/dist), which the server serves at /admin.
 * `npm install` and `npm ci` run it (the root package's `prepare`), so the README's
 * two commands stay two; `npm run build:admin` runs it by hand (--force: even when
 * up to date). It skips when the sources have not changed since the last build (a
 * hash kept in admin/dist), and steps aside without failing when the admin
 * workspace's build tools are absent (`npm ci --omit=dev`: build in a build stage).
 * A failing build fails the install: a broken back office should not go unnoticed.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const admin = path.join(root, "admin");
const dist = path.join(admin, "dist");
const stampFile = path.join(dist, ".source-hash");
const force = process.argv.includes("--force");

/** Every input of the build: sources, configuration, the locked dependency versions. */
function sourceHash() {
  const hash = createHash("sha256");
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else {
        hash.update(path.relative(root, full));
        hash.update(fs.readFileSync(full));
      }
    }
  };
  walk(path.join(admin, "src"));
  for (const file of ["admin/index.html", "admin/vite.config.ts", "admin/bundle-budget.ts", "admin/package.json", "package-lock.json"]) {
    const full = path.join(root, file);
    if (fs.existsSync(full)) hash.update(file).update(fs.readFileSync(full));
  }
  return hash.digest("hex");
}

let vite;
try {
  vite = createRequire(path.join(admin, "package.json")).resolve("vite");
} catch {
  console.log("back office: build tools not installed (npm ci --omit=dev?); not building admin/dist");
  process.exit(0);
}

const hash = sourceHash();
if (!force && fs.existsSync(stampFile) && fs.readFileSync(stampFile, "utf8") === hash && fs.existsSync(path.join(dist, "index.html"))) {
  console.log("back office: admin/dist is up to date");
  process.exit(0);
}

const started = performance.now();
const { build } = await import(pathToFileURL(vite).href);
await build({ configFile: path.join(admin, "vite.config.ts"), logLevel: "warn", configLoader: "runner" });
fs.writeFileSync(stampFile, hash);
const report = JSON.parse(fs.readFileSync(path.join(dist, "bundle-report.json"), "utf8"));
console.log(
  `back office built in ${((performance.now() - started) / 1000).toFixed(1)} s → admin/dist: ` +
    `first load ${report.firstLoadKbGzip} KB of JavaScript gzipped (budget ${report.budgetKbGzip} KB), ` +
    `${report.allJavaScriptKbGzip} KB with every lazy screen and GraphiQL`,
);
