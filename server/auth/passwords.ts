/** Password hashing with argon2id. Parameters come from config (cheaper ones in tests only). */
import argon2 from "argon2";
import type { Config } from "../config";
import { currentRequest } from "../request-store";

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
  /** Spends the time of a verification when there is no account, so timing does not reveal it. */
  burn(password: string): Promise<void>;
}

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

/**
 * The password policy, one place for every way a password is set (register,
 * change, reset, `npm run admin:create`): 8 to 128 characters. Answers the
 * message key of the problem, or null when the password is acceptable.
 */
export function passwordProblem(password: string): "auth.weakPassword" | null {
  return password.length < PASSWORD_MIN || password.length > PASSWORD_MAX ? "auth.weakPassword" : null;
}

/**
 * Runs a hash or verification and adds its time to the request's passwordMs: argon2
 * is slow by design, and the slow-request log leaves that time out.
 */
async function timed<T>(work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    const store = currentRequest();
    if (store) store.passwordMs = (store.passwordMs ?? 0) + (performance.now() - started);
  }
}

export async function createPasswordHasher(options: Config["auth"]["argon2"]): Promise<PasswordHasher> {
  const params = { type: argon2.argon2id as 0 | 1 | 2, ...options };
  const dummy = await argon2.hash("roster-no-such-account", params);
  return {
    hash: (password) => timed(() => argon2.hash(password, params)),
    verify: (hash, password) => timed(() => argon2.verify(hash, password).catch(() => false)),
    burn: async (password) => {
      await timed(() => argon2.verify(dummy, password).catch(() => false));
    },
  };
}
