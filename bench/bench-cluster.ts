// What the benches that run on a `k8ts cluster create` cluster share: an image of this machine's own binaries (with
// the shared objects they load) on busybox, kubectl against the cluster, a wait, a pod pinned to a node, and a
// cluster made for the bench and deleted after it, whatever happens.
import { execFile, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readClusterState, type ClusterState } from '../src/cluster/index.js';
import { busyboxImageSpec } from '../src/images/builtin-images.js';
import { sharedLibraries } from '../src/images/nginx-image.js';
import { writeOciArchive } from '../src/images/oci-archive.js';
import type { TarEntry } from '../src/images/tar-writer.js';

export const run = promisify(execFile);
export const k8tsScript = join(new URL('.', import.meta.url).pathname, '..', '..', 'bin', 'k8ts');

/** busybox plus these host binaries and the shared objects they load, at their paths. */
export async function buildHostBinaryImage(file: string, ref: string, binaries: readonly string[]): Promise<void> {
  const files = [...new Set([...binaries, ...(await Promise.all(binaries.map((b) => sharedLibraries(b)))).flat()])];
  const dirs = new Set<string>();
  const entries: TarEntry[] = [];
  for (const f of files) {
    const parts = f.replace(/^\/+/, '').split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  for (const d of [...dirs].sort()) entries.push({ type: 'directory', name: d, mode: 0o755 });
  for (const f of files) entries.push({ type: 'file', name: f.replace(/^\/+/, ''), data: await readFile(f), mode: 0o755 });
  const base = await busyboxImageSpec(ref);
  await writeOciArchive(file, { ...base, layers: [...base.layers, { entries, comment: `k8ts bench: ${binaries.join(', ')} from this machine` }] });
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

export async function kubectl(kubeconfig: string, args: string[], input?: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('kubectl', ['--kubeconfig', kubeconfig, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve({ stdout, stderr }) : reject(new Error(`kubectl ${args.join(' ')}: exit ${code}: ${stderr}`))));
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
  });
}

export async function waitFor(what: string, fn: () => Promise<boolean>, ms = 120_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A pod of `image` bound to `node` running `command`, as YAML. */
export const podYaml = (name: string, node: string, image: string, command: readonly string[]): string => `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  nodeName: ${node}
  terminationGracePeriodSeconds: 0
  containers:
  - name: c
    image: ${image}
    imagePullPolicy: IfNotPresent
    command: ${JSON.stringify(command)}
`;

/** The pod IPs of these pods once every one of them is Running. */
export async function runningPods(kubeconfig: string, names: readonly string[]): Promise<Map<string, string>> {
  const ips = new Map<string, string>();
  await waitFor(`pods ${names.join(', ')} Running`, async () => {
    const out = JSON.parse((await kubectl(kubeconfig, ['get', 'pods', '-o', 'json'])).stdout) as { items: { metadata: { name: string }; status: { phase?: string; podIP?: string } }[] };
    ips.clear();
    for (const p of out.items) if (p.status.phase === 'Running' && p.status.podIP !== undefined) ips.set(p.metadata.name, p.status.podIP);
    return names.every((n) => ips.has(n));
  });
  return ips;
}

/**
 * Creates cluster `name` (`k8ts cluster create NAME ...args` in `dataDir`), imports the image archives into every
 * node, runs `fn` and deletes the cluster again.
 */
export async function withCluster<T>(dataDir: string, name: string, args: readonly string[], images: readonly string[], fn: (state: ClusterState, kubeconfig: string) => Promise<T>): Promise<T> {
  const kubeconfig = join(dataDir, `${name}.kubeconfig`);
  writeFileSync(kubeconfig, '');
  const env = { ...process.env, KUBECONFIG: kubeconfig };
  await run(process.execPath, [k8tsScript, 'cluster', 'create', name, ...args, '--data-dir', dataDir], { env, maxBuffer: 16 * 1024 * 1024 });
  try {
    const state = readClusterState(dataDir, name);
    if (state === undefined) throw new Error('no cluster state');
    for (const n of state.nodes) for (const image of images) await run(process.execPath, [k8tsScript, 'images', 'import', image, '--data-dir', n.dataDir]);
    return await fn(state, kubeconfig);
  } finally {
    await run(process.execPath, [k8tsScript, 'cluster', 'delete', name, '--data-dir', dataDir], { env }).catch((e: unknown) => process.stderr.write(`delete failed: ${String(e)}\n`));
  }
}
