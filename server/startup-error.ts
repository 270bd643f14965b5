/**
 * Start-up failures an operator can fix (a taken data directory or port, a
 * wrong setting) end the process with one line and a sysexits.h code, never a
 * stack trace. Every command (`npm start`, `npm run db:seed`, `npm run jobs` …)
 * ends through `exitOnStartupError`, so they all say it the same way.
 */
import { ConfigError, EXIT_CONFIG } from "./config";

/** Exit codes (sysexits.h), documented in docs/operations.md. */
export const EXIT = {
  /** EX_TEMPFAIL: the data directory or the port is held by another process; retry once it is gone. */
  inUse: 75,
  /** EX_NOPERM: not allowed to listen on that port (below 1024 without the capability). */
  noPermission: 77,
  /** EX_CONFIG: a wrong setting. */
  config: EXIT_CONFIG,
} as const;

export class StartupError extends Error {
  override name = "StartupError";
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** Prints one line for a known start-up failure (the whole error otherwise) and exits. */
export function exitOnStartupError(error: unknown): never {
  if (error instanceof ConfigError) {
    console.error(`Configuration error: ${error.message}`);
    process.exit(EXIT.config);
  }
  if (error instanceof StartupError) {
    console.error(error.message);
    process.exit(error.exitCode);
  }
  console.error(error);
  process.exit(1);
}
