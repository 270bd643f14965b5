/** Scalars of the API: graphql-scalars where one fits, Decimal for money. */
import { GraphQLError, GraphQLScalarType, Kind } from "graphql";
export {
  CurrencyResolver as CurrencyCode,
  DateTimeResolver as DateTime,
  EmailAddressResolver as EmailAddress,
  JSONObjectResolver as JSONObject,
  JSONResolver as JSONValue,
  LocalDateResolver as LocalDate,
  LocalTimeResolver as LocalTime,
  PhoneNumberResolver as PhoneNumber,
  UUIDResolver as UUID,
} from "graphql-scalars";

const DECIMAL = /^-?\d{1,10}(\.\d{1,2})?$/;

function parseDecimal(value: unknown): string {
  const text = typeof value === "number" && Number.isFinite(value) ? String(value) : value;
  if (typeof text !== "string" || !DECIMAL.test(text.trim())) {
    throw new GraphQLError(`Decimal must be a number with at most 10 digits and 2 decimals, such as "250.00"; got ${JSON.stringify(value)}`, {
      extensions: { code: "BAD_USER_INPUT" },
    });
  }
  return text.trim();
}

/** Exact decimal (money), carried as a string such as "250.00" so no float ever rounds it. */
export const Decimal = new GraphQLScalarType({
  name: "Decimal",
  description: 'Exact decimal number as a string, such as "250.00" (up to 10 digits and 2 decimals).',
  serialize: (value) => (typeof value === "string" ? value : String(value)),
  parseValue: parseDecimal,
  parseLiteral: (ast) => {
    if (ast.kind === Kind.STRING || ast.kind === Kind.INT || ast.kind === Kind.FLOAT) return parseDecimal(ast.value);
    throw new GraphQLError("Decimal must be a string such as \"250.00\"", { extensions: { code: "BAD_USER_INPUT" } });
  },
});
