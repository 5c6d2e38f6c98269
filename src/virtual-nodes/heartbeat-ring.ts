// Spreads N nodes' heartbeats evenly over one interval: a single timer ticks every interval/N (no faster than
// minTickMs) and gives the next few nodes their turn, so the request rate stays flat at N per interval.

export interface RingPlan {
  /** Time between ticks. */
  readonly tickMs: number;
  /** Nodes served per tick. */
  readonly perTick: number;
}

export function ringPlan(count: number, intervalMs: number, minTickMs = 50): RingPlan {
  if (count <= 0) return { tickMs: intervalMs, perTick: 0 };
  const tickMs = Math.max(minTickMs, intervalMs / count);
  return { tickMs, perTick: Math.ceil((count * tickMs) / intervalMs) };
}

/** The node indices whose turn tick number `tick` is. */
export function ringSlice(count: number, perTick: number, tick: number): number[] {
  const out: number[] = [];
  if (count === 0) return out;
  const n = Math.min(perTick, count);
  const start = (tick * n) % count;
  for (let i = 0; i < n; i++) out.push((start + i) % count);
  return out;
}

export class HeartbeatRing {
  private timer: NodeJS.Timeout | undefined;
  private tick = 0;

  constructor(
    private readonly count: number,
    private readonly intervalMs: number,
    private readonly onTurn: (index: number) => void,
    private readonly minTickMs = 50,
  ) {}

  start(): void {
    if (this.timer !== undefined) return;
    const plan = ringPlan(this.count, this.intervalMs, this.minTickMs);
    if (plan.perTick === 0) return;
    this.timer = setInterval(() => {
      for (const i of ringSlice(this.count, plan.perTick, this.tick)) this.onTurn(i);
      this.tick++;
    }, plan.tickMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
