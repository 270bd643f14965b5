/**
 * Scenario 8, subscription fan-out (issue 15): two Roster instances on one
 * PostgreSQL and one Redis; N graphql-ws clients (staff of tenant A, split
 * evenly across both instances, spread over two client processes) on one
 * course's attendanceUpdated; M marks at 5 per second through instance A.
 * Then the register-screen payload at N = 1,000, and the churn check.
 */
import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";
import { Redis } from "ioredis";
import { elapsed, fits, type Bench } from "../context";
import { backendPids, committedTransactions } from "../db";
import { dataOf, gql, metricsText, metricValue } from "../http";
import { heapAfterGc } from "../inspector";
import { percentile } from "../load";
import { cpuSecondsBetween, cpuTicks, freePort, memoryOf, rssSampler, sleep, ticksOf, waitFor } from "../proc";
import { rosterQueries } from "../queries";
import { login, loginMany } from "../roster";
import { BENCH_DIR, REDIS_URL, startRoster, type Server } from "../servers";

const MARKS_PER_SECOND = 5;

interface Latency {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface Burst {
  subscribers: number;
  payload: "minimal" | "register screen";
  expected: number;
  delivered: number;
  lost: number;
  duplicated: number;
  /** Events the clients got that were not one of this burst's marks (errors, strays). */
  other: number;
  latency: Latency;
  /** From the mark's mutation answer to each receipt (negative: delivered before the answer). */
  afterAnswer: Latency;
  mutation: Latency;
  postgresCpuSeconds: number;
  rosterCpuSeconds: [number, number];
  clientCpuSeconds: number;
  transactionsPerEvent: number;
  sqlStatementsPerEvent: number | null;
  /** RSS growth of both instances per connection added for this burst (null when none were added). */
  memoryPerConnectionKiB: number | null;
  /** Live heap (after a forced GC) growth of both instances per connection added (null when none were added). */
  heapPerConnectionKiB: number | null;
  /** RSS of each instance after the burst, and its peak while connecting and during the burst. */
  rssMiB: [number, number];
  peakRssMiB: [number, number];
  unexpectedCloses: Record<string, number>;
  drainedInMs: number;
}

export interface Churn {
  cycles: number;
  sockets: number;
  /** Until both servers were idle again. */
  seconds: number;
  /** Until the clients had sent every subscribe and complete. */
  clientSeconds: number;
  cyclesPerSecond: number;
  errors: number;
  heapBeforeMiB: number[];
  heapAfterMiB: number[];
  subscriptionsBefore: number;
  subscriptionsAfter: number;
  redisChannelsBefore: number;
  redisChannelsAfter: number;
  redisChannelNamesAfter: string[];
  backToBaseline: boolean;
}

export interface FanoutResult {
  marks: number;
  marksPerSecond: number;
  drainMs: number;
  idleMutation: Latency;
  bursts: Burst[];
  clientCpuSeconds: number[];
  churn?: Churn;
}

interface Instance {
  server: Server;
  inspectPort: number;
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const mib = (bytes: number) => Math.round(bytes / 1048576);

function latencyOf(values: number[]): Latency {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50Ms: round1(percentile(sorted, 0.5)), p99Ms: round1(percentile(sorted, 0.99)), maxMs: round1(sorted[sorted.length - 1] ?? NaN) };
}

/** A client process and a promise for its next message of a type. */
class Swarm {
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  private waiting = new Map<string, ((message: any) => void)[]>();

  constructor(name: string) {
    this.child = fork(path.join(BENCH_DIR, "src", "fanout-client.ts"), [], {
      execArgv: ["--import", "tsx"],
      cwd: BENCH_DIR,
      serialization: "advanced",
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      env: { ...process.env, BENCH_SWARM: name },
    });
    this.child.on("message", (message: any) => this.waiting.get(message.type)?.shift()?.(message));
    this.ready = this.request({}, "ready", 30_000).then(() => {});
    this.ready.catch(() => {}); // awaited later; a failure surfaces there
  }

  request<T = any>(message: Record<string, unknown>, answer: string, timeoutMs = 120_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`client process: no "${answer}" within ${timeoutMs} ms`)), timeoutMs);
      const list = this.waiting.get(answer) ?? [];
      list.push((value) => {
        clearTimeout(timer);
        resolve(value);
      });
      this.waiting.set(answer, list);
      if (message.type) this.child.send(message);
    });
  }

  cpuTicks() {
    return cpuTicks(this.child.pid!);
  }
}

async function subscriptionCount(instances: Instance[]): Promise<number> {
  let total = 0;
  for (const instance of instances) total += metricValue(await metricsText(instance.server.baseUrl), "roster_ws_subscriptions") ?? 0;
  return total;
}

/**
 * The fan-out course, made fresh for the run: 30 students enrolled and one lecture
 * per mark the scenario will send, so a subscriber's `lectureId` names the mark.
 */
async function createFanoutCourse(bench: Bench, lectures: number) {
  const { sql, ids } = bench;
  const [course] = await sql<{ id: string }[]>`
    insert into courses (tenant_id, name, description, starts_on, ends_on, price, currency, capacity, is_published)
    values (${ids.tenantA}, ${`zz Fan-out ${Date.now()}`}, 'Live attendance for the bench', current_date - 400, current_date + 400, 100, 'EGP', 40, true)
    returning id`;
  await sql`insert into course_schedules (tenant_id, course_id, weekday, start_time) values (${ids.tenantA}, ${course!.id}, 0, '10:00')`;
  const lectureRows = await sql<{ id: string }[]>`
    insert into lectures (tenant_id, course_id, date, start_time, title)
    select ${ids.tenantA}, ${course!.id}, current_date - 400 + k, '10:00', 'Fan-out ' || k from generate_series(0, ${lectures - 1}) k
    returning id, date`;
  const studentRows = await sql<{ id: string }[]>`
    insert into enrollments (tenant_id, course_id, student_id)
    select tenant_id, ${course!.id}, id from students where tenant_id = ${ids.tenantA} order by id limit 30
    returning student_id as id`;
  return { id: course!.id, lectureIds: lectureRows.map((row) => row.id), studentIds: studentRows.map((row) => row.id) };
}

/** Sends one mark per lecture at MARKS_PER_SECOND through `url`; resolves with send and answer times. */
async function sendMarks(
  bench: Bench,
  url: string,
  token: string,
  lectureIds: string[],
  studentIds: string[],
): Promise<{ sentAt: number[]; answeredAt: number[]; latencies: number[] }> {
  const query = rosterQueries(bench.lecturesForm).markAttendance;
  const sentAt: number[] = [];
  const answeredAt: number[] = [];
  const latencies: number[] = [];
  const begun = performance.now();
  const pending: Promise<void>[] = [];
  for (const [k, lectureId] of lectureIds.entries()) {
    const wait = begun + (k * 1000) / MARKS_PER_SECOND - performance.now();
    if (wait > 0) await sleep(wait);
    sentAt[k] = performance.timeOrigin + performance.now();
    const marks = [{ participantId: studentIds[k % studentIds.length], present: true, rating: "9.00", notes: `bench mark ${k}` }];
    pending.push(
      gql(url, query, { lectureId, marks }, { authorization: `Bearer ${token}` }).then((result) => {
        dataOf(result, `markAttendance ${k}`);
        answeredAt[k] = performance.timeOrigin + performance.now();
        latencies[k] = result.ms;
      }),
    );
  }
  await Promise.all(pending);
  return { sentAt, answeredAt, latencies };
}

export async function runFanout(bench: Bench): Promise<FanoutResult> {
  const { options, ids } = bench;
  const wants = (name: string) => !options.only || options.only.has(name);
  bench.progress(`\n[${elapsed(bench)}] subscriptions: two Roster instances on PostgreSQL and Redis`);

  const instances: Instance[] = [];
  for (const name of ["roster-a", "roster-b"]) {
    const inspectPort = await freePort();
    instances.push({
      server: await startRoster({ name, logDir: bench.logDir, databaseUrl: bench.dbUrl, nodeArgs: [`--inspect=127.0.0.1:${inspectPort}`] }),
      inspectPort,
    });
  }
  const [a, b] = instances as [Instance, Instance];
  const urls = instances.map((instance) => instance.server.baseUrl);
  const adminToken = await login(a.server.baseUrl, ids.adminEmail);
  const viewerTokens = await loginMany(a.server.baseUrl, ids.staffEmails);
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  const swarms = [new Swarm("clients-1"), new Swarm("clients-2")];
  const result: FanoutResult = {
    marks: options.fanoutMarks,
    marksPerSecond: MARKS_PER_SECOND,
    drainMs: options.drainMs,
    idleMutation: { p50Ms: NaN, p99Ms: NaN, maxMs: NaN },
    bursts: [],
    clientCpuSeconds: [],
  };
  const clientCpuStart = swarms.map((swarm) => swarm.cpuTicks());

  try {
    await Promise.all(swarms.map((swarm) => swarm.ready));
    const graphqlA = `${a.server.baseUrl}/graphql`;
    const sizes = [...options.fanoutSizes].sort((x, y) => x - y);
    const M = options.fanoutMarks;
    // One lecture per mark sent: the idle measure (5 + M), then per burst, register screen included, a warm-up of 5 and M.
    const course = await createFanoutCourse(bench, 5 + M + (5 + M) * (sizes.length + 1));
    const courseId = course.id;
    let lectureCursor = 0;
    /** The next `n` unused lectures: every burst marks lectures of its own, so late events cannot be mistaken. */
    const lectures = (n: number) => {
      const ids = course.lectureIds.slice(lectureCursor, (lectureCursor += n));
      // Too few would send fewer marks than the burst expects, and count the rest as lost.
      if (ids.length < n) throw new Error(`fan-out course: ${n} lectures wanted, ${ids.length} left`);
      return ids;
    };
    const sqlCounter = "roster_sql_statements_total";

    // The leak check first: it needs no audience and is cheap next to a burst.
    if (wants("churn") && fits(bench, `churn (${options.churnCycles} cycles)`, 10 + options.churnCycles / 200)) {
      result.churn = await churn(bench, instances, swarms[0]!, viewerTokens[0]!, redis, courseId);
    }

    if (wants("fanout") || wants("register")) {
      // Mutation latency with nobody watching (first a few to warm up).
      await sendMarks(bench, graphqlA, adminToken, lectures(5), course.studentIds);
      const idle = await sendMarks(bench, graphqlA, adminToken, lectures(M), course.studentIds);
      result.idleMutation = latencyOf(idle.latencies);
      bench.progress(`  [${elapsed(bench)}] ${M} marks with no audience: mutation p50 ${result.idleMutation.p50Ms} ms, p99 ${result.idleMutation.p99Ms} ms`);
    }

    let connected = 0;
    const connect = async (target: number, query: string) => {
      const add = target - connected;
      if (add <= 0) return;
      const half = Math.ceil(add / 2);
      const parts = [half, add - half];
      const answers = await Promise.all(
        swarms.map((swarm, i) =>
          swarm.request(
            { type: "connect", add: parts[i], startIndex: connected + (i === 0 ? 0 : half), urls, tokens: viewerTokens, query, variables: { courseId } },
            "connected",
            180_000,
          ),
        ),
      );
      const failed = answers.reduce((sum, answer) => sum + answer.failed, 0);
      if (failed) throw new Error(`fan-out: ${failed} of ${add} clients could not connect: ${answers.flatMap((answer) => answer.errors).join(" | ")}`);
      connected = target;
      // Subscribed on the server (the source stream exists) once the gauge counts them all.
      await waitFor(`${target} subscriptions on the two instances`, async () => (await subscriptionCount(instances)) >= target, 120_000);
    };

    const burst = async (subscribers: number, payload: Burst["payload"], query: string): Promise<Burst> => {
      const added = subscribers - connected;
      const heapBefore = added > 0 ? await Promise.all(instances.map((instance) => heapAfterGc(instance.inspectPort))) : [];
      const rssBefore = instances.map((instance) => memoryOf(instance.server.proc.pid).rss);
      const peaks = instances.map((instance) => rssSampler(instance.server.proc.pid, 200));
      let t = Date.now();
      await connect(subscribers, query);
      await sleep(1000);
      const rssIdle = instances.map((instance) => memoryOf(instance.server.proc.pid).rss);
      const heapIdle = added > 0 ? await Promise.all(instances.map((instance) => heapAfterGc(instance.inspectPort))) : [];
      const perConnection = (after: number[], before: number[]) =>
        added > 0 ? Math.round((after[0]! + after[1]! - before[0]! - before[1]!) / added / 1024) : null;
      const memoryPerConnectionKiB = perConnection(rssIdle, rssBefore);
      const heapPerConnectionKiB = perConnection(heapIdle, heapBefore);
      bench.progress(`  [${elapsed(bench)}] ${subscribers} subscribers (${payload}) connected in ${((Date.now() - t) / 1000).toFixed(1)} s; sending ${options.fanoutMarks} marks`);

      // Warm-up with this audience connected (its code paths compiled, its documents planned), not measured:
      // the clients count only the burst's lectures, set by the reset below.
      await sendMarks(bench, graphqlA, adminToken, lectures(5), course.studentIds);
      await sleep(1000);

      const burstLectures = lectures(M);
      // Acknowledged: a client process still busy with the warm-up must not count the first marks under the old lectures.
      await Promise.all(swarms.map((swarm) => swarm.request({ type: "reset", lectures: burstLectures }, "reset-done")));
      const metricsBefore = await Promise.all(urls.map(metricsText));
      const pids = await backendPids(bench.sql);
      const pgBefore = ticksOf(pids);
      const rosterBefore = instances.map((instance) => cpuTicks(instance.server.proc.pid));
      const clientsBefore = swarms.map((swarm) => swarm.cpuTicks());
      const xactBefore = await committedTransactions(bench.sql);
      t = Date.now();
      const expected = subscribers * M;
      const sent = await sendMarks(bench, graphqlA, adminToken, burstLectures, course.studentIds);
      const deadline = Date.now() + options.drainMs;
      let received = 0;
      while (Date.now() < deadline) {
        const counts = await Promise.all(swarms.map((swarm) => swarm.request({ type: "count" }, "count")));
        received = counts.reduce((sum, count) => sum + count.receipts, 0);
        if (received >= expected) break;
        await sleep(250);
      }
      const drainedInMs = Date.now() - t;
      const pgCpu = cpuSecondsBetween(pgBefore, ticksOf([...new Set([...pids, ...(await backendPids(bench.sql))])]));
      const rosterCpu = instances.map((instance, i) => (cpuTicks(instance.server.proc.pid) - rosterBefore[i]!) / 100) as [number, number];
      const clientCpu = swarms.reduce((sum, swarm, i) => sum + (swarm.cpuTicks() - clientsBefore[i]!) / 100, 0);
      await sleep(1500); // late duplicates arrive; PostgreSQL flushes its statistics
      const xactAfter = await committedTransactions(bench.sql);
      const metricsAfter = await Promise.all(urls.map(metricsText));
      const collected = await Promise.all(swarms.map((swarm) => swarm.request({ type: "collect" }, "receipts")));

      const seen = new Map<number, number>();
      const latencies: number[] = [];
      const afterAnswer: number[] = [];
      let other = 0;
      const closes: Record<string, number> = {};
      for (const answer of collected) {
        other += answer.other;
        for (const [code, n] of Object.entries(answer.closes as Record<string, number>)) closes[code] = (closes[code] ?? 0) + n;
        const r = answer.receipts as Float64Array;
        for (let i = 0; i < r.length; i += 3) {
          const client = r[i]!;
          const k = r[i + 1]!;
          const at = r[i + 2]!;
          const key = client * 100_000 + k;
          seen.set(key, (seen.get(key) ?? 0) + 1);
          if (sent.sentAt[k] === undefined) continue;
          latencies.push(at - sent.sentAt[k]!);
          afterAnswer.push(at - sent.answeredAt[k]!);
        }
      }
      const delivered = seen.size;
      // Which marks went missing, and for how many subscribers each (a lost event shows as one mark missed by all).
      const receivedOf = new Map<number, number>();
      for (const key of seen.keys()) receivedOf.set(key % 100_000, (receivedOf.get(key % 100_000) ?? 0) + 1);
      const missedBy = new Map<number, number>();
      for (let k = 0; k < M; k++) if ((receivedOf.get(k) ?? 0) < subscribers) missedBy.set(k, subscribers - (receivedOf.get(k) ?? 0));
      if (missedBy.size)
        bench.progress(`    missing marks (k: subscribers that missed it): ${[...missedBy].slice(0, 20).map(([k, n]) => `${k}: ${n}`).join(", ")}`);
      const duplicated = [...seen.values()].reduce((sum, n) => sum + n - 1, 0);
      const statementsDelta = urls.reduce((sum, _url, i) => {
        const before = metricValue(metricsBefore[i]!, sqlCounter);
        const after = metricValue(metricsAfter[i]!, sqlCounter);
        return before === undefined || after === undefined ? NaN : sum + after - before;
      }, 0);
      const outcome: Burst = {
        subscribers,
        payload,
        expected,
        delivered,
        lost: expected - delivered,
        duplicated,
        other,
        latency: latencyOf(latencies),
        afterAnswer: latencyOf(afterAnswer),
        mutation: latencyOf(sent.latencies),
        postgresCpuSeconds: round1(pgCpu),
        rosterCpuSeconds: rosterCpu.map(round1) as [number, number],
        clientCpuSeconds: round1(clientCpu),
        // The bench's own two reads of the statistics are subtracted.
        transactionsPerEvent: round1((xactAfter - xactBefore - 2) / options.fanoutMarks),
        sqlStatementsPerEvent: Number.isFinite(statementsDelta) ? round1(statementsDelta / options.fanoutMarks) : null,
        memoryPerConnectionKiB,
        heapPerConnectionKiB,
        rssMiB: instances.map((instance) => mib(memoryOf(instance.server.proc.pid).rss)) as [number, number],
        peakRssMiB: peaks.map((peak) => mib(peak.stop())) as [number, number],
        unexpectedCloses: closes,
        drainedInMs,
      };
      bench.progress(
        `    delivered ${delivered}/${expected}, lost ${outcome.lost}, duplicated ${duplicated}; latency p50 ${outcome.latency.p50Ms} ms, p99 ${outcome.latency.p99Ms} ms, max ${outcome.latency.maxMs} ms; ` +
          `mutation p50 ${outcome.mutation.p50Ms} ms; PostgreSQL ${outcome.postgresCpuSeconds} s CPU; ${outcome.transactionsPerEvent} transactions/event`,
      );
      if (Object.keys(closes).length) bench.progress(`    sockets closed during the burst: ${JSON.stringify(closes)}`);
      return outcome;
    };

    /**
     * How long a burst for `n` subscribers should take: connecting, marking, then the
     * last burst's drain time per subscriber scaled to `n` (times `heavier` for a
     * costlier payload) — never more than the drain window allows.
     */
    const estimate = (n: number, heavier = 1) => {
      const last = result.bursts[result.bursts.length - 1];
      const marking = options.fanoutMarks / MARKS_PER_SECOND;
      const drain = last ? Math.max(0, last.drainedInMs / 1000 - marking) * (n / last.subscribers) * heavier : 2;
      return 8 + n / 250 + marking + Math.min(drain, options.drainMs / 1000);
    };
    if (wants("fanout")) {
      const { attendanceMinimal } = rosterQueries(bench.lecturesForm);
      for (const size of sizes) {
        if (!fits(bench, `fan-out at ${size} subscribers`, estimate(size))) break;
        result.bursts.push(await burst(size, "minimal", attendanceMinimal));
      }
    }
    const closeAll = async () => {
      await Promise.all(swarms.map((swarm) => swarm.request({ type: "close" }, "closed")));
      connected = 0;
      await quiesce(instances);
    };
    // Selecting names costs more per subscriber than the minimal payload.
    if (wants("register") && fits(bench, `register-screen fan-out at ${options.registerSize}`, estimate(options.registerSize, 2))) {
      await closeAll();
      result.bursts.push(await burst(options.registerSize, "register screen", rosterQueries(bench.lecturesForm).attendanceRegister));
    }
    if (result.bursts.length && result.bursts[0]!.sqlStatementsPerEvent === null) {
      bench.notes.push(`SQL statements per event: Roster exposes no ${sqlCounter} counter on /metrics yet (transactions per event come from pg_stat_database).`);
    }
  } finally {
    result.clientCpuSeconds = swarms.map((swarm, i) => round1((swarm.cpuTicks() - clientCpuStart[i]!) / 100));
    for (const swarm of swarms) swarm.child.kill();
    redis.disconnect();
    await Promise.all(instances.map((instance) => instance.server.stop()));
  }
  return result;
}

/**
 * Waits until both instances have no subscription left and have been idle (CPU) for a
 * while: a client's `complete` can arrive before the server finished setting the
 * subscription up, and that work must be over before the heap is read.
 */
async function quiesce(instances: Instance[], timeoutMs = 60_000): Promise<number> {
  const begun = Date.now();
  let quietRounds = 0;
  while (Date.now() - begun < timeoutMs) {
    const before = instances.map((instance) => cpuTicks(instance.server.proc.pid));
    await sleep(400);
    const busy = instances.some((instance, i) => cpuTicks(instance.server.proc.pid) - before[i]! > 2);
    quietRounds = !busy && (await subscriptionCount(instances)) === 0 ? quietRounds + 1 : 0;
    if (quietRounds >= 2) return Date.now() - begun;
  }
  throw new Error(`the instances did not settle within ${timeoutMs} ms (subscriptions: ${await subscriptionCount(instances)})`);
}

async function churn(bench: Bench, instances: Instance[], swarm: Swarm, token: string, redis: Redis, courseId: string): Promise<Churn> {
  const cycles = bench.options.churnCycles;
  const sockets = 4;
  const query = rosterQueries(bench.lecturesForm).attendanceMinimal;
  const urls = instances.map((instance) => instance.server.baseUrl);
  const run = (n: number) =>
    swarm.request({ type: "churn", urls, token, sockets, cycles: n, slots: 8, holdMs: 20, query, variables: { courseId } }, "churned", 300_000);
  const heaps = () => Promise.all(instances.map((instance) => heapAfterGc(instance.inspectPort)));
  const channels = async () => {
    const names = (await redis.pubsub("CHANNELS", `*${bench.ids.tenantA}*`)) as string[];
    return { count: names.length, names };
  };

  bench.progress(`  [${elapsed(bench)}] churn: ${cycles} subscribe/complete cycles over ${sockets} sockets`);
  await run(200); // warm-up: code paths compiled, pools and caches filled
  await quiesce(instances);
  const heapBefore = await heaps();
  const subscriptionsBefore = await subscriptionCount(instances);
  const channelsBefore = await channels();
  const begun = performance.now();
  const outcome = await run(cycles);
  const clientSeconds = (performance.now() - begun) / 1000;
  // The server may still be setting up subscriptions the clients already completed.
  await quiesce(instances, 120_000);
  const seconds = (performance.now() - begun) / 1000 - 0.8; // minus quiesce's two quiet samples
  const heapAfter = await heaps();
  const subscriptionsAfter = await subscriptionCount(instances);
  const channelsAfter = await channels();
  // Within 2 MiB (allocator and JIT noise) or 5 %, whichever is larger.
  const heapOk = heapAfter.every((after, i) => after - heapBefore[i]! <= Math.max(2 * 1048576, heapBefore[i]! * 0.05));
  const result: Churn = {
    cycles: outcome.done,
    sockets,
    seconds: round1(seconds),
    clientSeconds: round1(clientSeconds),
    cyclesPerSecond: round1(outcome.done / seconds),
    errors: outcome.errors,
    heapBeforeMiB: heapBefore.map((bytes) => round1(bytes / 1048576)),
    heapAfterMiB: heapAfter.map((bytes) => round1(bytes / 1048576)),
    subscriptionsBefore,
    subscriptionsAfter,
    redisChannelsBefore: channelsBefore.count,
    redisChannelsAfter: channelsAfter.count,
    redisChannelNamesAfter: channelsAfter.names,
    backToBaseline: heapOk && subscriptionsAfter === subscriptionsBefore && channelsAfter.count === channelsBefore.count,
  };
  bench.progress(
    `    ${result.cycles} cycles in ${result.seconds} s (clients done after ${result.clientSeconds} s; ${result.errors} errors); heap ${result.heapBeforeMiB.join("/")} → ${result.heapAfterMiB.join("/")} MiB; ` +
      `subscriptions ${subscriptionsBefore} → ${subscriptionsAfter}; Redis channels ${channelsBefore.count} → ${channelsAfter.count}${channelsAfter.count ? ` (${channelsAfter.names.join(", ")})` : ""}`,
  );
  if (outcome.errors) bench.progress(`    churn errors: ${outcome.errorSamples.join(" | ")}`);
  return result;
}
