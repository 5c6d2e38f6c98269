// The control loops with the real kubectl against `k8ts server --virtual-nodes 3`: the scheduler places pods on
// the virtual nodes, replication controllers and replica sets keep their replicas, and an unschedulable pod gets
// upstream's FailedScheduling message until a node change lets it fit.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { at, K8tsServer, namespaceYaml, parseObject, seedDir, waitFor } from './support/server.js';

let s: K8tsServer;

before(async () => {
  s = await K8tsServer.start({ extraArgs: ['--virtual-nodes', '3'] });
});

after(async () => {
  await s?.destroy();
});

function ensureNamespace(name: string): void {
  s.k(['apply', '-f', '-'], { input: namespaceYaml(name) });
}

interface PodView {
  name: string;
  node: string;
  phase: string;
}

function pods(ns: string, selector: string): PodView[] {
  const list = parseObject(s.k(['get', 'pods', '-n', ns, '-l', selector, '-o', 'json']));
  const items = at(list, 'items');
  return (Array.isArray(items) ? items : [])
    .filter((p) => at(p, 'metadata.deletionTimestamp') === undefined)
    .map((p) => ({ name: String(at(p, 'metadata.name')), node: String(at(p, 'spec.nodeName') ?? ''), phase: String(at(p, 'status.phase') ?? '') }));
}

async function waitForRunning(ns: string, selector: string, count: number): Promise<PodView[]> {
  let last: PodView[] = [];
  await waitFor(`${count} running pods ${selector} in ${ns}`, () => {
    last = pods(ns, selector);
    return last.length === count && last.every((p) => p.phase === 'Running');
  }, 30_000);
  return last;
}

function eventsOf(ns: string, name: string): { reason: string; message: string; count: number }[] {
  const list = parseObject(s.k(['get', 'events', '-n', ns, '--field-selector', `involvedObject.name=${name}`, '-o', 'json']));
  const items = at(list, 'items');
  return (Array.isArray(items) ? items : []).map((e) => ({ reason: String(at(e, 'reason')), message: String(at(e, 'message')), count: Number(at(e, 'count') ?? 1) }));
}

describe('the control loops on three virtual nodes', () => {
  test('three virtual nodes register and are Ready', async () => {
    await waitFor('3 ready nodes', () => {
      const out = s.k(['get', 'nodes', '--no-headers']);
      const lines = out.trim().split('\n').filter((l) => l !== '');
      return lines.length === 3 && lines.every((l) => / Ready /.test(l));
    });
  });

  test('replication.yaml runs 3 pods spread over the 3 nodes, scales to 5 and replaces a deleted pod', async () => {
    const ns = 'loops-rc';
    ensureNamespace(ns);
    s.k(['apply', '-n', ns, '-f', join(seedDir, 'replication.yaml')]);
    const three = await waitForRunning(ns, 'app=nginx', 3);
    assert.equal(new Set(three.map((p) => p.node)).size, 3, `spread: ${JSON.stringify(three)}`);
    for (const p of three) assert.match(p.name, /^nginx-[a-z0-9]{5}$/);
    await waitFor('rc status 3 ready', () => /^nginx\s+3\s+3\s+3\s+/.test(s.k(['get', 'rc', 'nginx', '-n', ns, '--no-headers'])));
    assert.match(s.k(['get', 'rc', '-n', ns]), /^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE\n/);

    s.k(['scale', 'rc', 'nginx', '-n', ns, '--replicas=5']);
    const five = await waitForRunning(ns, 'app=nginx', 5);
    const victim = five[0]?.name ?? '';
    s.k(['delete', 'pod', victim, '-n', ns, '--wait=false']);
    await waitFor('a replacement pod', () => {
      const now = pods(ns, 'app=nginx');
      return now.length === 5 && now.every((p) => p.phase === 'Running') && !now.some((p) => p.name === victim);
    }, 30_000);
  });

  test('every scheduled pod has upstream’s Scheduled event', async () => {
    const ns = 'loops-rc';
    const [first] = pods(ns, 'app=nginx');
    assert.ok(first);
    await waitFor('a Scheduled event', () => eventsOf(ns, first.name).some((e) => e.reason === 'Scheduled'));
    const ev = eventsOf(ns, first.name).find((e) => e.reason === 'Scheduled');
    assert.equal(ev?.message, `Successfully assigned ${ns}/${first.name} to ${first.node}`);
  });

  test('kuard-rs.yaml scales to 4 and describe shows the SuccessfulCreate events', async () => {
    const ns = 'loops-rs';
    ensureNamespace(ns);
    s.k(['apply', '-n', ns, '-f', join(seedDir, 'kuard-rs.yaml')]);
    s.k(['scale', 'replicasets', 'kuard', '-n', ns, '--replicas=4']);
    const four = await waitForRunning(ns, 'app=kuard', 4);
    const describe = s.k(['describe', 'rs', 'kuard', '-n', ns]);
    assert.match(describe, /Replicas:\s+4 current \/ 4 desired/);
    for (const p of four) assert.match(describe, new RegExp(`Normal\\s+SuccessfulCreate\\s+.*Created pod: ${p.name}`));
  });

  test('a pod no node fits gets upstream’s FailedScheduling message and is placed once a node is labelled', async () => {
    const ns = 'loops-sched';
    ensureNamespace(ns);
    s.k(['apply', '-n', ns, '-f', '-'], {
      input: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: picky\nspec:\n  nodeSelector:\n    disktype: ssd\n  containers:\n  - name: c\n    image: nginx\n',
    });
    const expected = '0/3 nodes are available: 3 node(s) didn\'t match Pod\'s node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.';
    await waitFor('FailedScheduling', () => eventsOf(ns, 'picky').some((e) => e.reason === 'FailedScheduling'));
    assert.equal(eventsOf(ns, 'picky').find((e) => e.reason === 'FailedScheduling')?.message, expected);
    const pod = parseObject(s.k(['get', 'pod', 'picky', '-n', ns, '-o', 'json']));
    const conditions = at(pod, 'status.conditions');
    const scheduled = (Array.isArray(conditions) ? conditions : []).find((c) => at(c, 'type') === 'PodScheduled');
    assert.equal(at(scheduled, 'status'), 'False');
    assert.equal(at(scheduled, 'reason'), 'Unschedulable');
    assert.equal(at(scheduled, 'message'), expected);

    const node = s.k(['get', 'nodes', '-o', 'jsonpath={.items[1].metadata.name}']);
    s.k(['label', 'node', node, 'disktype=ssd']);
    await waitFor('picky placed on the labelled node', () => pods(ns, '!nothing').some((p) => p.name === 'picky' && p.node === node && p.phase === 'Running'), 30_000);
  });

  test('a Job runs to completion and a failing Job stops at its backoffLimit', async () => {
    const ns = 'loops-job';
    ensureNamespace(ns);
    const job = (name: string, annotation: string, backoffLimit: number): string =>
      `apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: ${name}\nspec:\n  completions: 2\n  parallelism: 2\n  backoffLimit: ${backoffLimit}\n  template:\n    metadata:\n      annotations:\n        ${annotation}: 1s\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: c\n        image: busybox\n`;
    s.k(['apply', '-n', ns, '-f', '-'], { input: job('works', 'k8ts.io/virtual-complete-after', 6) });
    s.k(['apply', '-n', ns, '-f', '-'], { input: job('fails', 'k8ts.io/virtual-fail-after', 0) });
    s.k(['wait', '-n', ns, '--for=condition=complete', 'job/works', '--timeout=30s']);
    assert.match(s.k(['get', 'job', 'works', '-n', ns, '--no-headers']), /^works\s+Complete\s+2\/2\s/);
    s.k(['wait', '-n', ns, '--for=condition=failed', 'job/fails', '--timeout=30s']);
    const failed = parseObject(s.k(['get', 'job', 'fails', '-n', ns, '-o', 'json']));
    const conditions = at(failed, 'status.conditions');
    const failedCondition = (Array.isArray(conditions) ? conditions : []).find((c) => at(c, 'type') === 'Failed');
    assert.equal(at(failedCondition, 'reason'), 'BackoffLimitExceeded');
    assert.equal(at(failedCondition, 'message'), 'Job has reached the specified backoff limit');
  });

  test('nginx-deployments.yaml rolls out, set image rolls forward, history shows 2 revisions and undo goes back', async () => {
    const ns = 'loops-deploy';
    ensureNamespace(ns);
    s.k(['apply', '-n', ns, '-f', join(seedDir, 'nginx-deployments.yaml')]);
    s.k(['scale', 'deployment', 'nginx', '-n', ns, '--replicas=3']);
    s.k(['rollout', 'status', 'deployment/nginx', '-n', ns, '--timeout=60s']);
    await waitForRunning(ns, 'run=nginx', 3);
    s.k(['set', 'image', 'deployment/nginx', '-n', ns, 'nginx=nginx:1.9.10']);
    s.k(['rollout', 'status', 'deployment/nginx', '-n', ns, '--timeout=60s']);
    const history = s.k(['rollout', 'history', 'deployment/nginx', '-n', ns]);
    assert.match(history, /^deployment\.apps\/nginx \nREVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>\n/);
    assert.match(s.k(['rollout', 'history', 'deployment/nginx', '-n', ns, '--revision=1']), /Image:\s+nginx:1\.7\.12/);
    const wide = s.k(['get', 'rs', '-n', ns, '-o', 'wide']);
    assert.match(wide, /nginx-\S+\s+3\s+3\s+3\s+\S+\s+nginx\s+nginx:1\.9\.10\s/);
    assert.match(wide, /nginx-\S+\s+0\s+0\s+0\s+\S+\s+nginx\s+nginx:1\.7\.12\s/);
    s.k(['rollout', 'undo', 'deployment/nginx', '-n', ns]);
    s.k(['rollout', 'status', 'deployment/nginx', '-n', ns, '--timeout=60s']);
    assert.equal(s.k(['get', 'deployment', 'nginx', '-n', ns, '-o', 'jsonpath={.spec.template.spec.containers[0].image}']), 'nginx:1.7.12');
    assert.match(s.k(['get', 'deployment', 'nginx', '-n', ns]), /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\nnginx\s+3\/3\s+3\s+3\s/);
  });

  test('deleting a Deployment removes its ReplicaSets and pods, and deleting a namespace removes everything in it', async () => {
    const ns = 'loops-deploy';
    s.k(['delete', 'deployment', 'nginx', '-n', ns]);
    await waitFor('replica sets and pods of the deployment gone', () => s.k(['get', 'rs,pods', '-n', ns, '-o', 'name']).trim() === '', 30_000);
    s.k(['delete', 'namespace', 'loops-rc', '--timeout=60s']);
    assert.equal(s.kubectl(['get', 'namespace', 'loops-rc']).stderr.trim(), 'Error from server (NotFound): namespaces "loops-rc" not found');
  });

  test('a DaemonSet covers every node, and a tainted node only when the DaemonSet tolerates the taint', async () => {
    const ns = 'loops-ds';
    ensureNamespace(ns);
    const node = s.k(['get', 'nodes', '-o', 'jsonpath={.items[2].metadata.name}']);
    s.k(['taint', 'node', node, 'dedicated=infra:NoSchedule']);
    try {
      const ds = (name: string, tolerate: boolean): string =>
        `apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: ${name}\nspec:\n  selector:\n    matchLabels:\n      ds: ${name}\n  template:\n    metadata:\n      labels:\n        ds: ${name}\n    spec:\n${
          tolerate ? '      tolerations:\n      - key: dedicated\n        operator: Equal\n        value: infra\n        effect: NoSchedule\n' : ''
        }      containers:\n      - name: agent\n        image: busybox\n`;
      s.k(['apply', '-n', ns, '-f', '-'], { input: ds('plain', false) });
      s.k(['apply', '-n', ns, '-f', '-'], { input: ds('tolerant', true) });
      s.k(['rollout', 'status', 'ds/plain', '-n', ns, '--timeout=60s']);
      s.k(['rollout', 'status', 'ds/tolerant', '-n', ns, '--timeout=60s']);
      const nodesOf = (name: string): string[] =>
        s.k(['get', 'pods', '-n', ns, '-l', `ds=${name}`, '-o', 'jsonpath={range .items[*]}{.spec.nodeName}{"\\n"}{end}']).trim().split('\n').filter(Boolean).sort();
      assert.equal(nodesOf('plain').length, 2);
      assert.ok(!nodesOf('plain').includes(node));
      assert.equal(nodesOf('tolerant').length, 3);
      assert.match(s.k(['get', 'ds', '-n', ns, 'tolerant', '--no-headers']), /^tolerant\s+3\s+3\s+3\s+3\s+3\s/);
    } finally {
      s.k(['taint', 'node', node, 'dedicated=infra:NoSchedule-']);
    }
  });

  test('a StatefulSet creates web-0 then web-1 with their claims, and bad-statefulset.yaml gives upstream’s FailedCreate event', async () => {
    const ns = 'loops-sts';
    ensureNamespace(ns);
    s.k(['apply', '-n', ns, '-f', '-'], {
      input:
        'apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: web\nspec:\n  serviceName: nginx\n  replicas: 2\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      terminationGracePeriodSeconds: 1\n      containers:\n      - name: nginx\n        image: nginx\n        volumeMounts:\n        - name: www\n          mountPath: /usr/share/nginx/html\n  volumeClaimTemplates:\n  - metadata:\n      name: www\n    spec:\n      accessModes: [ReadWriteOnce]\n      resources:\n        requests:\n          storage: 1Gi\n',
    });
    s.k(['rollout', 'status', 'sts/web', '-n', ns, '--timeout=60s']);
    assert.deepEqual(s.k(['get', 'pods', '-n', ns, '-l', 'app=web', '-o', 'name']).trim().split('\n'), ['pod/web-0', 'pod/web-1']);
    assert.deepEqual(s.k(['get', 'pvc', '-n', ns, '-o', 'name']).trim().split('\n'), ['persistentvolumeclaim/www-web-0', 'persistentvolumeclaim/www-web-1']);
    const created = (name: string): string => String(at(parseObject(s.k(['get', 'pod', name, '-n', ns, '-o', 'json'])), 'metadata.creationTimestamp'));
    assert.ok(created('web-0') <= created('web-1'));

    s.k(['apply', '-n', ns, '-f', join(seedDir, 'bad-statefulset.yaml')]);
    await waitFor('FailedCreate', () => eventsOf(ns, 'mongo').some((e) => e.reason === 'FailedCreate'));
    const message = eventsOf(ns, 'mongo').find((e) => e.reason === 'FailedCreate')?.message ?? '';
    assert.match(
      message,
      /^create Pod mongo-0 in StatefulSet mongo failed error: Pod "mongo-0" is invalid: spec\.subdomain: Invalid value: "Mongo": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character \(e\.g\. 'my-name',  or '123-abc', regex used for validation is '\[a-z0-9\]\(\[-a-z0-9\]\*\[a-z0-9\]\)\?'\)$/,
    );
  });

  test('service.yaml with the selector app: nginx gets Endpoints and an EndpointSlice with the 3 pods of replication.yaml', async () => {
    const ns = 'loops-svc';
    ensureNamespace(ns);
    s.k(['apply', '-n', ns, '-f', join(seedDir, 'replication.yaml')]);
    const service = readFileSync(join(seedDir, 'service.yaml'), 'utf8').replace(/selector:\n(\s+)name: nginx/, 'selector:\n$1app: nginx');
    assert.match(service, /selector:\n\s+app: nginx/);
    s.k(['apply', '-n', ns, '-f', '-'], { input: service });
    const running = await waitForRunning(ns, 'app=nginx', 3);
    const podIps = running.map((p) => String(at(parseObject(s.k(['get', 'pod', p.name, '-n', ns, '-o', 'json'])), 'status.podIP'))).sort();
    await waitFor('3 endpoint addresses', () => {
      const ep = parseObject(s.k(['get', 'endpoints', 'nginx-service', '-n', ns, '-o', 'json']));
      const addresses = at(ep, 'subsets.0.addresses');
      return Array.isArray(addresses) && addresses.length === 3;
    });
    const ep = parseObject(s.k(['get', 'endpoints', 'nginx-service', '-n', ns, '-o', 'json']));
    const addresses = at(ep, 'subsets.0.addresses');
    assert.deepEqual((Array.isArray(addresses) ? addresses : []).map((a) => String(at(a, 'ip'))).sort(), podIps);
    assert.equal(at(ep, 'subsets.0.ports.0.port'), 80);
    assert.match(s.k(['get', 'endpoints', 'nginx-service', '-n', ns, '--no-headers']), /^nginx-service\s+\S+:80,\S+:80,\S+:80\s/);
    const slices = at(parseObject(s.k(['get', 'endpointslices', '-n', ns, '-l', 'kubernetes.io/service-name=nginx-service', '-o', 'json'])), 'items');
    assert.ok(Array.isArray(slices) && slices.length === 1);
    const endpoints = at(slices[0], 'endpoints');
    assert.equal(Array.isArray(endpoints) ? endpoints.filter((e) => at(e, 'conditions.ready') === true).length : 0, 3);
  });

  test('required anti-affinity with a namespaceSelector sees the labels of other namespaces', async () => {
    s.k(['apply', '-f', '-'], { input: 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a\n  labels:\n    team: a\n' });
    ensureNamespace('team-b');
    const nodes = s.k(['get', 'nodes', '-o', 'jsonpath={.items[*].metadata.name}']).trim().split(/\s+/).sort();
    assert.equal(nodes.length, 3);
    const [n0, n1, n2] = nodes;
    // Occupants of team-a on two of the three nodes.
    for (const [i, node] of [n0, n1].entries()) {
      s.k(['apply', '-f', '-'], {
        input: `apiVersion: v1\nkind: Pod\nmetadata:\n  name: occupant-${i}\n  namespace: team-a\n  labels:\n    app: occupant\nspec:\n  nodeName: ${node}\n  containers:\n  - name: c\n    image: nginx:1.7.9\n`,
      });
    }
    s.k(['apply', '-f', '-'], {
      input: [
        'apiVersion: v1',
        'kind: Pod',
        'metadata:',
        '  name: loner',
        '  namespace: team-b',
        'spec:',
        '  affinity:',
        '    podAntiAffinity:',
        '      requiredDuringSchedulingIgnoredDuringExecution:',
        '      - topologyKey: kubernetes.io/hostname',
        '        labelSelector:',
        '          matchLabels:',
        '            app: occupant',
        '        namespaceSelector:',
        '          matchLabels:',
        '            team: a',
        '  containers:',
        '  - name: c',
        '    image: nginx:1.7.9',
        '',
      ].join('\n'),
    });
    let node = '';
    await waitFor('loner scheduled', () => {
      node = s.k(['get', 'pod', 'loner', '-n', 'team-b', '-o', 'jsonpath={.spec.nodeName}']).trim();
      return node !== '';
    }, 30_000);
    assert.equal(node, n2);
  });
});
