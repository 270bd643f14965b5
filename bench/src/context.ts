/** What every scenario gets: the database, the dataset's ids, options, servers, progress output. */
import type { Sql } from "./db";
import type { LoadOptions } from "./load";
import type { LecturesForm } from "./queries";
import type { SeedIds } from "./seed";
import type { Server } from "./servers";

export interface Options {
  quick: boolean;
  only: Set<string> | null;
  load: LoadOptions;
  fanoutSizes: number[];
  fanoutMarks: number;
  registerSize: number;
  churnCycles: number;
  /** The most a fan-out burst waits for its deliveries after the last mark, in ms. */
  drainMs: number;
  /** Steps that would end after this many seconds from the start are skipped (the run must stay under 10 minutes). */
  budgetSeconds: number;
  keepDatabase: boolean;
}

export interface Bench {
  options: Options;
  dbName: string;
  dbUrl: string;
  sql: Sql;
  ids: SeedIds;
  logDir: string;
  lecturesForm: LecturesForm;
  /** Lecture.attendanceSummary exists in Roster's schema. */
  hasAttendanceSummary: boolean;
  started: number;
  progress(line: string): void;
  /** Notes that go into the results (skips, fallbacks, caveats). */
  notes: string[];
}

export interface ReadServers {
  roster: Server;
  postgraphile: Server;
  limit: Server;
  adminToken: string;
}

export const elapsed = (bench: Bench) => `${Math.round((Date.now() - bench.started) / 1000)} s`;

/** True when a step estimated at `seconds` still fits in the time budget; otherwise notes the skip. */
export function fits(bench: Bench, step: string, seconds: number): boolean {
  const end = (Date.now() - bench.started) / 1000 + seconds;
  if (end <= bench.options.budgetSeconds) return true;
  const note = `${step} skipped: estimated ${Math.round(seconds)} s would end the run after ${Math.round(end)} s (budget ${bench.options.budgetSeconds} s).`;
  bench.notes.push(note);
  bench.progress(`  ${note}`);
  return false;
}
