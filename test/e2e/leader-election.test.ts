// Two servers on one etcd: both serve kubectl, but only the holder of the kube-system Leases runs the controllers and
// the scheduler. When the leader is killed, the other takes over once its Lease runs out (shortened here through
// upstream's --leader-elect-* flags), and a leader stopped cleanly hands over at once.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { at, namespaceYaml, parseObject, waitFor, type K8tsServer } from './support/server.js';
import { leaseHolder, startTwoServers, stopTwoServers, type TwoServers } from './support/two-servers.js';

let servers: TwoServers | undefined;
let a: K8tsServer;
let b: K8tsServer;

before(async () => {
  // Only the first server runs virtual nodes (they are its kubelets).
  servers = await startTwoServers({ extraArgs: ['--virtual-nodes', '2'] }, { controlLoops: true });
  ({ a, b } = servers);
});

after(() => stopTwoServers(servers));

function podsOf(s: K8tsServer, ns: string): { name: string; node: string }[] {
  const items = at(parseObject(s.k(['get', 'pods', '-n', ns, '-o', 'json'])), 'items');
  return (Array.isArray(items) ? items : []).filter((p) => at(p, 'metadata.deletionTimestamp') === undefined).map((p) => ({ name: String(at(p, 'metadata.name')), node: String(at(p, 'spec.nodeName') ?? '') }));
}

const rcYaml = (ns: string, replicas: number): string =>
  `apiVersion: v1\nkind: ReplicationController\nmetadata:\n  name: web\n  namespace: ${ns}\nspec:\n  replicas: ${replicas}\n  selector:\n    app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n      - name: c\n        image: nginx:1.7.9\n`;

describe('leader election between two servers on one etcd', () => {
  const ns = 'leader-e2e';

  test('both servers serve kubectl and one leader holds both Leases as upstream writes them', () => {
    const lease = parseObject(b.k(['get', 'lease', 'kube-controller-manager', '-n', 'kube-system', '-o', 'json']));
    assert.match(String(at(lease, 'spec.holderIdentity')), /^[^_]+_[0-9a-f-]{36}$/);
    assert.equal(at(lease, 'spec.leaseDurationSeconds'), 3);
    assert.match(String(at(lease, 'spec.renewTime')), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.equal(leaseHolder(a, 'kube-controller-manager'), leaseHolder(b, 'kube-controller-manager'));
  });

  test('only the leader acts: a replication controller gets its replicas once', async () => {
    b.k(['apply', '-f', '-'], { input: namespaceYaml(ns) });
    b.k(['apply', '-f', '-'], { input: rcYaml(ns, 3) });
    await waitFor('3 bound pods', () => {
      const pods = podsOf(a, ns);
      return pods.length === 3 && pods.every((p) => p.node !== '');
    }, 30_000);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(podsOf(b, ns).length, 3);
  });

  test('when the leader is killed the other server takes over after the lease duration', async () => {
    const before = leaseHolder(b, 'kube-controller-manager');
    const killedAt = Date.now();
    await a.stop(true);
    await waitFor('a new controller-manager leader', () => {
      const h = leaseHolder(b, 'kube-controller-manager');
      return h !== '' && h !== before;
    }, 20_000);
    const tookMs = Date.now() - killedAt;
    assert.ok(tookMs >= 2500, `took over after ${tookMs} ms, before the 3 s lease ran out`);
    await waitFor('a new scheduler leader', () => leaseHolder(b, 'kube-scheduler') !== before, 20_000);
    // The new leader's controllers and scheduler work: scaling up creates and binds two more pods.
    b.k(['scale', 'rc', 'web', '-n', ns, '--replicas=5']);
    await waitFor('5 bound pods', () => {
      const pods = podsOf(b, ns);
      return pods.length === 5 && pods.every((p) => p.node !== '');
    }, 30_000);
  });

  test('a leader stopped cleanly releases its Leases at once', async () => {
    await a.startProcess();
    const leader = leaseHolder(b, 'kube-controller-manager');
    await b.stop();
    const stoppedAt = Date.now();
    await waitFor('server a leads again', () => {
      const h = leaseHolder(a, 'kube-controller-manager');
      return h !== '' && h !== leader;
    }, 5_000);
    // Sooner than the 3 s lease could have run out: b released it.
    assert.ok(Date.now() - stoppedAt < 2500, `took over after ${Date.now() - stoppedAt} ms`);
  });
});
