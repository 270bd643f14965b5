/**
 * V8's heap growth (HEAP_GROWING_PERCENT), set before the rest of the server loads:
 * server/main.ts imports this first. Under load V8 let garbage pile up to ~4× the
 * live heap before a full collection (360 MiB for one instance on the bench's nested
 * read, against PostGraphile's ~320); at 50 % the peak stays near 215 MiB, for ~10 %
 * more CPU per request.
 */
import { setFlagsFromString } from "node:v8";
import { heapGrowingPercent } from "./config";

try {
  const percent = heapGrowingPercent(process.env);
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
} catch {
  // A bad value is reported by loadConfigOrExit, with every other configuration error.
}
