/** Loaders for payments and refund requests. */
import { and, asc, desc, inArray } from "drizzle-orm";
import { payments, refundRequests } from "../../drizzle/schema";
import { manyLoader, oneLoader } from "./batch";
import type { LoaderContext } from "./index";

export function paymentLoaders({ db, scope }: LoaderContext) {
  return {
    payment: oneLoader(
      (ids: readonly string[]) =>
        db
          .select()
          .from(payments)
          .where(and(scope.inTenant(payments), inArray(payments.id, [...ids]))),
      (row) => row.id,
    ),
    /** Payments of each enrolment, newest first. */
    paymentsOfEnrollment: manyLoader(
      (enrollmentIds: readonly string[]) =>
        db
          .select()
          .from(payments)
          .where(and(scope.inTenant(payments), inArray(payments.enrollmentId, [...enrollmentIds])))
          .orderBy(desc(payments.createdAt), desc(payments.id)),
      (row) => row.enrollmentId,
    ),
    refundRequest: oneLoader(
      (ids: readonly string[]) =>
        db
          .select()
          .from(refundRequests)
          .where(and(scope.inTenant(refundRequests), inArray(refundRequests.id, [...ids]))),
      (row) => row.id,
    ),
    /** Refund requests of each payment, oldest first. */
    refundsOfPayment: manyLoader(
      (paymentIds: readonly string[]) =>
        db
          .select()
          .from(refundRequests)
          .where(and(scope.inTenant(refundRequests), inArray(refundRequests.paymentId, [...paymentIds])))
          .orderBy(asc(refundRequests.createdAt), asc(refundRequests.id)),
      (row) => row.paymentId,
    ),
  };
}
