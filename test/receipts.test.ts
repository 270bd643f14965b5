/**
 * Numbered receipts (issue 13): one per payment and per paid refund, numbered per tenant without
 * gaps even when issued concurrently or in a transaction that rolls back; downloadable as a PDF in
 * the payer's language (Arabic shaped right to left) by the payer's family and staff only. The
 * PDFs are read back with a real parser (pdf-parse).
 */
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { PDFParse } from "pdf-parse";
import { beforeAll, describe, expect, it } from "vitest";
import { payments, receipts } from "../drizzle/schema";
import { withSystemContext } from "../server/context";
import { issueReceipt } from "../server/services/receipts";
import {
  AddChildDocument,
  ApproveRefundDocument,
  PaymentReceiptsDocument,
  RecordManualPaymentDocument,
  RequestRefundDocument,
} from "./sdk/graphql";
import { data, expectFlatStatements } from "./helpers/client";
import type { SignedIn } from "./helpers/fixtures";
import { createSchool, type School } from "./helpers/school";
import { useTestServer } from "./helpers/server";

const t = useTestServer();
let school: School;

beforeAll(async () => {
  school = await createSchool(t, await t.fixtures.tenant({ timeZone: "Africa/Cairo", currency: "EGP" }));
});

const key = () => randomUUID();

async function pay(s: School, enrollmentId: string, amount = "250.00") {
  return data(await s.admin.client.request(RecordManualPaymentDocument, { input: { enrollmentId, amount, idempotencyKey: key() } }))
    .recordManualPayment;
}

async function receiptsOf(who: SignedIn, enrollmentId: string) {
  const result = data(await who.client.request(PaymentReceiptsDocument, { filter: { enrollmentId } }));
  return result.payments.nodes.flatMap((node) => node.receipts).sort((a, b) => a.number - b.number);
}

const download = (path: string, token?: string) => fetch(`${t.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

async function pdfText(response: Response) {
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toContain("application/pdf");
  const parser = new PDFParse({ data: new Uint8Array(await response.arrayBuffer()) });
  try {
    return (await parser.getText()).text;
  } finally {
    await parser.destroy();
  }
}

describe("numbering", () => {
  it("payments and refunds get the tenant's next numbers; another tenant counts from 1", async () => {
    const courseId = await school.createCourse({ price: "250.00" });
    const family = await school.family(1);
    const enrollmentId = await school.enroll(courseId, family.childIds[0]!, family.parent);
    const first = await pay(school, enrollmentId, "100.00");
    const second = await pay(school, enrollmentId, "150.00");
    const refund = data(
      await family.parent.client.request(RequestRefundDocument, {
        input: { paymentId: second.id, amount: "50", reason: "Two lessons missed", idempotencyKey: key() },
      }),
    ).requestRefund;
    data(await school.admin.client.request(ApproveRefundDocument, { input: { refundRequestId: refund.id, idempotencyKey: key() } }));

    const found = await receiptsOf(family.parent, enrollmentId);
    const numbers = found.map((r) => r.number);
    expect(found.map((r) => [r.kind, r.amount.amount])).toEqual([
      ["PAYMENT", "100.00"],
      ["PAYMENT", "150.00"],
      ["REFUND", "50.00"],
    ]);
    expect(numbers[1]).toBe(numbers[0]! + 1);
    expect(numbers[2]).toBe(numbers[1]! + 1);
    expect(found.every((r) => r.pdfPath === `/receipts/${r.id}.pdf`)).toBe(true);
    expect(first.id).toBeDefined();

    const other = await createSchool(t);
    const otherFamily = await other.family(1);
    const otherEnrollment = await other.enroll(await other.createCourse(), otherFamily.childIds[0]!, otherFamily.parent);
    await pay(other, otherEnrollment);
    expect((await receiptsOf(other.admin, otherEnrollment)).map((r) => r.number)).toEqual([1]);
  });

  it("ten payments at once get ten consecutive numbers; a rolled-back receipt leaves no gap", async () => {
    const s = await createSchool(t);
    const courseId = await s.createCourse({ capacity: 20 });
    const enrollmentIds: string[] = [];
    for (let i = 0; i < 10; i++) enrollmentIds.push(await s.enroll(courseId, (await s.student()).studentId));
    await Promise.all(enrollmentIds.map((id) => pay(s, id)));
    const rows = await t.deps.database.db.select().from(receipts).where(eq(receipts.tenantId, s.tenant.id));
    expect(rows.map((r) => r.number).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);

    // A transaction that issues a receipt and then fails takes its number back with it.
    // A payment without a receipt yet (PENDING at a gateway), written straight into the table.
    const [payment] = await t.deps.database.db
      .insert(payments)
      .values({
        tenantId: s.tenant.id,
        enrollmentId: enrollmentIds[0]!,
        amount: "1.00",
        currency: "TZS",
        provider: "manual",
        providerReference: key(),
      })
      .returning();
    await expect(
      withSystemContext(t.deps, s.tenant, randomUUID(), async (ctx) => {
        const receipt = await issueReceipt(ctx, payment!);
        expect(receipt.number).toBe(11);
        throw new Error("payment provider said no after all");
      }),
    ).rejects.toThrow("provider said no");
    const next = await s.enroll(courseId, (await s.student()).studentId);
    await pay(s, next);
    expect((await receiptsOf(s.admin, next)).map((r) => r.number)).toEqual([11]);

    // Listing receipts with payments costs the same statements for one payment as for ten.
    const small = await s.admin.client.request(PaymentReceiptsDocument, { first: 1 });
    const large = await s.admin.client.request(PaymentReceiptsDocument, { first: 10 });
    expectFlatStatements(small, large);
  });
});

describe("the PDF", () => {
  it("in English for an English payer: number, amount, names; staff may download it, strangers and anonymous may not", async () => {
    const courseId = await school.createCourse({ name: "Robotics Juniors", price: "250.00" });
    const family = await school.family(1);
    const enrollmentId = await school.enroll(courseId, family.childIds[0]!, family.parent);
    await pay(school, enrollmentId);
    const [receipt] = await receiptsOf(family.parent, enrollmentId);
    const text = await pdfText(await download(receipt!.pdfPath, family.parent.token));
    expect(text).toContain("Receipt");
    expect(text).toContain(`Receipt number`);
    expect(text).toContain(String(receipt!.number));
    expect(text).toContain("250.00 EGP");
    expect(text).toContain("Kid0 Test");
    expect(text).toContain("Robotics Juniors");
    expect(text).toContain("Test User");

    expect((await download(receipt!.pdfPath, school.admin.token)).status).toBe(200);
    const stranger = await school.family(1);
    expect((await download(receipt!.pdfPath, stranger.parent.token)).status).toBe(404);
    expect((await download(receipt!.pdfPath, school.instructor.token)).status).toBe(404);
    expect((await download(receipt!.pdfPath)).status).toBe(401);
    const other = await createSchool(t);
    expect((await download(receipt!.pdfPath, other.admin.token)).status).toBe(404);
    expect((await download(`/receipts/${randomUUID()}.pdf`, school.admin.token)).status).toBe(404);
    expect((await download("/receipts/not-a-uuid.pdf", school.admin.token)).status).toBe(404);
  });

  it("in Arabic for an Arabic-speaking payer, shaped right to left, with an Arabic child's name; a refund receipt says so", async () => {
    const parent = await t.fixtures.member(school.tenant, ["PARENT"], { language: "ar" });
    const childId = data(await parent.client.request(AddChildDocument, { input: { firstName: "ليلى", lastName: "حسن" } })).addChild.id;
    const courseId = await school.createCourse({ name: "الروبوتات", price: "250.00" });
    const enrollmentId = await school.enroll(courseId, childId, parent);
    const payment = await pay(school, enrollmentId);
    const refund = data(
      await parent.client.request(RequestRefundDocument, {
        input: { paymentId: payment.id, amount: "100", reason: "سفر", idempotencyKey: key() },
      }),
    ).requestRefund;
    data(await school.admin.client.request(ApproveRefundDocument, { input: { refundRequestId: refund.id, idempotencyKey: key() } }));
    const [paid, refunded] = await receiptsOf(parent, enrollmentId);

    const text = await pdfText(await download(paid!.pdfPath, parent.token));
    // Text extraction may give right-to-left runs in either order: look for each word either way.
    const has = (word: string) => text.includes(word) || text.includes([...word].reverse().join(""));
    for (const word of ["إيصال", "المبلغ", "ليلى", "حسن", "الروبوتات"]) expect(has(word), word).toBe(true);
    expect(text).toContain("250.00 EGP");
    expect(text).toContain(String(paid!.number));

    const refundText = await pdfText(await download(refunded!.pdfPath, parent.token));
    expect(refundText.includes("استرداد") || refundText.includes([..."استرداد"].reverse().join(""))).toBe(true);
    expect(refundText).toContain("100.00 EGP");
  });
});
