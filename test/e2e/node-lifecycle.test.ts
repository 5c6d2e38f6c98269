// A node that stops sending heartbeats, with the real kubectl against `k8ts server --virtual-nodes 3` and short
// timeouts: it goes Ready Unknown with the unreachable taints, its pods are evicted after their toleration, and the
// replication controller re-creates them on the other nodes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { at, K8tsServer, namespaceYaml, parseObject, seedDir, waitFor } from './support/server.js';

let s: K8tsServer;

before(async () => {
  s = await K8tsServer.start({
    extraArgs: [
      '--virtual-nodes',
      '3',
      '--node-monitor-grace-period',
      '4s',
      '--node-monitor-period',
      '500ms',
      '--default-not-ready-toleration-seconds',
      '2',
      '--default-unreachable-toleration-seconds',
      '2',
    ],
  });
});

after(async () => {
  await s?.destroy();
});

interface PodView {
  name: string;
  node: string;
  phase: string;
}

function pods(ns: string): PodView[] {
  const items = at(parseObject(s.k(['get', 'pods', '-n', ns, '-l', 'app=nginx', '-o', 'json'])), 'items');
  return (Array.isArray(items) ? items : [])
    .filter((p) => at(p, 'metadata.deletionTimestamp') === undefined)
    .map((p) => ({ name: String(at(p, 'metadata.name')), node: String(at(p, 'spec.nodeName') ?? ''), phase: String(at(p, 'status.phase') ?? '') }));
}

describe('a virtual node whose heartbeats stop', () => {
  test('goes Ready Unknown, is tainted unreachable, and its pods are re-created on the other nodes', async () => {
    const ns = 'lifecycle';
    s.k(['apply', '-f', '-'], { input: namespaceYaml(ns) });
    s.k(['apply', '-n', ns, '-f', join(seedDir, 'replication.yaml')]);
    let before: PodView[] = [];
    await waitFor('3 running pods on 3 nodes', () => {
      before = pods(ns);
      return before.length === 3 && before.every((p) => p.phase === 'Running') && new Set(before.map((p) => p.node)).size === 3;
    }, 30_000);
    const victim = before[0] as PodView;

    s.k(['annotate', 'node', victim.node, 'k8ts.io/virtual-heartbeats=stopped']);
    await waitFor('the node Ready Unknown', () => /\sNotReady\s/.test(s.k(['get', 'node', victim.node, '--no-headers'])), 30_000);
    const node = parseObject(s.k(['get', 'node', victim.node, '-o', 'json']));
    const conditions = at(node, 'status.conditions');
    const ready = (Array.isArray(conditions) ? conditions : []).find((c) => at(c, 'type') === 'Ready');
    assert.equal(at(ready, 'status'), 'Unknown');
    assert.equal(at(ready, 'reason'), 'NodeStatusUnknown');
    assert.equal(at(ready, 'message'), 'Kubelet stopped posting node status.');
    await waitFor('the unreachable taints', () => {
      const taints = at(parseObject(s.k(['get', 'node', victim.node, '-o', 'json'])), 'spec.taints');
      const keys = (Array.isArray(taints) ? taints : []).map((t) => `${String(at(t, 'key'))}:${String(at(t, 'effect'))}`);
      return keys.includes('node.kubernetes.io/unreachable:NoExecute') && keys.includes('node.kubernetes.io/unreachable:NoSchedule');
    }, 15_000);

    await waitFor('the pod evicted and replaced elsewhere', () => {
      const now = pods(ns);
      return now.length === 3 && now.every((p) => p.phase === 'Running' && p.node !== victim.node) && !now.some((p) => p.name === victim.name);
    }, 30_000);

    s.k(['annotate', 'node', victim.node, 'k8ts.io/virtual-heartbeats-']);
    await waitFor('the node Ready again and untainted', () => {
      const n = parseObject(s.k(['get', 'node', victim.node, '-o', 'json']));
      const taints = at(n, 'spec.taints');
      return /\sReady\s/.test(s.k(['get', 'node', victim.node, '--no-headers'])) && !(Array.isArray(taints) && taints.some((t) => String(at(t, 'key')).startsWith('node.kubernetes.io/unreachable')));
    }, 30_000);
  });
});
