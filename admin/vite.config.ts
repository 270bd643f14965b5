import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import { bundleBudget } from "./bundle-budget";

/** Served by the Roster server at /admin (server/http/admin.ts); `npm run dev` runs this config in middleware mode. */
export default defineConfig({
  root: import.meta.dirname,
  base: "/admin/",
  plugins: [react(), bundleBudget(300)],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // GraphiQL (Monaco) is large and lazy; its size is reported, not warned about.
    chunkSizeWarningLimit: 5000,
    reportCompressedSize: true,
    rolldownOptions: {
      onLog(level, log, handler) {
        // GraphiQL's "use no memo" directives are for the React compiler, which this build does not run.
        if (log.code === "MODULE_LEVEL_DIRECTIVE") return;
        handler(level, log);
      },
    },
  },
  worker: { format: "es" },
  // GraphiQL's Monaco set-up imports workers with "?worker", which the dev server's
  // dependency pre-bundling cannot follow: it is served as is (the build handles it).
  optimizeDeps: { exclude: ["graphiql", "@graphiql/react"] },
});
