/** Loaders for payments and refund requests. */
import { and, asc, desc, eq, inArray } from "drizzle-orm";
import { payments, refundRequests } from "../../drizzle/schema";
import { manyLoader, oneLoader } from "./batch";
import type { LoaderContext } from "./index";

export function paymentLoaders({ db, tenant }: LoaderContext) {
  const tenantId = tenant?.id ?? "00000000-0000-0000-0000-000000000000";
  return {
    payment: oneLoader(
      (ids: readonly string[]) => db.select().from(payments).where(and(eq(payments.tenantId, tenantId), inArray(payments.id, [...ids]))),
      (row) => row.id,
    ),
    /** Payments of each enrolment, newest first. */
    paymentsOfEnrollment: manyLoader(
      (enrollmentIds: readonly string[]) =>
        db
          .select()
          .from(payments)
          .where(and(eq(payments.tenantId, tenantId), inArray(payments.enrollmentId, [...enrollmentIds])))
          .orderBy(desc(payments.createdAt), desc(payments.id)),
      (row) => row.enrollmentId,
    ),
    refundRequest: oneLoader(
      (ids: readonly string[]) =>
        db.select().from(refundRequests).where(and(eq(refundRequests.tenantId, tenantId), inArray(refundRequests.id, [...ids]))),
      (row) => row.id,
    ),
    /** Refund requests of each payment, oldest first. */
    refundsOfPayment: manyLoader(
      (paymentIds: readonly string[]) =>
        db
          .select()
          .from(refundRequests)
          .where(and(eq(refundRequests.tenantId, tenantId), inArray(refundRequests.paymentId, [...paymentIds])))
          .orderBy(asc(refundRequests.createdAt), asc(refundRequests.id)),
      (row) => row.paymentId,
    ),
  };
}
