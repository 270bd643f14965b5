/**
 * Staff exports through GET /exports/<kind>.<csv|xlsx>: the files are parsed back
 * (csv-parse, exceljs) and checked cell by cell: Arabic intact, RFC 4180 quoting,
 * the formula guard, times in the tenant's zone; a large export arrives in
 * several chunks without a Content-Length; and every refusal is typed JSON.
 */
import { randomUUID } from "node:crypto";
import net from "node:net";
import { parse } from "csv-parse/sync";
import { eq } from "drizzle-orm";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { children, lectureAttendance, lectures, parents } from "../drizzle/schema";
import {
  AddChildDocument,
  CreateLectureDocument,
  CreateSeasonDocument,
  MarkAttendanceDocument,
  RecordManualPaymentDocument,
  RequestRefundDocument,
} from "./sdk/graphql";
import { data } from "./helpers/client";
import type { Family } from "./helpers/school";
import { createSchool, type School } from "./helpers/school";
import { startTestServer, useTestServer, type TestServer } from "./helpers/server";

const t = useTestServer();

let school: School;
let seasonId: string;
let courseId: string;
let bigCourseId: string;
let family: Family;
let arabicChild: string;
let formulaChild: string;
let enrollmentId: string;

/** Riyadh is UTC+3 all year: a local time is the UTC one plus three hours. */
const ZONE = "Asia/Riyadh";
const riyadh = (instant: Date) => new Date(instant.getTime() + 3 * 3600_000).toISOString().slice(0, 19).replace("T", " ");

const get = (path: string, options: { token?: string; tenant?: string } = {}) =>
  fetch(`${t.url}${path}`, {
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.tenant ? { "x-tenant": options.tenant } : {}),
    },
  });

/** The body as sent (Response.text() would drop the BOM), and its rows. */
const csvOf = async (res: Response) => {
  const bytes = Buffer.from(await res.arrayBuffer());
  const text = new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes);
  return { bytes, text, rows: parse(text, { bom: true }) as string[][] };
};

/**
 * A raw HTTP/1.1 GET, so the chunks of the chunked transfer coding can be
 * counted: every write the server makes is one chunk (fetch would hide them).
 */
function rawGet(path: string, token: string): Promise<{ head: string; chunks: Buffer[] }> {
  const { hostname, port } = new URL(t.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: Bearer ${token}\r\nConnection: close\r\n\r\n`);
    });
    const parts: Buffer[] = [];
    socket.on("data", (part) => parts.push(part));
    socket.on("error", reject);
    socket.on("end", () => {
      const all = Buffer.concat(parts);
      const split = all.indexOf("\r\n\r\n");
      const head = all.subarray(0, split).toString("latin1");
      const chunks: Buffer[] = [];
      let at = split + 4;
      for (;;) {
        const eol = all.indexOf("\r\n", at);
        const size = Number.parseInt(all.subarray(at, eol).toString("latin1"), 16);
        if (!size) break;
        chunks.push(all.subarray(eol + 2, eol + 2 + size));
        at = eol + 2 + size + 2;
      }
      resolve({ head, chunks });
    });
  });
}

const xlsxOf = async (res: Response) => {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(Buffer.from(await res.arrayBuffer()) as unknown as ExcelJS.Buffer);
  const sheet = workbook.worksheets[0]!;
  const rows: ExcelJS.CellValue[][] = [];
  sheet.eachRow((row) => rows.push((row.values as ExcelJS.CellValue[]).slice(1)));
  return { sheet, rows };
};

const errorOf = async (res: Response) => ((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code;

beforeAll(async () => {
  const tenant = await t.fixtures.tenant({ timeZone: ZONE, name: "مركز النور" });
  school = await createSchool(t, tenant);
  seasonId = data(
    await school.admin.client.request(CreateSeasonDocument, {
      input: { name: "صيف ٢٠٩٩", startsOn: "2099-01-01", endsOn: "2099-12-31" },
    }),
  ).createSeason.id;
  courseId = await school.createCourse({ name: "الروبوتات", seasonId });
  bigCourseId = await school.createCourse({ name: "Big", seasonId, capacity: 100 });
  family = await school.family(0);
  const add = async (firstName: string, lastName: string) =>
    data(await family.parent.client.request(AddChildDocument, { input: { firstName, lastName } })).addChild.id;
  arabicChild = await add("مريم", "العلي");
  formulaChild = await add('=HYPERLINK("http://evil")', "Test");
  enrollmentId = await school.enroll(courseId, arabicChild, family.parent);
  await school.enroll(courseId, formulaChild, family.parent);

  const lectureId = data(
    await school.instructor.client.request(CreateLectureDocument, { courseId, input: { date: "2099-01-10", startTime: "16:30" } }),
  ).createLecture.id;
  data(
    await school.instructor.client.request(MarkAttendanceDocument, {
      lectureId,
      marks: [
        { participantId: arabicChild, present: true, rating: "9", notes: 'قالت "ممتاز", جدا\nسطر ثان' },
        { participantId: formulaChild, present: false, notes: "+1 call home" },
      ],
    }),
  );
  const payment = data(
    await school.admin.client.request(RecordManualPaymentDocument, {
      input: { enrollmentId, amount: "100.00", reference: "إيصال-1", idempotencyKey: randomUUID() },
    }),
  ).recordManualPayment;
  data(
    await family.parent.client.request(RequestRefundDocument, {
      input: { paymentId: payment.id, amount: "40.00", reason: "سفر العائلة", idempotencyKey: randomUUID() },
    }),
  );
});

describe("attendance exports", () => {
  it("CSV per course: BOM, RFC 4180 quoting, Arabic intact, formula guard, marks in the tenant's zone", async () => {
    const res = await get(`/exports/attendance.csv?courseId=${courseId}`, { token: school.admin.token });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8; header=present");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="attendance-\d{4}-\d{2}-\d{2}\.csv"$/);
    const { bytes, text, rows } = await csvOf(res);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(text.startsWith("\uFEFFCourse,Lecture date,")).toBe(true);
    expect(text).toContain("\r\n");
    expect(rows[0]).toEqual([
      "Course",
      "Lecture date",
      "Lecture start",
      "Lecture status",
      "Participant",
      "Participant type",
      "Present",
      "Status",
      "Minutes late",
      "Excuse",
      "Rating",
      "Notes",
      "Source",
      "Marked at",
    ]);
    expect(rows).toHaveLength(3);
    const marks = await t.deps.database.db.select().from(lectureAttendance).where(eq(lectureAttendance.childId, arabicChild));
    const byName = Object.fromEntries(rows.slice(1).map((row) => [row[4], row]));
    expect(byName["مريم العلي"]).toEqual([
      "الروبوتات",
      "2099-01-10",
      "16:30",
      "SCHEDULED",
      "مريم العلي",
      "CHILD",
      "yes",
      "PRESENT",
      "",
      "",
      "9",
      'قالت "ممتاز", جدا\nسطر ثان',
      "MANUAL",
      riyadh(marks[0]!.markedAt),
    ]);
    // Cells a spreadsheet would run as formulas start with an apostrophe.
    const guarded = byName['\'=HYPERLINK("http://evil") Test']!;
    expect(guarded.slice(6, 12)).toEqual(["no", "ABSENT", "", "", "", "'+1 call home"]);
    expect(text).not.toMatch(/(^|,)=HYPERLINK/m);
  });

  it("XLSX per season: typed cells (numbers, local date-times as Excel sees them), Arabic intact", async () => {
    const res = await get(`/exports/attendance.xlsx?seasonId=${seasonId}`, { token: school.admin.token });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    const { sheet, rows } = await xlsxOf(res);
    expect(sheet.name).toBe("Attendance");
    expect(rows[0]![0]).toBe("Course");
    const maryam = rows.find((row) => row[4] === "مريم العلي")!;
    expect(maryam[0]).toBe("الروبوتات");
    expect(maryam[6]).toBe(true);
    expect(maryam[7]).toBe("PRESENT");
    expect(maryam[10]).toBe(9);
    expect(maryam[11]).toBe('قالت "ممتاز", جدا\nسطر ثان');
    const [mark] = await t.deps.database.db.select().from(lectureAttendance).where(eq(lectureAttendance.childId, arabicChild));
    // Excel dates carry no zone: the cell holds the wall time in Riyadh.
    expect((maryam[13] as Date).toISOString().slice(0, 19).replace("T", " ")).toBe(riyadh(mark!.markedAt));
    expect((maryam[1] as Date).toISOString().slice(0, 10)).toBe("2099-01-10");
    // XLSX text is text: the would-be formula is kept as a string, never a formula cell.
    const formula = rows.find((row) => String(row[4]).startsWith("=HYPERLINK"))!;
    expect(typeof formula[4]).toBe("string");
  });

  it("a large export is streamed: no Content-Length, several chunks, every row once, in lecture order", async () => {
    const db = t.deps.database.db;
    const [parent] = await db.select().from(parents).where(eq(parents.userId, family.parent.user.id));
    const kids = await db
      .insert(children)
      .values(
        Array.from({ length: 40 }, (_, i) => ({
          tenantId: school.tenant.id,
          parentId: parent!.id,
          firstName: `طفل${i}`,
          lastName: "كبير",
        })),
      )
      .returning({ id: children.id });
    const days = await db
      .insert(lectures)
      .values(
        Array.from({ length: 30 }, (_, i) => ({
          tenantId: school.tenant.id,
          courseId: bigCourseId,
          date: `2099-02-${String(Math.min(i + 1, 28)).padStart(2, "0")}`,
          startTime: i < 28 ? "09:00" : i === 28 ? "11:00" : "13:00",
        })),
      )
      .returning({ id: lectures.id });
    await db.insert(lectureAttendance).values(
      days.flatMap((lecture) =>
        kids.map((kid) => ({
          tenantId: school.tenant.id,
          lectureId: lecture.id,
          childId: kid.id,
          status: "ABSENT" as const,
          notes: "غائب",
        })),
      ),
    );

    const { head, chunks } = await rawGet(`/exports/attendance.csv?courseId=${bigCourseId}`, school.admin.token);
    expect(head).toMatch(/^HTTP\/1\.1 200/);
    expect(head.toLowerCase()).toContain("transfer-encoding: chunked");
    expect(head.toLowerCase()).not.toContain("content-length");
    // The header line, then one chunk per batch of 500 rows read (500, 500, 200): never the whole file at once.
    expect(chunks.length).toBeGreaterThanOrEqual(4);
    expect(Math.max(...chunks.map((chunk) => chunk.length))).toBeLessThan(Buffer.concat(chunks).length / 2);
    const rows = parse(Buffer.concat(chunks).toString("utf8"), { bom: true }) as string[][];
    expect(rows).toHaveLength(1 + 30 * 40);
    const order = rows.slice(1).map((row) => `${row[1]} ${row[2]}`);
    expect(order).toEqual([...order].sort());
    expect(new Set(rows.slice(1).map((row) => `${row[1]} ${row[2]} ${row[4]}`)).size).toBe(1200);

    const xlsx = await get(`/exports/attendance.xlsx?courseId=${bigCourseId}`, { token: school.admin.token });
    const { rows: sheetRows } = await xlsxOf(xlsx);
    expect(sheetRows).toHaveLength(1 + 1200);
  });

  it("the course's instructor exports its attendance; not the season's, and no other export", async () => {
    const own = await get(`/exports/attendance.csv?courseId=${courseId}`, { token: school.instructor.token });
    expect(own.status).toBe(200);
    expect((await csvOf(own)).rows).toHaveLength(3);
    const season = await get(`/exports/attendance.csv?seasonId=${seasonId}`, { token: school.instructor.token });
    expect([season.status, await errorOf(season)]).toEqual([403, "FORBIDDEN"]);
    const enrollments = await get("/exports/enrollments.csv", { token: school.instructor.token });
    expect([enrollments.status, await errorOf(enrollments)]).toEqual([403, "FORBIDDEN"]);
    // Another instructor of the same centre: not their course.
    const other = await t.fixtures.member(school.tenant, ["INSTRUCTOR"]);
    const notTheirs = await get(`/exports/attendance.csv?courseId=${courseId}`, { token: other.token });
    expect([notTheirs.status, await errorOf(notTheirs)]).toEqual([403, "FORBIDDEN"]);
  });
});

describe("enrolment, payment and refund exports", () => {
  it("enrolments: CSV filtered by course, times in the tenant's zone", async () => {
    const res = await get(`/exports/enrollments.csv?courseId=${courseId}`, { token: school.admin.token });
    expect(res.status).toBe(200);
    const { rows } = await csvOf(res);
    expect(rows[0]).toEqual(["Enrollment id", "Course", "Participant", "Participant type", "Status", "Enrolled at", "Ended at"]);
    expect(rows).toHaveLength(3);
    const maryam = rows.find((row) => row[0] === enrollmentId)!;
    expect(maryam.slice(1, 5)).toEqual(["الروبوتات", "مريم العلي", "CHILD", "ACTIVE"]);
    expect(maryam[5]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(maryam[6]).toBe("");
    // The season filter sees both courses' enrolments; no filter, the same here.
    const all = await csvOf(await get(`/exports/enrollments.csv?seasonId=${seasonId}`, { token: school.admin.token }));
    expect(all.rows).toHaveLength(3);
  });

  it("payments and refunds: amounts exact (CSV text, XLSX numbers), Arabic references and reasons", async () => {
    const payments = await csvOf(await get("/exports/payments.csv", { token: school.admin.token }));
    expect(payments.rows).toHaveLength(2);
    const [payment] = payments.rows.slice(1);
    expect(payment!.slice(1, 9)).toEqual(["الروبوتات", "مريم العلي", "100.00", "0.00", "EGP", "SUCCEEDED", "manual", "إيصال-1"]);

    const refunds = await xlsxOf(await get("/exports/refunds.xlsx", { token: school.admin.token }));
    expect(refunds.rows[0]).toEqual([
      "Refund id",
      "Payment id",
      "Course",
      "Participant",
      "Amount",
      "Currency",
      "Status",
      "Reason",
      "Requested at",
      "Decided at",
      "Decision note",
    ]);
    expect(refunds.rows).toHaveLength(2);
    const refund = refunds.rows[1]!;
    expect([refund[1], refund[2], refund[3], refund[4], refund[6], refund[7]]).toEqual([
      payment![0],
      "الروبوتات",
      "مريم العلي",
      40,
      "REQUESTED",
      "سفر العائلة",
    ]);

    // Date filters are local dates in the tenant's zone: a window in the past has nothing.
    const none = await csvOf(await get("/exports/payments.csv?from=2000-01-01&to=2000-12-31", { token: school.admin.token }));
    expect(none.rows).toHaveLength(1);
  });
});

describe("refusals are typed JSON, decided before any byte", () => {
  it("anonymous and a bad token: 401 UNAUTHENTICATED with WWW-Authenticate", async () => {
    const anonymous = await get(`/exports/attendance.csv?courseId=${courseId}`, { tenant: school.tenant.slug });
    expect([anonymous.status, await errorOf(anonymous)]).toEqual([401, "UNAUTHENTICATED"]);
    expect(anonymous.headers.get("www-authenticate")).toContain("Bearer");
    const forged = await get("/exports/payments.csv", { token: "not-a-jwt" });
    expect([forged.status, await errorOf(forged)]).toEqual([401, "UNAUTHENTICATED"]);
  });

  it("a parent is not staff: 403 on every export", async () => {
    for (const path of [
      "/exports/enrollments.csv",
      "/exports/payments.xlsx",
      "/exports/refunds.csv",
      `/exports/attendance.csv?courseId=${courseId}`,
    ]) {
      const res = await get(path, { token: family.parent.token });
      expect([path, res.status, await errorOf(res)]).toEqual([path, 403, "FORBIDDEN"]);
    }
  });

  it("another tenant's staff: this tenant's course and season are NOT_FOUND, and their own exports hold none of these rows", async () => {
    const other = await createSchool(t);
    for (const path of [
      `/exports/attendance.csv?courseId=${courseId}`,
      `/exports/attendance.xlsx?seasonId=${seasonId}`,
      `/exports/payments.csv?courseId=${courseId}`,
    ]) {
      const res = await get(path, { token: other.admin.token });
      expect([path, res.status, await errorOf(res)]).toEqual([path, 404, "NOT_FOUND"]);
    }
    // X-Tenant naming this tenant with the other tenant's token is refused.
    const mismatch = await get("/exports/payments.csv", { token: other.admin.token, tenant: school.tenant.slug });
    expect([mismatch.status, await errorOf(mismatch)]).toEqual([403, "FORBIDDEN"]);
    const theirs = await csvOf(await get("/exports/enrollments.csv", { token: other.admin.token }));
    expect(theirs.rows).toHaveLength(1);
  });

  it("bad parameters: 400 BAD_USER_INPUT naming the parameter; unknown exports and formats 404", async () => {
    const cases: [string, number, string][] = [
      ["/exports/attendance.csv", 400, "BAD_USER_INPUT"],
      [`/exports/attendance.csv?courseId=${courseId}&seasonId=${seasonId}`, 400, "BAD_USER_INPUT"],
      ["/exports/attendance.csv?courseId=nope", 400, "BAD_USER_INPUT"],
      [`/exports/attendance.csv?courseId=${courseId}&courseId=${courseId}`, 400, "BAD_USER_INPUT"],
      ["/exports/payments.csv?from=2099-02-30", 400, "BAD_USER_INPUT"],
      ["/exports/payments.csv?from=2099-03-01&to=2099-02-01", 400, "BAD_USER_INPUT"],
      [`/exports/attendance.csv?courseId=${randomUUID()}`, 404, "NOT_FOUND"],
      ["/exports/grades.csv", 404, "NOT_FOUND"],
      ["/exports/payments.pdf", 404, "NOT_FOUND"],
    ];
    for (const [path, status, code] of cases) {
      const res = await get(path, { token: school.admin.token });
      expect([path, res.status, await errorOf(res)]).toEqual([path, status, code]);
    }
    const named = await get("/exports/attendance.csv?courseId=nope", { token: school.admin.token });
    expect(((await named.json()) as any).errors[0].extensions.field).toBe("courseId");
  });
});

describe("rate limits", () => {
  let limited: TestServer;
  beforeAll(async () => {
    limited = await startTestServer({ RATE_LIMIT_USER_PER_MINUTE: "3" });
  });
  afterAll(() => limited?.close());

  it("exports count against the per-user limit like GraphQL requests: the 4th in a minute is 429 with Retry-After", async () => {
    const tenant = await limited.fixtures.tenant();
    const staff = await limited.fixtures.member(tenant, ["STAFF"]);
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 4; i++) {
      last = await fetch(`${limited.url}/exports/enrollments.csv`, { headers: { authorization: `Bearer ${staff.token}` } });
      statuses.push(last.status);
      if (last.status === 200) await last.text();
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(await errorOf(last!)).toBe("RATE_LIMITED");
    expect(Number(last!.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});
