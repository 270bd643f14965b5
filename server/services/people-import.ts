/**
 * Bulk import of people from a CSV or XLSX file (issue 13): students (members of the tenant who get a
 * student profile) and children with their guardian (a member of the tenant), each optionally enrolled
 * in a course. Staff only.
 *
 * - Bounded: at most IMPORT_MAX_BYTES of file and IMPORT_MAX_ROWS rows, checked while parsing.
 * - A dry run reports every row's errors (bad phone with the given country, unknown guardian or
 *   student, duplicates within the file, unknown course, bad dates …) and writes nothing.
 * - A real run writes only when no row has an error, all in one savepoint (all or nothing).
 * - Idempotent: rows already in the database (a student profile, a child of the same guardian with
 *   the same name and birth date, an enrolment) are counted as existing and left as they are, so
 *   uploading the same file again changes nothing.
 * - The statements do not grow with the rows: lookups and writes are one statement per table.
 *
 * People are never attached to the tenant without their consent: for students and children, a phone
 * or email that is not an active member of the tenant is a row error; a MEMBERS file invites
 * everyone who is not a member yet (as addMember does, in one batch), and they join by accepting.
 */
import { Readable } from "node:stream";
import { parse } from "csv-parse";
import { and, eq, inArray, or, sql } from "drizzle-orm";
import type { CountryCode } from "libphonenumber-js";
import { children, courses, enrollments, guardianships, memberships, parents, students, users } from "../../drizzle/schema";
import type { Gender, GuardianRelation } from "../../drizzle/tables/enums-types";
import { requireRole, requireTenant } from "../auth/guards";
import { PASSWORD_MAX, PASSWORD_MIN } from "../auth/passwords";
import { atomic, type Context } from "../context";
import { AppError } from "../errors";
import { normalizeEmail, normalizePhone } from "../validation";
import { audit } from "./audit";
import { type InviteeRow, inviteMany } from "./invitations";

export const IMPORT_MAX_BYTES = 1_000_000;
export const IMPORT_MAX_ROWS = 2_000;
/** At most this many row errors are reported (the count says how many there were). */
export const IMPORT_MAX_ERRORS = 200;

export type ImportFormat = "CSV" | "XLSX";
export type ImportKind = "STUDENTS" | "CHILDREN_WITH_GUARDIANS" | "MEMBERS";

export interface ImportInput {
  /** The file, base64. */
  file: string;
  format: ImportFormat;
  kind: ImportKind;
  dryRun: boolean;
  /** ISO 3166 country for phone numbers written without the international prefix. */
  country?: string | null;
  /** MEMBERS: the password of accounts created for logins that have none (as addMember). */
  temporaryPassword?: string | null;
}

export interface ImportRowError {
  /** The row's line in the file (the header is row 1). */
  row: number;
  column: string | null;
  message: string;
}

export interface ImportResult {
  kind: ImportKind;
  dryRun: boolean;
  rows: number;
  /** People (student profiles or children) the import adds (or would add, in a dry run). */
  created: number;
  /** Rows already in the database, left as they are. */
  existing: number;
  /** Enrolments added (or that would be). */
  enrolled: number;
  /** MEMBERS: people invited (that would be): the same whether or not their login had an account. */
  invited: number;
  errorCount: number;
  errors: ImportRowError[];
  /** Whether anything was written (never in a dry run, nor when a row has an error). */
  written: boolean;
}

/** The columns each kind reads (header names compare without case, spaces, underscores or dashes). */
export const IMPORT_COLUMNS: Record<ImportKind, { required: string[]; optional: string[] }> = {
  STUDENTS: { required: [], optional: ["phone", "email", "school", "grade", "course"] },
  MEMBERS: { required: ["firstName"], optional: ["lastName", "phone", "email"] },
  CHILDREN_WITH_GUARDIANS: {
    required: ["childFirstName"],
    optional: ["childLastName", "childDateOfBirth", "childGender", "guardianPhone", "guardianEmail", "relation", "course"],
  },
};

const key = (header: string) => header.replace(/[\s_-]/g, "").toLowerCase();
const RELATIONS: readonly GuardianRelation[] = ["MOTHER", "FATHER", "OTHER"];
const GENDERS: readonly Gender[] = ["MALE", "FEMALE", "UNSPECIFIED"];
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function tooBig(reason: string, params: Record<string, string | number>): AppError {
  return new AppError("BAD_USER_INPUT", "import.tooBig", { reason, ...params }, { field: "file" });
}

/** The file's rows as header → text (the header row excluded), parsed as they stream; bounded. */
export async function readRows(file: Buffer, format: ImportFormat): Promise<Record<string, string>[]> {
  if (file.length > IMPORT_MAX_BYTES) throw tooBig("bytes", { max: IMPORT_MAX_BYTES });
  const rows: Record<string, string>[] = [];
  const push = (row: Record<string, string>) => {
    if (rows.length >= IMPORT_MAX_ROWS) throw tooBig("rows", { max: IMPORT_MAX_ROWS });
    rows.push(row);
  };
  if (format === "CSV") {
    const parser = Readable.from([file]).pipe(
      parse({
        bom: true,
        columns: (header: string[]) => header.map(key),
        skip_empty_lines: true,
        trim: true,
        relax_column_count: true,
        max_record_size: 10_000,
      }),
    );
    try {
      for await (const record of parser as AsyncIterable<Record<string, string>>) push(record);
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw new AppError("BAD_USER_INPUT", "import.unreadable", { reason: (error as Error).message }, { field: "file" });
    }
    return rows;
  }
  // Loaded on first use (~20 MiB an instance need not hold idle).
  const { default: ExcelJS } = await import("exceljs");
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(file as unknown as ArrayBuffer);
  } catch (error) {
    throw new AppError("BAD_USER_INPUT", "import.unreadable", { reason: (error as Error).message }, { field: "file" });
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) return rows;
  if (sheet.rowCount > IMPORT_MAX_ROWS + 1) throw tooBig("rows", { max: IMPORT_MAX_ROWS });
  const headers: string[] = [];
  sheet.getRow(1).eachCell((cell, column) => {
    headers[column] = key(cell.text);
  });
  sheet.eachRow((row, number) => {
    if (number === 1) return;
    const record: Record<string, string> = {};
    row.eachCell((cell, column) => {
      const header = headers[column];
      if (!header) return;
      // Dates as YYYY-MM-DD (a date cell is a Date at midnight UTC); everything else as shown.
      record[header] = cell.value instanceof Date ? cell.value.toISOString().slice(0, 10) : cell.text.trim();
    });
    if (Object.values(record).some(Boolean)) push(record);
  });
  return rows;
}

interface Checked {
  row: number;
  phone: string | null;
  email: string | null;
  course: string | null;
  // students
  school?: string | null;
  grade?: string | null;
  // children
  firstName?: string;
  lastName?: string;
  dateOfBirth?: string | null;
  gender?: Gender;
  relation?: GuardianRelation;
}

/** Checks one row's own values; the errors go to `errors`. */
function checkRow(
  kind: ImportKind,
  record: Record<string, string>,
  row: number,
  country: CountryCode | undefined,
  errors: ImportRowError[],
) {
  const fail = (column: string, message: string) => errors.push({ row, column, message });
  const text = (column: string) => (record[key(column)] ?? "").trim() || null;
  const before = errors.length;
  const phoneColumn = kind === "CHILDREN_WITH_GUARDIANS" ? "guardianPhone" : "phone";
  const emailColumn = kind === "CHILDREN_WITH_GUARDIANS" ? "guardianEmail" : "email";
  let phone: string | null = null;
  let email: string | null = null;
  const rawPhone = text(phoneColumn);
  const rawEmail = text(emailColumn);
  if (rawPhone) {
    try {
      phone = normalizePhone(rawPhone, country);
    } catch {
      fail(
        phoneColumn,
        `"${rawPhone}" is not a valid phone number${country ? ` (country ${country})` : " (use the international format, or give a country)"}.`,
      );
    }
  }
  if (rawEmail) {
    try {
      email = normalizeEmail(rawEmail);
    } catch {
      fail(emailColumn, `"${rawEmail}" is not a valid email address.`);
    }
  }
  if (!rawPhone && !rawEmail) fail(phoneColumn, `Give ${phoneColumn} or ${emailColumn}.`);
  const checked: Checked = { row, phone, email, course: text("course") };
  if (kind === "STUDENTS") {
    checked.school = text("school");
    checked.grade = text("grade");
  } else if (kind === "MEMBERS") {
    const firstName = text("firstName");
    if (!firstName) fail("firstName", "The first name is required.");
    const lastName = text("lastName") ?? "";
    if ((firstName ?? "").length > 100 || lastName.length > 100 || /[\u0000-\u001f\u007f]/.test(`${firstName}${lastName}`)) {
      fail("firstName", "Names may have at most 100 characters, without control characters.");
    }
    checked.firstName = firstName ?? "";
    checked.lastName = lastName;
  } else {
    const firstName = text("childFirstName");
    if (!firstName) fail("childFirstName", "The child's first name is required.");
    checked.firstName = firstName ?? "";
    checked.lastName = text("childLastName") ?? "";
    const dob = text("childDateOfBirth");
    if (dob && (!DATE.test(dob) || Number.isNaN(Date.parse(dob)) || dob > new Date().toISOString().slice(0, 10))) {
      fail("childDateOfBirth", `"${dob}" is not a date (YYYY-MM-DD) in the past.`);
    }
    checked.dateOfBirth = dob;
    const gender = (text("childGender") ?? "UNSPECIFIED").toUpperCase() as Gender;
    if (!GENDERS.includes(gender)) fail("childGender", `"${text("childGender")}" is not one of ${GENDERS.join(", ")}.`);
    checked.gender = gender;
    const relation = (text("relation") ?? "OTHER").toUpperCase() as GuardianRelation;
    if (!RELATIONS.includes(relation)) fail("relation", `"${text("relation")}" is not one of ${RELATIONS.join(", ")}.`);
    checked.relation = relation;
  }
  return errors.length === before ? checked : null;
}

const childKey = (parentId: string, c: { firstName: string; lastName: string; dateOfBirth: string | null }) =>
  `${parentId}|${c.firstName.toLowerCase()}|${c.lastName.toLowerCase()}|${c.dateOfBirth ?? ""}`;

/** Staff: checks a file of people and (not a dry run, no row in error) imports it all at once. */
export async function importPeople(ctx: Context, input: ImportInput): Promise<ImportResult> {
  requireRole(ctx, "STAFF");
  const tenant = requireTenant(ctx);
  if (input.file.length > Math.ceil((IMPORT_MAX_BYTES * 4) / 3) + 4) throw tooBig("bytes", { max: IMPORT_MAX_BYTES });
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(input.file))
    throw new AppError("BAD_USER_INPUT", "import.unreadable", { reason: "not base64" }, { field: "file" });
  const country = input.country ? (input.country.toUpperCase() as CountryCode) : undefined;
  if (country && !/^[A-Z]{2}$/.test(country))
    throw new AppError("BAD_USER_INPUT", "input.invalid", { field: "country", reason: "ISO 3166 code" }, { field: "country" });
  const records = await readRows(Buffer.from(input.file, "base64"), input.format);
  const columns = IMPORT_COLUMNS[input.kind];
  const errors: ImportRowError[] = [];
  const present = new Set(records.flatMap((record) => Object.keys(record)));
  for (const column of columns.required) {
    if (records.length && !present.has(key(column))) errors.push({ row: 1, column, message: `The column ${column} is missing.` });
  }
  const checked = records.map((record, index) => checkRow(input.kind, record, index + 2, country, errors)).filter((row) => row !== null);

  if (input.kind === "MEMBERS" && !input.dryRun) {
    const password = input.temporaryPassword ?? "";
    if (password.length < PASSWORD_MIN || password.length > PASSWORD_MAX) {
      throw new AppError("BAD_USER_INPUT", "auth.weakPassword", {}, { field: "temporaryPassword" });
    }
  }

  return atomic(ctx, async (ctx) => {
    // Who the rows name: active members of this tenant, by phone or email (one statement).
    const phones = [...new Set(checked.flatMap((row) => (row.phone ? [row.phone] : [])))];
    const emails = [...new Set(checked.flatMap((row) => (row.email ? [row.email] : [])))];
    const found =
      phones.length || emails.length
        ? await ctx.db
            .select({ userId: users.id, phone: users.phoneNumber1, email: sql<string | null>`lower(${users.email})` })
            .from(users)
            .innerJoin(memberships, and(ctx.scope.inTenant(memberships), eq(memberships.userId, users.id), eq(memberships.isActive, true)))
            .where(
              or(
                phones.length ? inArray(users.phoneNumber1, phones) : undefined,
                emails.length ? inArray(sql`lower(${users.email})`, emails) : undefined,
              ),
            )
        : [];
    const byPhone = new Map(found.flatMap((row) => (row.phone ? [[row.phone, row.userId] as const] : [])));
    const byEmail = new Map(found.flatMap((row) => (row.email ? [[row.email, row.userId] as const] : [])));
    // Courses named in the file, by name or id (one statement).
    const courseNames = [...new Set(checked.flatMap((row) => (row.course ? [row.course] : [])))];
    const courseRows = courseNames.length
      ? await ctx.db
          .select({ id: courses.id, name: courses.name })
          .from(courses)
          .where(
            and(
              ctx.scope.inTenant(courses),
              or(
                inArray(
                  sql`lower(${courses.name})`,
                  courseNames.map((name) => name.toLowerCase()),
                ),
                inArray(sql`${courses.id}::text`, courseNames),
              ),
            ),
          )
      : [];
    const courseOf = new Map<string, string>();
    for (const course of courseRows) {
      courseOf.set(course.id, course.id);
      courseOf.set(course.name.toLowerCase(), course.id);
    }

    if (input.kind === "MEMBERS") return importMembers(ctx, checked, byPhone, byEmail);

    const rowsOk: (Checked & { userId: string; courseId: string | null })[] = [];
    for (const row of checked) {
      const userId = (row.phone && byPhone.get(row.phone)) || (row.email && byEmail.get(row.email)) || null;
      const who = input.kind === "STUDENTS" ? "phone" : "guardianPhone";
      let ok = true;
      if (!userId) {
        errors.push({
          row: row.row,
          column: row.phone ? who : who.replace("Phone", "Email").replace("phone", "email"),
          message: "No member of this organisation has this phone number or email: invite them first.",
        });
        ok = false;
      }
      const courseId = row.course ? (courseOf.get(row.course.toLowerCase()) ?? courseOf.get(row.course) ?? null) : null;
      if (row.course && !courseId) {
        errors.push({ row: row.row, column: "course", message: `There is no course "${row.course}".` });
        ok = false;
      }
      if (ok) rowsOk.push({ ...row, userId: userId!, courseId });
    }

    const result =
      input.kind === "STUDENTS"
        ? await importStudents(ctx, rowsOk, errors, input.dryRun)
        : await importChildren(ctx, rowsOk, errors, input.dryRun);
    errors.sort((a, b) => a.row - b.row);
    const written = !input.dryRun && errors.length === 0 && records.length > 0;
    if (written) {
      await result.write();
      await audit(ctx, {
        action: "people.import",
        entity: "import",
        after: {
          kind: input.kind,
          format: input.format,
          rows: records.length,
          created: result.created,
          existing: result.existing,
          enrolled: result.enrolled,
        },
      });
    }
    return {
      kind: input.kind,
      dryRun: input.dryRun,
      rows: records.length,
      created: result.created,
      existing: result.existing,
      enrolled: result.enrolled,
      invited: 0,
      errorCount: errors.length,
      errors: errors.slice(0, IMPORT_MAX_ERRORS),
      written,
    };
  });

  /**
   * Members: people already active members are existing; everyone else is invited (invitations.ts
   * inviteMany), with or without an account, so the answer never tells which logins have one.
   */
  async function importMembers(
    ctx: Context,
    rows: Checked[],
    byPhone: Map<string, string>,
    byEmail: Map<string, string>,
  ): Promise<ImportResult> {
    const seen = new Map<string, number>();
    const toInvite: InviteeRow[] = [];
    let existing = 0;
    for (const row of rows) {
      const keys = [row.phone && `p:${row.phone}`, row.email && `e:${row.email}`].filter((value): value is string => Boolean(value));
      const first = keys.map((k) => seen.get(k)).find(Boolean);
      if (first) {
        errors.push({ row: row.row, column: row.phone ? "phone" : "email", message: `The same person as row ${first}.` });
        continue;
      }
      for (const k of keys) seen.set(k, row.row);
      if ((row.phone && byPhone.has(row.phone)) || (row.email && byEmail.has(row.email))) existing++;
      else toInvite.push({ phone: row.phone, email: row.email, firstName: row.firstName!, lastName: row.lastName ?? "" });
    }
    errors.sort((a, b) => a.row - b.row);
    const written = !input.dryRun && errors.length === 0 && records.length > 0;
    if (written) {
      const passwordHash = await ctx.app.passwords.hash(input.temporaryPassword!);
      await inviteMany(ctx, toInvite, ["MEMBER"], passwordHash);
      await audit(ctx, {
        action: "people.import",
        entity: "import",
        after: { kind: input.kind, format: input.format, rows: records.length, existing, invited: toInvite.length },
      });
    }
    return {
      kind: input.kind,
      dryRun: input.dryRun,
      rows: records.length,
      created: 0,
      existing,
      enrolled: 0,
      invited: toInvite.length,
      errorCount: errors.length,
      errors: errors.slice(0, IMPORT_MAX_ERRORS),
      written,
    };
  }

  async function importStudents(
    ctx: Context,
    rows: (Checked & { userId: string; courseId: string | null })[],
    errors: ImportRowError[],
    _dryRun: boolean,
  ) {
    const firstRowOf = new Map<string, number>();
    const unique: typeof rows = [];
    for (const row of rows) {
      const seen = firstRowOf.get(row.userId);
      if (seen) errors.push({ row: row.row, column: row.phone ? "phone" : "email", message: `The same person as row ${seen}.` });
      else {
        firstRowOf.set(row.userId, row.row);
        unique.push(row);
      }
    }
    const userIds = unique.map((row) => row.userId);
    const profiles = userIds.length
      ? await ctx.db
          .select({ id: students.id, userId: students.userId })
          .from(students)
          .where(and(ctx.scope.inTenant(students), inArray(students.userId, userIds)))
      : [];
    const existingIds = new Set(profiles.map((row) => row.userId));
    const fresh = unique.filter((row) => !existingIds.has(row.userId));
    const enrolRows = unique.filter((row) => row.courseId);
    const enrolledBefore = await existingEnrolments(
      ctx,
      "student",
      profiles.map((p) => p.id),
    );
    const profileOf = new Map(profiles.map((p) => [p.userId, p.id]));
    const toEnrol = enrolRows.filter(
      (row) => !(profileOf.get(row.userId) && enrolledBefore.has(`${row.courseId}|${profileOf.get(row.userId)}`)),
    );
    return {
      created: fresh.length,
      existing: unique.length - fresh.length,
      enrolled: toEnrol.length,
      async write() {
        if (fresh.length) {
          await ctx.db
            .insert(students)
            .values(fresh.map((row) => ({ tenantId: tenant.id, userId: row.userId, school: row.school ?? null, grade: row.grade ?? null })))
            .onConflictDoNothing();
          // The STUDENT role goes with the profile (one statement for every member).
          await ctx.db
            .update(memberships)
            .set({
              roles: sql`ARRAY(SELECT DISTINCT unnest(${memberships.roles} || '{STUDENT}'::membership_role[]) ORDER BY 1)::membership_role[]`,
            })
            .where(
              and(
                ctx.scope.inTenant(memberships),
                inArray(
                  memberships.userId,
                  fresh.map((row) => row.userId),
                ),
              ),
            );
        }
        if (toEnrol.length) {
          const all = await ctx.db
            .select({ id: students.id, userId: students.userId })
            .from(students)
            .where(
              and(
                ctx.scope.inTenant(students),
                inArray(
                  students.userId,
                  toEnrol.map((row) => row.userId),
                ),
              ),
            );
          const idOf = new Map(all.map((p) => [p.userId, p.id]));
          await ctx.db
            .insert(enrollments)
            .values(
              toEnrol.map((row) => ({ tenantId: tenant.id, courseId: row.courseId!, studentId: idOf.get(row.userId)!, childId: null })),
            )
            .onConflictDoNothing();
        }
      },
    };
  }

  async function importChildren(
    ctx: Context,
    rows: (Checked & { userId: string; courseId: string | null })[],
    errors: ImportRowError[],
    _dryRun: boolean,
  ) {
    const userIds = [...new Set(rows.map((row) => row.userId))];
    const parentRows = userIds.length
      ? await ctx.db
          .select({ id: parents.id, userId: parents.userId })
          .from(parents)
          .where(and(ctx.scope.inTenant(parents), inArray(parents.userId, userIds)))
      : [];
    const parentOf = new Map(parentRows.map((p) => [p.userId, p.id]));
    // The children the guardians already have (any guardianship), by guardian + name + birth date.
    const known = parentRows.length
      ? await ctx.db
          .select({
            id: children.id,
            parentId: guardianships.parentId,
            firstName: children.firstName,
            lastName: children.lastName,
            dateOfBirth: children.dateOfBirth,
          })
          .from(guardianships)
          .innerJoin(children, and(eq(children.tenantId, guardianships.tenantId), eq(children.id, guardianships.childId)))
          .where(
            and(
              ctx.scope.inTenant(guardianships),
              inArray(
                guardianships.parentId,
                parentRows.map((p) => p.id),
              ),
            ),
          )
      : [];
    const knownChild = new Map(known.map((c) => [childKey(c.parentId, c), c.id]));
    const seen = new Map<string, number>();
    const fresh: typeof rows = [];
    const existingRows: { row: (typeof rows)[number]; childId: string }[] = [];
    for (const row of rows) {
      const natural = childKey(row.userId, row as { firstName: string; lastName: string; dateOfBirth: string | null });
      const first = seen.get(natural);
      if (first) {
        errors.push({ row: row.row, column: "childFirstName", message: `The same child as row ${first}.` });
        continue;
      }
      seen.set(natural, row.row);
      const parentId = parentOf.get(row.userId);
      const childId = parentId
        ? knownChild.get(childKey(parentId, row as { firstName: string; lastName: string; dateOfBirth: string | null }))
        : undefined;
      if (childId) existingRows.push({ row, childId });
      else fresh.push(row);
    }
    const enrolledBefore = await existingEnrolments(
      ctx,
      "child",
      existingRows.map((e) => e.childId),
    );
    const enrolExisting = existingRows.filter((e) => e.row.courseId && !enrolledBefore.has(`${e.row.courseId}|${e.childId}`));
    const enrolFresh = fresh.filter((row) => row.courseId);
    return {
      created: fresh.length,
      existing: existingRows.length,
      enrolled: enrolExisting.length + enrolFresh.length,
      async write() {
        const missing = userIds.filter((userId) => !parentOf.has(userId) && fresh.some((row) => row.userId === userId));
        if (missing.length) {
          const made = await ctx.db
            .insert(parents)
            .values(missing.map((userId) => ({ tenantId: tenant.id, userId })))
            .onConflictDoNothing()
            .returning({ id: parents.id, userId: parents.userId });
          for (const p of made) parentOf.set(p.userId, p.id);
          // The PARENT role goes with the profile.
          await ctx.db
            .update(memberships)
            .set({
              roles: sql`ARRAY(SELECT DISTINCT unnest(${memberships.roles} || '{PARENT}'::membership_role[]) ORDER BY 1)::membership_role[]`,
            })
            .where(and(ctx.scope.inTenant(memberships), inArray(memberships.userId, missing)));
        }
        const created = fresh.length
          ? await ctx.db
              .insert(children)
              .values(
                fresh.map((row) => ({
                  tenantId: tenant.id,
                  parentId: parentOf.get(row.userId)!,
                  firstName: row.firstName!,
                  lastName: row.lastName ?? "",
                  dateOfBirth: row.dateOfBirth ?? null,
                  gender: row.gender,
                })),
              )
              .returning({ id: children.id })
          : [];
        // The trigger made each child's primary guardianship; the file says the relation.
        if (created.length) {
          await ctx.db
            .insert(guardianships)
            .values(
              fresh.map((row, index) => ({
                tenantId: tenant.id,
                childId: created[index]!.id,
                parentId: parentOf.get(row.userId)!,
                relation: row.relation,
              })),
            )
            .onConflictDoUpdate({
              target: [guardianships.tenantId, guardianships.childId, guardianships.parentId],
              set: { relation: sql`excluded.relation` },
            });
        }
        const enrol = [
          ...enrolExisting.map((e) => ({ courseId: e.row.courseId!, childId: e.childId })),
          ...fresh.flatMap((row, index) => (row.courseId ? [{ courseId: row.courseId, childId: created[index]!.id }] : [])),
        ];
        if (enrol.length) {
          await ctx.db
            .insert(enrollments)
            .values(enrol.map((e) => ({ tenantId: tenant.id, courseId: e.courseId, studentId: null, childId: e.childId })))
            .onConflictDoNothing();
        }
      },
    };
  }
}

/** "courseId|participantId" of the enrolments (any status) the participants have (one statement). */
async function existingEnrolments(ctx: Context, kind: "student" | "child", ids: string[]): Promise<Set<string>> {
  if (!ids.length) return new Set();
  const column = kind === "student" ? enrollments.studentId : enrollments.childId;
  const rows = await ctx.db
    .select({ courseId: enrollments.courseId, participantId: column })
    .from(enrollments)
    .where(and(ctx.scope.inTenant(enrollments), inArray(column, ids)));
  return new Set(rows.map((row) => `${row.courseId}|${row.participantId}`));
}
