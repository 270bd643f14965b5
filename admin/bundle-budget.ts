/**
 * Reports, at build, the JavaScript a first visit downloads (the entry chunk and
 * every chunk it imports statically, gzipped) and fails the build above the budget.
 * Lazy screens and GraphiQL are dynamic imports: not counted.
 */
import { gzipSync } from "node:zlib";
import type { Plugin } from "vite";

export function bundleBudget(budgetKb: number): Plugin {
  return {
    name: "roster-bundle-budget",
    apply: "build",
    generateBundle(_options, bundle) {
      const chunks = Object.values(bundle).filter((item) => item.type === "chunk");
      const byName = new Map(chunks.map((chunk) => [chunk.fileName, chunk]));
      const entry = chunks.find((chunk) => chunk.isEntry);
      if (!entry) return;
      const firstLoad = new Set<string>();
      const visit = (fileName: string) => {
        if (firstLoad.has(fileName)) return;
        firstLoad.add(fileName);
        for (const imported of byName.get(fileName)?.imports ?? []) visit(imported);
      };
      visit(entry.fileName);
      const gz = (code: string) => gzipSync(code, { level: 9 }).length;
      const firstKb = [...firstLoad].reduce((sum, name) => sum + gz(byName.get(name)!.code), 0) / 1024;
      const allKb = chunks.reduce((sum, chunk) => sum + gz(chunk.code), 0) / 1024;
      const report = {
        firstLoadKbGzip: Math.round(firstKb * 10) / 10,
        allJavaScriptKbGzip: Math.round(allKb * 10) / 10,
        budgetKbGzip: budgetKb,
        firstLoadChunks: [...firstLoad],
      };
      this.emitFile({ type: "asset", fileName: "bundle-report.json", source: JSON.stringify(report, null, 2) + "\n" });
      const line = `first load: ${report.firstLoadKbGzip} KB of JavaScript gzipped (budget ${budgetKb} KB); all chunks: ${report.allJavaScriptKbGzip} KB`;
      if (firstKb > budgetKb) this.error(`bundle budget exceeded — ${line}`);
      this.info(line);
    },
  };
}
