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
