/**
 * `manual`: money staff took in person (cash, a bank transfer they checked). It is
 * received when recorded, and refunded when staff hand it back; no gateway, no webhooks.
 */
import type { PaymentProvider } from "./provider";

export const manualProvider: PaymentProvider = {
  name: "manual",
  online: false,
  async start(payment, ctx) {
    return {
      providerReference: ctx.reference?.trim() || `manual-${payment.id}`,
      status: "SUCCEEDED",
      nextAction: null,
    };
  },
  async refund(_payment, _amount, refundId) {
    return { status: "REFUNDED", providerReference: `manual-refund-${refundId}` };
  },
};
