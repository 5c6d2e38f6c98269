import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregateMessage, fieldErrorMessage } from '../../../machinery/field-errors.js';
import { coreDefaulters } from '../../defaults/core/index.js';
import type { KubeObject, StoredObject } from '../../object.js';
import { coreValidators } from './index.js';

function prepared(kind: string, obj: KubeObject): StoredObject {
  coreDefaulters[`/${kind}`]?.(obj);
  return obj as StoredObject;
}

function create(kind: string, obj: KubeObject): string[] {
  const v = coreValidators[`/${kind}`];
  assert.ok(v, `no validator for ${kind}`);
  return v.create(prepared(kind, obj)).map(fieldErrorMessage);
}

describe('core kinds on create', () => {
  test('a valid pod passes', () => {
    assert.deepEqual(create('Pod', { metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } }), []);
  });

  test('a pod without containers names the field', () => {
    assert.equal(aggregateMessage(coreValidators['/Pod']?.create(prepared('Pod', { metadata: { name: 'p', namespace: 'default' }, spec: {} })) ?? []), 'spec.containers: Required value');
  });

  test('a service name must be a DNS-1035 label', () => {
    const errs = create('Service', { metadata: { name: '1svc', namespace: 'default' }, spec: { ports: [{ port: 80 }] } });
    assert.deepEqual(errs, [
      `metadata.name: Invalid value: "1svc": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
    ]);
  });

  test('a service with several ports needs port names', () => {
    const errs = create('Service', { metadata: { name: 'svc', namespace: 'default' }, spec: { ports: [{ port: 80 }, { port: 443, name: 'https' }] } });
    assert.deepEqual(errs, ['spec.ports[0].name: Required value']);
  });

  test('a service port out of range is refused', () => {
    assert.deepEqual(create('Service', { metadata: { name: 'svc', namespace: 'default' }, spec: { ports: [{ port: 70000 }] } }), [
      'spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive',
      'spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
    ]);
  });

  test('service defaults fill protocol, targetPort, type and policies', () => {
    const svc = prepared('Service', { metadata: { name: 'svc', namespace: 'default' }, spec: { type: 'NodePort', ports: [{ port: 80 }] } });
    assert.deepEqual(svc['spec'], {
      type: 'NodePort',
      ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
      sessionAffinity: 'None',
      externalTrafficPolicy: 'Cluster',
      internalTrafficPolicy: 'Cluster',
    });
  });

  test('a replication controller whose selector misses the template labels is refused', () => {
    const errs = create('ReplicationController', {
      metadata: { name: 'rc', namespace: 'default' },
      spec: { selector: { app: 'a' }, template: { metadata: { labels: { app: 'b' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
    });
    assert.deepEqual(errs, ['spec.template.metadata.labels: Invalid value: {"app":"b"}: `selector` does not match template `labels`']);
  });

  test('a replication controller takes its selector and replicas from defaults', () => {
    const rc = prepared('ReplicationController', {
      metadata: { name: 'rc', namespace: 'default' },
      spec: { template: { metadata: { labels: { app: 'b' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
    });
    assert.deepEqual(coreValidators['/ReplicationController']?.create(rc), []);
    assert.deepEqual((rc['spec'] as { selector: unknown; replicas: number }).selector, { app: 'b' });
    assert.equal((rc['spec'] as { replicas: number }).replicas, 1);
  });

  test('config map keys must be valid config keys', () => {
    assert.deepEqual(create('ConfigMap', { metadata: { name: 'cm', namespace: 'default' }, data: { 'a b': 'x' } }), [
      `data[a b]: Invalid value: "a b": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
    ]);
  });

  test('an immutable secret may not change its data', () => {
    const old = prepared('Secret', { metadata: { name: 's', namespace: 'default', resourceVersion: '1' }, immutable: true, data: { a: 'YQ==' } });
    const next = prepared('Secret', { metadata: { name: 's', namespace: 'default', resourceVersion: '1' }, immutable: true, data: { a: 'Yg==' } });
    assert.deepEqual(coreValidators['/Secret']?.update(next, old).map(fieldErrorMessage), ['data: Forbidden: field is immutable when `immutable` is set']);
  });

  test('a TLS secret needs its certificate and key', () => {
    assert.deepEqual(create('Secret', { metadata: { name: 's', namespace: 'default' }, type: 'kubernetes.io/tls', data: {} }), [
      'data[tls.crt]: Required value',
      'data[tls.key]: Required value',
    ]);
  });

  test('namespaces are DNS labels and get the kubernetes finalizer and name label', () => {
    const ns = prepared('Namespace', { metadata: { name: 'team-a' } });
    assert.deepEqual(coreValidators['/Namespace']?.create(ns), []);
    assert.deepEqual(ns['spec'], { finalizers: ['kubernetes'] });
    assert.deepEqual(ns.metadata.labels, { 'kubernetes.io/metadata.name': 'team-a' });
    assert.equal(create('Namespace', { metadata: { name: 'a.b' } }).length, 1);
  });

  test('a claim needs access modes and a storage request', () => {
    assert.deepEqual(create('PersistentVolumeClaim', { metadata: { name: 'c', namespace: 'default' }, spec: {} }), [
      'spec.accessModes: Required value: at least 1 access mode is required',
      'spec.resources[storage]: Required value',
    ]);
  });

  test('a bound claim may grow but not change class', () => {
    const base = { metadata: { name: 'c', namespace: 'default', resourceVersion: '1' }, status: { phase: 'Bound' } };
    const old = prepared('PersistentVolumeClaim', { ...base, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'a' } });
    const grown = prepared('PersistentVolumeClaim', { ...structuredClone(base), spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '2Gi' } }, storageClassName: 'a' } });
    assert.deepEqual(coreValidators['/PersistentVolumeClaim']?.update(grown, old), []);
    const moved = prepared('PersistentVolumeClaim', { ...structuredClone(base), spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'b' } });
    const errs = coreValidators['/PersistentVolumeClaim']?.update(moved, old).map(fieldErrorMessage) ?? [];
    assert.equal(errs.length, 1);
    assert.ok((errs[0] ?? '').startsWith('spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n'));
  });

  test('a persistent volume needs a source, capacity and access modes', () => {
    assert.deepEqual(create('PersistentVolume', { metadata: { name: 'pv' }, spec: {} }), [
      'spec.accessModes: Required value',
      'spec.capacity: Required value',
      'spec.capacity: Unsupported value: {}: supported values: "storage"',
      'spec: Required value: must specify a volume type',
    ]);
    assert.deepEqual(
      create('PersistentVolume', { metadata: { name: 'pv' }, spec: { accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' }, hostPath: { path: '/data' } } }),
      [],
    );
  });

  test('pod status may not move the pod to another node', () => {
    const old = prepared('Pod', { metadata: { name: 'p', namespace: 'default', resourceVersion: '1' }, spec: { containers: [{ name: 'c', image: 'x' }], nodeName: 'n1' } });
    const next = structuredClone(old);
    (next['spec'] as { nodeName: string }).nodeName = 'n2';
    assert.deepEqual(coreValidators['/Pod']?.statusUpdate?.(next, old).map(fieldErrorMessage), ['status.nodeName: Forbidden: may not be changed directly']);
  });

  test('resource quota names must be standard quota resources', () => {
    assert.deepEqual(create('ResourceQuota', { metadata: { name: 'q', namespace: 'default' }, spec: { hard: { pods: '10', bogus: '1' } } }), [
      'spec.hard[bogus]: Invalid value: "bogus": must be a standard resource type or fully qualified',
      'spec.hard[bogus]: Invalid value: "bogus": must be a standard resource for quota',
    ]);
  });

  test('limit range min above max is refused (defaults come from max)', () => {
    assert.deepEqual(create('LimitRange', { metadata: { name: 'l', namespace: 'default' }, spec: { limits: [{ type: 'Container', min: { cpu: '2' }, max: { cpu: '1' } }] } }), [
      'spec.limits[0].min[cpu]: Invalid value: "2": min value 2 is greater than max value 1',
      'spec.limits[0].defaultRequest[cpu]: Invalid value: "1": min value 2 is greater than default request value 1',
      'spec.limits[0].default[cpu]: Invalid value: "2": min value 2 is greater than default value 1',
    ]);
  });

  test('events must agree on namespaces', () => {
    assert.deepEqual(create('Event', { metadata: { name: 'e', namespace: 'default' }, involvedObject: { kind: 'Pod', name: 'p', namespace: 'other' } }), [
      'involvedObject.namespace: Invalid value: "other": does not match event.namespace',
    ]);
  });

  test('endpoints need addresses', () => {
    assert.deepEqual(create('Endpoints', { metadata: { name: 'e', namespace: 'default' }, subsets: [{ ports: [{ port: 80 }] }] }), [
      'subsets[0]: Required value: must specify `addresses` or `notReadyAddresses`',
    ]);
  });
});
