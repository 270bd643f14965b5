/**
 * Refund policies per course (issue 13): tiers evaluated at their exact cut-off instants in the
 * tenant's time zone (Africa/Cairo, across both daylight-saving changes), the fee, the quote
 * before asking, requestRefund capped by it, staff overriding with a reason (audited), and who
 * may see and set what.
 */
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "../drizzle/schema";
import {
  CancelEnrollmentWithRefundDocument,
  CoursesWithRefundPoliciesDocument,
  CreateLectureDocument,
  RecordManualPaymentDocument,
  RefundQuoteDocument,
  RequestRefundDocument,
  SetCourseRefundPolicyDocument,
  type RefundPolicyInput,
} from "./sdk/graphql";
import { codes, data, expectFlatStatements } from "./helpers/client";
import { createSchool, type School } from "./helpers/school";
import { useTestServer } from "./helpers/server";

const t = useTestServer();
let school: School;

beforeAll(async () => {
  school = await createSchool(t, await t.fixtures.tenant({ timeZone: "Africa/Cairo", currency: "EGP" }));
});

const key = () => randomUUID();
/** 100 % until 7 days before the first day, 50 % until the first lecture, then nothing; a fee of 20. */
const STANDARD: RefundPolicyInput = {
  fee: "20",
  tiers: [
    { percent: 100, until: "DAYS_BEFORE_START", days: 7 },
    { percent: 50, until: "FIRST_LECTURE" },
  ],
};

/** A course starting on `startsOn` with a first lecture at 10:00 local, a family's child enrolled and 250 paid. */
async function paidEnrollment(startsOn: string, policy: RefundPolicyInput | null = STANDARD, amount = "250.00", price = amount) {
  const courseId = await school.createCourse({ startsOn, endsOn: "2099-12-31", price });
  data(await school.admin.client.request(CreateLectureDocument, { courseId, input: { date: startsOn, startTime: "10:00" } }));
  const policyResult = data(await school.admin.client.request(SetCourseRefundPolicyDocument, { courseId, policy }));
  const family = await school.family(1);
  const enrollmentId = await school.enroll(courseId, family.childIds[0]!, family.parent);
  const payment = data(
    await school.admin.client.request(RecordManualPaymentDocument, { input: { enrollmentId, amount, idempotencyKey: key() } }),
  ).recordManualPayment;
  return { courseId, enrollmentId, family, paymentId: payment.id, policy: policyResult.setCourseRefundPolicy.refundPolicy };
}

const quoteAt = async (enrollmentId: string, at: string, as = school.admin) =>
  data(await as.client.request(RefundQuoteDocument, { enrollmentId, at })).refundQuote;
const ms = (iso: string, delta: number) => new Date(new Date(iso).getTime() + delta).toISOString();

describe("cut-offs in the tenant's time zone", () => {
  it("spring forward: 7 days before 1 May 2099 is Cairo's missing midnight of 24 April; the first lecture at 10:00 EEST", async () => {
    const { enrollmentId, policy } = await paidEnrollment("2099-05-01");
    // Cairo skips 00:00–01:00 on Friday 24 April 2099: the day starts at 01:00 EEST = 22:00Z the day before.
    const sevenDaysBefore = "2099-04-23T22:00:00.000Z";
    // 10:00 EEST (UTC+3).
    const firstLecture = "2099-05-01T07:00:00.000Z";
    expect(policy?.tiers.map((tier) => [tier.percent, tier.endsAt])).toEqual([
      [100, sevenDaysBefore],
      [50, firstLecture],
    ]);
    expect(await quoteAt(enrollmentId, ms(sevenDaysBefore, -1))).toMatchObject({
      percent: 100,
      refundableBeforePolicy: "250.00",
      fee: "20.00",
      refundable: "230.00",
      changesAt: sevenDaysBefore,
      hasPolicy: true,
      currency: "EGP",
    });
    expect(await quoteAt(enrollmentId, sevenDaysBefore)).toMatchObject({ percent: 50, refundable: "105.00", changesAt: firstLecture });
    expect(await quoteAt(enrollmentId, ms(firstLecture, -1))).toMatchObject({ percent: 50, refundable: "105.00" });
    expect(await quoteAt(enrollmentId, firstLecture)).toMatchObject({ percent: 0, refundable: "0.00", changesAt: null });
  });

  it("fall back: 7 days before 6 November 2099 is 30 October 00:00 EET (UTC+2), the day after Cairo's clocks go back", async () => {
    const { enrollmentId, policy } = await paidEnrollment("2099-11-06");
    const sevenDaysBefore = "2099-10-29T22:00:00.000Z";
    const firstLecture = "2099-11-06T08:00:00.000Z";
    expect(policy?.tiers.map((tier) => tier.endsAt)).toEqual([sevenDaysBefore, firstLecture]);
    // 21:00Z would be midnight under summer time: it is still 29 October 23:00 in Cairo, the full tier.
    expect((await quoteAt(enrollmentId, "2099-10-29T21:00:00.000Z")).percent).toBe(100);
    expect((await quoteAt(enrollmentId, ms(sevenDaysBefore, -1))).percent).toBe(100);
    expect((await quoteAt(enrollmentId, sevenDaysBefore)).percent).toBe(50);
    expect((await quoteAt(enrollmentId, ms(firstLecture, -1))).percent).toBe(50);
    expect((await quoteAt(enrollmentId, firstLecture)).percent).toBe(0);
  });

  it("rounds down to the cent, never below zero; a course without a policy refunds in full", async () => {
    const odd = await paidEnrollment("2099-05-01", { fee: "0.01", tiers: [{ percent: 33, until: "FIRST_LECTURE" }] }, "99.99");
    // 33 % of 99.99 = 32.9967 → 32.99, less 0.01.
    expect((await quoteAt(odd.enrollmentId, "2099-01-01T00:00:00Z")).refundable).toBe("32.98");
    const fees = await paidEnrollment("2099-05-01", { fee: "300", tiers: [{ percent: 100, until: "FIRST_LECTURE" }] });
    expect((await quoteAt(fees.enrollmentId, "2099-01-01T00:00:00Z")).refundable).toBe("0.00");
    const free = await paidEnrollment("2099-05-01", null);
    expect(free.policy).toBeNull();
    expect(await quoteAt(free.enrollmentId, "2099-12-01T00:00:00Z")).toMatchObject({
      hasPolicy: false,
      percent: 100,
      fee: "0.00",
      refundable: "250.00",
      changesAt: null,
    });
  });
});

describe("asking for a refund", () => {
  it("requestRefund refuses more than the quote; staff override it with a reason, audited; families may not", async () => {
    // Starts far ahead: the 100 % tier applies now.
    const { enrollmentId, family, paymentId } = await paidEnrollment("2099-05-01");
    const now = data(await family.parent.client.request(RefundQuoteDocument, { enrollmentId })).refundQuote;
    expect(now).toMatchObject({ percent: 100, refundable: "230.00" });
    const ask = (amount: string, extra: { overridePolicyReason?: string } = {}, as = family.parent) =>
      as.client.request(RequestRefundDocument, { input: { paymentId, amount, reason: "Moving away", idempotencyKey: key(), ...extra } });
    const over = await ask("250");
    expect(codes(over)).toEqual(["BAD_USER_INPUT"]);
    expect(over.errors?.[0]?.message).toContain("230.00 EGP");
    expect(codes(await ask("250", { overridePolicyReason: "I insist" }))).toEqual(["FORBIDDEN"]);
    expect(data(await ask("230")).requestRefund.amount).toEqual({ amount: "230.00", currency: "EGP" });
    // What is left (20) is all fee: nothing more without an override.
    expect(data(await family.parent.client.request(RefundQuoteDocument, { enrollmentId })).refundQuote).toMatchObject({
      refundableBeforePolicy: "20.00",
      refundable: "0.00",
    });
    expect(codes(await ask("20", {}, school.admin))).toEqual(["BAD_USER_INPUT"]);
    const overridden = data(await ask("20", { overridePolicyReason: "Course moved to another day" }, school.admin)).requestRefund;
    const rows = await t.deps.database.db.select().from(auditLog).where(eq(auditLog.entityId, overridden.id));
    const override = rows.find((r) => r.action === "refund.policyOverride");
    expect(override?.after).toMatchObject({ amount: "20.00", reason: "Course moved to another day", quote: { refundable: "0.00" } });
  });
});

describe("self-cancellation", () => {
  it("leaving asks for the quote, split over the payments newest first; once only; strangers may not", async () => {
    const { enrollmentId, family } = await paidEnrollment("2099-05-01", STANDARD, "100.00", "250.00");
    data(
      await school.admin.client.request(RecordManualPaymentDocument, {
        input: { enrollmentId, amount: "150.00", idempotencyKey: key() },
      }),
    );
    const stranger = await school.family(1);
    const input = { enrollmentId, reason: "Moving away", idempotencyKey: key() };
    expect(codes(await stranger.parent.client.request(CancelEnrollmentWithRefundDocument, { input }))).toEqual(["NOT_FOUND"]);
    const done = data(await family.parent.client.request(CancelEnrollmentWithRefundDocument, { input })).cancelEnrollmentWithRefund;
    expect(done.enrollment.status).toBe("DROPPED");
    // 100 % of 250, less the fee of 20: 150 from the newer payment, 80 from the older.
    expect(done.quote).toMatchObject({ percent: 100, refundable: "230.00" });
    expect(done.refunds.map((r) => [r.status, r.amount.amount])).toEqual([
      ["REQUESTED", "150.00"],
      ["REQUESTED", "80.00"],
    ]);
    expect(codes(await family.parent.client.request(CancelEnrollmentWithRefundDocument, { input }))).toEqual(["CONFLICT"]);
  });

  it("after the last cut-off the family leaves with nothing to ask for", async () => {
    // A course that began in 2020: its first lecture, the only tier's cut-off, is long past.
    const { enrollmentId, family } = await paidEnrollment("2020-01-06", { tiers: [{ percent: 100, until: "FIRST_LECTURE" }] });
    const result = data(
      await family.parent.client.request(CancelEnrollmentWithRefundDocument, {
        input: { enrollmentId, reason: "Changed plans", idempotencyKey: key() },
      }),
    ).cancelEnrollmentWithRefund;
    expect(result.enrollment.status).toBe("DROPPED");
    expect(result.quote).toMatchObject({ percent: 0, refundable: "0.00" });
    expect(result.refunds).toEqual([]);
  });
});

describe("who may do what", () => {
  it("quotes: staff and the family only; policies: staff only; bad policies are refused", async () => {
    const { courseId, enrollmentId } = await paidEnrollment("2099-05-01");
    const stranger = await school.family(1);
    expect(codes(await stranger.parent.client.request(RefundQuoteDocument, { enrollmentId }))).toEqual(["NOT_FOUND"]);
    expect(codes(await school.instructor.client.request(RefundQuoteDocument, { enrollmentId }))).toEqual(["NOT_FOUND"]);
    expect(codes(await t.client({ tenant: school.tenant.slug }).request(RefundQuoteDocument, { enrollmentId }))).toEqual([
      "UNAUTHENTICATED",
    ]);
    const other = await createSchool(t);
    expect(codes(await other.admin.client.request(RefundQuoteDocument, { enrollmentId }))).toEqual(["NOT_FOUND"]);
    expect(codes(await other.admin.client.request(SetCourseRefundPolicyDocument, { courseId, policy: STANDARD }))).toEqual(["NOT_FOUND"]);
    expect(codes(await stranger.parent.client.request(SetCourseRefundPolicyDocument, { courseId, policy: STANDARD }))).toEqual([
      "FORBIDDEN",
    ]);

    const bad = async (policy: RefundPolicyInput) =>
      codes(await school.admin.client.request(SetCourseRefundPolicyDocument, { courseId, policy }));
    expect(await bad({ tiers: [{ percent: 101, until: "FIRST_LECTURE" }] })).toEqual(["BAD_USER_INPUT"]);
    expect(await bad({ tiers: [{ percent: 50, until: "DAYS_BEFORE_START" }] })).toEqual(["BAD_USER_INPUT"]);
    expect(await bad({ tiers: [{ percent: 50, until: "FIRST_LECTURE", days: 3 }] })).toEqual(["BAD_USER_INPUT"]);
    expect(await bad({ tiers: [] })).toEqual(["BAD_USER_INPUT"]);
    expect(await bad({ fee: "-1", tiers: [{ percent: 50, until: "FIRST_LECTURE" }] })).toEqual(["BAD_USER_INPUT"]);
    // The first lecture comes after 7 days before the start: out of time order.
    expect(
      await bad({
        tiers: [
          { percent: 50, until: "FIRST_LECTURE" },
          { percent: 100, until: "DAYS_BEFORE_START", days: 7 },
        ],
      }),
    ).toEqual(["BAD_USER_INPUT"]);
    expect(
      await bad({ tiers: Array.from({ length: 11 }, (_, i) => ({ percent: 100, until: "DAYS_BEFORE_START", days: 30 - i })) }),
    ).toEqual(["BAD_USER_INPUT"]);
    // Removing the policy is audited like setting it.
    expect(
      data(await school.admin.client.request(SetCourseRefundPolicyDocument, { courseId, policy: null })).setCourseRefundPolicy.refundPolicy,
    ).toBeNull();
    const actions = await t.deps.database.db.select({ action: auditLog.action }).from(auditLog).where(eq(auditLog.entityId, courseId));
    expect(actions.filter((a) => a.action === "refundPolicy.set")).toHaveLength(2);
  });

  it("a page of courses with their policies costs the same statements as one course", async () => {
    const small = await school.admin.client.request(CoursesWithRefundPoliciesDocument, { first: 1 });
    const large = await school.admin.client.request(CoursesWithRefundPoliciesDocument, { first: 20 });
    expectFlatStatements(small, large);
    expect(data(large).courses.nodes.filter((n) => n.refundPolicy).length).toBeGreaterThan(1);
  });
});
