import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSnapshot, snapshotWithout } from './framework.js';
import { podResourceRequest } from './plugins/node-resources-fit.js';
import { container, makeNode, makePod } from './test-objects.js';

describe('pod requests', () => {
  test('containers are summed and an init container counts as a maximum', () => {
    const pod = makePod('web', {
      spec: {
        initContainers: [container('migrate', '2', '3G'), container('warmup', '1', '1G')],
        containers: [container('app', '2', '1G'), container('proxy', '1', '1G')],
      },
    });
    const r = podResourceRequest(pod);
    assert.equal(r.milliCPU, 3000);
    assert.equal(r.memory, 3_000_000_000);
  });

  test('a sidecar init container adds to the pod and to the init containers after it', () => {
    const pod = makePod('web', {
      spec: {
        initContainers: [
          container('log-shipper', '500m', '100Mi', { restartPolicy: 'Always' }),
          container('migrate', '1', '50Mi'),
        ],
        containers: [container('app', '200m', '100Mi')],
      },
    });
    const r = podResourceRequest(pod);
    // max(app + sidecar = 700m, sidecar + migrate = 1500m)
    assert.equal(r.milliCPU, 1500);
    // max(200Mi, 150Mi)
    assert.equal(r.memory, 200 * 1024 * 1024);
  });

  test('the pod overhead is added on top', () => {
    const pod = makePod('kata', { cpu: '250m', memory: '64Mi', spec: { overhead: { cpu: '250m', memory: '120Mi' } } });
    const r = podResourceRequest(pod);
    assert.equal(r.milliCPU, 500);
    assert.equal(r.memory, 184 * 1024 * 1024);
  });
});

describe('buildSnapshot', () => {
  const nodes = [makeNode('node-1', { images: [{ names: ['docker.io/library/nginx:1.7.9'], sizeBytes: 50_000_000 }] }), makeNode('node-2')];

  test('assigned non-terminal pods are counted on their node with non-zero defaults for scoring', () => {
    const done = { ...makePod('job-1', { nodeName: 'node-1', cpu: '1' }), status: { phase: 'Succeeded' } };
    const snap = buildSnapshot(nodes, [makePod('a', { nodeName: 'node-1', cpu: '500m', memory: '1Gi' }), makePod('b', { nodeName: 'node-1' }), makePod('pending'), done]);
    const n1 = snap.nodeByName.get('node-1');
    assert.ok(n1 !== undefined);
    assert.deepEqual(n1.pods.map((p) => p.metadata?.name), ['a', 'b']);
    assert.equal(n1.requested.milliCPU, 500);
    assert.equal(n1.requested.memory, 1024 ** 3);
    assert.equal(n1.nonZeroRequested.milliCPU, 600);
    assert.equal(n1.nonZeroRequested.memory, 1024 ** 3 + 200 * 1024 * 1024);
    assert.equal(n1.allocatable.milliCPU, 4000);
    assert.equal(n1.allocatable.allowedPodNumber, 110);
    assert.deepEqual(n1.imageStates.get('docker.io/library/nginx:1.7.9'), { size: 50_000_000, numNodes: 1 });
    assert.equal(snap.nodeByName.get('node-2')?.pods.length, 0);
  });

  test('snapshotWithout takes pods off their nodes', () => {
    const a = makePod('a', { nodeName: 'node-1', cpu: '1' });
    const snap = snapshotWithout(buildSnapshot(nodes, [a, makePod('b', { nodeName: 'node-1', cpu: '1' })]), [a]);
    assert.equal(snap.nodeByName.get('node-1')?.requested.milliCPU, 1000);
  });
});
