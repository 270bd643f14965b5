import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // type-graphql and graphql-js must share one module instance ("another realm" otherwise).
    alias: { graphql: "graphql/index.js" },
  },
  test: {
    include: ["test/**/*.test.ts"],
    // A migrated embedded database, made once per run and loaded by every test server.
    globalSetup: ["test/global-setup.ts"],
    pool: "forks",
    // Test files share their worker's module graph (each still starts its own server and
    // database): importing the whole server once per file was a sixth of the suite's time.
    isolate: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: process.env.CI ? ["default", ["json", { outputFile: "test-results.json" }]] : ["default"],
  },
});
