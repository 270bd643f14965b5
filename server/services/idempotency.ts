/**
 * Idempotency keys for mutations that move money. The key row is inserted first,
 * inside the mutation's own savepoint:
 *  - a new key runs the operation and stores the ids of its result with the key;
 *  - a concurrent retry's INSERT waits on the primary key until the first request
 *    commits, then finds the key COMPLETED and returns the stored result (re-loaded);
 *  - if the first request fails, its savepoint rolls the key back with everything
 *    else, so a retry runs again: only successes are remembered;
 *  - the same key with other input is a CONFLICT (the client reused a key by mistake).
 * Keys are per tenant, user and operation, and expire after 24 hours (the
 * purge-idempotency-keys job deletes them).
 */
import { createHash } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { idempotencyKeys } from "../../drizzle/schema";
import { canonicalJson } from "../canonical-json";
import type { Context } from "../context";
import { AppError, badInput } from "../errors";

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60_000;
const KEY_MAX = 200;

/** BAD_USER_INPUT unless the key is 1–200 printable characters. */
export function checkIdempotencyKey(key: string): void {
  if (key.length < 1 || key.length > KEY_MAX || !/^[\x21-\x7e]+$/.test(key)) {
    throw badInput("idempotencyKey", `1 to ${KEY_MAX} printable characters without spaces`);
  }
}

/** SHA-256 of the canonical JSON of an operation's input. */
export const requestHash = (input: unknown) => createHash("sha256").update(canonicalJson(input)).digest("hex");

export interface IdempotentOperation<T, Saved> {
  /** Names the mutation (keys of different operations never collide). */
  operation: string;
  key: string;
  /** The mutation's input without the key, normalised (its hash detects reuse). */
  input: unknown;
  run: () => Promise<T>;
  /** What to remember of a result: ids, never whole rows. */
  save: (result: T) => Saved;
  /** Re-loads a remembered result for a retry. */
  load: (saved: Saved) => Promise<T>;
}

/**
 * Runs `op` once per key. Call it inside the mutation's `atomic` savepoint, so the
 * key and the operation's writes commit or roll back together.
 */
export async function idempotent<T, Saved>(
  ctx: Context,
  scope: { tenantId: string; userId: string },
  op: IdempotentOperation<T, Saved>,
): Promise<T> {
  checkIdempotencyKey(op.key);
  const hash = requestHash(op.input);
  const where = and(
    eq(idempotencyKeys.tenantId, scope.tenantId),
    eq(idempotencyKeys.userId, scope.userId),
    eq(idempotencyKeys.operation, op.operation),
    eq(idempotencyKeys.key, op.key),
  );
  const now = new Date();
  const expiresAt = new Date(now.getTime() + IDEMPOTENCY_TTL_MS);
  const inserted = await ctx.db
    .insert(idempotencyKeys)
    .values({ ...scope, operation: op.operation, key: op.key, requestHash: hash, expiresAt })
    .onConflictDoNothing()
    .returning({ key: idempotencyKeys.key });

  if (inserted.length === 0) {
    // Another request holds or held this key; by now it has committed (the INSERT waited).
    const [existing] = await ctx.db.select().from(idempotencyKeys).where(where).for("update");
    if (existing && existing.expiresAt > now) {
      if (existing.requestHash !== hash) throw new AppError("CONFLICT", "idempotency.keyReused", {}, { field: "idempotencyKey" });
      // Only reachable when one transaction uses a key twice while the first use is unfinished.
      if (existing.status !== "COMPLETED") throw new AppError("CONFLICT", "idempotency.inProgress", {}, { field: "idempotencyKey" });
      return op.load(existing.response as Saved);
    }
    // Expired (or purged meanwhile): the key starts a new request.
    await ctx.db
      .insert(idempotencyKeys)
      .values({ ...scope, operation: op.operation, key: op.key, requestHash: hash, expiresAt })
      .onConflictDoUpdate({
        target: [idempotencyKeys.tenantId, idempotencyKeys.userId, idempotencyKeys.operation, idempotencyKeys.key],
        set: { requestHash: hash, status: "IN_PROGRESS", response: null, createdAt: now, expiresAt },
      });
  }

  const result = await op.run();
  await ctx.db
    .update(idempotencyKeys)
    .set({ status: "COMPLETED", response: op.save(result) as unknown })
    .where(where);
  return result;
}
