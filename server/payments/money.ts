/**
 * Money arithmetic on integer cents (bigint): amounts arrive and leave as decimal
 * strings ("250.00", the numeric(12,2) columns and the Decimal scalar), and no
 * float ever touches them.
 */
const AMOUNT = /^(-?)(\d+)(?:\.(\d{1,2}))?$/;

/** "250.5" → 25050n. Throws on anything that is not a plain decimal with at most 2 places. */
export function toCents(amount: string): bigint {
  const match = AMOUNT.exec(amount.trim());
  if (!match) throw new Error(`not a money amount: ${JSON.stringify(amount)}`);
  const cents = BigInt(match[2]!) * 100n + BigInt((match[3] ?? "").padEnd(2, "0"));
  return match[1] ? -cents : cents;
}

/** 25050n → "250.50". */
export function formatCents(cents: bigint): string {
  const sign = cents < 0n ? "-" : "";
  const abs = cents < 0n ? -cents : cents;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, "0")}`;
}

/** Sum of amounts, as cents. */
export const sumCents = (values: Iterable<bigint>) => [...values].reduce((total, value) => total + value, 0n);

/** Cents are 0 … 99 of the last unit: what the sandbox's failure rule looks at. */
export const centsPart = (cents: bigint) => (cents < 0n ? -cents : cents) % 100n;
