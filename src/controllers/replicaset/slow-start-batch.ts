// slowStartBatch of upstream's replica_set.go: calls `fn` `count` times in batches of 1, 2, 4, ... (each batch
// concurrently); after a batch with any failure the remaining batches are skipped.

export const slowStartInitialBatchSize = 1;

/** The number of successful calls and the first error, if any. */
export async function slowStartBatch(count: number, initialBatchSize: number, fn: () => Promise<void>): Promise<{ successes: number; error?: Error }> {
  let remaining = count;
  let successes = 0;
  for (let batchSize = Math.min(remaining, initialBatchSize); batchSize > 0; batchSize = Math.min(2 * batchSize, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batchSize }, () => fn()));
    const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason instanceof Error ? r.reason : new Error(String(r.reason))] : []));
    successes += batchSize - errors.length;
    if (errors.length > 0) return { successes, error: errors[0] };
    remaining -= batchSize;
  }
  return { successes };
}
