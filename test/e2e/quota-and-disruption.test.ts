// ResourceQuota and PodDisruptionBudget with the real kubectl against `k8ts server --virtual-nodes 2`: quota
// admission refuses what would go over a quota with upstream's message while the controller keeps status.used, and
// the eviction subresource honours disruption budgets (429 with upstream's text) that the disruption controller keeps.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { at, K8tsServer, namespaceYaml, parseObject, waitFor } from './support/server.js';

let s: K8tsServer;

before(async () => {
  s = await K8tsServer.start({ extraArgs: ['--virtual-nodes', '2'] });
});

after(async () => {
  await s?.destroy();
});

function podYaml(ns: string, name: string, labels: Record<string, string> = {}, resources = ''): string {
  const l = Object.entries(labels).map(([k, v]) => `    ${k}: ${v}\n`).join('');
  return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  namespace: ${ns}\n${l === '' ? '' : `  labels:\n${l}`}spec:\n  containers:\n  - name: c\n    image: nginx:1.7.9\n${resources}`;
}

describe('resource quotas', () => {
  test('a create over the quota is refused with upstream message and status.used counts the pods', async () => {
    const ns = 'quota-e2e';
    s.k(['apply', '-f', '-'], { input: namespaceYaml(ns) });
    s.k(['apply', '-f', '-'], { input: `apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: pod-quota\n  namespace: ${ns}\nspec:\n  hard:\n    pods: "2"\n    configmaps: "5"\n` });
    await waitFor('quota status.hard', () => at(parseObject(s.k(['get', 'quota', 'pod-quota', '-n', ns, '-o', 'json'])), 'status.hard.pods') === '2');
    s.k(['create', '-f', '-'], { input: podYaml(ns, 'p1') });
    s.k(['create', '-f', '-'], { input: podYaml(ns, 'p2') });
    const r = s.kubectl(['create', '-f', '-'], { input: podYaml(ns, 'p3') });
    assert.notEqual(r.code, 0);
    assert.equal(
      r.stderr.trim(),
      'Error from server (Forbidden): error when creating "STDIN": pods "p3" is forbidden: exceeded quota: pod-quota, requested: pods=1, used: pods=2, limited: pods=2',
    );
    assert.equal(s.kubectl(['get', 'pod', 'p3', '-n', ns]).code, 1, 'the refused pod was not stored');
    await waitFor('status.used.pods 2', () => at(parseObject(s.k(['get', 'quota', 'pod-quota', '-n', ns, '-o', 'json'])), 'status.used.pods') === '2');
    const describe = s.k(['describe', 'quota', 'pod-quota', '-n', ns]);
    assert.match(describe, /^Resource\s+Used\s+Hard$/m);
    assert.match(describe, /^pods\s+2\s+2$/m);
    // Deleting a pod gives the room back.
    s.k(['delete', 'pod', 'p1', '-n', ns, '--grace-period=0', '--force']);
    await waitFor('status.used.pods 1', () => at(parseObject(s.k(['get', 'quota', 'pod-quota', '-n', ns, '-o', 'json'])), 'status.used.pods') === '1', 20_000);
    s.k(['create', '-f', '-'], { input: podYaml(ns, 'p3') });
  });

  test('a compute quota requires limits and says which are missing', () => {
    const ns = 'quota-compute-e2e';
    s.k(['apply', '-f', '-'], { input: namespaceYaml(ns) });
    s.k(['apply', '-f', '-'], { input: `apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: compute\n  namespace: ${ns}\nspec:\n  hard:\n    limits.cpu: "1"\n    limits.memory: 1Gi\n` });
    const r = s.kubectl(['create', '-f', '-'], { input: podYaml(ns, 'nolimits') });
    assert.notEqual(r.code, 0);
    assert.equal(r.stderr.trim(), 'Error from server (Forbidden): error when creating "STDIN": pods "nolimits" is forbidden: failed quota: compute: must specify limits.cpu for: c; limits.memory for: c');
    const ok = s.kubectl(['create', '-f', '-'], { input: podYaml(ns, 'limited', {}, '    resources:\n      limits:\n        cpu: 500m\n        memory: 256Mi\n') });
    assert.equal(ok.code, 0, ok.stderr);
    const over = s.kubectl(['create', '-f', '-'], { input: podYaml(ns, 'big', {}, '    resources:\n      limits:\n        cpu: "1"\n        memory: 256Mi\n') });
    assert.equal(over.stderr.trim(), 'Error from server (Forbidden): error when creating "STDIN": pods "big" is forbidden: exceeded quota: compute, requested: limits.cpu=1, used: limits.cpu=500m, limited: limits.cpu=1');
  });
});

describe('disruption budgets and evictions', () => {
  const ns = 'pdb-e2e';
  const evict = (name: string): { code: number; stderr: string; stdout: string } => {
    const body = JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: ns } });
    return s.kubectl(['create', '--raw', `/api/v1/namespaces/${ns}/pods/${name}/eviction`, '-f', '-'], { input: body });
  };

  test('an eviction that would break the budget gets 429, one it allows deletes the pod', async () => {
    s.k(['apply', '-f', '-'], { input: namespaceYaml(ns) });
    s.k(['apply', '-f', '-'], {
      input: `apiVersion: apps/v1\nkind: ReplicaSet\nmetadata:\n  name: web\n  namespace: ${ns}\nspec:\n  replicas: 3\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n      - name: c\n        image: nginx:1.7.9\n`,
    });
    s.k(['apply', '-f', '-'], { input: `apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: web\n  namespace: ${ns}\nspec:\n  minAvailable: 3\n  selector:\n    matchLabels:\n      app: web\n` });
    await waitFor('pdb status with 3 healthy', () => {
      const pdb = parseObject(s.k(['get', 'pdb', 'web', '-n', ns, '-o', 'json']));
      return at(pdb, 'status.currentHealthy') === 3 && at(pdb, 'status.observedGeneration') === 1;
    }, 30_000);
    const pdb = parseObject(s.k(['get', 'pdb', 'web', '-n', ns, '-o', 'json']));
    assert.equal(at(pdb, 'status.disruptionsAllowed'), 0);
    assert.equal(at(pdb, 'status.expectedPods'), 3);
    assert.match(s.k(['get', 'pdb', '-n', ns]), /^web\s+3\s+N\/A\s+0\s+/m);

    const names = (at(parseObject(s.k(['get', 'pods', '-n', ns, '-l', 'app=web', '-o', 'json'])), 'items') as unknown[]).map((p) => String(at(p, 'metadata.name')));
    const victim = names[0] ?? '';
    const refused = evict(victim);
    assert.notEqual(refused.code, 0);
    assert.equal(refused.stderr.trim(), "Error from server (TooManyRequests): Cannot evict pod as it would violate the pod's disruption budget.");
    assert.equal(at(parseObject(s.k(['get', 'pod', victim, '-n', ns, '-o', 'json'])), 'metadata.deletionTimestamp'), undefined);

    s.k(['patch', 'pdb', 'web', '-n', ns, '--type=merge', '-p', '{"spec":{"minAvailable":2}}']);
    await waitFor('one disruption allowed', () => at(parseObject(s.k(['get', 'pdb', 'web', '-n', ns, '-o', 'json'])), 'status.disruptionsAllowed') === 1, 20_000);
    const allowed = evict(victim);
    assert.equal(allowed.code, 0, allowed.stderr);
    const pod = s.kubectl(['get', 'pod', victim, '-n', ns, '-o', 'json']);
    if (pod.code === 0) {
      const conditions = at(parseObject(pod.stdout), 'status.conditions') as unknown[];
      assert.ok(conditions.some((c) => at(c, 'type') === 'DisruptionTarget' && at(c, 'reason') === 'EvictionByEvictionAPI'));
      assert.notEqual(at(parseObject(pod.stdout), 'metadata.deletionTimestamp'), undefined);
    }
    // The budget counted the disruption.
    const after = parseObject(s.k(['get', 'pdb', 'web', '-n', ns, '-o', 'json']));
    assert.ok(at(after, 'status.disruptionsAllowed') === 0 || at(after, 'status.currentHealthy') === 3);
  });
});
