// Two servers on one etcd (issue 5's acceptance): kill the leader during a rollout and the rollout completes under the
// other server, which takes over the controllers and the scheduler; every write the killed server acknowledged is
// there. The virtual nodes run on the second server, so the nodes outlive the leader, as real agents would.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { at, namespaceYaml, parseObject, waitFor, type K8tsServer } from './support/server.js';
import { leaseHolder, startTwoServers, stopTwoServers, type TwoServers } from './support/two-servers.js';

let servers: TwoServers | undefined;
let a: K8tsServer;
let b: K8tsServer;
const ns = 'ha-rollout';

before(async () => {
  servers = await startTwoServers({ controlLoops: true }, { controlLoops: true, extraArgs: ['--virtual-nodes', '3'] });
  ({ a, b } = servers);
});

after(() => stopTwoServers(servers));

const deploymentYaml = (image: string): string =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: ${ns}\nspec:\n  replicas: 6\n  strategy:\n    rollingUpdate: {maxSurge: 1, maxUnavailable: 1}\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: c\n        image: ${image}\n`;

describe('two servers on one etcd', () => {
  test('a rollout started under the leader completes under the other after the leader is killed', { timeout: 120_000 }, async () => {
    a.k(['apply', '-f', '-'], { input: namespaceYaml(ns) });
    a.k(['apply', '-f', '-'], { input: deploymentYaml('nginx:1.7.9') });
    const rollout1 = b.kubectl(['rollout', 'status', 'deployment/web', '-n', ns, '--timeout=60s']);
    assert.equal(rollout1.code, 0, rollout1.stderr);
    // Writes acknowledged by a just before it dies.
    const acknowledged: string[] = [];
    for (let i = 0; i < 20; i++) {
      const name = `ack-${i}`;
      if (a.kubectl(['create', 'configmap', name, '-n', ns, `--from-literal=i=${i}`]).code === 0) acknowledged.push(name);
    }
    assert.equal(acknowledged.length, 20);
    a.k(['set', 'image', 'deployment/web', '-n', ns, 'c=nginx:1.9.1']);
    await a.stop(true);
    const status = b.kubectl(['rollout', 'status', 'deployment/web', '-n', ns, '--timeout=90s']);
    assert.equal(status.code, 0, `${status.stdout}\n${status.stderr}`);
    assert.match(status.stdout, /successfully rolled out/);
    const rs = parseObject(b.k(['get', 'replicasets', '-n', ns, '-o', 'json']));
    const items = at(rs, 'items');
    const current = (Array.isArray(items) ? items : []).find((r) => at(r, 'spec.template.spec.containers.0.image') === 'nginx:1.9.1');
    assert.equal(at(current, 'status.readyReplicas'), 6);
    assert.notEqual(leaseHolder(b, 'kube-controller-manager'), '');
    for (const name of acknowledged) assert.equal(b.kubectl(['get', 'configmap', name, '-n', ns]).code, 0, `${name} was acknowledged and lost`);
  });
});
