// What the node benchmark knows of each of its pods, from its own creates and from a watch of the namespace: when
// the create returned, when the watch first showed the pod bound to a node, in phase Running, with its Ready
// condition True, and deleted. Times are process.hrtime.bigint() readings of this process.

export interface TrackedPodJson {
  metadata?: { name?: string; resourceVersion?: string };
  spec?: { nodeName?: string };
  status?: { phase?: string; conditions?: { type?: string; status?: string }[]; containerStatuses?: { restartCount?: number }[] };
}

export interface PodTimes {
  createdAt?: bigint;
  boundAt?: bigint;
  runningAt?: bigint;
  readyAt?: bigint;
  deletedAt?: bigint;
  restarts: number;
}

export class PodTracker {
  private readonly pods = new Map<string, PodTimes>();

  private entry(name: string): PodTimes {
    let t = this.pods.get(name);
    if (t === undefined) {
      t = { restarts: 0 };
      this.pods.set(name, t);
    }
    return t;
  }

  /** The create of `name` returned at `at`. */
  created(name: string, at: bigint): void {
    this.entry(name).createdAt = at;
  }

  /** A watch event (ADDED, MODIFIED, DELETED) seen at `at`; the first sighting of each state is kept. */
  observe(type: string, pod: TrackedPodJson, at: bigint): void {
    const name = pod.metadata?.name;
    if (name === undefined) return;
    const t = this.entry(name);
    if (type === 'DELETED') {
      t.deletedAt ??= at;
      return;
    }
    if ((pod.spec?.nodeName ?? '') !== '') t.boundAt ??= at;
    if (pod.status?.phase === 'Running') t.runningAt ??= at;
    if ((pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')) t.readyAt ??= at;
    t.restarts = (pod.status?.containerStatuses ?? []).reduce((n, c) => n + (c.restartCount ?? 0), 0);
  }

  get(name: string): PodTimes | undefined {
    return this.pods.get(name);
  }

  /** How many of the named pods satisfy `pred`. */
  count(names: readonly string[], pred: (t: PodTimes) => boolean): number {
    let n = 0;
    for (const name of names) {
      const t = this.pods.get(name);
      if (t !== undefined && pred(t)) n++;
    }
    return n;
  }

  /** Milliseconds from one stamp to another for each named pod that has both. */
  intervals(names: readonly string[], from: (t: PodTimes) => bigint | undefined, to: (t: PodTimes) => bigint | undefined): number[] {
    const out: number[] = [];
    for (const name of names) {
      const t = this.pods.get(name);
      if (t === undefined) continue;
      const a = from(t);
      const b = to(t);
      if (a !== undefined && b !== undefined) out.push(Number(b - a) / 1e6);
    }
    return out;
  }

  /** The latest of a stamp over the named pods; undefined when any of them lacks it. */
  latest(names: readonly string[], stamp: (t: PodTimes) => bigint | undefined): bigint | undefined {
    let max: bigint | undefined;
    for (const name of names) {
      const t = this.pods.get(name);
      const v = t === undefined ? undefined : stamp(t);
      if (v === undefined) return undefined;
      if (max === undefined || v > max) max = v;
    }
    return max;
  }
}
