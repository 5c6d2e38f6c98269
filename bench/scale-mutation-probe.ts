// The scale benchmark's latency probe: on a connection of its own, one mutating call every 100 ms (by default), in
// turn creating a ConfigMap, merge-patching it and deleting it, each timed from the request's send to its response.
// Calls never overlap: one slower than the period delays the next instead of piling up.
import type { BenchClient } from './bench-client.js';
import { sleep } from './scale-support.js';

export interface ProbeSample {
  op: 'create' | 'patch' | 'delete';
  status: number;
  ms: number;
  /** Seconds since the probe started, at the response. */
  at: number;
}

export class MutationProbe {
  readonly samples: ProbeSample[] = [];
  private stopped = false;
  private readonly running: Promise<void>;
  private readonly started = process.hrtime.bigint();

  constructor(
    private readonly client: BenchClient,
    private readonly namespace: string,
    private readonly periodMs = 100,
  ) {
    this.running = this.loop();
  }

  /** The latencies (ms) of the successful calls answered since `fromSeconds` (seconds since the start). */
  latenciesSince(fromSeconds: number): number[] {
    const out: number[] = [];
    for (let i = this.samples.length - 1; i >= 0; i--) {
      const s = this.samples[i];
      if (s === undefined || s.at < fromSeconds) break;
      if (s.status < 300) out.push(s.ms);
    }
    return out;
  }

  /** Stops after the call under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  private async loop(): Promise<void> {
    const base = `/api/v1/namespaces/${this.namespace}/configmaps`;
    let next = Date.now();
    for (let i = 0; !this.stopped; i++) {
      const name = `probe-${i}`;
      for (const op of ['create', 'patch', 'delete'] as const) {
        if (this.stopped) return;
        const r =
          op === 'create'
            ? await this.client.send('POST', base, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { step: 'created' } })
            : op === 'patch'
              ? await this.client.send('PATCH', `${base}/${name}`, { data: { step: 'patched' } }, 'application/merge-patch+json')
              : await this.client.send('DELETE', `${base}/${name}`);
        this.samples.push({ op, status: r.status, ms: r.ms, at: Number(r.doneAt - this.started) / 1e9 });
        next += this.periodMs;
        const wait = next - Date.now();
        if (wait > 0) await sleep(wait);
        else next = Date.now();
      }
    }
  }

  /** Seconds since the probe started. */
  now(): number {
    return Number(process.hrtime.bigint() - this.started) / 1e9;
  }
}
