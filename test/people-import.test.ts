/**
 * Bulk import of people (issue 13): real CSV (csv-stringify, with a UTF-8 BOM) and XLSX (exceljs) files
 * made here, checked in a dry run, imported all or nothing, idempotent on re-upload, staff only, bounded.
 */
import { and, eq, inArray } from "drizzle-orm";
import ExcelJS from "exceljs";
import { stringify } from "csv-stringify/sync";
import { beforeAll, describe, expect, it } from "vitest";
import { children, enrollments, guardianships, invitations, memberships, notifications, students, users } from "../drizzle/schema";
import { ImportPeopleDocument, type ImportPeopleInput } from "./sdk/graphql";
import { codes, data, expectFlatStatements } from "./helpers/client";
import { type SignedIn, uniquePhone } from "./helpers/fixtures";
import { createSchool, parentIdOf, type School } from "./helpers/school";
import { useTestServer } from "./helpers/server";

const t = useTestServer();
let school: School;
let courseId: string;
beforeAll(async () => {
  school = await createSchool(t);
  courseId = await school.createCourse({ name: "Robotics", capacity: 500 });
});

const csv = (rows: unknown[][]) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(stringify(rows))]).toString("base64");

async function xlsx(rows: unknown[][]) {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet("People");
  for (const row of rows) sheet.addRow(row);
  return Buffer.from(await workbook.xlsx.writeBuffer()).toString("base64");
}

const run = (input: ImportPeopleInput, as: SignedIn = school.admin) => as.client.request(ImportPeopleDocument, { input });
/** National format of a test phone (+2010… → 010…), read with country EG. */
const national = (phone: string) => `0${phone.slice(3)}`;

const childrenOf = async (userId: string) => {
  const [row] = await t.deps.database.db
    .select({ id: memberships.id })
    .from(memberships)
    .where(and(eq(memberships.tenantId, school.tenant.id), eq(memberships.userId, userId)));
  expect(row).toBeTruthy();
  const parent = await t.deps.database.db.query.parents.findFirst({ where: (p, { eq }) => eq(p.userId, userId) });
  if (!parent) return [];
  return t.deps.database.db
    .select({ child: children, relation: guardianships.relation })
    .from(guardianships)
    .innerJoin(children, and(eq(children.tenantId, guardianships.tenantId), eq(children.id, guardianships.childId)))
    .where(eq(guardianships.parentId, parent.id));
};

const HEADER = [
  "Child First Name",
  "child_last_name",
  "childDateOfBirth",
  "childGender",
  "guardianPhone",
  "guardianEmail",
  "relation",
  "course",
];

describe("children with guardians from CSV", () => {
  it("a dry run names every bad row and writes nothing; the real run with bad rows writes nothing either", async () => {
    const mother = await t.fixtures.member(school.tenant, ["PARENT"]);
    const file = csv([
      HEADER,
      ["Salma", "Hassan", "2016-02-01", "FEMALE", mother.user.phone, "", "MOTHER", "Robotics"],
      ["Omar", "Hassan", "2017-13-01", "", mother.user.phone, "", "MOTHER", ""],
      ["Ali", "", "", "", "not a phone", "", "", ""],
      ["Mona", "", "", "", "+201099999990", "", "", ""],
      ["Salma", "hassan", "2016-02-01", "", mother.user.phone, "", "", ""],
      ["Youssef", "", "", "", mother.user.phone, "", "UNCLE", "Chess"],
    ]);
    const dry = data(await run({ file, format: "CSV", kind: "CHILDREN_WITH_GUARDIANS", dryRun: true, country: "EG" })).importPeople;
    expect(dry).toMatchObject({ dryRun: true, rows: 6, written: false, created: 1, enrolled: 1 });
    expect(dry.errors.map((e) => [e.row, e.column])).toEqual([
      [3, "childDateOfBirth"],
      [4, "guardianPhone"],
      [5, "guardianPhone"],
      [6, "childFirstName"],
      [7, "relation"],
    ]);
    expect(dry.errors[3]!.message).toMatch(/row 2/);
    expect(dry.errorCount).toBe(5);
    const real = data(await run({ file, format: "CSV", kind: "CHILDREN_WITH_GUARDIANS", dryRun: false, country: "EG" })).importPeople;
    expect(real).toMatchObject({ written: false, errorCount: 5 });
    expect(await childrenOf(mother.user.id)).toEqual([]);

    // An unknown course is a row error too.
    const chess = csv([HEADER, ["Youssef", "", "", "", mother.user.phone, "", "", "Chess"]]);
    const unknown = data(await run({ file: chess, format: "CSV", kind: "CHILDREN_WITH_GUARDIANS", dryRun: true })).importPeople;
    expect(unknown.errors).toEqual([{ row: 2, column: "course", message: 'There is no course "Chess".' }]);
  });

  it("imports children (Arabic names intact, national phones with the country) all at once, and re-uploading changes nothing", async () => {
    const mother = await t.fixtures.member(school.tenant, ["PARENT"]);
    const father = await t.fixtures.member(school.tenant, ["MEMBER"]); // no parent profile yet
    const file = csv([
      HEADER,
      ["سلمى", "حسن", "2016-02-01", "female", national(mother.user.phone), "", "MOTHER", "robotics"],
      ["عمر", "حسن", "2018-05-09", "MALE", "", father.user.email.toUpperCase(), "FATHER", courseId],
      ["Lina", "", "", "", national(mother.user.phone), "", "", ""],
    ]);
    const input = { file, format: "CSV" as const, kind: "CHILDREN_WITH_GUARDIANS" as const, country: "EG" };
    const dry = data(await run({ ...input, dryRun: true })).importPeople;
    expect(dry).toMatchObject({ rows: 3, created: 3, existing: 0, enrolled: 2, errors: [], written: false });
    expect(await childrenOf(mother.user.id)).toEqual([]);

    const real = data(await run({ ...input, dryRun: false })).importPeople;
    expect(real).toMatchObject({ rows: 3, created: 3, enrolled: 2, written: true });
    const mine = await childrenOf(mother.user.id);
    expect(mine.map((r) => [r.child.firstName, r.child.lastName, r.child.gender, r.relation]).sort()).toEqual([
      ["Lina", "", "UNSPECIFIED", "OTHER"],
      ["سلمى", "حسن", "FEMALE", "MOTHER"],
    ]);
    const his = await childrenOf(father.user.id);
    expect(his.map((r) => [r.child.firstName, r.child.dateOfBirth, r.relation])).toEqual([["عمر", "2018-05-09", "FATHER"]]);
    // The father got a parent profile and the PARENT role; the children are enrolled.
    const [membership] = await t.deps.database.db
      .select()
      .from(memberships)
      .where(and(eq(memberships.tenantId, school.tenant.id), eq(memberships.userId, father.user.id)));
    expect(membership!.roles).toContain("PARENT");
    const childIds = [...mine, ...his].map((r) => r.child.id);
    const enrolled = await t.deps.database.db.select().from(enrollments).where(inArray(enrollments.childId, childIds));
    expect(enrolled.map((e) => [e.courseId, e.status])).toEqual([
      [courseId, "ACTIVE"],
      [courseId, "ACTIVE"],
    ]);

    const again = data(await run({ ...input, dryRun: false })).importPeople;
    expect(again).toMatchObject({ created: 0, existing: 3, enrolled: 0, errors: [], written: true });
    expect(await childrenOf(mother.user.id)).toHaveLength(2);
    expect(await t.deps.database.db.select().from(enrollments).where(inArray(enrollments.childId, childIds))).toHaveLength(2);
    expect(await parentIdOf(t, father)).toBeTruthy();
  });

  it("200 rows cost the statements 20 do", async () => {
    const guardians = await Promise.all(Array.from({ length: 4 }, () => t.fixtures.member(school.tenant, ["PARENT"])));
    const file = (count: number, prefix: string) =>
      csv([
        HEADER,
        ...Array.from({ length: count }, (_, i) => [
          `${prefix}${i}`,
          "Bulk",
          "2015-01-01",
          "",
          guardians[i % 4]!.user.phone,
          "",
          "",
          "Robotics",
        ]),
      ]);
    const small = await run({ file: file(20, "S"), format: "CSV", kind: "CHILDREN_WITH_GUARDIANS", dryRun: false });
    const large = await run({ file: file(200, "L"), format: "CSV", kind: "CHILDREN_WITH_GUARDIANS", dryRun: false });
    expect(data(large).importPeople).toMatchObject({ created: 200, enrolled: 200, written: true });
    const count = expectFlatStatements(small, large);
    expect(count).toBeLessThanOrEqual(20);
  });
});

describe("students from XLSX", () => {
  it("members become students (with the STUDENT role) and are enrolled; a date cell reads as a date; re-upload changes nothing", async () => {
    const a = await t.fixtures.member(school.tenant, ["MEMBER"]);
    const b = await t.fixtures.member(school.tenant, ["MEMBER"]);
    const outsider = await createSchool(t).then((other) => other.admin);
    const rows = [
      ["Phone", "Email", "School", "Grade", "Course"],
      [a.user.phone, "", "مدرسة النصر", "5", "Robotics"],
      ["", b.user.email, "", "", ""],
    ];
    const file = await xlsx(rows);
    const dry = data(await run({ file, format: "XLSX", kind: "STUDENTS", dryRun: true })).importPeople;
    expect(dry).toMatchObject({ rows: 2, created: 2, enrolled: 1, errors: [], written: false });
    const real = data(await run({ file, format: "XLSX", kind: "STUDENTS", dryRun: false })).importPeople;
    expect(real).toMatchObject({ created: 2, enrolled: 1, written: true });
    const profiles = await t.deps.database.db
      .select()
      .from(students)
      .where(inArray(students.userId, [a.user.id, b.user.id]));
    expect(profiles.map((p) => [p.userId === a.user.id ? "a" : "b", p.school, p.grade]).sort()).toEqual([
      ["a", "مدرسة النصر", "5"],
      ["b", null, null],
    ]);
    const again = data(await run({ file, format: "XLSX", kind: "STUDENTS", dryRun: false })).importPeople;
    expect(again).toMatchObject({ created: 0, existing: 2, enrolled: 0, written: true });

    // A member of another tenant is not found here (nobody is attached without their consent); duplicates are named.
    const bad = await xlsx([rows[0]!, [outsider.user.phone], [a.user.phone], ["", a.user.email]]);
    const refused = data(await run({ file: bad, format: "XLSX", kind: "STUDENTS", dryRun: false })).importPeople;
    expect(refused.written).toBe(false);
    expect(refused.errors.map((e) => [e.row, e.column])).toEqual([
      [2, "phone"],
      [4, "email"],
    ]);

    // Children from XLSX with a real date cell.
    const mother = await t.fixtures.member(school.tenant, ["PARENT"]);
    const kids = await xlsx([HEADER, ["Huda", "Ali", new Date(Date.UTC(2014, 6, 3)), "FEMALE", mother.user.phone, "", "MOTHER", ""]]);
    data(await run({ file: kids, format: "XLSX", kind: "CHILDREN_WITH_GUARDIANS", dryRun: false }));
    expect((await childrenOf(mother.user.id)).map((r) => [r.child.firstName, r.child.dateOfBirth])).toEqual([["Huda", "2014-07-03"]]);
  });
});

describe("members from CSV", () => {
  it("members already are left as they are; everyone else is invited, account or not, in one batch; re-upload renews", async () => {
    const member = await t.fixtures.member(school.tenant, ["MEMBER"]);
    const elsewhere = (await createSchool(t)).admin; // has an account, not a member here
    const fresh = uniquePhone(); // no account at all
    const rows = [
      ["First Name", "Last Name", "Phone", "Email"],
      ["Amal", "Saeed", member.user.phone, ""],
      ["خالد", "يوسف", elsewhere.user.phone, ""],
      ["Nadia", "", national(fresh), ""],
    ];
    const bad = csv([...rows, ["", "NoName", uniquePhone(), ""], ["Again", "", "", elsewhere.user.email]]);
    const refused = data(
      await run({ file: bad, format: "CSV", kind: "MEMBERS", dryRun: false, country: "EG", temporaryPassword: "temporary-pass-1" }),
    ).importPeople;
    expect(refused).toMatchObject({ written: false });
    expect(refused.errors.map((e) => [e.row, e.column])).toEqual([[5, "firstName"]]);

    const file = csv(rows);
    const input = { file, format: "CSV" as const, kind: "MEMBERS" as const, country: "EG" };
    const dry = data(await run({ ...input, dryRun: true })).importPeople;
    expect(dry).toMatchObject({ rows: 3, existing: 1, invited: 2, errors: [], written: false });
    expect(codes(await run({ ...input, dryRun: false }))).toEqual(["BAD_USER_INPUT"]);

    const real = data(await run({ ...input, dryRun: false, temporaryPassword: "temporary-pass-1" })).importPeople;
    expect(real).toMatchObject({ existing: 1, invited: 2, written: true });
    const pending = await t.deps.database.db
      .select()
      .from(invitations)
      .where(
        and(
          eq(invitations.tenantId, school.tenant.id),
          eq(invitations.status, "PENDING"),
          inArray(invitations.phoneNumber, [elsewhere.user.phone, fresh]),
        ),
      );
    expect(pending.map((i) => [i.phoneNumber, i.firstName, i.roles]).sort()).toEqual(
      [
        [elsewhere.user.phone, "خالد", ["MEMBER"]],
        [fresh, "Nadia", ["MEMBER"]],
      ].sort(),
    );
    // Both are told in their inbox (the new account too); neither is a member until they accept.
    const [account] = await t.deps.database.db.select().from(users).where(eq(users.phoneNumber1, fresh));
    for (const userId of [elsewhere.user.id, account!.id]) {
      const inbox = await t.deps.database.db
        .select()
        .from(notifications)
        .where(and(eq(notifications.userId, userId), eq(notifications.kind, "INVITATION"), eq(notifications.tenantId, school.tenant.id)));
      expect(inbox).toHaveLength(1);
    }
    const joined = await t.deps.database.db
      .select()
      .from(memberships)
      .where(and(eq(memberships.tenantId, school.tenant.id), inArray(memberships.userId, [elsewhere.user.id, account!.id])));
    expect(joined).toEqual([]);

    // Again: the open invitations are renewed, not doubled, and nobody is told twice.
    data(await run({ ...input, dryRun: false, temporaryPassword: "temporary-pass-1" }));
    const after = await t.deps.database.db
      .select()
      .from(invitations)
      .where(and(eq(invitations.tenantId, school.tenant.id), inArray(invitations.phoneNumber, [elsewhere.user.phone, fresh])));
    expect(after).toHaveLength(2);
    const told = await t.deps.database.db
      .select()
      .from(notifications)
      .where(
        and(
          eq(notifications.userId, elsewhere.user.id),
          eq(notifications.kind, "INVITATION"),
          eq(notifications.tenantId, school.tenant.id),
        ),
      );
    expect(told).toHaveLength(1);
  });

  it("inviting 60 costs the statements 6 do", async () => {
    const file = (count: number) => csv([["firstName", "phone"], ...Array.from({ length: count }, (_, i) => [`P${i}`, uniquePhone()])]);
    const input = { format: "CSV" as const, kind: "MEMBERS" as const, dryRun: false, temporaryPassword: "temporary-pass-1" };
    const small = await run({ ...input, file: file(6) });
    const large = await run({ ...input, file: file(60) });
    expect(data(large).importPeople).toMatchObject({ invited: 60, written: true });
    expectFlatStatements(small, large);
  });
});

describe("who may import, and the bounds", () => {
  it("staff only", async () => {
    const input = { file: csv([HEADER]), format: "CSV" as const, kind: "STUDENTS" as const, dryRun: true };
    expect(codes(await t.client({ tenant: school.tenant.slug }).request(ImportPeopleDocument, { input }))).toEqual(["UNAUTHENTICATED"]);
    const { parent } = await school.family(0);
    expect(codes(await run(input, parent))).toEqual(["FORBIDDEN"]);
    expect(codes(await run(input, school.instructor))).toEqual(["FORBIDDEN"]);
  });

  it("refuses files too big, with too many rows, or unreadable", async () => {
    const tooMany = csv([["phone"], ...Array.from({ length: 2001 }, (_, i) => [`+2010${String(i).padStart(8, "0")}`])]);
    expect(codes(await run({ file: tooMany, format: "CSV", kind: "STUDENTS", dryRun: true }))).toEqual(["BAD_USER_INPUT"]);
    expect(codes(await run({ file: "not base64!", format: "CSV", kind: "STUDENTS", dryRun: true }))).toEqual(["BAD_USER_INPUT"]);
    const garbage = Buffer.from("this is no workbook").toString("base64");
    expect(codes(await run({ file: garbage, format: "XLSX", kind: "STUDENTS", dryRun: true }))).toEqual(["BAD_USER_INPUT"]);
    const broken = Buffer.from('phone\n"+2010').toString("base64");
    expect(codes(await run({ file: broken, format: "CSV", kind: "STUDENTS", dryRun: true }))).toEqual(["BAD_USER_INPUT"]);
    expect(codes(await run({ file: csv([HEADER]), format: "CSV", kind: "STUDENTS", dryRun: true, country: "Egypt" }))).toEqual([
      "BAD_USER_INPUT",
    ]);
  });
});
