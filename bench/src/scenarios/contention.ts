/**
 * Scenario 6, contention: 200 enrolment approvals racing for a course with 20
 * places, and 200 members registering at once for an event with 20 places (no
 * waitlist). Overbooked must be 0; the stored counters must match the rows.
 * The course, the requests and the event are made fresh for each run.
 */
import { elapsed, type Bench } from "../context";
import { gql, type GqlResult } from "../http";
import { rosterQueries } from "../queries";
import { loginMany } from "../roster";
import type { Server } from "../servers";

export interface Race {
  name: string;
  attempts: number;
  places: number;
  succeeded: number;
  conflicts: number;
  otherErrors: number;
  /** Rows beyond capacity (must be 0). */
  overbooked: number;
  /** The trigger-kept counter on the course or event. */
  storedCount: number;
  wallMs: number;
  attemptsPerSecond: number;
  otherErrorSamples: string[];
}

export interface ContentionResult {
  races: Race[];
}

const ATTEMPTS = 200;
const PLACES = 20;

function tally(name: string, results: GqlResult[], wallMs: number, rows: number, storedCount: number): Race {
  const codes = results.map((r) => (r.errors?.length ? (r.errors[0]!.extensions?.code ?? `HTTP ${r.status}`) : "OK"));
  const other = results.filter((r, i) => codes[i] !== "OK" && codes[i] !== "CONFLICT");
  return {
    name,
    attempts: results.length,
    places: PLACES,
    succeeded: codes.filter((c) => c === "OK").length,
    conflicts: codes.filter((c) => c === "CONFLICT").length,
    otherErrors: other.length,
    overbooked: Math.max(0, rows - PLACES),
    storedCount,
    wallMs: Math.round(wallMs),
    attemptsPerSecond: Math.round((results.length / wallMs) * 1000 * 10) / 10,
    otherErrorSamples: [...new Set(other.map((r) => JSON.stringify(r.errors?.[0] ?? r.status).slice(0, 200)))].slice(0, 3),
  };
}

export async function runContention(bench: Bench, roster: Server, adminToken: string): Promise<ContentionResult> {
  const { sql, ids } = bench;
  const queries = rosterQueries(bench.lecturesForm);
  const url = `${roster.baseUrl}/graphql`;
  bench.progress(`\n[${elapsed(bench)}] contention: ${ATTEMPTS} approvals and ${ATTEMPTS} registrations, ${PLACES} places each`);
  const races: Race[] = [];

  // Enrolment approvals: 200 pending requests of 200 students for one 20-place course.
  const [course] = await sql<{ id: string }[]>`
    insert into courses (tenant_id, name, starts_on, ends_on, price, currency, capacity, is_published)
    values (${ids.tenantA}, ${`zz Contention ${Date.now()}`}, current_date + 7, current_date + 100, 100, 'EGP', ${PLACES}, true)
    returning id`;
  const requests = await sql<{ id: string }[]>`
    insert into enrollment_requests (tenant_id, course_id, student_id, requested_by)
    select s.tenant_id, ${course!.id}, s.id, s.user_id
    from students s where s.tenant_id = ${ids.tenantA} order by s.id limit ${ATTEMPTS}
    returning id`;
  let begun = performance.now();
  const approvals = await Promise.all(requests.map((r) => gql(url, queries.approve, { id: r.id }, { authorization: `Bearer ${adminToken}` })));
  let wall = performance.now() - begun;
  const [enrolled] = await sql<{ rows: number; stored: number }[]>`
    select (select count(*)::int from enrollments where tenant_id = ${ids.tenantA} and course_id = ${course!.id} and status = 'ACTIVE') as rows,
           (select active_enrollments from courses where tenant_id = ${ids.tenantA} and id = ${course!.id}) as stored`;
  races.push(tally("enrolment approvals", approvals, wall, enrolled!.rows, enrolled!.stored));

  // Event registrations: 200 members signed in, registering at once.
  const [event] = await sql<{ id: string }[]>`
    insert into events (tenant_id, title, starts_at, ends_at, max_participants, waitlist_enabled, status, created_by)
    values (${ids.tenantA}, ${`Contention ${Date.now()}`}, now() + interval '10 days', now() + interval '10 days 2 hours', ${PLACES}, false, 'PUBLISHED', ${ids.adminId})
    returning id`;
  const tokens = await loginMany(roster.baseUrl, ids.studentEmails.slice(0, ATTEMPTS));
  begun = performance.now();
  const registrations = await Promise.all(tokens.map((token) => gql(url, queries.registerForEvent, { eventId: event!.id }, { authorization: `Bearer ${token}` })));
  wall = performance.now() - begun;
  const [registered] = await sql<{ rows: number; stored: number }[]>`
    select (select count(*)::int from event_registrations where tenant_id = ${ids.tenantA} and event_id = ${event!.id} and status = 'CONFIRMED') as rows,
           (select confirmed_count from events where tenant_id = ${ids.tenantA} and id = ${event!.id}) as stored`;
  races.push(tally("event registrations", registrations, wall, registered!.rows, registered!.stored));

  for (const race of races) {
    bench.progress(
      `    ${race.name}: ${race.succeeded} succeeded, ${race.conflicts} CONFLICT, ${race.otherErrors} other, overbooked ${race.overbooked}, stored ${race.storedCount}, ${race.wallMs} ms`,
    );
    if (race.otherErrors) bench.progress(`      other errors: ${race.otherErrorSamples.join(" | ")}`);
    if (race.overbooked > 0 || race.succeeded > PLACES) {
      throw new Error(`contention: ${race.name} overbooked (${race.succeeded} succeeded for ${PLACES} places)`);
    }
  }
  return { races };
}
