/**
 * End-to-end tests of the back office in Debian's Chromium (nothing downloads a
 * browser): a real Roster server on the embedded database in memory, demo data
 * seeded, serving the build in admin/dist. `npm run test:e2e` from the root.
 */
import { defineConfig } from "@playwright/test";

const port = Number(process.env.E2E_PORT ?? 4790);
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export default defineConfig({
  testDir: ".",
  outputDir: "artifacts/results",
  // One server, one demo tenant: the tests build on each other's changes, in order.
  workers: 1,
  fullyParallel: false,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [["list"], ["json", { outputFile: "../../e2e-results.json" }]] : [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    browserName: "chromium",
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: CHROMIUM_ARGS },
    timezoneId: "Africa/Cairo",
    viewport: { width: 1366, height: 900 },
    screenshot: "only-on-failure",
  },
  webServer: {
    command: "node --import tsx server/main.ts",
    cwd: "../..",
    url: `http://127.0.0.1:${port}/ready`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: "ignore",
    stderr: "pipe",
    env: {
      PORT: String(port),
      HOST: "127.0.0.1",
      NODE_ENV: "development",
      ROSTER_DB: "memory",
      DATABASE_URL: "",
      REDIS_URL: "",
      SEED_DEMO: "true",
      JOBS_ENABLED: "false",
      ADMIN_UI: "static",
      LOG_LEVEL: "warn",
      RATE_LIMIT_LOGIN_PER_15_MIN: "1000",
      RATE_LIMIT_LOGIN_PER_IP_PER_15_MIN: "100000",
      RATE_LIMIT_IP_PER_MINUTE: "100000",
      RATE_LIMIT_USER_PER_MINUTE: "100000",
    },
  },
});
