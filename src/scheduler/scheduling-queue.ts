// The scheduler's queue, as upstream's PriorityQueue (pkg/scheduler/internal/queue): an active queue ordered by
// priority then arrival, a backoff queue for pods that failed (1 s doubling to 10 s per attempt), and the
// unschedulable pods, which wait for a cluster event that could make them fit (a node added or changed, a pod
// deleted, ...) or for 5 minutes, whichever comes first.

export interface QueuedPod<P> {
  key: string;
  pod: P;
  priority: number;
  /** When the pod (re)entered the active queue: ties of priority go first come, first served. */
  timestamp: number;
  /** Scheduling attempts so far (the backoff doubles with each). */
  attempts: number;
  /** When the pod last failed (backoff is measured from there). */
  failedAt: number;
}

export interface SchedulingQueueOptions {
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** How long an unschedulable pod waits for an event before it is tried again anyway (upstream: 5 minutes). */
  maxUnschedulableMs?: number;
  /** A clock for tests. */
  now?: () => number;
}

/** Upstream's ordering (PrioritySort): higher priority first, then the earlier timestamp. */
function before<P>(a: QueuedPod<P>, b: QueuedPod<P>): boolean {
  if (a.priority !== b.priority) return a.priority > b.priority;
  return a.timestamp < b.timestamp;
}

/** A binary heap of queued pods with removal by key. */
class PodHeap<P> {
  private readonly items: QueuedPod<P>[] = [];
  private readonly index = new Map<string, number>();

  get size(): number {
    return this.items.length;
  }

  has(key: string): boolean {
    return this.index.has(key);
  }

  get(key: string): QueuedPod<P> | undefined {
    const i = this.index.get(key);
    return i === undefined ? undefined : this.items[i];
  }

  push(item: QueuedPod<P>): void {
    this.remove(item.key);
    this.items.push(item);
    this.index.set(item.key, this.items.length - 1);
    this.up(this.items.length - 1);
  }

  peek(): QueuedPod<P> | undefined {
    return this.items[0];
  }

  pop(): QueuedPod<P> | undefined {
    const top = this.items[0];
    if (top !== undefined) this.remove(top.key);
    return top;
  }

  remove(key: string): QueuedPod<P> | undefined {
    const i = this.index.get(key);
    if (i === undefined) return undefined;
    const item = this.items[i] as QueuedPod<P>;
    const last = this.items.pop() as QueuedPod<P>;
    this.index.delete(key);
    if (i < this.items.length) {
      this.items[i] = last;
      this.index.set(last.key, i);
      this.down(i);
      this.up(i);
    }
    return item;
  }

  private swap(i: number, j: number): void {
    const a = this.items[i] as QueuedPod<P>;
    const b = this.items[j] as QueuedPod<P>;
    this.items[i] = b;
    this.items[j] = a;
    this.index.set(b.key, i);
    this.index.set(a.key, j);
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(this.items[i] as QueuedPod<P>, this.items[parent] as QueuedPod<P>)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let best = i;
      if (l < this.items.length && before(this.items[l] as QueuedPod<P>, this.items[best] as QueuedPod<P>)) best = l;
      if (r < this.items.length && before(this.items[r] as QueuedPod<P>, this.items[best] as QueuedPod<P>)) best = r;
      if (best === i) return;
      this.swap(i, best);
      i = best;
    }
  }
}

export class SchedulingQueue<P> {
  private readonly active = new PodHeap<P>();
  /** Pods backing off after a failure, by key. */
  private readonly backoff = new Map<string, QueuedPod<P>>();
  private readonly unschedulable = new Map<string, QueuedPod<P>>();
  /** Pods popped and not yet done: an update of one is kept for when it comes back. */
  private readonly inFlight = new Map<string, P | undefined>();
  private waiters: ((p: QueuedPod<P> | undefined) => void)[] = [];
  private closed = false;
  /** Counts move requests (cluster events): a pod that fails after one began its cycle is retried, not parked. */
  private moveCycle = 0;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxUnschedulableMs: number;
  private readonly now: () => number;

  constructor(opts: SchedulingQueueOptions = {}) {
    this.initialBackoffMs = opts.initialBackoffMs ?? 1000;
    this.maxBackoffMs = opts.maxBackoffMs ?? 10_000;
    this.maxUnschedulableMs = opts.maxUnschedulableMs ?? 5 * 60_000;
    this.now = opts.now ?? Date.now;
  }

  get activeCount(): number {
    return this.active.size;
  }

  get backoffCount(): number {
    return this.backoff.size;
  }

  get unschedulableCount(): number {
    return this.unschedulable.size;
  }

  /** The number a scheduling cycle starts with; pass it back to failed(). */
  get cycle(): number {
    return this.moveCycle;
  }

  /** A pod that needs scheduling appeared. */
  add(key: string, pod: P, priority: number): void {
    if (this.closed) return;
    if (this.inFlight.has(key)) {
      this.inFlight.set(key, pod);
      return;
    }
    const existing = this.active.get(key) ?? this.backoff.get(key) ?? this.unschedulable.get(key);
    if (existing !== undefined) {
      this.update(key, pod, priority);
      return;
    }
    this.pushActive({ key, pod, priority, timestamp: this.now(), attempts: 0, failedAt: 0 });
  }

  /** The pod changed: an unschedulable or backing-off pod is tried again (its change may make it fit). */
  update(key: string, pod: P, priority: number): void {
    if (this.closed) return;
    if (this.inFlight.has(key)) {
      this.inFlight.set(key, pod);
      return;
    }
    const inActive = this.active.get(key);
    if (inActive !== undefined) {
      this.active.push({ ...inActive, pod, priority });
      return;
    }
    const parked = this.unschedulable.get(key) ?? this.backoff.get(key);
    if (parked === undefined) {
      this.add(key, pod, priority);
      return;
    }
    this.unschedulable.delete(key);
    this.backoff.delete(key);
    const item = { ...parked, pod, priority };
    if (this.backingOff(item)) this.backoff.set(key, item);
    else this.pushActive({ ...item, timestamp: this.now() });
  }

  /** The pod is gone or no longer needs scheduling. */
  delete(key: string): void {
    this.active.remove(key);
    this.backoff.delete(key);
    this.unschedulable.delete(key);
    if (this.inFlight.has(key)) this.inFlight.set(key, undefined);
  }

  /** The next pod to schedule, waiting until there is one; undefined once closed. */
  pop(): Promise<QueuedPod<P> | undefined> {
    const next = this.takeActive();
    if (next !== undefined || this.closed) return Promise.resolve(next);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /**
   * A popped pod could not be scheduled. `unschedulable`: no node fits (it waits for an event); otherwise an error
   * (it backs off). `cycle` is the queue's cycle when the attempt began.
   */
  failed(item: QueuedPod<P>, unschedulable: boolean, cycle: number): void {
    const latest = this.inFlight.get(item.key);
    const hadUpdate = this.inFlight.has(item.key);
    this.inFlight.delete(item.key);
    if (this.closed) return;
    if (hadUpdate && latest === undefined) return; // deleted meanwhile
    const pod = latest ?? item.pod;
    const failedItem: QueuedPod<P> = { ...item, pod, attempts: item.attempts + 1, failedAt: this.now() };
    if (unschedulable && this.moveCycle <= cycle && latest === item.pod) {
      this.unschedulable.set(item.key, failedItem);
      return;
    }
    this.backoff.set(item.key, failedItem);
  }

  /** A popped pod was scheduled (or dropped): it leaves the queue. */
  done(key: string): void {
    this.inFlight.delete(key);
  }

  /**
   * A cluster event that could make unschedulable pods fit (upstream's MoveAllToActiveOrBackoffQueue): they go back
   * to the active queue, or to the backoff queue while their backoff lasts. `filter` limits it to some pods.
   */
  moveAllToActiveOrBackoff(filter?: (pod: P) => boolean): void {
    this.moveCycle += 1;
    for (const [key, item] of [...this.unschedulable]) {
      if (filter !== undefined && !filter(item.pod)) continue;
      this.unschedulable.delete(key);
      if (this.backingOff(item)) this.backoff.set(key, item);
      else this.pushActive({ ...item, timestamp: this.now() });
    }
  }

  /**
   * Moves pods whose backoff is over to the active queue, and pods unschedulable for longer than the maximum back
   * into play. The scheduler calls this every second (upstream: flushBackoffQCompleted each second,
   * flushUnschedulablePodsLeftover each 30 s).
   */
  flush(): void {
    const now = this.now();
    for (const [key, item] of [...this.backoff]) {
      if (this.backingOff(item)) continue;
      this.backoff.delete(key);
      this.pushActive({ ...item, timestamp: now });
    }
    for (const [key, item] of [...this.unschedulable]) {
      if (now - item.failedAt < this.maxUnschedulableMs) continue;
      this.unschedulable.delete(key);
      if (this.backingOff(item)) this.backoff.set(key, item);
      else this.pushActive({ ...item, timestamp: now });
    }
  }

  close(): void {
    this.closed = true;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w(undefined);
  }

  /** Upstream's calculateBackoffDuration: initial * 2^(attempts-1), at most the maximum. */
  backoffMs(attempts: number): number {
    let d = this.initialBackoffMs;
    for (let i = 1; i < attempts; i++) {
      d *= 2;
      if (d >= this.maxBackoffMs) return this.maxBackoffMs;
    }
    return Math.min(d, this.maxBackoffMs);
  }

  private backingOff(item: QueuedPod<P>): boolean {
    return item.attempts > 0 && this.now() < item.failedAt + this.backoffMs(item.attempts);
  }

  private pushActive(item: QueuedPod<P>): void {
    const waiter = this.waiters.shift();
    if (waiter !== undefined && this.active.size === 0) {
      this.inFlight.set(item.key, item.pod);
      waiter(item);
      return;
    }
    this.active.push(item);
    if (waiter !== undefined) this.waiters.unshift(waiter);
  }

  private takeActive(): QueuedPod<P> | undefined {
    const item = this.active.pop();
    if (item !== undefined) this.inFlight.set(item.key, item.pod);
    return item;
  }
}
