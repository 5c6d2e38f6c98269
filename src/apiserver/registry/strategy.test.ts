import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { StoredObject } from '../../api/object.js';
import { findResource, type ResourceInfo } from '../../api/resources.js';
import {
  allowCreateOnUpdate,
  deepEqual,
  deleteReturnsObject,
  normalizeEmbeddedMeta,
  podQOSClass,
  prepareForCreate,
  prepareForStatusUpdate,
  prepareForUpdate,
  usesGeneration,
} from './strategy.js';

function resource(group: string, version: string, plural: string): ResourceInfo {
  const r = findResource(group, version, plural);
  assert.ok(r);
  return r;
}

const deployments = resource('apps', 'v1', 'deployments');
const daemonsets = resource('apps', 'v1', 'daemonsets');
const pods = resource('', 'v1', 'pods');
const configmaps = resource('', 'v1', 'configmaps');
const namespaces = resource('', 'v1', 'namespaces');
const cronjobs = resource('batch', 'v1', 'cronjobs');
const statefulsets = resource('apps', 'v1', 'statefulsets');
const podtemplates = resource('', 'v1', 'podtemplates');

/** A deployment as it is stored: embedded template metadata already normalized. */
function deployment(replicas: number, image = 'nginx'): StoredObject {
  const d: StoredObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
    spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image }] } } },
    status: { replicas: 9 },
  };
  normalizeEmbeddedMeta(d);
  return d;
}

describe('generation', () => {
  test('kinds with a spec that controllers observe use generation, others do not', () => {
    assert.equal(usesGeneration(deployments), true);
    assert.equal(usesGeneration(daemonsets), true);
    assert.equal(usesGeneration(cronjobs), true);
    assert.equal(usesGeneration(pods), false);
    assert.equal(usesGeneration(configmaps), false);
  });

  test('create sets generation 1 and drops a client-sent status', () => {
    const d = deployment(1);
    d.metadata.generation = 42;
    prepareForCreate(d, deployments);
    assert.equal(d.metadata.generation, 1);
    assert.deepEqual(d['status'], {});
  });

  test('create removes a generation the kind does not use', () => {
    const c: StoredObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', generation: 3 } };
    prepareForCreate(c, configmaps);
    assert.equal(c.metadata.generation, undefined);
  });

  test('an update that changes the spec bumps the generation', () => {
    const old = deployment(1);
    old.metadata.generation = 4;
    const next = deployment(2);
    prepareForUpdate(next, old, deployments);
    assert.equal(next.metadata.generation, 5);
  });

  test('an update of labels or annotations only keeps the generation', () => {
    const old = deployment(1);
    old.metadata.generation = 4;
    const next = deployment(1);
    next.metadata.labels = { app: 'web', extra: 'yes' };
    next.metadata.annotations = { note: 'x' };
    prepareForUpdate(next, old, deployments);
    assert.equal(next.metadata.generation, 4);
  });

  test('a client cannot set the generation through an update', () => {
    const old = deployment(1);
    old.metadata.generation = 4;
    const next = deployment(1);
    next.metadata.generation = 100;
    prepareForUpdate(next, old, deployments);
    assert.equal(next.metadata.generation, 4);
  });
});

describe('status', () => {
  test('a main-resource update keeps the stored status of a kind with a status subresource', () => {
    const old = deployment(1);
    old['status'] = { replicas: 1, readyReplicas: 1 };
    const next = deployment(1);
    next['status'] = { replicas: 100 };
    prepareForUpdate(next, old, deployments);
    assert.deepEqual(next['status'], { replicas: 1, readyReplicas: 1 });
  });

  test('a main-resource update cannot add a status the stored object lacks', () => {
    const old = deployment(1);
    delete old['status'];
    const next = deployment(1);
    prepareForUpdate(next, old, deployments);
    assert.equal(next['status'], undefined);
  });

  test('a status update takes status, labels and annotations and keeps the stored spec', () => {
    const old = deployment(1);
    old.metadata.generation = 2;
    old.metadata.resourceVersion = '10';
    const next = deployment(5, 'evil');
    next['status'] = { replicas: 1, observedGeneration: 2 };
    next.metadata.labels = { app: 'web', seen: 'yes' };
    next.metadata.generation = 9;
    next.metadata.resourceVersion = '10';
    const out = prepareForStatusUpdate(next, old);
    assert.deepEqual(out['spec'], old['spec']);
    assert.deepEqual(out['status'], { replicas: 1, observedGeneration: 2 });
    assert.deepEqual(out.metadata.labels, { app: 'web', seen: 'yes' });
    assert.equal(out.metadata.generation, 2);
    assert.equal(out.metadata.resourceVersion, '10');
  });

  test('a status update does not change the stored object it started from', () => {
    const old = deployment(1);
    const before = structuredClone(old);
    prepareForStatusUpdate({ ...deployment(1), status: { replicas: 3 } }, old);
    assert.deepEqual(old, before);
  });
});

describe('per-kind create', () => {
  test('a new pod is Pending with its QoS class', () => {
    const p: StoredObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'x' }] }, status: { phase: 'Running' } };
    prepareForCreate(p, pods);
    assert.deepEqual(p['status'], { phase: 'Pending', qosClass: 'BestEffort' });
  });

  test('a new namespace is Active with the kubernetes finalizer, added once', () => {
    const ns: StoredObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' }, spec: { finalizers: ['kubernetes'] } };
    prepareForCreate(ns, namespaces);
    assert.deepEqual(ns['status'], { phase: 'Active' });
    assert.deepEqual(ns['spec'], { finalizers: ['kubernetes'] });
    const bare: StoredObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'm' } };
    prepareForCreate(bare, namespaces);
    assert.deepEqual(bare['spec'], { finalizers: ['kubernetes'] });
  });

  test('a new DaemonSet starts at template generation 1 and counts template changes only', () => {
    const ds = (image: string, minReady = 0): StoredObject => ({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'd', namespace: 'default' },
      spec: { minReadySeconds: minReady, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image }] } } },
    });
    const created = ds('v1');
    prepareForCreate(created, daemonsets);
    assert.equal(created.metadata.annotations?.['deprecated.daemonset.template.generation'], '1');
    assert.equal(created.metadata.generation, 1);

    const sameTemplate = ds('v1', 5);
    sameTemplate.metadata.annotations = { ...created.metadata.annotations };
    prepareForUpdate(sameTemplate, created, daemonsets);
    assert.equal(sameTemplate.metadata.annotations?.['deprecated.daemonset.template.generation'], '1');
    assert.equal(sameTemplate.metadata.generation, 2);

    const newTemplate = ds('v2', 5);
    prepareForUpdate(newTemplate, sameTemplate, daemonsets);
    assert.equal(newTemplate.metadata.annotations?.['deprecated.daemonset.template.generation'], '2');
    assert.equal(newTemplate.metadata.generation, 3);
  });

  test('a StatefulSet starts with zero replicas in its status', () => {
    const s: StoredObject = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 's' }, spec: { template: {} } };
    prepareForCreate(s, statefulsets);
    assert.deepEqual(s['status'], { replicas: 0, availableReplicas: 0 });
  });
});

describe('embedded object metadata', () => {
  test('a pod template\'s creationTimestamp is null, as upstream serializes a zero metav1.Time', () => {
    const d: StoredObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { template: { metadata: { labels: { app: 'web' } }, spec: {} } } };
    normalizeEmbeddedMeta(d);
    assert.equal((d['spec'] as { template: { metadata: Record<string, unknown> } }).template.metadata['creationTimestamp'], null);
  });

  test('a template without metadata gets one holding the null timestamp', () => {
    const d: StoredObject = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'r' }, spec: { template: { spec: {} } } };
    normalizeEmbeddedMeta(d);
    assert.deepEqual((d['spec'] as { template: { metadata: unknown } }).template.metadata, { creationTimestamp: null });
  });

  test('a CronJob has null timestamps on its job template and the job\'s pod template', () => {
    const cj: StoredObject = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c' }, spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: {} } } } } };
    normalizeEmbeddedMeta(cj);
    const jt = (cj['spec'] as { jobTemplate: { metadata: unknown; spec: { template: { metadata: unknown } } } }).jobTemplate;
    assert.deepEqual(jt.metadata, { creationTimestamp: null });
    assert.deepEqual(jt.spec.template.metadata, { creationTimestamp: null });
  });

  test('StatefulSet volume claim templates and PodTemplate templates are covered', () => {
    const s: StoredObject = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 's' }, spec: { template: {}, volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: {} }] } };
    normalizeEmbeddedMeta(s);
    assert.deepEqual((s['spec'] as { volumeClaimTemplates: { metadata: unknown }[] }).volumeClaimTemplates[0]?.metadata, { name: 'data', creationTimestamp: null });
    const pt: StoredObject = { apiVersion: 'v1', kind: 'PodTemplate', metadata: { name: 'p' }, template: { spec: {} } };
    prepareForCreate(pt, podtemplates);
    assert.deepEqual((pt['template'] as { metadata: unknown }).metadata, { creationTimestamp: null });
  });

  test('an explicit timestamp in a template is left alone', () => {
    const d = deployment(1);
    (d['spec'] as { template: { metadata: Record<string, unknown> } }).template.metadata['creationTimestamp'] = '2024-01-01T00:00:00Z';
    normalizeEmbeddedMeta(d);
    assert.equal((d['spec'] as { template: { metadata: Record<string, unknown> } }).template.metadata['creationTimestamp'], '2024-01-01T00:00:00Z');
  });
});

function container(requests: Record<string, string>, limits: Record<string, string>): Record<string, unknown> {
  const resources: Record<string, unknown> = {};
  if (Object.keys(requests).length > 0) resources['requests'] = requests;
  if (Object.keys(limits).length > 0) resources['limits'] = limits;
  return { name: 'c', image: 'x', resources };
}

const rl = (cpu: string, memory: string): Record<string, string> => ({ ...(cpu === '' ? {} : { cpu }), ...(memory === '' ? {} : { memory }) });

describe('podQOSClass (upstream\'s TestComputePodQOS cases)', () => {
  const cases: [string, Record<string, unknown>[], Record<string, unknown>[], string][] = [
    ['guaranteed', [container(rl('100m', '100Mi'), rl('100m', '100Mi'))], [], 'Guaranteed'],
    ['guaranteed-guaranteed', [container(rl('100m', '100Mi'), rl('100m', '100Mi')), container(rl('100m', '100Mi'), rl('100m', '100Mi'))], [], 'Guaranteed'],
    ['best-effort-best-effort', [container({}, {}), container({}, {})], [], 'BestEffort'],
    ['best-effort', [container({}, {})], [], 'BestEffort'],
    ['best-effort-burstable', [container({}, {}), container(rl('1', ''), rl('2', ''))], [], 'Burstable'],
    ['best-effort-guaranteed', [container({}, {}), container(rl('10m', '100Mi'), rl('10m', '100Mi'))], [], 'Burstable'],
    ['burstable-cpu-guaranteed-memory', [container(rl('', '100Mi'), rl('', '100Mi'))], [], 'Burstable'],
    ['burstable-no-limits', [container(rl('100m', '100Mi'), {})], [], 'Burstable'],
    ['burstable-guaranteed', [container(rl('1', '100Mi'), rl('2', '100Mi')), container(rl('100m', '100Mi'), rl('100m', '100Mi'))], [], 'Burstable'],
    ['burstable-unbounded-but-requests-match-limits', [container(rl('100m', '100Mi'), rl('200m', '200Mi')), container(rl('100m', '100Mi'), {})], [], 'Burstable'],
    ['burstable-1', [container(rl('10m', '100Mi'), rl('100m', '200Mi'))], [], 'Burstable'],
    ['burstable-2', [container(rl('0', '0'), rl('100m', '200Mi'))], [], 'Burstable'],
    ['init-container', [container({}, {})], [container(rl('10m', '100Mi'), rl('100m', '200Mi'))], 'Burstable'],
  ];
  for (const [name, containers, initContainers, want] of cases) {
    test(`${name} is ${want}`, () => {
      assert.equal(podQOSClass({ containers, ...(initContainers.length > 0 ? { initContainers } : {}) }), want);
    });
  }

  test('limits copied into requests by defaulting make a Guaranteed pod', () => {
    assert.equal(podQOSClass({ containers: [container(rl('500m', '1Gi'), rl('500m', '1Gi'))] }), 'Guaranteed');
  });

  test('best-effort-hugepages (zero cpu and memory, hugepages only) is BestEffort', () => {
    const c = container({ cpu: '0', memory: '0', 'hugepages-2Mi': '1Gi' }, { cpu: '0', memory: '0', 'hugepages-2Mi': '1Gi' });
    assert.equal(podQOSClass({ containers: [c] }), 'BestEffort');
  });

  test('equal quantities written differently (1 and 1000m) are Guaranteed', () => {
    assert.equal(podQOSClass({ containers: [container(rl('1000m', '1Gi'), rl('1', '1024Mi'))] }), 'Guaranteed');
  });
});

describe('small helpers', () => {
  test('pods, services, namespaces and nodes return the deleted object; others a Status', () => {
    assert.equal(deleteReturnsObject(pods), true);
    assert.equal(deleteReturnsObject(namespaces), true);
    assert.equal(deleteReturnsObject(configmaps), false);
    assert.equal(deleteReturnsObject(deployments), false);
  });

  test('endpoints, leases and events may be created by PUT', () => {
    assert.equal(allowCreateOnUpdate(resource('', 'v1', 'endpoints')), true);
    assert.equal(allowCreateOnUpdate(resource('coordination.k8s.io', 'v1', 'leases')), true);
    assert.equal(allowCreateOnUpdate(configmaps), false);
  });

  test('deepEqual treats undefined fields as absent and compares arrays in order', () => {
    assert.equal(deepEqual({ a: 1, b: undefined }, { a: 1 }), true);
    assert.equal(deepEqual([1, 2], [2, 1]), false);
    assert.equal(deepEqual({ a: [{ b: 'c' }] }, { a: [{ b: 'c' }] }), true);
    assert.equal(deepEqual({ a: null }, { a: undefined }), false);
  });
});
