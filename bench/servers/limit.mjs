/**
 * The "limit": what one can do by hand. A bare node:http server whose every
 * answer is ONE prepared SQL statement that builds the whole JSON response
 * (json_build_object / json_agg), run as `BEGIN; set_config(role, tenant, user);
 * the statement; COMMIT` under the same row-level security as Roster
 * (server/db/scope.ts) — the set_config and the statement are pipelined.
 *
 *   POST /nested | /nested10 | /me         body ignored
 *   POST /course                           body {"id": "<course id>"}
 *   GET  /health
 *
 * Answers are shaped like Roster's `{"data": …}` so one normaliser reads both.
 */
import { createServer } from "node:http";
import postgres from "postgres";

const { DATABASE_URL, PORT, BENCH_TENANT_ID, BENCH_USER_ID } = process.env;
const sql = postgres(DATABASE_URL, { max: 10, prepare: true, onnotice: () => {}, connection: { application_name: "bench-limit" } });

/** One course as JSON, Roster's shape; `lectureLimit` and `counts` vary by scenario. */
const courseJson = (lectureLimit, counts) => `json_build_object(
  'id', c.id,
  'name', c.name,
  'price', json_build_object('amount', c.price::text, 'currency', c.currency),
  'season', (select json_build_object('id', s.id, 'name', s.name) from seasons s where s.tenant_id = c.tenant_id and s.id = c.season_id),
  'instructor', (select json_build_object('id', i.id, 'specialty', i.specialty, 'user', json_build_object('firstName', u.first_name, 'lastName', u.last_name))
                 from instructors i join users u on u.id = i.user_id where i.tenant_id = c.tenant_id and i.id = c.instructor_id),
  'tags', (select coalesce(json_agg(json_build_object('id', t.id, 'name', t.name) order by t.name, t.id), '[]'::json)
           from course_tags ct join tags t on t.tenant_id = ct.tenant_id and t.id = ct.tag_id
           where ct.tenant_id = c.tenant_id and ct.course_id = c.id),
  'lectures', json_build_object('nodes', (
    select coalesce(json_agg(json_build_object(
      'id', l.id, 'date', l.date, 'startTime', l.start_time, 'durationMinutes', l.duration_minutes, 'title', l.title, 'status', l.status
      ${counts ? `, 'attendanceSummary', (select json_build_object('present', count(*) filter (where a.present), 'absent', count(*) filter (where not a.present))
                                          from lecture_attendance a where a.tenant_id = l.tenant_id and a.lecture_id = l.id)` : ""}
    ) order by l.date, l.start_time, l.id), '[]'::json)
    from (select * from lectures l where l.tenant_id = c.tenant_id and l.course_id = c.id order by l.date, l.start_time, l.id limit ${lectureLimit}) l
  ))
)`;

const coursesPage = (lectureLimit, counts) => `
select json_build_object('courses', json_build_object('nodes', coalesce(json_agg(x.course order by x.name, x.id), '[]'::json)))::text as body
from (select c.name, c.id, ${courseJson(lectureLimit, counts)} as course from courses c order by c.name, c.id limit 50) x`;

const STATEMENTS = {
  nested: { text: coursesPage(100, false), params: () => [] },
  nested10: { text: coursesPage(10, true), params: () => [] },
  course: {
    text: `select json_build_object('course', ${courseJson(100, false)})::text as body from courses c where c.id = $1`,
    params: (body) => [body.id],
  },
  me: {
    text: `
select json_build_object('me', json_build_object(
  'id', u.id, 'firstName', u.first_name, 'lastName', u.last_name, 'email', u.email,
  'membership', (select json_build_object('id', m.id, 'roles', m.roles) from memberships m where m.user_id = u.id and m.tenant_id = app_tenant_id())
))::text as body
from users u where u.id = app_user_id()`,
    params: () => [],
  },
};

async function answer(name, body) {
  const statement = STATEMENTS[name];
  const rows = await sql.begin((tx) => {
    // Pipelined: both go out before the first answer comes back.
    const scope = tx`select set_config('app.tenant_id', ${BENCH_TENANT_ID}, true), set_config('app.user_id', ${BENCH_USER_ID}, true), set_config('role', 'roster_app', true)`;
    const result = tx.unsafe(statement.text, statement.params(body), { prepare: true });
    return Promise.all([scope, result]).then(([, result]) => result);
  });
  return `{"data":${rows[0]?.body ?? "null"}}`;
}

const server = createServer((req, res) => {
  if (req.method === "GET" && req.url === "/health") return void res.end("ok");
  const name = req.url?.slice(1);
  if (req.method !== "POST" || !name || !(name in STATEMENTS)) {
    res.statusCode = 404;
    return void res.end();
  }
  const chunks = [];
  req.on("data", (chunk) => chunks.push(chunk));
  req.on("end", () => {
    let body = {};
    try {
      if (chunks.length) body = JSON.parse(Buffer.concat(chunks).toString());
    } catch {
      res.statusCode = 400;
      return void res.end();
    }
    answer(name, body).then(
      (json) => {
        res.setHeader("content-type", "application/json");
        res.end(json);
      },
      (error) => {
        console.error(error);
        res.statusCode = 500;
        res.end(JSON.stringify({ errors: [{ message: String(error.message) }] }));
      },
    );
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(PORT), "127.0.0.1");

const stop = async () => {
  server.close();
  await sql.end({ timeout: 2 });
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
