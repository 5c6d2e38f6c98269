// Counts of the pods a watch shows, kept as each event arrives, for the scale and rolling-update benchmarks: how many
// exist, are Running, are active (as the Deployment controller counts them: neither terminating nor Succeeded or
// Failed) and are available (active and Ready; the benchmarks' Deployments have minReadySeconds 0), with the peaks
// and lows of those counts since a chosen moment. Every watch event is one state of the store, in resourceVersion
// order, so the extremes are exact.

export interface CensusPod {
  metadata?: { name?: string; namespace?: string; deletionTimestamp?: string | null };
  status?: { phase?: string; conditions?: readonly { type?: string; status?: string }[] };
}

interface PodFlags {
  running: boolean;
  active: boolean;
  available: boolean;
  terminating: boolean;
}

export interface CensusCounts {
  present: number;
  running: number;
  active: number;
  available: number;
  terminating: number;
}

function flagsOf(pod: CensusPod): PodFlags {
  const phase = pod.status?.phase ?? '';
  const terminating = (pod.metadata?.deletionTimestamp ?? '') !== '';
  const active = !terminating && phase !== 'Succeeded' && phase !== 'Failed';
  const ready = (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
  return { running: phase === 'Running', active, available: active && ready, terminating };
}

export class PodCensus {
  private readonly pods = new Map<string, PodFlags>();
  private readonly counts: CensusCounts = { present: 0, running: 0, active: 0, available: 0, terminating: 0 };
  /** The highest active and present counts and the lowest available count since resetExtremes(). */
  peakActive = 0;
  peakPresent = 0;
  lowAvailable = 0;
  /** Events applied so far. */
  events = 0;

  /** Applies one watch event (ADDED, MODIFIED or DELETED) of a pod. */
  apply(type: string, pod: CensusPod): void {
    const key = `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
    const before = this.pods.get(key);
    if (before !== undefined) this.add(before, -1);
    if (type === 'DELETED') this.pods.delete(key);
    else {
      const after = flagsOf(pod);
      this.pods.set(key, after);
      this.add(after, 1);
    }
    this.events++;
    this.peakActive = Math.max(this.peakActive, this.counts.active);
    this.peakPresent = Math.max(this.peakPresent, this.counts.present);
    this.lowAvailable = Math.min(this.lowAvailable, this.counts.available);
  }

  private add(f: PodFlags, sign: 1 | -1): void {
    this.counts.present += sign;
    if (f.running) this.counts.running += sign;
    if (f.active) this.counts.active += sign;
    if (f.available) this.counts.available += sign;
    if (f.terminating) this.counts.terminating += sign;
  }

  /** Starts the peaks and lows again from the current counts. */
  resetExtremes(): void {
    this.peakActive = this.counts.active;
    this.peakPresent = this.counts.present;
    this.lowAvailable = this.counts.available;
  }

  /** Forgets every pod (before a watch starts over with a fresh list). */
  clear(): void {
    this.pods.clear();
    this.counts.present = this.counts.running = this.counts.active = this.counts.available = this.counts.terminating = 0;
  }

  get current(): Readonly<CensusCounts> {
    return { ...this.counts };
  }
}
