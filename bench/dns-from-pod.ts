// Cluster DNS as a pod sees it (issue 5's DNS benchmark): on a `k8ts cluster create` cluster of a master and one node,
// a pod on the node queries the cluster DNS service address (10.254.0.10) for a service name with dnsperf (an image of
// this machine's dnsperf, `apt-get install dnsperf`, on busybox). The queries take the real path: the node's service
// proxy DNATs them to the master's DNS server, across the overlay. Two runs: as many queries per second as the server
// answers (dnsperf's own figure), then a fixed rate with every query's latency for p50/p99.
// Usage: node dist/bench/dns-from-pod.js [--seconds N] [--rate Q] [--clients C]
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildHostBinaryImage, kubectl, podYaml, runningPods, withCluster } from './bench-cluster.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, rate: { type: 'string', default: '2000' }, clients: { type: 'string', default: '4' } } });
const DNSPERF = '/usr/bin/dnsperf';
const REF = 'k8ts.local/dnsperf:bench';
const NAME = 'web.default.svc.cluster.local';

interface DnsperfRun {
  qps: number;
  sent: number;
  completed: number;
  lost: number;
  latenciesMs: number[];
}

/** dnsperf's summary, and with -v every response's latency ("> NOERROR name A 0.000123"). */
export function parseDnsperf(text: string): DnsperfRun {
  const num = (re: RegExp): number => Number(re.exec(text)?.[1] ?? NaN);
  const latenciesMs = [...text.matchAll(/^> \S+ \S+ \S+ ([\d.]+)$/gm)].map((m) => Number(m[1]) * 1000);
  return { qps: num(/Queries per second:\s+([\d.]+)/), sent: num(/Queries sent:\s+(\d+)/), completed: num(/Queries completed:\s+(\d+)/), lost: num(/Queries lost:\s+(\d+)/), latenciesMs };
}

function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

async function main(): Promise<void> {
  if (!existsSync(DNSPERF)) throw new Error(`${DNSPERF} is missing: apt-get install dnsperf`);
  const dataDir = mkdtempSync(join(tmpdir(), 'k8ts-bench-dnspod-'));
  try {
    const image = join(dataDir, 'dnsperf.tar');
    await buildHostBinaryImage(image, REF, [DNSPERF]);
    const out = await withCluster(dataDir, 'dnsb', ['--nodes', '1'], [image], async (state, kubeconfig) => {
      const node = state.nodes[1];
      if (node === undefined) throw new Error('a node is needed');
      await kubectl(kubeconfig, ['create', 'service', 'clusterip', 'web', '--tcp=80:80']);
      await kubectl(kubeconfig, ['apply', '-f', '-'], podYaml('client', node.name, REF, ['sh', '-c', `echo '${NAME} A' > /tmp/queries; exec sleep 3600`]));
      await runningPods(kubeconfig, ['client']);
      const dnsperf = async (extra: string[]): Promise<DnsperfRun> => {
        const { stdout } = await kubectl(kubeconfig, ['exec', 'client', '--', DNSPERF, '-s', '10.254.0.10', '-d', '/tmp/queries', '-l', values.seconds, '-c', values.clients, ...extra]);
        return parseDnsperf(stdout);
      };
      await dnsperf(['-l', '2']); // warm-up
      const max = await dnsperf(['-q', '64']);
      const fixed = await dnsperf(['-Q', values.rate, '-v']);
      return { max, fixed };
    });
    const l = out.fixed.latenciesMs;
    process.stdout.write(
      [
        `cluster DNS from a pod on another node than the server, ${NAME}, ${values.seconds} s per run, ${values.clients} dnsperf clients`,
        '',
        '| figure | measured |',
        '| --- | --- |',
        `| most queries/s (64 in flight) | ${out.max.qps.toFixed(0)} q/s, ${out.max.lost} of ${out.max.sent} lost |`,
        `| at ${values.rate} q/s: p50 / p99 / max latency | ${percentile(l, 50).toFixed(2)} / ${percentile(l, 99).toFixed(2)} / ${Math.max(...l).toFixed(2)} ms (${l.length} answers, ${out.fixed.lost} lost) |`,
        '',
      ].join('\n'),
    );
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
