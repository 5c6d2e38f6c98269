// Cross-node pod-to-pod TCP throughput over the overlay (issue 5's benchmark), as a ratio to the same transfer between
// the two node namespaces directly. For each backend (host-gw, vxlan): `k8ts cluster create` with a master and one
// node (network namespaces on a bridge without uplink: nothing leaves the machine), an iperf3 server pod on the node
// and a client pod on the master (an image of this machine's iperf3, `apt-get install iperf3`, and its libraries,
// on busybox). The direct figure is the same iperf3 run in the node namespaces themselves (nsenter), node to node.
// Usage: node dist/bench/overlay-throughput.js [--seconds N] [--runs R]
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { promisify } from 'node:util';
import { readClusterState, type ClusterState } from '../src/cluster/index.js';
import { readFile } from 'node:fs/promises';
import { busyboxImageSpec } from '../src/images/builtin-images.js';
import { sharedLibraries } from '../src/images/nginx-image.js';
import { writeOciArchive } from '../src/images/oci-archive.js';
import type { TarEntry } from '../src/images/tar-writer.js';

const run = promisify(execFile);
const k8ts = join(new URL('.', import.meta.url).pathname, '..', '..', 'bin', 'k8ts');
const { values } = parseArgs({ options: { seconds: { type: 'string', default: '5' }, runs: { type: 'string', default: '3' } } });
const seconds = Number(values.seconds);
const runs = Number(values.runs);
const IPERF = '/usr/bin/iperf3';
const IPERF_REF = 'k8ts.local/iperf3:bench';

/** busybox plus this machine's iperf3 and the shared objects it loads, at their paths. */
async function buildIperfImage(file: string): Promise<void> {
  const files = [IPERF, ...(await sharedLibraries(IPERF))];
  const dirs = new Set<string>();
  const entries: TarEntry[] = [];
  for (const f of files) {
    const parts = f.replace(/^\/+/, '').split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  for (const d of [...dirs].sort()) entries.push({ type: 'directory', name: d, mode: 0o755 });
  for (const f of files) entries.push({ type: 'file', name: f.replace(/^\/+/, ''), data: await readFile(f), mode: 0o755 });
  const base = await busyboxImageSpec(IPERF_REF);
  await writeOciArchive(file, { ...base, layers: [...base.layers, { entries, comment: 'k8ts bench: iperf3 from this machine' }] });
}

/** Bits per second the receiver counted, from iperf3's JSON. */
function iperfRate(json: string): number {
  const parsed = JSON.parse(json) as { end?: { sum_received?: { bits_per_second?: number } }; error?: string };
  if (parsed.error !== undefined) throw new Error(`iperf3: ${parsed.error}`);
  const bps = parsed.end?.sum_received?.bits_per_second;
  if (bps === undefined) throw new Error('iperf3 printed no sum_received');
  return bps;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}


async function kubectl(kubeconfig: string, args: string[], input?: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('kubectl', ['--kubeconfig', kubeconfig, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve({ stdout, stderr }) : reject(new Error(`kubectl ${args.join(' ')}: exit ${code}: ${stderr}`))));
    child.stdin.end(input ?? '');
  });
}

async function waitFor(what: string, fn: () => Promise<boolean>, ms = 120_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const podYaml = (name: string, node: string, script: string[]): string => `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  nodeName: ${node}
  terminationGracePeriodSeconds: 0
  containers:
  - name: c
    image: ${IPERF_REF}
    imagePullPolicy: IfNotPresent
    command: ${JSON.stringify(script)}
`;

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
  const kubeconfig = join(dataDir, `${name}.kubeconfig`);
  writeFileSync(kubeconfig, '');
  const env = { ...process.env, KUBECONFIG: kubeconfig };
  await run(process.execPath, [k8ts, 'cluster', 'create', name, '--nodes', '1', '--flannel-backend', backend, '--data-dir', dataDir], { env, maxBuffer: 16 * 1024 * 1024 });
  try {
    const state = readClusterState(dataDir, name);
    if (state === undefined) throw new Error('no cluster state');
    for (const n of state.nodes) await run(process.execPath, [k8ts, 'images', 'import', image, '--data-dir', n.dataDir]);
    const [master, node] = state.nodes;
    if (master === undefined || node === undefined) throw new Error('two nodes needed');
    await kubectl(kubeconfig, ['apply', '-f', '-'], podYaml('rx', node.name, [IPERF, '-s', '-p', '5201']) + '---\n' + podYaml('tx', master.name, ['sleep', '3600']));
    let rxIp = '';
    await waitFor('both pods Running', async () => {
      const out = JSON.parse((await kubectl(kubeconfig, ['get', 'pods', '-o', 'json'])).stdout) as { items: { metadata: { name: string }; status: { phase?: string; podIP?: string } }[] };
      rxIp = out.items.find((p) => p.metadata.name === 'rx')?.status.podIP ?? '';
      return out.items.length === 2 && out.items.every((p) => p.status.phase === 'Running');
    });
    const pod: number[] = [];
    const direct: number[] = [];
    await podRate(kubeconfig, rxIp); // warm-up
    for (let i = 0; i < runs; i++) {
      pod.push(await podRate(kubeconfig, rxIp));
      direct.push(await directRate(state));
    }
    process.stderr.write(`${backend}: pod ${pod.map((r) => (r / 1e9).toFixed(2)).join(', ')} Gbit/s; direct ${direct.map((r) => (r / 1e9).toFixed(2)).join(', ')} Gbit/s\n`);
    return { pod: median(pod), direct: median(direct) };
  } finally {
    await run(process.execPath, [k8ts, 'cluster', 'delete', name, '--data-dir', dataDir], { env }).catch((e: unknown) => process.stderr.write(`delete failed: ${String(e)}\n`));
  }
}

async function main(): Promise<void> {
  if (!existsSync(IPERF)) throw new Error(`${IPERF} is missing: apt-get install iperf3`);
  const dataDir = mkdtempSync(join(tmpdir(), 'k8ts-bench-overlay-'));
  try {
    const image = join(dataDir, 'iperf3.tar');
    await buildIperfImage(image);
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
