// Periodic compaction, as the kube-apiserver's compactor does for etcd (--etcd-compaction-interval): every interval,
// forget history older than the latest `keepRevisions` revisions.

import type { Storage } from './storage.js';

export interface AutoCompaction {
  /** Stops the timer; a compaction already running finishes. */
  stop(): void;
}

/**
 * Every `intervalMs`, compacts the store to (current revision - keepRevisions) when that is past the compacted
 * revision. Failures go to `onError` (default: ignored until the next tick). The timer does not keep Node alive.
 */
export function startAutoCompaction(
  storage: Storage,
  intervalMs: number,
  keepRevisions: number,
  onError: (err: Error) => void = () => undefined,
): AutoCompaction {
  if (!(intervalMs > 0)) throw new Error(`auto-compaction interval must be positive, got ${intervalMs}`);
  if (!(keepRevisions >= 0)) throw new Error(`auto-compaction must keep a non-negative number of revisions, got ${keepRevisions}`);
  let running = false;
  const tick = async (): Promise<void> => {
    if (running) return;
    running = true;
    try {
      const target = (await storage.currentRevision()) - keepRevisions;
      if (target > (await storage.compactedRevision())) await storage.compact(target);
    } catch (e: unknown) {
      onError(e instanceof Error ? e : new Error(String(e)));
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
