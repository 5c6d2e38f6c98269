// The kubelet's per-key exponential back-off (client-go's flowcontrol.Backoff as the kubelet configures it): 10 s
// doubling to 300 s, forgotten once an entry has not been touched for twice the maximum (so a container that ran
// for 10 minutes starts again from 10 s). Used for container restarts (CrashLoopBackOff) and image pulls.

export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  /** Milliseconds; default Date.now. */
  clock?: () => number;
}

interface Entry {
  backoffMs: number;
  lastUpdateMs: number;
}

/** Go's time.Duration.String() for whole milliseconds: "10s", "1m20s", "5m0s", "1.5s", "0s". */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s';
  const neg = ms < 0;
  let rest = Math.abs(ms);
  if (rest < 1000) return `${neg ? '-' : ''}${rest}ms`;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = rest / 1000;
  let out = `${s}s`;
  if (h > 0 || m > 0) out = `${m}m${out}`;
  if (h > 0) out = `${h}h${out}`;
  return `${neg ? '-' : ''}${out}`;
}

export class Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly clock: () => number;
  private readonly entries = new Map<string, Entry>();

  constructor(opts: BackoffOptions = {}) {
    this.initialMs = opts.initialMs ?? 10_000;
    this.maxMs = opts.maxMs ?? 300_000;
    this.clock = opts.clock ?? Date.now;
  }

  /** The current back-off of a key (0 when it has none). */
  get(key: string): number {
    return this.entries.get(key)?.backoffMs ?? 0;
  }

  /** Moves a key on: initial on first use or after expiry, else doubled up to the maximum. */
  next(key: string, eventTimeMs: number): void {
    const e = this.entries.get(key);
    if (e === undefined || this.hasExpired(eventTimeMs, e.lastUpdateMs)) {
      this.entries.set(key, { backoffMs: this.initialMs, lastUpdateMs: eventTimeMs });
      return;
    }
    e.backoffMs = Math.min(e.backoffMs * 2, this.maxMs);
    e.lastUpdateMs = eventTimeMs;
  }

  /** Whether now is still within the key's back-off counted from eventTimeMs (e.g. the container's finish). */
  isInBackOffSince(key: string, eventTimeMs: number): boolean {
    const e = this.entries.get(key);
    if (e === undefined) return false;
    const now = this.clock();
    if (this.hasExpired(now, e.lastUpdateMs)) return false;
    return now - eventTimeMs < e.backoffMs;
  }

  /** Whether now is still within the key's back-off counted from its last update (image pulls). */
  isInBackOffSinceUpdate(key: string): boolean {
    const e = this.entries.get(key);
    if (e === undefined) return false;
    const now = this.clock();
    if (this.hasExpired(now, e.lastUpdateMs)) return false;
    return now - e.lastUpdateMs < e.backoffMs;
  }

  /** When the key's back-off counted from eventTimeMs ends (for requeueing). */
  retryAt(key: string, eventTimeMs: number): number {
    return eventTimeMs + this.get(key);
  }

  reset(key: string): void {
    this.entries.delete(key);
  }

  /** Drops every entry whose key starts with prefix (a pod that is gone). */
  resetPrefix(prefix: string): void {
    for (const k of [...this.entries.keys()]) if (k.startsWith(prefix)) this.entries.delete(k);
  }

  /** Drops entries untouched for twice the maximum. */
  gc(): void {
    const now = this.clock();
    for (const [k, e] of this.entries) if (this.hasExpired(now, e.lastUpdateMs)) this.entries.delete(k);
  }

  private hasExpired(eventTimeMs: number, lastUpdateMs: number): boolean {
    return eventTimeMs - lastUpdateMs > this.maxMs * 2;
  }
}

/** format.Pod: NAME_NAMESPACE(UID). */
export function formatPod(pod: { metadata?: { name?: string; namespace?: string; uid?: string } }): string {
  const m = pod.metadata ?? {};
  return `${m.name ?? ''}_${m.namespace ?? ''}(${m.uid ?? ''})`;
}

/** The container's restart back-off key (getStableKey: pod name, namespace, uid, container name and spec hash). */
export function containerBackoffKey(pod: { metadata?: { name?: string; namespace?: string; uid?: string } }, containerName: string): string {
  const m = pod.metadata ?? {};
  return `${m.name ?? ''}_${m.namespace ?? ''}_${m.uid ?? ''}_${containerName}`;
}

/** CrashLoopBackOff's waiting message, as kuberuntime's doBackOff words it. */
export function crashLoopMessage(backoffMs: number, containerName: string, pod: { metadata?: { name?: string; namespace?: string; uid?: string } }): string {
  return `back-off ${formatGoDuration(backoffMs)} restarting failed container=${containerName} pod=${formatPod(pod)}`;
}

/** The BackOff event's message. */
export function backOffEventMessage(containerName: string, pod: { metadata?: { name?: string; namespace?: string; uid?: string } }): string {
  return `Back-off restarting failed container ${containerName} in pod ${formatPod(pod)}`;
}
