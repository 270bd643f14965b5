import { Ctx, Field, FieldResolver, Int, ObjectType, Resolver, Root } from "type-graphql";
import type { Receipt as ReceiptRow } from "../../drizzle/schema";
import type { Context } from "../../server/context";
import { Payment } from "../payments/payment.type";
import { DateTime, UUID } from "../shared/scalars";
import { Money, money } from "../shared/money.type";

@ObjectType({ description: "A numbered receipt: of a payment received, or of a refund paid back." })
export class Receipt implements Pick<ReceiptRow, "id" | "number" | "issuedAt"> {
  @Field(() => UUID, { description: "The receipt's id." })
  id: string;

  @Field(() => Int, { description: "Its number: per tenant, from 1, in the order issued, never reused nor skipped." })
  number: number;

  @Field(() => String, { description: "PAYMENT (money received) or REFUND (money paid back)." })
  kind: "PAYMENT" | "REFUND";

  @Field(() => DateTime, { description: "When it was issued (the payment succeeded or the refund was paid)." })
  issuedAt: Date;

  amount: string;
  currency: string;
  paymentId: string;
  tenantId: string;
}

@Resolver(() => Receipt)
export class ReceiptResolver {
  @FieldResolver(() => Money, { description: "The amount received or paid back." })
  amount(@Root() receipt: Receipt) {
    return money(receipt.amount, receipt.currency);
  }

  @FieldResolver(() => String, {
    description:
      "Where to download it as a PDF in the payer's language: GET this path with the same Authorization header as GraphQL (the payer's family and staff).",
  })
  pdfPath(@Root() receipt: Receipt) {
    return `/receipts/${receipt.id}.pdf`;
  }
}

@Resolver(() => Payment)
export class PaymentReceiptsResolver {
  @FieldResolver(() => [Receipt], { description: "Receipts of this payment: its own once it succeeded, then one per paid refund." })
  receipts(@Root() payment: Payment, @Ctx() ctx: Context) {
    return ctx.loaders.receiptsOfPayment.load(payment.id);
  }
}
