import { Field, ObjectType } from "type-graphql";
import { CurrencyCode, Decimal } from "./scalars";

@ObjectType({ description: "An exact amount of money in a currency." })
export class Money {
  @Field(() => Decimal, { description: 'Exact decimal as a string, e.g. "250.00".' })
  amount: string;

  @Field(() => CurrencyCode, { description: "ISO 4217 currency code." })
  currency: string;
}

export const money = (amount: string, currency: string): Money => ({ amount, currency });
