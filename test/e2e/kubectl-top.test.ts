// `kubectl top` against `k8ts server` with its node agent on real containerd: the API server serves metrics.k8s.io
// itself (as k3s ships metrics-server) from the kubelet's /stats/summary, asked over HTTPS at the node's InternalIP
// (127.0.0.1 here, so that everything stays on loopback) on the port its node publishes. Two host-network busybox pods: one spinning a
// shell loop (about a core), one asleep. Skipped without root or containerd.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { K8tsServer, waitFor } from './support/server.js';
import { agentKubectl, busyboxContainer, hostNetworkPod, importBusybox, stopNodeAgent, waitForNode } from './support/node-agent-fixture.js';
import { containerdTestSkipReason } from '../../src/containerd/live-test-skip.js';

interface PodMetricsJson {
  kind?: string;
  apiVersion?: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
  timestamp?: string;
  window?: string;
  containers?: { name?: string; usage?: { cpu?: string; memory?: string } }[];
}

/** kubectl's CPU column ("998m", "1") in millicores. */
function millicores(s: string): number {
  return s.endsWith('m') ? Number(s.slice(0, -1)) : Number(s) * 1000;
}

/** The rows of `kubectl top ... --no-headers`: whitespace-separated cells. */
function rows(out: string): string[][] {
  return out
    .trim()
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.trim().split(/\s+/));
}

const skip = containerdTestSkipReason();

describe('kubectl top through the built-in metrics.k8s.io API and the kubelet', { skip }, () => {
  let server: K8tsServer;
  let nodeName = '';
  const { kubectl, kubectlResult, pod } = agentKubectl(() => server.kubeconfig);
  const hostPod = (name: string, role: string, script: string): string => hostNetworkPod(name, nodeName, [busyboxContainer('main', script)], {}, { labels: { role } });
  /** `kubectl top pods` rows by pod name, once every named pod has metrics. */
  const topPods = async (names: string[]): Promise<Map<string, string[]>> => {
    let last = new Map<string, string[]>();
    await waitFor(`metrics of ${names.join(', ')}`, async () => {
      const r = await kubectlResult(['top', 'pods', '--no-headers']);
      if (r.code !== 0) return false;
      last = new Map(rows(r.stdout).map((cells) => [cells[0] ?? '', cells]));
      return names.every((n) => last.has(n));
    }, 60_000);
    return last;
  };

  before(async () => {
    server = await K8tsServer.start({ agent: true, controlLoops: true, extraArgs: ['--node-ip', '127.0.0.1', '--disable-scheduler'] });
    nodeName = await waitForNode(kubectl, 20_000);
    await importBusybox(server.dataDir);
    await kubectl(['apply', '-f', '-'], hostPod('busy', 'busy', 'while :; do :; done'));
    await kubectl(['apply', '-f', '-'], hostPod('idle', 'idle', 'exec sleep 3600'));
    for (const name of ['busy', 'idle']) {
      await waitFor(`${name} Running`, async () => ((await pod(name)).status?.phase ?? '') === 'Running', 60_000);
    }
  });
  after(async () => {
    await stopNodeAgent(server, kubectl);
  });

  test('discovery lists nodes and pods of metrics.k8s.io/v1beta1 with verbs get and list', async () => {
    const out = await kubectl(['api-resources', '--api-group=metrics.k8s.io', '-o', 'wide', '--no-headers']);
    const byName = new Map(rows(out).map((cells) => [cells[0] ?? '', cells]));
    assert.deepEqual(byName.get('nodes'), ['nodes', 'metrics.k8s.io/v1beta1', 'false', 'NodeMetrics', 'get,list']);
    assert.deepEqual(byName.get('pods'), ['pods', 'metrics.k8s.io/v1beta1', 'true', 'PodMetrics', 'get,list']);
    const list = JSON.parse(await kubectl(['get', '--raw', '/apis/metrics.k8s.io/v1beta1'])) as { groupVersion?: string; resources?: { name?: string; kind?: string; singularName?: string }[] };
    assert.equal(list.groupVersion, 'metrics.k8s.io/v1beta1');
    assert.deepEqual(list.resources?.map((r) => [r.name, r.kind, r.singularName]), [['nodes', 'NodeMetrics', ''], ['pods', 'PodMetrics', '']]);
  });

  test('kubectl top pods shows the busy loop near a core and the sleeping pod near nothing', async () => {
    // The first rate needs two samples of the cgroups: poll until the busy pod's has settled above half a core.
    let top = await topPods(['busy', 'idle']);
    await waitFor('the busy loop above 500m', async () => {
      top = await topPods(['busy', 'idle']);
      return millicores(top.get('busy')?.[1] ?? '0') >= 500;
    }, 60_000);
    const busy = top.get('busy') ?? [];
    const idle = top.get('idle') ?? [];
    assert.ok(millicores(busy[1] ?? '') >= 500, `busy uses ${busy[1]}`);
    assert.ok(millicores(idle[1] ?? '') < 50, `idle uses ${idle[1]}`);
    assert.match(busy[2] ?? '', /^\d+Mi$/);
    const headers = (await kubectl(['top', 'pods'])).split('\n')[0] ?? '';
    assert.deepEqual(headers.trim().split(/\s+/), ['NAME', 'CPU(cores)', 'MEMORY(bytes)']);
  });

  test('label and field selectors narrow the list, and -A adds the namespace', async () => {
    await topPods(['busy', 'idle']);
    assert.deepEqual(rows(await kubectl(['top', 'pods', '-l', 'role=idle', '--no-headers'])).map((r) => r[0]), ['idle']);
    assert.deepEqual(rows(await kubectl(['top', 'pods', '--field-selector', 'metadata.name=busy', '--no-headers'])).map((r) => r[0]), ['busy']);
    const all = rows(await kubectl(['top', 'pods', '-A', '--no-headers']));
    assert.ok(all.some((r) => r[0] === 'default' && r[1] === 'busy'), JSON.stringify(all));
    const bad = await kubectlResult(['get', '--raw', '/apis/metrics.k8s.io/v1beta1/pods?fieldSelector=spec.nodeName%3Dx']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /"spec.nodeName" is not a known field selector: only "metadata.name", "metadata.namespace"/);
  });

  test('kubectl top pod NAME --containers shows the container', async () => {
    await topPods(['busy']);
    const out = await kubectl(['top', 'pod', 'busy', '--containers']);
    const [header, row] = rows(out);
    assert.deepEqual(header, ['POD', 'NAME', 'CPU(cores)', 'MEMORY(bytes)']);
    assert.equal(row?.[0], 'busy');
    assert.equal(row?.[1], 'main');
    assert.match(row?.[2] ?? '', /^\d+m?$/);
  });

  test('a PodMetrics object has the metrics-server shape', async () => {
    await topPods(['idle']);
    const m = JSON.parse(await kubectl(['get', '--raw', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/idle'])) as PodMetricsJson;
    assert.equal(m.kind, 'PodMetrics');
    assert.equal(m.apiVersion, 'metrics.k8s.io/v1beta1');
    assert.deepEqual([m.metadata?.name, m.metadata?.namespace, m.metadata?.labels], ['idle', 'default', { role: 'idle' }]);
    assert.match(m.timestamp ?? '', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    assert.equal(m.window, '10s');
    assert.equal(m.containers?.length, 1);
    assert.equal(m.containers?.[0]?.name, 'main');
    assert.match(m.containers?.[0]?.usage?.cpu ?? '', /^(0|\d+[num]?)$/);
    assert.match(m.containers?.[0]?.usage?.memory ?? '', /^\d+(Ki|Mi|k)?$/);
  });

  test('kubectl top nodes shows the node with its CPU and memory', async () => {
    let out = '';
    await waitFor('node metrics', async () => {
      const r = await kubectlResult(['top', 'nodes']);
      out = r.stdout;
      return r.code === 0 && out.includes(nodeName);
    }, 60_000);
    const [header, row] = rows(out);
    assert.deepEqual(header, ['NAME', 'CPU(cores)', 'CPU(%)', 'MEMORY(bytes)', 'MEMORY(%)']);
    assert.equal(row?.[0], nodeName);
    // The busy loop alone keeps the node above half a core.
    assert.ok(millicores(row?.[1] ?? '0') >= 500, `node CPU ${row?.[1]}`);
    assert.match(row?.[2] ?? '', /^\d+%$/);
    assert.match(row?.[3] ?? '', /^\d+Mi$/);
    assert.match(row?.[4] ?? '', /^\d+%$/);
    const named = rows(await kubectl(['top', 'node', nodeName, '--no-headers']));
    assert.equal(named[0]?.[0], nodeName);
  });

  test('unknown nodes and pods are NotFound with the messages metrics-server gives', async () => {
    const pod = await kubectlResult(['top', 'pod', 'nosuch']);
    assert.notEqual(pod.code, 0);
    assert.equal(pod.stderr, 'Error from server (NotFound): pods "nosuch" not found\n');
    const node = await kubectlResult(['top', 'node', 'nosuch']);
    assert.notEqual(node.code, 0);
    assert.equal(node.stderr, 'Error from server (NotFound): node "nosuch" not found\n');
  });

  test('a pod that is not running has no metrics', async () => {
    const unbound = JSON.parse(hostPod('unbound', 'idle', 'exec sleep 3600')) as { spec: Record<string, unknown> };
    delete unbound.spec['nodeName'];
    await kubectl(['apply', '-f', '-'], JSON.stringify(unbound));
    const r = await kubectlResult(['get', '--raw', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/unbound']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /podmetrics.metrics.k8s.io "default\/unbound" not found/);
  });
});
