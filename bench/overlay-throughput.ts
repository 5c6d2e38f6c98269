// Cross-node pod-to-pod TCP throughput over the overlay (issue 5's benchmark), as a ratio to the same transfer between
// the two node namespaces directly. For each backend (host-gw, vxlan): `k8ts cluster create` with a master and one
// node (network namespaces on a bridge without uplink: nothing leaves the machine), an iperf3 server pod on the node
// and a client pod on the master (an image of this machine's iperf3, `apt-get install iperf3`, and its libraries,
// on busybox). The direct figure is the same iperf3 run in the node namespaces themselves (nsenter), node to node.
// Usage: node dist/bench/overlay-throughput.js [--seconds N] [--runs R]
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ClusterState } from '../src/cluster/index.js';
import { buildHostBinaryImage, kubectl, median, podYaml, run, runningPods, withCluster } from './bench-cluster.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '5' }, runs: { type: 'string', default: '3' } } });
const seconds = Number(values.seconds);
const runs = Number(values.runs);
const IPERF = '/usr/bin/iperf3';
const IPERF_REF = 'k8ts.local/iperf3:bench';

/** Bits per second the receiver counted, from iperf3's JSON. */
function iperfRate(json: string): number {
  const parsed = JSON.parse(json) as { end?: { sum_received?: { bits_per_second?: number } }; error?: string };
  if (parsed.error !== undefined) throw new Error(`iperf3: ${parsed.error}`);
  const bps = parsed.end?.sum_received?.bits_per_second;
  if (bps === undefined) throw new Error('iperf3 printed no sum_received');
  return bps;
}

async function podRate(kubeconfig: string, rxIp: string): Promise<number> {
  const { stdout } = await kubectl(kubeconfig, ['exec', 'tx', '--', IPERF, '-c', rxIp, '-p', '5201', '-t', String(seconds), '-J']);
  return iperfRate(stdout);
}

async function directRate(state: ClusterState): Promise<number> {
  const [a, b] = state.nodes;
  if (a === undefined || b === undefined) throw new Error('two nodes needed');
  const rx = spawn('nsenter', [`--net=/var/run/netns/${b.netns}`, '--', IPERF, '-s', '-p', '5202', '-1'], { stdio: 'ignore' });
  try {
    await new Promise((r) => setTimeout(r, 500));
    const { stdout } = await run('nsenter', [`--net=/var/run/netns/${a.netns}`, '--', IPERF, '-c', b.ip, '-p', '5202', '-t', String(seconds), '-J'], { maxBuffer: 16 * 1024 * 1024 });
    return iperfRate(stdout);
  } finally {
    rx.kill('SIGKILL');
  }
}

async function measure(backend: 'host-gw' | 'vxlan', dataDir: string, image: string): Promise<{ pod: number; direct: number }> {
  const name = `ovl-${backend === 'host-gw' ? 'hg' : 'vx'}`;
  return withCluster(dataDir, name, ['--nodes', '1', '--flannel-backend', backend], [image], async (state, kubeconfig) => {
    const [master, node] = state.nodes;
    if (master === undefined || node === undefined) throw new Error('two nodes needed');
    await kubectl(kubeconfig, ['apply', '-f', '-'], podYaml('rx', node.name, IPERF_REF, [IPERF, '-s', '-p', '5201']) + '---\n' + podYaml('tx', master.name, IPERF_REF, ['sleep', '3600']));
    const rxIp = (await runningPods(kubeconfig, ['rx', 'tx'])).get('rx') ?? '';
    const pod: number[] = [];
    const direct: number[] = [];
    await podRate(kubeconfig, rxIp); // warm-up
    for (let i = 0; i < runs; i++) {
      pod.push(await podRate(kubeconfig, rxIp));
      direct.push(await directRate(state));
    }
    process.stderr.write(`${backend}: pod ${pod.map((r) => (r / 1e9).toFixed(2)).join(', ')} Gbit/s; direct ${direct.map((r) => (r / 1e9).toFixed(2)).join(', ')} Gbit/s\n`);
    return { pod: median(pod), direct: median(direct) };
  });
}

async function main(): Promise<void> {
  if (!existsSync(IPERF)) throw new Error(`${IPERF} is missing: apt-get install iperf3`);
  const dataDir = mkdtempSync(join(tmpdir(), 'k8ts-bench-overlay-'));
  try {
    const image = join(dataDir, 'iperf3.tar');
    await buildHostBinaryImage(image, IPERF_REF, [IPERF]);
    const rows: string[] = [];
    for (const backend of ['host-gw', 'vxlan'] as const) {
      const r = await measure(backend, dataDir, image);
      rows.push(`| ${backend} | ${(r.pod / 1e9).toFixed(2)} Gbit/s | ${(r.direct / 1e9).toFixed(2)} Gbit/s | ${(r.pod / r.direct).toFixed(2)} |`);
    }
    process.stdout.write(`iperf3 TCP, ${seconds} s per run, median of ${runs}\n\n| backend | pod to pod | node to node | ratio |\n| --- | --- | --- | --- |\n${rows.join('\n')}\n`);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
