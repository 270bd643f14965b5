/** Scalars of the API: graphql-scalars where one fits, Decimal for money. */
import { GraphQLError, GraphQLScalarType, Kind } from "graphql";
import { DateTimeResolver, LocalDateResolver, LocalTimeResolver, UUIDResolver } from "graphql-scalars";
export {
  CurrencyResolver as CurrencyCode,
  EmailAddressResolver as EmailAddress,
  JSONObjectResolver as JSONObject,
  JSONResolver as JSONValue,
  PhoneNumberResolver as PhoneNumber,
} from "graphql-scalars";

/**
 * A graphql-scalars scalar whose output skips re-validating values that come
 * from typed database columns (`fast` answers those; anything else takes the
 * full check). Input parsing is unchanged. Output validation was a few percent
 * of a large answer's CPU time.
 */
function trusted(scalar: GraphQLScalarType, fast: (value: unknown) => unknown): GraphQLScalarType {
  const full = scalar.serialize.bind(scalar);
  return new GraphQLScalarType({ ...scalar.toConfig(), serialize: (value) => fast(value) ?? full(value) });
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^\d{2}:\d{2}:\d{2}$/;

/** A Date column as is (JSON gives its ISO form). */
export const DateTime = trusted(DateTimeResolver, (value) => (value instanceof Date && !Number.isNaN(value.getTime()) ? value : undefined));
/** `date` columns arrive as "YYYY-MM-DD". */
export const LocalDate = trusted(LocalDateResolver, (value) => (typeof value === "string" && DATE.test(value) ? value : undefined));
/** `time` columns arrive as "HH:MM:SS". */
export const LocalTime = trusted(LocalTimeResolver, (value) => (typeof value === "string" && TIME.test(value) ? value : undefined));
/** `uuid` columns arrive as 36 characters. */
export const UUID = trusted(UUIDResolver, (value) => (typeof value === "string" && value.length === 36 ? value : undefined));

const DECIMAL = /^-?\d{1,10}(\.\d{1,2})?$/;

function parseDecimal(value: unknown): string {
  const text = typeof value === "number" && Number.isFinite(value) ? String(value) : value;
  if (typeof text !== "string" || !DECIMAL.test(text.trim())) {
    throw new GraphQLError(
      `Decimal must be a number with at most 10 digits and 2 decimals, such as "250.00"; got ${JSON.stringify(value)}`,
      {
        extensions: { code: "BAD_USER_INPUT" },
      },
    );
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
    throw new GraphQLError('Decimal must be a string such as "250.00"', { extensions: { code: "BAD_USER_INPUT" } });
  },
});
