/** Password hashing with argon2id. Parameters come from config (cheaper ones in tests only). */
import argon2 from "argon2";
import type { Config } from "../config";

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
  /** Spends the time of a verification when there is no account, so timing does not reveal it. */
  burn(password: string): Promise<void>;
}

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

export async function createPasswordHasher(options: Config["auth"]["argon2"]): Promise<PasswordHasher> {
  const params = { type: argon2.argon2id as 0 | 1 | 2, ...options };
  const dummy = await argon2.hash("roster-no-such-account", params);
  return {
    hash: (password) => argon2.hash(password, params),
    verify: async (hash, password) => {
      try {
        return await argon2.verify(hash, password);
      } catch {
        return false;
      }
    },
    burn: async (password) => {
      await argon2.verify(dummy, password).catch(() => false);
    },
  };
}
