// flowcontrol.Backoff as the DaemonSet controller uses it for failed daemon pods (1 s doubling to 15 min per
// DaemonSet and node), so that a node that keeps rejecting the pod does not make the controller hot-loop.

export const failedPodsBackoffInitialMs = 1000;
export const failedPodsBackoffMaxMs = 15 * 60 * 1000;

interface Entry {
  backoffMs: number;
  lastUpdate: number;
}

export class FailedPodsBackoff {
  private readonly entries = new Map<string, Entry>();

  constructor(
    readonly initialMs = failedPodsBackoffInitialMs,
    readonly maxMs = failedPodsBackoffMaxMs,
    readonly clock: () => number = Date.now,
  ) {}

  /** The current delay of `key` (0 when none). */
  get(key: string): number {
    return this.entries.get(key)?.backoffMs ?? 0;
  }

  /** Next: starts at the initial delay (again, after 2×max of quiet), else doubles up to the maximum. */
  next(key: string, now = this.clock()): void {
    const e = this.entries.get(key);
    if (e === undefined || now - e.lastUpdate > 2 * this.maxMs) {
      this.entries.set(key, { backoffMs: this.initialMs, lastUpdate: now });
      return;
    }
    e.backoffMs = Math.min(e.backoffMs * 2, this.maxMs);
    e.lastUpdate = now;
  }

  /** IsInBackOffSinceUpdate: whether less than the current delay has passed since the last update. */
  isInBackOffSinceUpdate(key: string, now = this.clock()): boolean {
    const e = this.entries.get(key);
    if (e === undefined) return false;
    return now - e.lastUpdate < e.backoffMs;
  }

  /** GC: drops entries quiet for more than 2×max. */
  gc(now = this.clock()): void {
    for (const [k, e] of this.entries) if (now - e.lastUpdate > 2 * this.maxMs) this.entries.delete(k);
  }
}
