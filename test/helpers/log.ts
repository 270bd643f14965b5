/** A pino logger whose lines a test can read: what a server logged, and at which level. */
import { Writable } from "node:stream";
import { pino } from "pino";

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export const LEVEL = { debug: 20, info: 30, warn: 40, error: 50 } as const;

export function captureLog(level: "debug" | "info" = "debug") {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n")) if (line) lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  return {
    log: pino({ level }, stream),
    lines,
    /** Lines at `level` or above. */
    atLeast: (minimum: number) => lines.filter((line) => line.level >= minimum),
    clear: () => void (lines.length = 0),
  };
}
