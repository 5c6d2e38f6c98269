// Issue 5's acceptance on clusters from `k8ts cluster create` (a master and nodes as network-namespace hosts on a
// bridge without uplink; nothing can leave the machine): the tutorials' replication.yaml spreads over the nodes;
// pods reach pods on other nodes (vxlan here, host-gw in the second suite); the tutorials' service.yaml (selector
// app: nginx) serves nginx's welcome page at NODE_IP:30080 on every node, at its cluster IP from a pod on another
// node, by its DNS names from pods, and at its LoadBalancer address; NGINX_SERVICE_SERVICE_HOST is set in pods made
// after it; a deleted endpoint leaves the rules within 1 s. With the control plane down the data plane stays up and
// no pod restarts when it comes back; a killed node's pods are re-created on the others after the (shortened)
// eviction timeout; and that node, wiped, joins again under its name with the token and runs pods.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { k8tsBin, seedDir, waitFor, type RunResult } from './support/server.js';
import { containerdTestSkipReason } from '../../src/containerd/live-test-skip.js';
import { buildBusyboxImage } from '../../src/images/builtin-images.js';
import { buildNginxImage, NGINX_PATH, NGINX_TUTORIAL_REFS } from '../../src/images/nginx-image.js';
import { readClusterState, type ClusterState } from '../../src/cluster/index.js';
import { killNodeProcesses } from '../../src/cluster/node-teardown.js';
import { mountsUnder } from '../../src/cluster/cluster-delete.js';
import { existsSync } from 'node:fs';

const skip = containerdTestSkipReason() ?? (existsSync(NGINX_PATH) ? undefined : `${NGINX_PATH} is missing: apt-get install nginx-light`);

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { env, maxBuffer: 32 * 1024 * 1024, timeout: 180_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      resolve({ code, stdout, stderr });
    });
    // A command that exits before reading its input (umount, nsenter's) must not fail the test with EPIPE.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(input ?? '');
  });
}

interface PodJson {
  metadata: { name: string; uid: string; labels?: Record<string, string>; deletionTimestamp?: string };
  spec: { nodeName?: string };
  status: { phase?: string; podIP?: string; containerStatuses?: { restartCount: number; ready: boolean }[] };
}

/** The tutorial's manifest as JSON, with IfNotPresent on every container (the images are imported, never pulled). */
function seed(file: string, edit: (doc: Record<string, unknown>) => void = () => undefined): string {
  const doc = parseYaml(readFileSync(join(seedDir, file), 'utf8')) as Record<string, unknown>;
  const spec = (doc['spec'] as { template?: { spec?: { containers?: Record<string, unknown>[] } } } | undefined)?.template?.spec;
  for (const c of spec?.containers ?? []) c['imagePullPolicy'] = 'IfNotPresent';
  edit(doc);
  return JSON.stringify(doc);
}

const busyboxPod = (name: string, node: string): string =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { nodeName: node, terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: 'docker.io/library/busybox:latest', imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] }] },
  });

class TestCluster {
  readonly env: NodeJS.ProcessEnv;
  state!: ClusterState;
  constructor(
    readonly dataDir: string,
    readonly name: string,
  ) {
    this.env = { ...process.env, KUBECONFIG: join(dataDir, 'kubeconfig') };
  }

  k8ts(...args: string[]): Promise<RunResult> {
    return run(process.execPath, [k8tsBin, ...args], this.env);
  }

  async create(args: string[], images: string[]): Promise<void> {
    const r = await this.k8ts('cluster', 'create', this.name, '--data-dir', this.dataDir, ...args);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const s = readClusterState(this.dataDir, this.name);
    assert.ok(s !== undefined);
    this.state = s;
    for (const n of s.nodes) for (const image of images) assert.equal((await this.k8ts('images', 'import', image, '--data-dir', n.dataDir)).code, 0);
  }

  async delete(): Promise<void> {
    await this.k8ts('cluster', 'delete', this.name, '--data-dir', this.dataDir);
  }

  async kubectl(args: string[], input?: string): Promise<string> {
    const r = await run('kubectl', ['--context', this.name, ...args], this.env, input);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  }

  async pods(selector?: string): Promise<PodJson[]> {
    const out = JSON.parse(await this.kubectl(['get', 'pods', '-o', 'json', ...(selector !== undefined ? ['-l', selector] : [])])) as { items: PodJson[] };
    return out.items.filter((p) => p.metadata.deletionTimestamp === undefined);
  }

  async running(selector: string, n: number, ms = 90_000): Promise<PodJson[]> {
    let pods: PodJson[] = [];
    await waitFor(`${n} pods ${selector} Running and ready`, async () => {
      pods = (await this.pods(selector)).filter((p) => p.status.phase === 'Running' && (p.status.containerStatuses ?? []).every((c) => c.ready));
      return pods.length === n;
    }, ms);
    return pods;
  }

  node(i: number): ClusterState['nodes'][number] {
    const n = this.state.nodes[i];
    assert.ok(n !== undefined);
    return n;
  }

  /** A command in a node's network namespace (the host's binaries, the node's network). */
  inNode(i: number, cmd: string[]): Promise<RunResult> {
    return run('nsenter', [`--net=/var/run/netns/${this.node(i).netns}`, '--', ...cmd], this.env);
  }

  async execIn(pod: string, script: string): Promise<string> {
    return this.kubectl(['exec', pod, '--', 'sh', '-c', script]);
  }
}

async function httpTitle(c: TestCluster, node: number, url: string): Promise<string> {
  const r = await c.inNode(node, ['curl', '-s', '-m', '5', url]);
  return /<title>(.*)<\/title>/.exec(r.stdout)?.[1] ?? `(no page: curl exit ${r.code} ${r.stderr})`;
}

describe('a cluster of a master and two nodes (vxlan)', { skip }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'k8ts-e2e-mn-'));
  const c = new TestCluster(dataDir, `mn${process.pid % 100000}`);
  let serviceIp = '';
  const busybox = join(dataDir, 'busybox.tar');

  before(async () => {
    const nginx = join(dataDir, 'nginx.tar');
    await buildNginxImage(nginx, undefined, { refs: NGINX_TUTORIAL_REFS });
    await buildBusyboxImage(busybox);
    // Shortened node-lifecycle timeouts for the node-kill test (upstream's flags).
    await c.create(
      ['--nodes', '2', '--server-arg=--node-monitor-grace-period=25s', '--server-arg=--default-unreachable-toleration-seconds=5', '--server-arg=--default-not-ready-toleration-seconds=5'],
      [nginx, busybox],
    );
  });

  after(async () => {
    await c.delete();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('replication.yaml spreads its three nginx pods over the three nodes', { timeout: 120_000 }, async () => {
    await c.kubectl(['apply', '-f', '-'], seed('replication.yaml'));
    const pods = await c.running('app=nginx', 3);
    assert.deepEqual(new Set(pods.map((p) => p.spec.nodeName)).size, 3, JSON.stringify(pods.map((p) => p.spec.nodeName)));
    await c.kubectl(['apply', '-f', '-'], busyboxPod('client', c.node(1).name));
    await c.running('!app', 1);
  });

  test('a pod reaches the nginx pods on every node, its own and the others', async () => {
    for (const p of await c.pods('app=nginx')) {
      const page = await c.execIn('client', `timeout 10 wget -qO- http://${p.status.podIP}/`);
      assert.match(page, /Welcome to nginx!/, `from ${c.node(1).name} to ${p.spec.nodeName}`);
    }
  });

  test('service.yaml serves nginx at NODE_IP:30080 on every node, at the cluster IP and by DNS name from a pod', { timeout: 60_000 }, async () => {
    await c.kubectl(['apply', '-f', '-'], seed('service.yaml', (doc) => ((doc['spec'] as Record<string, unknown>)['selector'] = { app: 'nginx' })));
    serviceIp = (await c.kubectl(['get', 'svc', 'nginx-service', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    for (const n of c.state.nodes) {
      await waitFor(`nginx at ${n.ip}:30080`, async () => (await httpTitle(c, 0, `http://${n.ip}:30080/`)) === 'Welcome to nginx!', 15_000);
    }
    // From the client pod on node 1: the cluster IP, whichever node the endpoint is on, and the names.
    for (let i = 0; i < 6; i++) assert.match(await c.execIn('client', `timeout 10 wget -qO- http://${serviceIp}:8080/`), /Welcome to nginx!/);
    for (const name of ['nginx-service', 'nginx-service.default', 'nginx-service.default.svc.cluster.local']) {
      assert.match(await c.execIn('client', `timeout 10 wget -qO- http://${name}:8080/`), /Welcome to nginx!/, name);
    }
    // busybox nslookup applies the search path to a name without dots.
    for (const name of ['nginx-service', 'nginx-service.default.svc.cluster.local']) {
      assert.match(await c.execIn('client', `nslookup ${name} | grep -A1 'Name:.*nginx-service.default.svc.cluster.local'`), new RegExp(`Address:? *${serviceIp.replace(/\./g, '\\.')}`), name);
    }
  });

  test('the LoadBalancer service gets the nodes\' addresses as ingress and answers there', async () => {
    let ingress: string[] = [];
    await waitFor('ingress addresses', async () => {
      const svc = JSON.parse(await c.kubectl(['get', 'svc', 'nginx-service', '-o', 'json'])) as { status?: { loadBalancer?: { ingress?: { ip: string }[] } } };
      ingress = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip);
      return ingress.length === 3;
    }, 20_000);
    assert.deepEqual([...ingress].sort(), c.state.nodes.map((n) => n.ip).sort());
    assert.equal(await httpTitle(c, 2, `http://${ingress[0]}:8080/`), 'Welcome to nginx!');
  });

  test('a pod created after the service has its environment variables', async () => {
    await c.kubectl(['apply', '-f', '-'], busyboxPod('late', c.node(2).name));
    await c.running('!app', 2);
    const env = await c.execIn('late', 'env');
    assert.match(env, new RegExp(`^NGINX_SERVICE_SERVICE_HOST=${serviceIp.replace(/\./g, '\\.')}$`, 'm'));
    assert.match(env, /^NGINX_SERVICE_SERVICE_PORT=8080$/m);
  });

  test('a deleted endpoint pod leaves every node\'s rules within 1 s', async () => {
    const [victim] = await c.pods('app=nginx');
    assert.ok(victim?.status.podIP !== undefined);
    const ip = victim.status.podIP;
    const inRules = async (node: number): Promise<boolean> => (await c.inNode(node, ['nft', 'list', 'table', 'ip', 'k8ts-proxy'])).stdout.includes(ip);
    for (let i = 0; i < 3; i++) assert.ok(await inRules(i), `${ip} in node ${i}'s rules`);
    const started = Date.now();
    await c.kubectl(['delete', 'pod', victim.metadata.name, '--wait=false']);
    await waitFor('the endpoint gone from every node', async () => !(await inRules(0)) && !(await inRules(1)) && !(await inRules(2)), 5_000);
    const took = Date.now() - started;
    assert.ok(took <= 1500, `the rules followed after ${took} ms (kubectl delete included)`);
    await c.running('app=nginx', 3);
  });

  test('with the control plane down pods keep running and services keep routing; back up, no pod restarts', { timeout: 120_000 }, async () => {
    const before = await c.pods();
    const master = c.node(0);
    const pid = master.pid;
    assert.ok(pid !== undefined);
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((s) => s !== '');
    process.kill(pid, 'SIGTERM');
    await waitFor('the master stopped', () => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    }, 15_000);
    const down = await run('kubectl', ['--context', c.name, 'get', 'nodes', '--request-timeout=2s'], c.env);
    assert.notEqual(down.code, 0);
    // Node 1 to the nginx pods on node 2 and the master, directly and through the cluster IP (node 1's proxy).
    for (const p of before.filter((x) => x.metadata.labels?.['app'] === 'nginx')) assert.equal(await httpTitle(c, 1, `http://${p.status.podIP}/`), 'Welcome to nginx!');
    for (let i = 0; i < 3; i++) assert.equal(await httpTitle(c, 2, `http://${serviceIp}:8080/`), 'Welcome to nginx!');
    // The master again, as cluster create ran it.
    const log = openSync(master.logFile, 'a');
    const child = spawn('nsenter', [`--net=/var/run/netns/${master.netns}`, '--', ...cmdline], { detached: true, stdio: ['ignore', log, log] });
    child.unref();
    await waitFor('the API server back', async () => (await run('kubectl', ['--context', c.name, 'get', 'nodes', '--request-timeout=2s'], c.env)).code === 0, 30_000);
    await waitFor('every node Ready', async () => {
      const nodes = JSON.parse(await c.kubectl(['get', 'nodes', '-o', 'json'])) as { items: { status: { conditions?: { type: string; status: string }[] } }[] };
      return nodes.items.length === 3 && nodes.items.every((n) => n.status.conditions?.some((x) => x.type === 'Ready' && x.status === 'True'));
    }, 30_000);
    const after = await c.pods();
    assert.deepEqual(after.map((p) => p.metadata.uid).sort(), before.map((p) => p.metadata.uid).sort());
    for (const p of after) assert.equal(p.status.containerStatuses?.[0]?.restartCount, 0, `${p.metadata.name} restarted`);
  });

  test('a killed node\'s pods are re-created on the other nodes after the eviction timeout', { timeout: 150_000 }, async () => {
    const dead = c.node(2);
    const onDead = (await c.pods('app=nginx')).filter((p) => p.spec.nodeName === dead.name);
    assert.ok(onDead.length >= 1, 'an nginx pod on the node to kill');
    // Everything the node runs in its namespace: its agent, containerd and the shims.
    const pids = (await run('ip', ['netns', 'pids', dead.netns], c.env)).stdout.split('\n').filter((s) => s !== '');
    for (const p of pids) process.kill(Number(p), 'SIGKILL');
    await waitFor('the node NotReady', async () => {
      const n = JSON.parse(await c.kubectl(['get', 'node', dead.name, '-o', 'json'])) as { status: { conditions?: { type: string; status: string }[] } };
      return n.status.conditions?.some((x) => x.type === 'Ready' && x.status !== 'True') === true;
    }, 60_000);
    await waitFor('3 nginx pods Running on the other nodes', async () => {
      const pods = (await c.pods('app=nginx')).filter((p) => p.status.phase === 'Running' && p.spec.nodeName !== dead.name);
      return pods.length === 3;
    }, 90_000);
  });

  test('a node wiped and joined again under its name is accepted with the token, and runs pods again', { timeout: 150_000 }, async () => {
    const dead = c.node(2);
    // The wipe: the node's pods (still running without their kubelet), its mounts and its data dir.
    await killNodeProcesses([{ netns: dead.netns, dataDir: dead.dataDir }]);
    for (const mp of mountsUnder(readFileSync('/proc/self/mountinfo', 'utf8'), dead.dataDir)) {
      const r = await run('umount', [mp], c.env);
      if (r.code !== 0) await run('umount', ['-l', mp], c.env);
    }
    rmSync(dead.dataDir, { recursive: true, force: true });
    mkdirSync(dead.dataDir, { recursive: true, mode: 0o700 });
    const log = openSync(dead.logFile, 'a');
    const tokenFile = join(c.node(0).dataDir, 'token');
    const agent = spawn('nsenter', [`--net=/var/run/netns/${dead.netns}`, '--', process.execPath, k8tsBin, 'agent', '--server', `https://${c.node(0).ip}:6443`, '--token-file', tokenFile, '--data-dir', dead.dataDir, '--node-name', dead.name, '--node-ip', dead.ip], { detached: true, stdio: ['ignore', log, log] });
    agent.unref();
    await waitFor('the node Ready again', async () => {
      const n = JSON.parse(await c.kubectl(['get', 'node', dead.name, '-o', 'json'])) as { status: { conditions?: { type: string; status: string }[] } };
      return n.status.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') === true;
    }, 60_000);
    // The pods evicted from it while it was gone are finished off by its new kubelet.
    await waitFor('no pod left on the node from before', async () => (await run('kubectl', ['--context', c.name, 'get', 'pods', '-o', 'json'], c.env)).stdout.includes(`"nodeName": "${dead.name}"`) === false, 60_000);
    assert.equal((await c.k8ts('images', 'import', busybox, '--data-dir', dead.dataDir)).code, 0);
    await c.kubectl(['apply', '-f', '-'], busyboxPod('again', dead.name));
    await waitFor('a pod Running on the node again', async () => (await c.pods()).some((p) => p.metadata.name === 'again' && p.status.phase === 'Running'), 60_000);
    const [web] = (await c.pods('app=nginx')).filter((p) => p.status.phase === 'Running');
    assert.match(await c.execIn('again', `timeout 10 wget -qO- http://${web?.status.podIP}/`), /Welcome to nginx!/);
  });
});

describe('a cluster on host-gw', { skip }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'k8ts-e2e-hg-'));
  const c = new TestCluster(dataDir, `hg${process.pid % 100000}`);

  before(async () => {
    const busybox = join(dataDir, 'busybox.tar');
    await buildBusyboxImage(busybox);
    await c.create(['--nodes', '1', '--flannel-backend', 'host-gw'], [busybox]);
  });

  after(async () => {
    await c.delete();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('pods on different nodes reach each other through host-gw routes', { timeout: 90_000 }, async () => {
    const web = JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web', labels: { app: 'web' } },
      spec: {
        nodeName: c.node(0).name,
        terminationGracePeriodSeconds: 0,
        containers: [{ name: 'c', image: 'docker.io/library/busybox:latest', imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', 'echo hello-from-master > /tmp/index.html; exec httpd -f -p 8080 -h /tmp'] }],
      },
    });
    await c.kubectl(['apply', '-f', '-'], web);
    await c.kubectl(['apply', '-f', '-'], busyboxPod('client', c.node(1).name));
    const [w] = await c.running('app=web', 1);
    await c.running('!app', 1);
    const routes = (await c.inNode(1, ['ip', 'route', 'show', 'proto', '75'])).stdout;
    assert.match(routes, new RegExp(`via ${c.node(0).ip.replace(/\./g, '\\.')} dev eth0`));
    assert.match(await c.execIn('client', `timeout 10 wget -qO- http://${w?.status.podIP}:8080/`), /hello-from-master/);
  });
});
