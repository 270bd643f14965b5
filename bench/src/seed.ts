/**
 * The dataset, written with set-based SQL as the table owner (no row-level
 * security; every constraint and trigger still applies): two tenants, each with
 * 200 courses (season, instructor, 0–3 tags, a weekly slot), 20 lectures per
 * course, students and enrolments, ~38k attendance marks; an admin, staff and
 * instructors with memberships. Every account has the same password, hashed
 * with Roster's own hasher (cheap argon2 parameters: the bench logs in hundreds).
 */
import type { Sql } from "./db";

export type Sizes = { [K in keyof typeof SIZES]: number };

export const SIZES = {
  courses: 200,
  lecturesPerCourse: 20,
  /** Lectures 1..markedLectures of every course have a mark for each enrolled student. */
  markedLectures: 19,
  studentsPerCourse: 10,
  /** Course 001 of each tenant has this many students (the markAttendance and fan-out course). */
  studentsInBigCourse: 30,
  students: 1200,
  staff: 20,
  instructors: 20,
  seasons: 4,
  tags: 10,
} as const;

export const PASSWORD = "bench-password-1";

/**
 * The two tenants. Slugs carry the run's id: Roster caches tenants by slug in
 * Redis (shared by every database on it), so a slug reused by the next run
 * would resolve to the previous run's tenant for a while.
 */
export const RUN_ID = Date.now().toString(36);
export const TENANTS = [
  { slug: `bench-${RUN_ID}-a`, name: "Bench Centre A" },
  { slug: `bench-${RUN_ID}-b`, name: "Bench Centre B" },
] as const;

export const emailOf = (tenantSlug: string, kind: "admin" | "staff" | "instructor" | "student", n: number) =>
  `${tenantSlug}-${kind}-${n}@bench.example`;
export const ADMIN_EMAIL = emailOf(TENANTS[0].slug, "admin", 1);

/** Builds the whole seed as one script (numbers and the hash are the only values interpolated). */
export function seedScript(passwordHash: string, s: Sizes = SIZES): string {
  if (!/^\$argon2id?\$[A-Za-z0-9$=,+/.-]+$/.test(passwordHash)) throw new Error("unexpected password hash format");
  const slugs = TENANTS.map((t) => `'${t.slug}'`).join(", ");
  return `
insert into tenants (slug, name, time_zone, currency, default_language)
values ${TENANTS.map((t) => `('${t.slug}', '${t.name}', 'Africa/Cairo', 'EGP', 'en')`).join(", ")};

create temp table bench_people as
select t.id as tenant_id, t.slug, k.kind, n, gen_random_uuid() as user_id
from tenants t
cross join (values ('admin', 1), ('staff', ${s.staff}), ('instructor', ${s.instructors}), ('student', ${s.students})) as k(kind, cnt)
cross join lateral generate_series(1, k.cnt) as n
where t.slug in (${slugs});
analyze bench_people;

insert into users (id, email, password_hash, first_name, last_name, preferred_language, is_verified, email_verified_at)
select user_id, format('%s-%s-%s@bench.example', slug, kind, n), '${passwordHash}',
       initcap(kind) || ' ' || n, 'Bench ' || upper(right(slug, 1)), 'en', true, now()
from bench_people;

insert into memberships (tenant_id, user_id, roles)
select tenant_id, user_id, array[upper(kind)]::membership_role[] from bench_people;

insert into instructors (tenant_id, user_id, specialty, bio)
select tenant_id, user_id, (array['Quran', 'Arabic', 'Robotics', 'Mathematics', 'Chess'])[1 + n % 5], 'Teaches since ' || (2000 + n)
from bench_people where kind = 'instructor';

insert into students (tenant_id, user_id, school, grade)
select tenant_id, user_id, 'School ' || (1 + n % 12), 'Grade ' || (1 + n % 9)
from bench_people where kind = 'student';
analyze users, memberships, instructors, students;

insert into seasons (tenant_id, name, kind, starts_on, ends_on, is_active)
select t.id, 'Season ' || n, (array['SCHOOL', 'SUMMER_CAMP', 'RAMADAN', 'OTHER'])[n]::season_kind,
       current_date - 120 + 60 * (n - 1), current_date + 60 * n, n = 1
from tenants t cross join generate_series(1, ${s.seasons}) n where t.slug in (${slugs});

insert into tags (tenant_id, name)
select t.id, 'Tag ' || lpad(n::text, 2, '0') from tenants t cross join generate_series(1, ${s.tags}) n where t.slug in (${slugs});

-- Names are unique per tenant and not in id order; a few courses lack a season or an instructor.
create temp table bench_courses as
select t.id as tenant_id, n, gen_random_uuid() as id,
       (array['Quran', 'Arabic', 'Robotics', 'Mathematics', 'Chess', 'Calligraphy', 'Physics', 'English', 'Art', 'Swimming'])[1 + (n * 7) % 10]
         || ' ' || lpad(n::text, 3, '0') as name,
       current_date - 133 + (n % 14) as starts_on
from tenants t cross join generate_series(1, ${s.courses}) n where t.slug in (${slugs});
analyze bench_courses;

insert into courses (tenant_id, id, season_id, instructor_id, name, description, starts_on, ends_on, price, currency, capacity, is_published)
select c.tenant_id, c.id,
       case when c.n % 30 = 0 then null else (select id from seasons s where s.tenant_id = c.tenant_id order by name offset c.n % ${s.seasons} limit 1) end,
       case when c.n % 25 = 0 then null else (select i.id from instructors i join bench_people p on p.user_id = i.user_id
                                              where i.tenant_id = c.tenant_id and p.n = 1 + c.n % ${s.instructors}) end,
       c.name, 'Course number ' || c.n, c.starts_on, c.starts_on + 7 * ${s.lecturesPerCourse},
       (100 + (c.n * 37) % 500 + case when c.n % 3 = 0 then 0.5 else 0 end)::numeric(12, 2), 'EGP', 40, true
from bench_courses c;

insert into course_tags (tenant_id, course_id, tag_id)
select c.tenant_id, c.id, (select id from tags t where t.tenant_id = c.tenant_id order by name offset (c.n + 3 * j) % ${s.tags} limit 1)
from bench_courses c cross join lateral generate_series(0, c.n % 4 - 1) j;

insert into course_schedules (tenant_id, course_id, weekday, start_time, duration_minutes)
select tenant_id, id, n % 7, make_time(14 + n % 6, case when n % 2 = 0 then 0 else 30 end, 0), case when n % 3 = 0 then 90 else 60 end
from bench_courses;

insert into lectures (tenant_id, course_id, date, start_time, duration_minutes, title, status, attendance_taken, cancelled_reason)
select c.tenant_id, c.id, c.starts_on + 7 * (k - 1), cs.start_time, cs.duration_minutes,
       case when k % 5 = 0 then null else 'Lesson ' || k end,
       (case when k <= ${s.markedLectures} then 'COMPLETED' when c.n % 10 = 0 then 'CANCELLED' else 'SCHEDULED' end)::lecture_status,
       k <= ${s.markedLectures},
       case when k > ${s.markedLectures} and c.n % 10 = 0 then 'Holiday' end
from bench_courses c
join course_schedules cs on cs.tenant_id = c.tenant_id and cs.course_id = c.id
cross join generate_series(1, ${s.lecturesPerCourse}) k;
analyze courses, course_schedules, lectures;

-- Course n takes students n*10 .. n*10+9 (wrapping); course 1 takes ${s.studentsInBigCourse}.
insert into enrollments (tenant_id, course_id, student_id, status)
select c.tenant_id, c.id, st.id, 'ACTIVE'
from bench_courses c
cross join lateral generate_series(0, case when c.n = 1 then ${s.studentsInBigCourse} else ${s.studentsPerCourse} end - 1) j
join bench_people p on p.tenant_id = c.tenant_id and p.kind = 'student' and p.n = 1 + ((c.n - 1) * ${s.studentsPerCourse} + j) % ${s.students}
join students st on st.tenant_id = c.tenant_id and st.user_id = p.user_id;
analyze enrollments;

insert into lecture_attendance (tenant_id, lecture_id, student_id, status, rating, source, marked_at)
select l.tenant_id, l.id, e.student_id, case when x.present then 'PRESENT' else 'ABSENT' end::attendance_status, case when x.present then 6 + (x.h % 9) * 0.5 end, 'MANUAL', l.date + l.start_time
from lectures l
join enrollments e on e.tenant_id = l.tenant_id and e.course_id = l.course_id
cross join lateral (select hashtext(l.id::text || e.student_id::text)::bigint & 2147483647 as h) hh
cross join lateral (select hh.h as h, hh.h % 6 <> 0 as present) x
where l.attendance_taken and l.tenant_id in (select id from tenants where slug in (${slugs}));

analyze;
`;
}

export interface SeedIds {
  tenantA: string;
  tenantB: string;
  adminId: string;
  adminEmail: string;
  staffEmails: string[];
  /** Course 001 of tenant A: ${SIZES.studentsInBigCourse} students, lectures to mark. */
  bigCourse: { id: string; lectureIds: string[]; studentIds: string[] };
  /** A course of tenant A for the single-object read. */
  singleCourseId: string;
  studentEmails: string[];
}

export async function seed(sql: Sql, passwordHash: string): Promise<SeedIds> {
  await sql.unsafe(seedScript(passwordHash));
  await sql.unsafe("vacuum (analyze)");
  const [a, b] = await Promise.all(TENANTS.map(async (t) => (await sql<{ id: string }[]>`select id from tenants where slug = ${t.slug}`)[0]!.id));
  const [admin] = await sql<{ id: string }[]>`select id from users where email = ${ADMIN_EMAIL}`;
  const [big] = await sql<{ id: string }[]>`select id from courses where tenant_id = ${a!} and name like '% 001'`;
  const lectureRows = await sql<{ id: string }[]>`
    select id from lectures where tenant_id = ${a!} and course_id = ${big!.id} and status <> 'CANCELLED' order by date, start_time`;
  const studentRows = await sql<{ id: string }[]>`
    select student_id as id from enrollments where tenant_id = ${a!} and course_id = ${big!.id} order by student_id`;
  const [single] = await sql<{ id: string }[]>`select id from courses where tenant_id = ${a!} and name like '% 042'`;
  return {
    tenantA: a!,
    tenantB: b!,
    adminId: admin!.id,
    adminEmail: ADMIN_EMAIL,
    staffEmails: Array.from({ length: SIZES.staff }, (_, i) => emailOf(TENANTS[0].slug, "staff", i + 1)),
    bigCourse: { id: big!.id, lectureIds: lectureRows.map((r) => r.id), studentIds: studentRows.map((r) => r.id) },
    singleCourseId: single!.id,
    studentEmails: Array.from({ length: SIZES.students }, (_, i) => emailOf(TENANTS[0].slug, "student", i + 1)),
  };
}

/** Row counts per tenant, printed so the dataset's size is on record. */
export async function datasetCounts(sql: Sql, tenantId: string) {
  const [row] = await sql<Record<string, number>[]>`
    select
      (select count(*)::int from courses where tenant_id = ${tenantId}) as courses,
      (select count(*)::int from lectures where tenant_id = ${tenantId}) as lectures,
      (select count(*)::int from students where tenant_id = ${tenantId}) as students,
      (select count(*)::int from enrollments where tenant_id = ${tenantId}) as enrollments,
      (select count(*)::int from lecture_attendance where tenant_id = ${tenantId}) as "attendanceMarks",
      (select count(*)::int from course_tags where tenant_id = ${tenantId}) as "courseTags",
      (select count(*)::int from memberships where tenant_id = ${tenantId}) as memberships`;
  return row!;
}
