import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { StoredObject } from '../object.js';
import { findResource, type ResourceInfo } from '../resources.js';
import { fieldLabelError, fieldLabels, normalizeFieldLabel, supportedFieldLabels } from './index.js';

function res(group: string, version: string, resource: string): ResourceInfo {
  const r = findResource(group, version, resource);
  if (!r) throw new Error(`no resource ${group}/${version}/${resource}`);
  return r;
}

describe('fieldLabels', () => {
  test('offers the pod fields upstream selects on, with podIP from status.podIP', () => {
    const pod: StoredObject = {
      metadata: { name: 'p', namespace: 'ns' },
      spec: { nodeName: 'n1', restartPolicy: 'Always', schedulerName: 'default-scheduler', serviceAccountName: 'default', hostNetwork: true },
      status: { phase: 'Running', podIP: '10.0.0.1', podIPs: [{ ip: '10.0.0.1' }], nominatedNodeName: '' },
    };
    assert.deepEqual(fieldLabels(res('', 'v1', 'pods'), pod), {
      'metadata.name': 'p', 'metadata.namespace': 'ns', 'spec.nodeName': 'n1', 'spec.restartPolicy': 'Always',
      'spec.schedulerName': 'default-scheduler', 'spec.serviceAccountName': 'default', 'spec.hostNetwork': 'true',
      'status.phase': 'Running', 'status.podIP': '10.0.0.1', 'status.nominatedNodeName': '',
    });
  });

  test('offers event fields with source falling back to the reporting controller', () => {
    const ev: StoredObject = {
      metadata: { name: 'e', namespace: 'ns' },
      involvedObject: { kind: 'Pod', name: 'p', namespace: 'ns', uid: 'u', apiVersion: 'v1', resourceVersion: '7', fieldPath: 'spec' },
      reason: 'Started', type: 'Normal', reportingComponent: 'kubelet',
    };
    const f = fieldLabels(res('events.k8s.io', 'v1', 'events'), ev);
    assert.equal(f['involvedObject.name'], 'p');
    assert.equal(f['involvedObject.uid'], 'u');
    assert.equal(f['source'], 'kubelet');
    assert.equal(f['reportingComponent'], 'kubelet');
    assert.equal(f['type'], 'Normal');
  });

  test('offers per-kind fields for nodes, namespaces, secrets, services, controllers and jobs', () => {
    assert.deepEqual(fieldLabels(res('', 'v1', 'nodes'), { metadata: { name: 'n' }, spec: {} }), { 'metadata.name': 'n', 'spec.unschedulable': 'false' });
    assert.deepEqual(fieldLabels(res('', 'v1', 'namespaces'), { metadata: { name: 'dev' }, status: { phase: 'Active' } }), { 'metadata.name': 'dev', 'status.phase': 'Active', name: 'dev' });
    assert.equal(fieldLabels(res('', 'v1', 'secrets'), { metadata: { name: 's', namespace: 'n' }, type: 'kubernetes.io/tls' })['type'], 'kubernetes.io/tls');
    const svc = fieldLabels(res('', 'v1', 'services'), { metadata: { name: 's', namespace: 'n' }, spec: { clusterIP: 'None', type: 'ClusterIP' } });
    assert.deepEqual([svc['spec.clusterIP'], svc['spec.type']], ['None', 'ClusterIP']);
    assert.equal(fieldLabels(res('', 'v1', 'replicationcontrollers'), { metadata: { name: 'r', namespace: 'n' }, status: { replicas: 3 } })['status.replicas'], '3');
    assert.equal(fieldLabels(res('extensions', 'v1beta1', 'replicasets'), { metadata: { name: 'r', namespace: 'n' }, status: {} })['status.replicas'], '0');
    assert.equal(fieldLabels(res('batch', 'v1', 'jobs'), { metadata: { name: 'j', namespace: 'n' }, status: { succeeded: 1 } })['status.successful'], '1');
  });

  test('offers only metadata.name for other cluster-scoped kinds and both metadata fields for namespaced ones', () => {
    assert.deepEqual(fieldLabels(res('rbac.authorization.k8s.io', 'v1', 'clusterroles'), { metadata: { name: 'admin' } }), { 'metadata.name': 'admin' });
    assert.deepEqual(fieldLabels(res('', 'v1', 'configmaps'), { metadata: { name: 'c', namespace: 'n' } }), { 'metadata.name': 'c', 'metadata.namespace': 'n' });
  });
});

describe('supportedFieldLabels and normalizeFieldLabel', () => {
  test('accept what the served version registers, including aliases', () => {
    assert.ok(supportedFieldLabels(res('', 'v1', 'pods')).includes('status.podIPs'));
    assert.equal(normalizeFieldLabel(res('', 'v1', 'pods'), 'spec.host'), 'spec.nodeName');
    assert.equal(normalizeFieldLabel(res('events.k8s.io', 'v1', 'events'), 'regarding.name'), 'involvedObject.name');
    assert.equal(normalizeFieldLabel(res('events.k8s.io', 'v1', 'events'), 'reportingController'), 'reportingComponent');
    assert.equal(normalizeFieldLabel(res('events.k8s.io', 'v1', 'events'), 'involvedObject.name'), undefined);
    assert.equal(normalizeFieldLabel(res('', 'v1', 'nodes'), 'metadata.namespace'), undefined);
    assert.deepEqual(supportedFieldLabels(res('apps', 'v1', 'deployments')), ['metadata.name', 'metadata.namespace']);
  });
});

describe('fieldLabelError', () => {
  test('uses each conversion func message', () => {
    assert.equal(fieldLabelError('foo', res('', 'v1', 'pods')), 'field label not supported: foo');
    assert.equal(fieldLabelError('foo'), 'field label not supported: foo');
    assert.equal(fieldLabelError('status.succeeded', res('batch', 'v1', 'jobs')), 'field label "status.succeeded" not supported for batchv1.Job');
    assert.equal(fieldLabelError('spec.replicas', res('apps', 'v1', 'deployments')), '"spec.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"');
  });
});
