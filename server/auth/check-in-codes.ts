/**
 * Check-in codes (issue 13). Both are keyed by secrets derived from the signing key
 * (server/auth/keys.ts `derivedSecret`) and hold no personal data.
 *
 * - A participant's QR code: a JWT (HS256, typ `roster-check-in`) with the tenant id, the
 *   participant id and the code's version; revoking bumps the version in the database.
 * - A lecture's rotating code: 8 digits, an HMAC of the tenant, the lecture and the 30-second
 *   time step (TOTP-like, RFC 6238's truncation); the current and the previous step are accepted.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { jwtVerify, SignJWT } from "jose";
import { derivedSecret, type SigningKey } from "./keys";

const QR_TYPE = "roster-check-in";
export const CODE_STEP_MS = 30_000;

const secrets = new WeakMap<object, { qr: Uint8Array; lecture: Uint8Array }>();
function secretsOf(key: Pick<SigningKey, "privateKey">) {
  let found = secrets.get(key);
  if (!found) {
    found = { qr: derivedSecret(key, "check-in-qr"), lecture: derivedSecret(key, "lecture-code") };
    secrets.set(key, found);
  }
  return found;
}

export interface QrClaims {
  tenantId: string;
  participantId: string;
  version: number;
}

/** The QR payload of a participant (no expiry: it is revoked by bumping the version). */
export function signQrToken(key: Pick<SigningKey, "privateKey">, claims: QrClaims): Promise<string> {
  return new SignJWT({ tid: claims.tenantId, pid: claims.participantId, v: claims.version })
    .setProtectedHeader({ alg: "HS256", typ: QR_TYPE })
    .setIssuedAt()
    .sign(secretsOf(key).qr);
}

/** The claims of a QR payload, or null when it is not one of ours (forged, garbled, another key). */
export async function verifyQrToken(key: Pick<SigningKey, "privateKey">, token: string): Promise<QrClaims | null> {
  if (token.length > 2000) return null;
  try {
    const { payload } = await jwtVerify(token, secretsOf(key).qr, { algorithms: ["HS256"], typ: QR_TYPE });
    const { tid, pid, v } = payload as { tid?: unknown; pid?: unknown; v?: unknown };
    if (typeof tid !== "string" || typeof pid !== "string" || typeof v !== "number" || !Number.isInteger(v)) return null;
    return { tenantId: tid, participantId: pid, version: v };
  } catch {
    return null;
  }
}

/** The time step of an instant. */
export const codeStep = (at: Date) => Math.floor(at.getTime() / CODE_STEP_MS);

/** A lecture's 8-digit code for a time step. */
export function lectureCode(key: Pick<SigningKey, "privateKey">, tenantId: string, lectureId: string, step: number): string {
  const mac = createHmac("sha256", secretsOf(key).lecture).update(`${tenantId}:${lectureId}:${step}`).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const value = (mac.readUInt32BE(offset) & 0x7fffffff) % 100_000_000;
  return value.toString().padStart(8, "0");
}

/** Whether `code` is the lecture's code for the step of `at` or the one before. */
export function lectureCodeMatches(key: Pick<SigningKey, "privateKey">, tenantId: string, lectureId: string, code: string, at: Date) {
  const step = codeStep(at);
  const given = Buffer.from(code);
  return [step, step - 1].some((s) => {
    const expected = Buffer.from(lectureCode(key, tenantId, lectureId, s));
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
}
