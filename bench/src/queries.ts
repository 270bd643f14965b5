/**
 * Every query the bench sends, in one place: Roster's GraphQL, PostGraphile's
 * equivalent, and the scenario names the limit server answers with its one SQL
 * statement (servers/limit.mjs) — plus the normalisers that turn the three
 * answers into one shape so they can be compared.
 *
 * Roster's `Course.lectures` is a connection (`lectures(first:) { nodes … }`)
 * once the schema contract lands; before that it is a plain list. `LECTURES`
 * picks the form (detected from the schema at start; BENCH_LECTURES=list|connection overrides).
 */

export type LecturesForm = "connection" | "list";

const LECTURE_FIELDS = "id date startTime durationMinutes title status";

/** The lectures selection of a course in Roster, for either form. */
function rosterLectures(form: LecturesForm, first: number, extra = ""): string {
  return form === "connection"
    ? `lectures(first: ${first}) { nodes { ${LECTURE_FIELDS} ${extra} } }`
    : `lectures { ${LECTURE_FIELDS} ${extra} }`;
}

const rosterCourseFields = (form: LecturesForm, lectures: string) => `
  id name
  price { amount currency }
  season { id name }
  instructor { id specialty user { firstName lastName } }
  tags { id name }
  ${lectures}`;

export function rosterQueries(form: LecturesForm) {
  return {
    nested: `query BenchNested {
  courses(first: 50, orderBy: { field: NAME, direction: ASC }) {
    nodes { ${rosterCourseFields(form, rosterLectures(form, 100))} }
  }
}`,
    /** Needs the connection form and Lecture.attendanceSummary. */
    nested10: `query BenchNestedAttendance {
  courses(first: 50, orderBy: { field: NAME, direction: ASC }) {
    nodes { ${rosterCourseFields(form, rosterLectures(form, 10, "attendanceSummary { present absent }"))} }
  }
}`,
    course: `query BenchCourse($id: UUID!) {
  course(id: $id) { ${rosterCourseFields(form, rosterLectures(form, 100))} }
}`,
    me: `query BenchMe {
  me { id firstName lastName email membership { id roles } }
}`,
    login: `mutation BenchLogin($input: LoginInput!) { login(input: $input) { accessToken } }`,
    markAttendance: `mutation BenchMark($lectureId: UUID!, $marks: [MarkInput!]!) {
  markAttendance(lectureId: $lectureId, marks: $marks) { lecture { id attendanceTaken } marks { id present notes } }
}`,
    approve: `mutation BenchApprove($id: UUID!) { approveEnrollmentRequest(id: $id) { enrollment { id status } } }`,
    registerForEvent: `mutation BenchRegister($eventId: UUID!) { registerForEvent(eventId: $eventId) { id status } }`,
    /** The fan-out subscription with the smallest payload (the lecture tells the bench which mark it is). */
    attendanceMinimal: `subscription BenchAttendance($courseId: UUID!) {
  attendanceUpdated(courseId: $courseId) { lectureId }
}`,
    /** What a register screen selects: each mark with the participant's name. */
    attendanceRegister: `subscription BenchAttendanceRegister($courseId: UUID!) {
  attendanceUpdated(courseId: $courseId) {
    lectureId
    lecture { id date startTime title }
    marks {
      id present rating notes markedAt
      participant { __typename ... on Student { id user { firstName lastName } } ... on Child { id firstName lastName } }
    }
  }
}`,
  };
}

const pglCourseFields = (lectures: string) => `
  rowId name price currency
  seasonByTenantIdAndSeasonId { rowId name }
  instructorByTenantIdAndInstructorId { rowId specialty userByUserId { firstName lastName } }
  courseTagsByTenantIdAndCourseId { nodes { tagByTenantIdAndTagId { rowId name } } }
  ${lectures}`;

const pglLectures = (first: number, extra = "") =>
  `lecturesByTenantIdAndCourseId(first: ${first}, orderBy: [DATE_ASC, START_TIME_ASC, ROW_ID_ASC]) {
    nodes { rowId date startTime durationMinutes title status ${extra} }
  }`;

/** PostGraphile 5 (amber preset) asking for the same data. */
export const PGL = {
  nested: `query BenchNested {
  allCourses(first: 50, orderBy: [NAME_ASC, ROW_ID_ASC]) { nodes { ${pglCourseFields(pglLectures(100))} } }
}`,
  nested10: `query BenchNestedAttendance {
  allCourses(first: 50, orderBy: [NAME_ASC, ROW_ID_ASC]) {
    nodes { ${pglCourseFields(
      pglLectures(
        10,
        `present: lectureAttendancesByTenantIdAndLectureId(condition: { present: true }) { totalCount }
         absent: lectureAttendancesByTenantIdAndLectureId(condition: { present: false }) { totalCount }`,
      ),
    )} }
  }
}`,
  course: `query BenchCourse($tenantId: UUID!, $id: UUID!) {
  courseByTenantIdAndRowId(tenantId: $tenantId, rowId: $id) { ${pglCourseFields(pglLectures(100))} }
}`,
  me: `query BenchMe($userId: UUID!, $tenantId: UUID!) {
  userByRowId(rowId: $userId) {
    rowId firstName lastName email
    membershipsByUserId(condition: { tenantId: $tenantId }) { nodes { rowId roles } }
  }
}`,
};

// ---- normalising the three answers into one shape ----

export interface NormalLecture {
  id: string;
  date: string;
  startTime: string;
  durationMinutes: number;
  title: string | null;
  status: string;
  present?: number;
  absent?: number;
}

export interface NormalCourse {
  id: string;
  name: string;
  price: string;
  currency: string;
  season: { id: string; name: string } | null;
  instructor: { id: string; specialty: string | null; firstName: string; lastName: string } | null;
  tags: { id: string; name: string }[];
  lectures: NormalLecture[];
}

/** "17:30", "17:30:00", "17:30:00.000000" → "17:30:00". */
const hms = (time: string) => (time.length === 5 ? `${time}:00` : time.slice(0, 8));
const byId = <T extends { id: string }>(items: T[]) => [...items].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

function normalLecture(l: any, counts: { present?: number; absent?: number } | undefined): NormalLecture {
  return {
    id: l.id ?? l.rowId,
    date: l.date,
    startTime: hms(l.startTime),
    durationMinutes: l.durationMinutes,
    title: l.title ?? null,
    status: l.status,
    ...(counts ? { present: counts.present, absent: counts.absent } : {}),
  };
}

/** A Roster course (or the limit server's, which mirrors Roster's shape). */
export function normalRosterCourse(c: any): NormalCourse {
  const lectures: any[] = Array.isArray(c.lectures) ? c.lectures : c.lectures.nodes;
  return {
    id: c.id,
    name: c.name,
    price: String(c.price.amount),
    currency: c.price.currency,
    season: c.season ? { id: c.season.id, name: c.season.name } : null,
    instructor: c.instructor
      ? { id: c.instructor.id, specialty: c.instructor.specialty ?? null, firstName: c.instructor.user.firstName, lastName: c.instructor.user.lastName }
      : null,
    tags: byId(c.tags.map((t: any) => ({ id: t.id, name: t.name }))),
    lectures: lectures.map((l) => normalLecture(l, l.attendanceSummary ? { present: l.attendanceSummary.present, absent: l.attendanceSummary.absent } : undefined)),
  };
}

export function normalPglCourse(c: any): NormalCourse {
  const season = c.seasonByTenantIdAndSeasonId;
  const instructor = c.instructorByTenantIdAndInstructorId;
  return {
    id: c.rowId,
    name: c.name,
    price: String(c.price),
    currency: c.currency,
    season: season ? { id: season.rowId, name: season.name } : null,
    instructor: instructor
      ? { id: instructor.rowId, specialty: instructor.specialty ?? null, firstName: instructor.userByUserId.firstName, lastName: instructor.userByUserId.lastName }
      : null,
    tags: byId(c.courseTagsByTenantIdAndCourseId.nodes.map((n: any) => ({ id: n.tagByTenantIdAndTagId.rowId, name: n.tagByTenantIdAndTagId.name }))),
    lectures: c.lecturesByTenantIdAndCourseId.nodes.map((l: any) =>
      normalLecture(l, l.present ? { present: l.present.totalCount, absent: l.absent.totalCount } : undefined),
    ),
  };
}

export interface NormalMe {
  id: string;
  firstName: string;
  lastName: string;
  email: string | null;
  membershipId: string | null;
  roles: string[];
}

export function normalRosterMe(me: any): NormalMe {
  return {
    id: me.id,
    firstName: me.firstName,
    lastName: me.lastName,
    email: me.email ?? null,
    membershipId: me.membership?.id ?? null,
    roles: [...(me.membership?.roles ?? [])].sort(),
  };
}

export function normalPglMe(user: any): NormalMe {
  const membership = user.membershipsByUserId.nodes[0];
  return {
    id: user.rowId,
    firstName: user.firstName,
    lastName: user.lastName,
    email: user.email ?? null,
    membershipId: membership?.rowId ?? null,
    roles: [...(membership?.roles ?? [])].sort(),
  };
}

/** The first difference between two normalised answers, as a path and both values; null when equal. */
export function firstDifference(a: unknown, b: unknown, path = "$"): string | null {
  if (a === b) return null;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") {
    return `${path}: ${JSON.stringify(a)?.slice(0, 200)} ≠ ${JSON.stringify(b)?.slice(0, 200)}`;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return `${path}: array vs object`;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${path}: ${a.length} items ≠ ${b.length} items`;
    for (let i = 0; i < a.length; i++) {
      const diff = firstDifference(a[i], b[i], `${path}[${i}]`);
      if (diff) return diff;
    }
    return null;
  }
  const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
  for (const key of keys) {
    const diff = firstDifference((a as any)[key], (b as any)[key], `${path}.${key}`);
    if (diff) return diff;
  }
  return null;
}
