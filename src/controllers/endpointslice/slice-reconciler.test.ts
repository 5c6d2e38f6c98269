import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { endpointSliceControllerName, planEndpointSlices, sliceToFill, type SlicePlan } from './slice-reconciler.js';

const svc: Service = {
  metadata: { name: 'nginx', namespace: 'default', uid: 'svc-uid', labels: { team: 'a' } },
  spec: { selector: { app: 'nginx' }, clusterIP: '10.0.0.10', ipFamilies: ['IPv4'], ports: [{ name: 'web', port: 8080, targetPort: 'http', protocol: 'TCP' }] },
};

function mkPod(i: number, opts: { ready?: boolean; node?: string; deleting?: boolean } = {}): Pod {
  const name = `pod-${String(i).padStart(3, '0')}`;
  return {
    metadata: { name, namespace: 'default', uid: `uid-${name}`, labels: { app: 'nginx' }, ...(opts.deleting === true ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}) },
    spec: { nodeName: opts.node ?? 'node-1', containers: [{ name: 'nginx', ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }] }] },
    status: { phase: 'Running', podIP: `10.240.${Math.floor(i / 250)}.${i % 250}`, podIPs: [{ ip: `10.240.${Math.floor(i / 250)}.${i % 250}` }], conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }] },
  };
}

const nodes: Record<string, Node> = { 'node-1': { metadata: { name: 'node-1', labels: { 'topology.kubernetes.io/zone': 'zone-a' } } } };
const nodeOf = (n: string): Node | undefined => nodes[n];
const opts = { maxEndpointsPerSlice: 100, controllerName: endpointSliceControllerName };
let seq = 0;

/** What the server would answer: the planned slices, named and with a UID. */
function apply(existing: EndpointSlice[], plan: SlicePlan): EndpointSlice[] {
  const byName = new Map(existing.map((s) => [s.metadata?.name ?? '', s]));
  for (const s of plan.delete) byName.delete(s.metadata?.name ?? '');
  for (const s of plan.update) byName.set(s.metadata?.name ?? '', s);
  for (const s of plan.create) {
    const name = `${s.metadata?.generateName ?? ''}${String(seq++).padStart(5, 'x')}`;
    byName.set(name, { ...s, metadata: { ...s.metadata, name, uid: `slice-${name}` } });
  }
  return [...byName.values()];
}

const pods = (n: number, from = 0): Pod[] => Array.from({ length: n }, (_v, i) => mkPod(from + i));

describe('planEndpointSlices', () => {
  test('a new Service gets one slice of all its pods, owned by it and labelled as upstream', () => {
    const plan = planEndpointSlices(svc, pods(3), [], nodeOf, opts);
    assert.equal(plan.create.length, 1);
    assert.deepEqual([plan.update.length, plan.delete.length, plan.errors.length], [0, 0, 0]);
    const s = plan.create[0];
    assert.equal(s?.metadata?.generateName, 'nginx-');
    assert.deepEqual(s?.metadata?.labels, { team: 'a', 'kubernetes.io/service-name': 'nginx', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' });
    assert.deepEqual(s?.metadata?.ownerReferences, [{ apiVersion: 'v1', kind: 'Service', name: 'nginx', uid: 'svc-uid', controller: true, blockOwnerDeletion: true }]);
    assert.equal(s?.addressType, 'IPv4');
    assert.deepEqual(s?.ports, [{ name: 'web', port: 80, protocol: 'TCP' }]);
    assert.deepEqual(s?.endpoints[0], {
      addresses: ['10.240.0.0'],
      conditions: { ready: true, serving: true, terminating: false },
      targetRef: { kind: 'Pod', namespace: 'default', name: 'pod-000', uid: 'uid-pod-000' },
      nodeName: 'node-1',
      zone: 'zone-a',
    });
  });

  test('not-ready and terminating pods are endpoints that are not ready', () => {
    const plan = planEndpointSlices(svc, [mkPod(0, { ready: false }), mkPod(1, { deleting: true })], [], nodeOf, opts);
    assert.deepEqual(plan.create[0]?.endpoints.map((e) => e.conditions), [
      { ready: false, serving: false, terminating: false },
      { ready: false, serving: true, terminating: true },
    ]);
  });

  test('nothing changes when the slices already match', () => {
    const slices = apply([], planEndpointSlices(svc, pods(3), [], nodeOf, opts));
    const again = planEndpointSlices(svc, pods(3), slices, nodeOf, opts);
    assert.deepEqual([again.create.length, again.update.length, again.delete.length], [0, 0, 0]);
  });

  test('250 pods need three slices of at most 100', () => {
    const slices = apply([], planEndpointSlices(svc, pods(250), [], nodeOf, opts));
    assert.deepEqual(slices.map((s) => s.endpoints.length).sort((a, b) => a - b), [50, 100, 100]);
  });

  test('a new pod goes into the existing slice it fits best rather than a new one', () => {
    const slices = apply([], planEndpointSlices(svc, pods(150), [], nodeOf, opts));
    const plan = planEndpointSlices(svc, pods(151), slices, nodeOf, opts);
    assert.equal(plan.create.length, 0);
    assert.equal(plan.update.length, 1);
    assert.equal(plan.update[0]?.endpoints.length, 51);
  });

  test('a removed pod updates only the slice that held it, and a slice emptied is deleted', () => {
    const slices = apply([], planEndpointSlices(svc, pods(101), [], nodeOf, opts));
    const single = slices.find((s) => s.endpoints.length === 1);
    const gone = single?.endpoints[0]?.targetRef?.name ?? '';
    const plan = planEndpointSlices(svc, pods(101).filter((p) => p.metadata?.name !== gone), slices, nodeOf, opts);
    assert.deepEqual([plan.create.length, plan.update.length], [0, 0]);
    assert.deepEqual(plan.delete.map((s) => s.metadata?.name), [single?.metadata?.name]);
  });

  test('a pod turning not ready updates its endpoint in place', () => {
    const slices = apply([], planEndpointSlices(svc, pods(3), [], nodeOf, opts));
    const plan = planEndpointSlices(svc, [mkPod(0), mkPod(1, { ready: false }), mkPod(2)], slices, nodeOf, opts);
    assert.deepEqual([plan.create.length, plan.update.length, plan.delete.length], [0, 1, 0]);
    assert.equal(plan.update[0]?.metadata?.name, slices[0]?.metadata?.name);
    assert.deepEqual(plan.update[0]?.endpoints.map((e) => e.conditions?.ready), [true, false, true]);
  });

  test('a Service without pods gets one placeholder slice, kept as it is afterwards', () => {
    const plan = planEndpointSlices(svc, [], [], nodeOf, opts);
    assert.equal(plan.create.length, 1);
    assert.deepEqual([plan.create[0]?.endpoints, plan.create[0]?.ports], [[], []]);
    const slices = apply([], plan);
    const again = planEndpointSlices(svc, [], slices, nodeOf, opts);
    assert.deepEqual([again.create.length, again.update.length, again.delete.length], [0, 0, 0]);
  });

  test('the last pod gone turns its slice into the placeholder by an update, not a delete and create', () => {
    const slices = apply([], planEndpointSlices(svc, pods(1), [], nodeOf, opts));
    const plan = planEndpointSlices(svc, [], slices, nodeOf, opts);
    assert.deepEqual([plan.create.length, plan.delete.length], [0, 0]);
    assert.equal(plan.update[0]?.metadata?.name, slices[0]?.metadata?.name);
    assert.deepEqual(plan.update[0]?.endpoints, []);
  });

  test('slices not owned by the Service (an old one of the same name) are deleted', () => {
    const foreign: EndpointSlice = { metadata: { name: 'nginx-old', namespace: 'default', uid: 'x', ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: 'nginx', uid: 'other' }] }, addressType: 'IPv4', endpoints: [] };
    const plan = planEndpointSlices(svc, pods(2), [foreign], nodeOf, opts);
    assert.deepEqual(plan.delete.map((s) => s.metadata?.name), ['nginx-old']);
    assert.equal(plan.create.length, 1);
    assert.equal(plan.update.length, 0);
  });

  test('a pod on an unknown node is skipped with an error', () => {
    const plan = planEndpointSlices(svc, [mkPod(0), mkPod(1, { node: 'gone' })], [], nodeOf, opts);
    assert.equal(plan.create[0]?.endpoints.length, 1);
    assert.deepEqual(plan.errors, ['skipping Pod pod-001 for Service default/nginx: Node gone Not Found']);
  });

  test('changed Service labels update the slice labels', () => {
    const slices = apply([], planEndpointSlices(svc, pods(2), [], nodeOf, opts));
    const relabelled: Service = { ...svc, metadata: { ...svc.metadata, labels: { team: 'b' } } };
    const plan = planEndpointSlices(relabelled, pods(2), slices, nodeOf, opts);
    assert.equal(plan.update[0]?.metadata?.labels?.['team'], 'b');
  });

  test('a headless Service labels its slices headless', () => {
    const headless: Service = { ...svc, spec: { ...svc.spec, clusterIP: 'None' } };
    assert.equal(planEndpointSlices(headless, pods(1), [], nodeOf, opts).create[0]?.metadata?.labels?.['service.kubernetes.io/headless'], '');
  });
});

describe('sliceToFill', () => {
  const withN = (n: number): EndpointSlice => ({ addressType: 'IPv4', endpoints: Array.from({ length: n }, () => ({ addresses: ['1.1.1.1'] })) });

  test('picks the slice left fullest that still has room', () => {
    const slices = [withN(10), withN(90), withN(95)];
    assert.equal(sliceToFill(slices, 8, 100), slices[1]);
    assert.equal(sliceToFill(slices, 5, 100), slices[2]);
    assert.equal(sliceToFill(slices, 95, 100), undefined);
  });
});
