/**
 * Batch-function helpers: each takes the keys DataLoader collected and returns
 * results in key order (null or [] for a key without rows).
 */
import DataLoader from "dataloader";

/** One row per key: `fetch` returns rows, `keyOf` says which key a row answers. */
export function oneLoader<K, V>(fetch: (keys: readonly K[]) => Promise<V[]>, keyOf: (row: V) => K) {
  return new DataLoader<K, V | null>(async (keys) => {
    const byKey = new Map<K, V>();
    for (const row of await fetch(keys)) byKey.set(keyOf(row), row);
    return keys.map((key) => byKey.get(key) ?? null);
  });
}

/** Many rows per key, in the order `fetch` returned them. */
export function manyLoader<K, V>(fetch: (keys: readonly K[]) => Promise<V[]>, keyOf: (row: V) => K) {
  return new DataLoader<K, V[]>(async (keys) => {
    const byKey = new Map<K, V[]>(keys.map((key) => [key, []]));
    for (const row of await fetch(keys)) byKey.get(keyOf(row))?.push(row);
    return keys.map((key) => byKey.get(key) ?? []);
  });
}
