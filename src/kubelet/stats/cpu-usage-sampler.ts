// usageNanoCores needs a rate: cAdvisor keeps the previous housekeeping sample of each cgroup and divides the CPU
// time used since by the time passed. This keeps, per cgroup, the last stored sample and the last rate; a new sample
// replaces the stored one only when at least minIntervalMs have passed, so that reads between two housekeeping
// rounds still see a rate over a meaningful window.

export interface CpuSample {
  /** ms since the epoch */
  timestamp: number;
  /** cumulative CPU nanoseconds */
  usageNanoSeconds: number;
}

interface Tracked {
  last: CpuSample;
  rate: number | undefined;
  seen: number;
}

export class CpuUsageSampler {
  private readonly tracked = new Map<string, Tracked>();

  constructor(private readonly minIntervalMs = 1000) {}

  /** Records a sample of the cgroup `key` and returns its rate in nanocores (undefined until two samples exist). */
  observe(key: string, sample: CpuSample, round: number): number | undefined {
    const t = this.tracked.get(key);
    if (t === undefined) {
      this.tracked.set(key, { last: sample, rate: undefined, seen: round });
      return undefined;
    }
    t.seen = round;
    const dtMs = sample.timestamp - t.last.timestamp;
    if (dtMs < this.minIntervalMs) return t.rate;
    const used = sample.usageNanoSeconds - t.last.usageNanoSeconds;
    // A counter that went back means a new cgroup under the same key: start over.
    t.rate = used < 0 ? undefined : Math.round((used / (dtMs * 1e6)) * 1e9);
    t.last = sample;
    return t.rate;
  }

  /** Forgets cgroups not observed since `round` (containers that are gone). */
  prune(round: number): void {
    for (const [key, t] of this.tracked) if (t.seen < round) this.tracked.delete(key);
  }

  get size(): number {
    return this.tracked.size;
  }
}
