/** Loaders for issue 13's money: a course's refund policy, when its first lecture starts, a payment's receipts. */
import { and, asc, inArray, ne, sql } from "drizzle-orm";
import { lectures, receipts, refundPolicies } from "../../drizzle/schema";
import { manyLoader, oneLoader } from "./batch";
import type { LoaderContext } from "./index";

export function refundPolicyLoaders(ctx: LoaderContext) {
  const { db } = ctx;
  const { inTenant } = ctx.scope;

  return {
    /** A payment's receipts (its own, then its refunds'), in number order. */
    receiptsOfPayment: manyLoader(
      (paymentIds: readonly string[]) =>
        db
          .select()
          .from(receipts)
          .where(and(inTenant(receipts), inArray(receipts.paymentId, [...paymentIds])))
          .orderBy(asc(receipts.number)),
      (row) => row.paymentId,
    ),
    refundPolicy: oneLoader(
      (courseIds: readonly string[]) =>
        db
          .select()
          .from(refundPolicies)
          .where(and(inTenant(refundPolicies), inArray(refundPolicies.courseId, [...courseIds]))),
      (row) => row.courseId,
    ),
    /** The local date and time of a course's first lecture not cancelled (none: no row). */
    firstLecture: oneLoader(
      (courseIds: readonly string[]) =>
        db
          .select({ courseId: lectures.courseId, startsAt: sql<string>`min(${lectures.date} + ${lectures.startTime})::text` })
          .from(lectures)
          .where(and(inTenant(lectures), inArray(lectures.courseId, [...courseIds]), ne(lectures.status, "CANCELLED")))
          .groupBy(lectures.courseId),
      (row) => row.courseId,
    ),
  };
}
