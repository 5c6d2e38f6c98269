// `node dist/bench/proxy-sync.js` (root): issue 5's rule-sync figure. A `k8ts server --disable-agent` on loopback holds
// 1000 ClusterIP services with 10 ready endpoints each (selector-less, with EndpointSlices the bench writes); a
// service proxy in this process programs a network namespace of the bench's own (`ip netns exec NS nft`, so the
// host's rules are never touched; the namespace has no route anywhere). Each sample changes one endpoint address of a
// random service through the API (PUT of its EndpointSlice) and times, from just before the request, until
// `nft monitor` in the namespace reports the DNAT rule to the new address: API write, watch, sync and the kernel.
// Reports; never fails. Target: p99 at most 1 s.
//
// Flags: --services N (default 1000), --endpoints N per service (default 10), --samples N (default 200), --json FILE.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { readKubeconfig } from '../src/client/kubeconfig.js';
import { RestClient } from '../src/client/rest-client.js';
import { startServiceProxy, type ServiceProxy } from '../src/proxy/index.js';
import { BenchServer, findK8tsBin } from './bench-server.js';
import { summarize } from './latency-stats.js';
import { formatTable, type BenchFigure } from './report-table.js';
import { runBench, say, sleep } from './scale-support.js';

const run = promisify(execFile);
const NS = `k8ts-proxy-bench-${process.pid}`;
const slicesPath = '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices';

interface SliceJson {
  metadata: { name: string; resourceVersion?: string; labels: Record<string, string> };
  endpoints: { addresses: string[]; conditions: { ready: boolean }; nodeName: string }[];
  [k: string]: unknown;
}

function endpointIP(service: number, endpoint: number): string {
  return `10.${100 + Math.floor(service / 250)}.${service % 250}.${10 + endpoint}`;
}

/** Runs `fn` over the items with at most `limit` at once. */
async function inParallel<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await fn(item);
      }
    }),
  );
}

/** `nft monitor rules` in the namespace: resolves waiters when a rule line holding their text appears. */
class RuleMonitor {
  private readonly waiters = new Map<string, (at: number) => void>();
  private buffered = '';
  private constructor(private readonly proc: ChildProcess) {
    proc.stdout?.setEncoding('utf8');
    proc.stdout?.on('data', (d: string) => {
      const at = performance.now();
      this.buffered += d;
      const lines = this.buffered.split('\n');
      this.buffered = lines.pop() ?? '';
      for (const line of lines) {
        for (const [text, resolve] of this.waiters) {
          if (line.includes(text)) {
            this.waiters.delete(text);
            resolve(at);
          }
        }
      }
    });
  }

  static start(): RuleMonitor {
    return new RuleMonitor(spawn('ip', ['netns', 'exec', NS, 'nft', 'monitor', 'rules'], { stdio: ['ignore', 'pipe', 'ignore'] }));
  }

  /** Resolves with the time (performance.now()) the text appeared, or rejects after `timeoutMs`. */
  waitFor(text: string, timeoutMs: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(text);
        reject(new Error(`no rule with ${text} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.set(text, (at) => {
        clearTimeout(timer);
        resolve(at);
      });
    });
  }

  stop(): void {
    this.proc.kill('SIGTERM');
  }
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('the bench makes a network namespace and nftables rules: run it as root');
  const { values } = parseArgs({ options: { services: { type: 'string', default: '1000' }, endpoints: { type: 'string', default: '10' }, samples: { type: 'string', default: '200' }, json: { type: 'string' } } });
  const serviceCount = Number(values.services);
  const endpointCount = Number(values.endpoints);
  const sampleCount = Number(values.samples);
  let server: BenchServer | undefined;
  let proxy: ServiceProxy | undefined;
  let monitor: RuleMonitor | undefined;
  let client: RestClient | undefined;
  await run('ip', ['netns', 'add', NS]);
  try {
    await run('ip', ['netns', 'exec', NS, 'ip', 'link', 'set', 'lo', 'up']);
    server = await BenchServer.start(findK8tsBin(), undefined, { extraArgs: ['--service-cidr', '10.96.0.0/16'] });
    client = new RestClient(readKubeconfig(join(server.dataDir, 'data', 'kubeconfig.yaml')));
    const c = client;
    const indexes = Array.from({ length: serviceCount }, (_, i) => i);
    const created = performance.now();
    await inParallel(indexes, 16, async (i) => {
      await c.request('POST', '/api/v1/namespaces/default/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: `svc-${i}` }, spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }] } });
      await c.request('POST', slicesPath, {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: `svc-${i}-1`, labels: { 'kubernetes.io/service-name': `svc-${i}` } },
        addressType: 'IPv4',
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
        endpoints: Array.from({ length: endpointCount }, (_, j) => ({ addresses: [endpointIP(i, j)], conditions: { ready: true }, nodeName: 'bench-node' })),
      });
    });
    say(`${serviceCount} services with ${endpointCount} endpoints each created in ${((performance.now() - created) / 1000).toFixed(1)} s`);

    const cpu0 = process.cpuUsage();
    const proxyStarted = performance.now();
    proxy = startServiceProxy({ client: c, nodeName: 'bench-node', nodeIPs: ['10.77.0.1'], clusterCidr: '10.100.0.0/14', serviceCidr: '10.96.0.0/16', nftCommand: ['ip', 'netns', 'exec', NS, 'nft'] });
    await proxy.ready();
    const firstSyncMs = performance.now() - proxyStarted;
    const chains = (await run('ip', ['netns', 'exec', NS, 'nft', 'list', 'chains', 'ip'], { maxBuffer: 64 * 1024 * 1024 })).stdout.split('\n').filter((l) => l.trim().startsWith('chain ')).length;
    say(`first sync (list, watch, full table): ${firstSyncMs.toFixed(0)} ms, ${chains} chains`);

    monitor = RuleMonitor.start();
    // Warm-up changes (not counted) until the monitor is seen to report: it subscribes some time after its start.
    const change = async (i: number, newIP: string): Promise<{ seen: Promise<number>; t0: number }> => {
      const path = `${slicesPath}/svc-${i}-1`;
      const slice = await c.request<SliceJson>('GET', path);
      const j = Math.floor(Math.random() * slice.endpoints.length);
      const endpoints = slice.endpoints.map((e, n) => (n === j ? { ...e, addresses: [newIP] } : e));
      const seen = (monitor as RuleMonitor).waitFor(`dnat to ${newIP}:8080`, 10_000);
      const t0 = performance.now();
      await c.request('PUT', path, { ...slice, endpoints });
      return { seen, t0 };
    };
    for (let w = 1; w <= 20; w++) {
      const { seen } = await change(0, `10.201.0.${w}`);
      if (await seen.then(() => true, () => false)) break;
    }
    const latencies: number[] = [];
    const failures: string[] = [];
    const partial0 = proxy.stats().partialSyncs;
    const cpu1 = process.cpuUsage();
    for (let k = 1; k <= sampleCount; k++) {
      const { seen, t0 } = await change(Math.floor(Math.random() * serviceCount), `10.200.${(k >> 8) & 255}.${k & 255}`);
      try {
        latencies.push((await seen) - t0);
      } catch (e: unknown) {
        failures.push(e instanceof Error ? e.message : String(e));
      }
      await sleep(20 + Math.random() * 30);
    }
    const cpu2 = process.cpuUsage(cpu1);
    const s = summarize(latencies);
    say(`${s.count} changes: p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms, max ${s.max.toFixed(1)} ms; ${proxy.stats().partialSyncs - partial0} partial syncs`);
    const figures: BenchFigure[] = [
      { figure: `endpoint change to rule in the kernel (${serviceCount} services x ${endpointCount} endpoints): p50`, unit: 'ms', measured: s.p50 },
      { figure: 'endpoint change to rule in the kernel: p99', unit: 'ms', measured: s.p99, target: 1000, direction: 'max' },
      { figure: 'endpoint change to rule in the kernel: max', unit: 'ms', measured: s.max },
      { figure: 'first sync (list + watch + whole table)', unit: 'ms', measured: firstSyncMs },
      { figure: 'bench process CPU per change (proxy, client)', unit: 'ms', measured: (cpu2.user + cpu2.system) / 1000 / Math.max(1, sampleCount) },
    ];
    process.stdout.write(`${formatTable(figures)}\n`);
    if (failures.length > 0) process.stdout.write(`problems: ${failures.length} changes not seen: ${failures.slice(0, 3).join('; ')}\n`);
    const total = process.cpuUsage(cpu0);
    process.stdout.write(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, load average ${loadavg()[0]?.toFixed(2)}; bench process CPU ${((total.user + total.system) / 1e6).toFixed(1)} s; ${chains} chains in the table\n`);
    if (values.json !== undefined) writeFileSync(values.json, `${JSON.stringify({ figures, latencies, firstSyncMs, chains }, null, 2)}\n`);
  } finally {
    monitor?.stop();
    await proxy?.stop();
    client?.close();
    await server?.destroy();
    await run('ip', ['netns', 'delete', NS]).catch(() => undefined);
  }
}

runBench(main);
