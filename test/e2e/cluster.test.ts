// `k8ts cluster create|list|delete` end to end: a master and 3 nodes as network-namespace hosts on a bridge of their
// own, every node Ready for the real kubectl through the context create merged into $KUBECONFIG (a temporary file),
// pods on the nodes, the list, and a delete that leaves nothing behind (processes, namespaces, links, rules, mounts,
// files, the context). A creation that times out is CREATE_FAILED and deletes as cleanly. The nodes live in network
// namespaces without a default route and never touch the host's cni0, so this suite needs no machine lock.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { k8tsBin, unmountUnder, waitFor, type RunResult } from './support/server.js';
import { containerdTestSkipReason } from '../../src/containerd/live-test-skip.js';
import { bridgeName } from '../../src/cluster/address-plan.js';

const skip = containerdTestSkipReason();

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env, maxBuffer: 32 * 1024 * 1024, timeout: 180_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

interface NodeJson {
  metadata: { name: string };
  status: { conditions?: { type: string; status: string }[]; addresses?: { type: string; address: string }[] };
}

describe('k8ts cluster', { skip }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'k8ts-e2e-cluster-'));
  const kubeconfig = join(dataDir, 'kubeconfig');
  const env = { ...process.env, KUBECONFIG: kubeconfig };
  const name = `e2e${process.pid}`;
  const failedName = `e2e${process.pid}-f`;
  const k8ts = (...args: string[]): Promise<RunResult> => run(process.execPath, [k8tsBin, ...args], env);
  const kubectl = async (...args: string[]): Promise<string> => {
    const r = await run('kubectl', ['--context', name, ...args], env);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  let created: RunResult | undefined;
  const podUids: string[] = [];

  /** Everything of a cluster that could be left on the machine. */
  async function traces(cluster: string): Promise<string[]> {
    const left: string[] = [];
    const netns = (await run('ip', ['netns', 'list'], env)).stdout;
    for (const l of netns.split('\n')) if (l.startsWith(`k8ts-${cluster}-`)) left.push(`namespace ${l}`);
    if ((await run('ip', ['link', 'show', 'dev', bridgeName(cluster)], env)).code === 0) left.push(`bridge ${bridgeName(cluster)}`);
    const rules = (await run('iptables', ['-S'], env)).stdout;
    for (const l of rules.split('\n')) if (l.includes(`k8ts cluster ${cluster}"`)) left.push(`rule ${l}`);
    const dir = join(dataDir, 'clusters', cluster);
    for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      try {
        if (readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(dir)) left.push(`process ${p}`);
      } catch {
        // gone
      }
    }
    for (const l of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) if (l.includes(dir)) left.push(`mount ${l}`);
    if (existsSync(dir)) left.push(`directory ${dir}`);
    return left;
  }

  before(async () => {
    created = await k8ts('cluster', 'create', name, '--nodes', '3', '--data-dir', dataDir, '--timeout', '90s');
  });

  after(async () => {
    for (const c of [name, failedName]) if (existsSync(join(dataDir, 'clusters', c))) await k8ts('cluster', 'delete', c, '--data-dir', dataDir);
    unmountUnder(dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('create makes a master and 3 nodes, reports progress and sets the kubeconfig context', () => {
    assert.ok(created !== undefined);
    assert.equal(created.code, 0, `create failed:\n${created.stdout}\n${created.stderr}`);
    assert.match(created.stdout, /API server up at https:\/\/172\.\d+\.\d+\.2:6443/);
    assert.match(created.stdout, /Nodes Ready: \d\/4/);
    assert.match(created.stdout, /All 4 nodes Ready/);
    assert.match(created.stdout, new RegExp(`Set kubectl context to "${name}"`));
    const kc = readFileSync(kubeconfig, 'utf8');
    assert.match(kc, new RegExp(`current-context: ${name}`));
  });

  test('kubectl --context NAME sees every node Ready at its own address on the bridge', async () => {
    const nodes = (JSON.parse(await kubectl('get', 'nodes', '-o', 'json')) as { items: NodeJson[] }).items;
    assert.deepEqual(nodes.map((n) => n.metadata.name).sort(), [`${name}-master`, `${name}-node-1`, `${name}-node-2`, `${name}-node-3`]);
    for (const n of nodes) assert.equal(n.status.conditions?.find((c) => c.type === 'Ready')?.status, 'True', n.metadata.name);
    const ips = nodes.map((n) => n.status.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '');
    assert.equal(new Set(ips.map((ip) => ip.split('.').slice(0, 3).join('.'))).size, 1);
    assert.equal(new Set(ips).size, 4);
  });

  test('the node namespaces have no default route, so nothing they send can leave the machine', async () => {
    for (const n of ['master', 'node-1', 'node-2', 'node-3']) {
      const routes = await run('ip', ['-n', `k8ts-${name}-${n}`, 'route', 'show', 'default'], env);
      assert.equal(routes.code, 0, routes.stderr);
      assert.equal(routes.stdout.trim(), '', `${n} has a default route`);
    }
  });

  test('list prints NAME, UUID, STATUS, NODES and API ADDRESS', async () => {
    const r = await k8ts('cluster', 'list', '--data-dir', dataDir);
    assert.equal(r.code, 0, r.stderr);
    const [header, row] = r.stdout.trimEnd().split('\n');
    assert.match(header ?? '', /^NAME\s+UUID\s+STATUS\s+NODES\s+API ADDRESS$/);
    assert.match(row ?? '', new RegExp(`^${name}\\s+[0-9a-f-]{36}\\s+CREATE_COMPLETE\\s+3\\s+https://172\\.\\d+\\.\\d+\\.2:6443$`));
  });

  test('pods run on the nodes (so that delete has containers to remove)', async () => {
    await kubectl('create', 'deployment', 'pause', '--image=registry.k8s.io/pause:3.10', '--replicas=4');
    await waitFor(
      'four running pause pods',
      async () => {
        const pods = (JSON.parse(await kubectl('get', 'pods', '-o', 'json')) as { items: { metadata: { uid: string }; status?: { phase?: string } }[] }).items;
        podUids.splice(0, podUids.length, ...pods.map((p) => p.metadata.uid));
        return pods.filter((p) => p.status?.phase === 'Running').length === 4;
      },
      60_000,
    );
  });

  test('creating a cluster whose name is taken fails and says so', async () => {
    const r = await k8ts('cluster', 'create', name, '--nodes', '0', '--data-dir', dataDir);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, new RegExp(`cluster "${name}" already exists`));
  });

  test('delete removes every trace: processes, namespaces, links, rules, mounts, files and the context', async () => {
    const r = await k8ts('cluster', 'delete', name, '--data-dir', dataDir);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, new RegExp(`Deleted cluster "${name}"`));
    assert.deepEqual(await traces(name), []);
    assert.equal(podUids.length, 4);
    for (const uid of podUids) for (const h of readdirSync('/sys/fs/cgroup')) assert.equal(existsSync(join('/sys/fs/cgroup', h, 'k8ts', `pod${uid}`)), false, `cgroup ${h}/k8ts/pod${uid} left`);
    const kc = readFileSync(kubeconfig, 'utf8');
    assert.doesNotMatch(kc, new RegExp(`name: ${name}\\b`));
  });

  test('deleting an unknown cluster fails with a clear error', async () => {
    const r = await k8ts('cluster', 'delete', 'no-such-cluster', '--data-dir', dataDir);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /cluster "no-such-cluster" not found/);
  });

  test('a creation that times out is CREATE_FAILED, listed, and deletes without a trace', async () => {
    const r = await k8ts('cluster', 'create', failedName, '--nodes', '1', '--data-dir', dataDir, '--timeout', '1s');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, new RegExp(`creating cluster "${failedName}" failed: timed out after 1.0s`));
    const list = await k8ts('cluster', 'list', '--data-dir', dataDir);
    assert.match(list.stdout, new RegExp(`^${failedName}\\s+\\S+\\s+CREATE_FAILED\\s+1\\s`, 'm'));
    const d = await k8ts('cluster', 'delete', failedName, '--data-dir', dataDir);
    assert.equal(d.code, 0, `${d.stdout}\n${d.stderr}`);
    assert.deepEqual(await traces(failedName), []);
  });
});
