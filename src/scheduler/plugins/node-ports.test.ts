import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerPort } from 'kubernetes-types/core/v1.js';
import { buildSnapshot } from '../framework.js';
import { container, makeNode, makePod, runFilter } from '../test-objects.js';
import { nodePorts } from './node-ports.js';

function withPorts(name: string, ports: ContainerPort[], nodeName?: string) {
  return makePod(name, { ...(nodeName === undefined ? {} : { nodeName }), spec: { containers: [container('c', undefined, undefined, { ports })] } });
}

describe('NodePorts', () => {
  const snap = buildSnapshot(
    [makeNode('node-1'), makeNode('node-2')],
    [withPorts('ingress', [{ containerPort: 80, hostPort: 80 }], 'node-1'), withPorts('dns', [{ containerPort: 53, hostPort: 53, protocol: 'UDP', hostIP: '10.0.0.1' }], 'node-2')],
  );
  const reason = "node(s) didn't have free ports for the requested pod ports";

  test('a pod without host ports is skipped', () => {
    assert.equal(runFilter(nodePorts, makePod('web'), snap, 'node-1'), 'skip');
  });

  test('the same TCP host port on a node is a conflict', () => {
    const pod = withPorts('ingress-2', [{ containerPort: 8080, hostPort: 80 }]);
    assert.deepEqual(runFilter(nodePorts, pod, snap, 'node-1'), { code: 'Unschedulable', reasons: [reason], plugin: 'NodePorts' });
    assert.equal(runFilter(nodePorts, pod, snap, 'node-2'), null);
  });

  test('another protocol or another specific IP does not conflict, 0.0.0.0 conflicts with any IP', () => {
    assert.equal(runFilter(nodePorts, withPorts('a', [{ containerPort: 53, hostPort: 53, protocol: 'TCP', hostIP: '10.0.0.1' }]), snap, 'node-2'), null);
    assert.equal(runFilter(nodePorts, withPorts('b', [{ containerPort: 53, hostPort: 53, protocol: 'UDP', hostIP: '10.0.0.2' }]), snap, 'node-2'), null);
    assert.notEqual(runFilter(nodePorts, withPorts('c', [{ containerPort: 53, hostPort: 53, protocol: 'UDP' }]), snap, 'node-2'), null);
  });
});
