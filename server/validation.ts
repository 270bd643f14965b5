/** Validation shared by every domain: phone numbers (libphonenumber-js), emails, time zones. */
import { parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js/max";
import { AppError } from "./errors";

/** Control characters (NUL, newlines …): never part of a phone number, an email or a login. */
const CONTROL = /\p{Cc}/u;

/** Normalises a phone number to E.164; `country` allows national format (e.g. "EG"). */
export function normalizePhone(raw: string, country?: CountryCode): string {
  // libphonenumber skips what it does not understand ("+20100…\0" would pass as the number).
  if (CONTROL.test(raw)) throw new AppError("BAD_USER_INPUT", "input.phone", { value: printable(raw) }, { field: "phoneNumber" });
  const phone = parsePhoneNumberFromString(raw.trim(), country);
  if (!phone?.isValid()) throw new AppError("BAD_USER_INPUT", "input.phone", { value: raw }, { field: "phoneNumber" });
  return phone.number;
}

const EMAIL = /^[^\s@]{1,64}@[^\s@.]+(\.[^\s@.]+)+$/;

/** Trims and lower-cases an email address after checking its shape. */
export function normalizeEmail(raw: string): string {
  const email = raw.trim().toLowerCase();
  if (email.length > 254 || !EMAIL.test(email) || CONTROL.test(email)) {
    throw new AppError("BAD_USER_INPUT", "input.email", { value: printable(raw) }, { field: "email" });
  }
  return email;
}

export type LoginIdentifier = { kind: "phone"; value: string } | { kind: "email"; value: string };

/** A login is an email (has "@") or a phone number in international format. */
export function parseLoginIdentifier(raw: string): LoginIdentifier {
  const trimmed = raw.trim();
  if (!trimmed || CONTROL.test(trimmed)) throw new AppError("BAD_USER_INPUT", "auth.loginIdentifier", {}, { field: "identifier" });
  if (trimmed.includes("@")) return { kind: "email", value: normalizeEmail(trimmed) };
  if (!trimmed.startsWith("+") && !trimmed.startsWith("00")) {
    throw new AppError("BAD_USER_INPUT", "auth.loginIdentifier", {}, { field: "identifier" });
  }
  return { kind: "phone", value: normalizePhone(trimmed.replace(/^00/, "+")) };
}

/** A value quoted back in a message, control characters shown as \uXXXX (a NUL byte in a response or a log line helps nobody). */
const printable = (raw: string) => raw.slice(0, 100).replace(/\p{Cc}/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

/** True for an IANA time zone this runtime knows. */
export function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: value });
    return true;
  } catch {
    return false;
  }
}
