// What the benchmarks share: progress lines, running a benchmark's main (it reports and never fails), and for the
// control-loop benchmarks waiting for the virtual nodes to be Ready, a namespace with its default ServiceAccount,
// scraping /metrics, and following the server's RSS while a benchmark runs.
import type { BenchClient } from './bench-client.js';
import type { BenchServer } from './bench-server.js';

export const MB = 1024 * 1024;

export function say(msg: string): void {
  process.stderr.write(`bench: ${msg}\n`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

export function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Runs a benchmark's main and exits 0 whatever happened: a failure is reported on stderr, never as a failed run. */
export function runBench(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`bench: ${e instanceof Error ? (e.stack ?? e.message) : message(e)}\n`);
      process.exit(0);
    },
  );
}

interface NodeList {
  items?: { status?: { conditions?: { type?: string; status?: string }[] } }[];
}

/** Polls the node list until `count` nodes are Ready; the seconds that took. Throws after `limitMs`. */
export async function waitForReadyNodes(client: BenchClient, count: number, limitMs: number, pollMs = 1000): Promise<number> {
  const started = Date.now();
  for (;;) {
    const r = await client.send('GET', '/api/v1/nodes');
    const items = r.status === 200 ? ((JSON.parse(r.body) as NodeList).items ?? []) : [];
    const ready = items.filter((n) => (n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')).length;
    if (ready >= count) return (Date.now() - started) / 1000;
    if (Date.now() - started > limitMs) throw new Error(`only ${ready} of ${count} nodes Ready after ${(limitMs / 1000).toFixed(0)} s`);
    await sleep(pollMs);
  }
}

/** Creates a namespace and waits for its default ServiceAccount (pods are refused without it). */
export async function createNamespace(client: BenchClient, name: string): Promise<void> {
  const ns = await client.send('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  if (ns.status !== 201) throw new Error(`creating namespace ${name}: ${ns.status} ${ns.body.slice(0, 300)}`);
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const sa = await client.send('GET', `/api/v1/namespaces/${name}/serviceaccounts/default`);
    if (sa.status === 200) return;
    await sleep(50);
  }
  throw new Error(`namespace ${name} has no default ServiceAccount after 30 s`);
}

/** The server's /metrics text. */
export async function scrapeMetrics(client: BenchClient): Promise<string> {
  const r = await client.send('GET', '/metrics');
  if (r.status !== 200) throw new Error(`/metrics answered ${r.status}: ${r.body.slice(0, 200)}`);
  return r.body;
}

/** Samples the server's RSS every `intervalMs` (from /proc) and keeps the peak. */
export class RssSampler {
  peakBytes = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly server: BenchServer,
    intervalMs = 500,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  /** The RSS now (and the peak updated with it). */
  sample(): number {
    try {
      const rss = this.server.rssBytes();
      this.peakBytes = Math.max(this.peakBytes, rss);
      return rss;
    } catch (e: unknown) {
      // The server has exited (no /proc entry); the peak stays what it was.
      void e;
      return Number.NaN;
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
