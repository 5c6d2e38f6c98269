// Real client libraries against `k8ts server`: a @kubernetes/client-node informer and a python3-kubernetes
// (Debian's, /usr/bin/python3) watch see every change in order and carry on across a server restart.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { CoreV1Api, KubeConfig, makeInformer, type V1Pod } from '@kubernetes/client-node';
import { pythonWatcher } from './support/python-watch.js';
import { BackgroundProcess, K8tsServer, namespaceYaml, parseObject, waitFor, writeTemp } from './support/server.js';

let s: K8tsServer;

before(async () => {
  s = await K8tsServer.start();
});

after(async () => {
  await s?.destroy();
});

const pod = (name: string, step: string): string => JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { step } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });

async function createPod(ns: string, name: string): Promise<void> {
  const r = await s.request('POST', `/api/v1/namespaces/${ns}/pods`, { body: pod(name, '1') });
  assert.equal(r.status, 201, r.body);
}

async function relabel(ns: string, name: string, step: string): Promise<void> {
  const r = await s.request('PATCH', `/api/v1/namespaces/${ns}/pods/${name}`, { body: JSON.stringify({ metadata: { labels: { step } } }), headers: { 'content-type': 'application/merge-patch+json' } });
  assert.equal(r.status, 200, r.body);
}

async function deletePod(ns: string, name: string): Promise<void> {
  const r = await s.request('DELETE', `/api/v1/namespaces/${ns}/pods/${name}`);
  assert.equal(r.status, 200, r.body);
}

describe('@kubernetes/client-node', () => {
  const ns = 'informer';

  test('a typed CoreV1Api client lists, creates and reads pods', async () => {
    s.k(['apply', '-f', '-'], { input: namespaceYaml(ns) });
    const kc = new KubeConfig();
    kc.loadFromFile(s.kubeconfig);
    const api = kc.makeApiClient(CoreV1Api);
    const created = await api.createNamespacedPod({ namespace: ns, body: { metadata: { name: 'typed' }, spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] } } });
    assert.equal(created.metadata?.name, 'typed');
    assert.equal(created.spec?.containers[0]?.imagePullPolicy, 'IfNotPresent');
    const read = await api.readNamespacedPod({ namespace: ns, name: 'typed' });
    assert.equal(read.metadata?.uid, created.metadata?.uid);
    const list = await api.listNamespacedPod({ namespace: ns });
    assert.deepEqual(
      list.items.map((p) => p.metadata?.name),
      ['typed'],
    );
    await api.deleteNamespacedPod({ namespace: ns, name: 'typed' });
    await assert.rejects(api.readNamespacedPod({ namespace: ns, name: 'typed' }), (e: unknown) => e instanceof Error && 'code' in e && e.code === 404);
  });

  test('an informer on pods sees add, update and delete in order, and carries on across a server restart', async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(s.kubeconfig);
    const api = kc.makeApiClient(CoreV1Api);
    const informer = makeInformer<V1Pod>(kc, `/api/v1/namespaces/${ns}/pods`, () => api.listNamespacedPod({ namespace: ns }));
    const events: string[] = [];
    let errors = 0;
    let stopped = false;
    const label = (p: V1Pod): string => `${p.metadata?.name ?? '?'}:${p.metadata?.labels?.['step'] ?? '-'}`;
    informer.on('add', (p: V1Pod) => events.push(`add ${label(p)}`));
    informer.on('update', (p: V1Pod) => events.push(`update ${label(p)}`));
    informer.on('delete', (p: V1Pod) => events.push(`delete ${label(p)}`));
    informer.on('error', () => {
      errors++;
      if (!stopped) setTimeout(() => void informer.start().catch(() => undefined), 300);
    });
    await informer.start();
    try {
      await createPod(ns, 'before');
      await waitFor('add before', () => events.includes('add before:1'));
      await relabel(ns, 'before', '2');
      await waitFor('update before', () => events.includes('update before:2'));
      await createPod(ns, 'survivor');
      await deletePod(ns, 'before');
      await waitFor('delete before', () => events.includes('delete before:2'));
      assert.deepEqual(events, ['add before:1', 'update before:2', 'add survivor:1', 'delete before:2']);

      await s.restart();
      events.length = 0;
      await createPod(ns, 'after');
      await relabel(ns, 'after', '2');
      await relabel(ns, 'survivor', '3');
      await deletePod(ns, 'after');
      await waitFor('the events after the restart', () => events.includes('delete after:2') && events.includes('update survivor:3'), 30_000);
      assert.deepEqual(events, ['add after:1', 'update after:2', 'update survivor:3', 'delete after:2']);
      assert.deepEqual(
        informer.list(ns).map((p) => label(p)),
        ['survivor:3'],
      );
      assert.ok(errors >= 0);
    } finally {
      stopped = true;
      await informer.stop();
    }
  });
});


describe('python3-kubernetes (Debian)', () => {
  const ns = 'pywatch';

  test('a watch sees every change in order and resumes across a restart', async () => {
    s.k(['apply', '-f', '-'], { input: namespaceYaml(ns) });
    await createPod(ns, 'existing');
    const script = writeTemp('watch.py', pythonWatcher);
    const proc = new BackgroundProcess(spawn('/usr/bin/python3', [script, ns], { env: { ...process.env, KUBECONFIG: s.kubeconfig, PYTHONUNBUFFERED: '1' }, stdio: ['ignore', 'pipe', 'pipe'] }));
    const lines = (): unknown[][] =>
      proc.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => {
          const v: unknown = JSON.parse(l);
          return Array.isArray(v) ? (v as unknown[]) : [];
        });
    const changes = (): string[] =>
      lines()
        .filter((l) => l[0] === 'ADDED' || l[0] === 'MODIFIED' || l[0] === 'DELETED')
        .map((l) => `${String(l[0])} ${String(l[1])}:${String(l[2])}`);
    try {
      await proc.waitForOutput((o) => o.includes('"LIST"'), 20_000);
      assert.deepEqual(lines()[0]?.slice(0, 2), ['LIST', ['existing']]);
      await createPod(ns, 'p1');
      await relabel(ns, 'p1', '2');
      await deletePod(ns, 'p1');
      await waitFor('python sees the delete', () => changes().includes('DELETED p1:2'));
      assert.deepEqual(changes(), ['ADDED p1:1', 'MODIFIED p1:2', 'DELETED p1:2']);

      await s.restart();
      await createPod(ns, 'p2');
      await relabel(ns, 'p2', '2');
      await relabel(ns, 'existing', '9');
      await deletePod(ns, 'p2');
      await waitFor('python sees the changes after the restart', () => changes().includes('DELETED p2:2') && changes().includes('MODIFIED existing:9'), 30_000);
      const after = changes().slice(3);
      if (lines().some((l) => l[0] === 'GONE')) {
        // After a 410 the watcher relists; the changes it then sees must still end in the same state.
        assert.ok(after.includes('MODIFIED existing:9'));
      } else {
        assert.deepEqual(after, ['ADDED p2:1', 'MODIFIED p2:2', 'MODIFIED existing:9', 'DELETED p2:2']);
      }
      const rvs = lines()
        .filter((l) => l[0] === 'ADDED' || l[0] === 'MODIFIED' || l[0] === 'DELETED')
        .map((l) => Number(l[3]));
      assert.deepEqual(rvs, [...rvs].sort((a, b) => a - b), 'resourceVersions increase along the watch');
      assert.equal(new Set(rvs).size, rvs.length, 'no event is seen twice');
    } finally {
      await proc.stop();
    }
    assert.equal(proc.stderr.includes('Traceback'), false, proc.stderr);
  });

  test('the python client reads and writes typed objects k8ts returns', async () => {
    const script = writeTemp(
      'typed.py',
      `
import json, sys
from kubernetes import client, config
config.load_kube_config()
v1 = client.CoreV1Api()
apps = client.AppsV1Api()
ns = sys.argv[1]
body = client.V1ConfigMap(metadata=client.V1ObjectMeta(name='py-cm', labels={'from': 'python'}), data={'k': 'v'})
cm = v1.create_namespaced_config_map(ns, body)
d = client.V1Deployment(metadata=client.V1ObjectMeta(name='py-deploy'), spec=client.V1DeploymentSpec(replicas=2, selector=client.V1LabelSelector(match_labels={'app': 'py'}), template=client.V1PodTemplateSpec(metadata=client.V1ObjectMeta(labels={'app': 'py'}), spec=client.V1PodSpec(containers=[client.V1Container(name='c', image='nginx')]))))
dep = apps.create_namespaced_deployment(ns, d)
scale = apps.patch_namespaced_deployment_scale('py-deploy', ns, {'spec': {'replicas': 3}})
svc = v1.list_service_for_all_namespaces()
print(json.dumps({'cm': cm.metadata.name, 'data': cm.data, 'strategy': dep.spec.strategy.type, 'replicas': scale.spec.replicas, 'svc': sorted(s.metadata.name for s in svc.items if s.metadata.namespace == 'default')}))
`,
    );
    const proc = new BackgroundProcess(spawn('/usr/bin/python3', [script, ns], { env: { ...process.env, KUBECONFIG: s.kubeconfig }, stdio: ['ignore', 'pipe', 'pipe'] }));
    const code = await proc.exited;
    assert.equal(code, 0, proc.stderr);
    assert.deepEqual(parseObject(proc.stdout.trim()), { cm: 'py-cm', data: { k: 'v' }, strategy: 'RollingUpdate', replicas: 3, svc: ['kubernetes'] });
  });
});
