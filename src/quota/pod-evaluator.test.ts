import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { podConstraints, podEvaluator, podLimits, podMatchesScope, podUsage, quotaV1Pod } from './pod-evaluator.js';
import { resourceListToJSON } from './resource-list.js';

const now = new Date('2025-01-01T00:00:00Z');

function container(name: string, requests?: Record<string, string>, limits?: Record<string, string>): Container {
  return { name, image: 'nginx', resources: { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) } };
}

function pod(containers: Container[], extra: { spec?: Partial<Pod['spec']>; status?: Pod['status']; metadata?: Pod['metadata'] } = {}): Pod {
  return { metadata: { name: 'p', namespace: 'ns', ...extra.metadata }, spec: { containers, ...extra.spec }, status: extra.status ?? {} };
}

describe('pod quota evaluator', () => {
  test('charges requests and limits under their quota names, plus pods and count/pods', () => {
    const p = pod([container('a', { cpu: '250m', memory: '64Mi' }, { cpu: '500m', memory: '128Mi' }), container('b', { cpu: '250m', 'ephemeral-storage': '1Gi' })]);
    assert.deepEqual(resourceListToJSON(podUsage(p, now)), {
      'count/pods': '1',
      cpu: '500m',
      'ephemeral-storage': '1Gi',
      'limits.cpu': '500m',
      'limits.memory': '128Mi',
      memory: '64Mi',
      pods: '1',
      'requests.cpu': '500m',
      'requests.ephemeral-storage': '1Gi',
      'requests.memory': '64Mi',
    });
  });

  test('hugepages and extended resources are charged as requests.<name>', () => {
    const p = pod([container('a', { 'hugepages-2Mi': '4Mi', 'example.com/gpu': '2' })]);
    const u = resourceListToJSON(podUsage(p, now));
    assert.equal(u['hugepages-2Mi'], '4Mi');
    assert.equal(u['requests.hugepages-2Mi'], '4Mi');
    assert.equal(u['requests.example.com/gpu'], '2');
    assert.equal(u['example.com/gpu'], undefined);
  });

  test('init containers count as a maximum, sidecars add to everything after them', () => {
    const p = pod([container('main', undefined, { cpu: '1' })], {
      spec: { initContainers: [container('init', undefined, { cpu: '2' }), { ...container('side', undefined, { cpu: '500m' }), restartPolicy: 'Always' }] },
    });
    assert.equal(podLimits(p).get('cpu')?.toString(), '2');
    const q = pod([container('main', undefined, { cpu: '1' })], { spec: { initContainers: [{ ...container('side', undefined, { cpu: '500m' }), restartPolicy: 'Always' }, container('init', undefined, { cpu: '2' })] } });
    assert.equal(podLimits(q).get('cpu')?.toString(), '2500m');
  });

  test('terminal pods and pods past their deletion grace period are charged only count/pods', () => {
    const used = (p: Pod) => Object.keys(resourceListToJSON(podUsage(p, now)));
    assert.deepEqual(used(pod([container('a', { cpu: '1' })], { status: { phase: 'Succeeded' } })), ['count/pods']);
    assert.deepEqual(used(pod([container('a', { cpu: '1' })], { status: { phase: 'Failed' } })), ['count/pods']);
    const deleting = pod([container('a')], { metadata: { deletionTimestamp: '2024-12-31T23:59:00Z', deletionGracePeriodSeconds: 30 } });
    assert.equal(quotaV1Pod(deleting, now), false);
    const graceful = pod([container('a')], { metadata: { deletionTimestamp: '2024-12-31T23:59:50Z', deletionGracePeriodSeconds: 30 } });
    assert.equal(quotaV1Pod(graceful, now), true);
  });

  test('the Terminating and BestEffort scopes follow activeDeadlineSeconds and the QoS class', () => {
    const be = pod([container('a')]);
    const burst = pod([container('a', { cpu: '1' })], { spec: { activeDeadlineSeconds: 30 } });
    assert.equal(podMatchesScope({ scopeName: 'BestEffort', operator: 'Exists' }, be), true);
    assert.equal(podMatchesScope({ scopeName: 'NotBestEffort', operator: 'Exists' }, burst), true);
    assert.equal(podMatchesScope({ scopeName: 'Terminating', operator: 'Exists' }, burst), true);
    assert.equal(podMatchesScope({ scopeName: 'NotTerminating', operator: 'Exists' }, be), true);
    assert.equal(podMatchesScope({ scopeName: 'BestEffort', operator: 'Exists' }, pod([container('a')], { status: { qosClass: 'Burstable' } })), false);
  });

  test('the PriorityClass scope selects with In, NotIn, Exists and DoesNotExist', () => {
    const high = pod([container('a')], { spec: { priorityClassName: 'high' } });
    const none = pod([container('a')]);
    const sel = (operator: string, values?: string[]) => ({ scopeName: 'PriorityClass', operator, ...(values ? { values } : {}) });
    assert.equal(podMatchesScope(sel('In', ['high', 'medium']), high), true);
    assert.equal(podMatchesScope(sel('In', ['low']), high), false);
    assert.equal(podMatchesScope(sel('NotIn', ['low']), high), true);
    assert.equal(podMatchesScope(sel('NotIn', ['low']), none), true);
    assert.equal(podMatchesScope(sel('Exists'), none), false);
    assert.equal(podMatchesScope(sel('DoesNotExist'), none), true);
    assert.equal(podMatchesScope(sel('DoesNotExist'), high), false);
  });

  test('constraints name each missing resource with the containers that lack it', () => {
    const p = pod([container('nginx', { cpu: '100m', memory: '64Mi' }), container('sidecar', { cpu: '100m' }, { cpu: '100m', memory: '64Mi' })]);
    assert.equal(podConstraints(['limits.cpu', 'limits.memory', 'pods'], p), 'must specify limits.cpu for: nginx; limits.memory for: nginx');
    assert.equal(podConstraints(['requests.memory'], p), 'must specify requests.memory for: sidecar');
    assert.equal(podConstraints(['pods', 'requests.storage', 'ephemeral-storage'], p), undefined);
  });

  test('matches pod names, hugepages and requests.<extended>, not other resources', () => {
    assert.deepEqual(podEvaluator.matchingResources(['services', 'pods', 'limits.cpu', 'requests.hugepages-2Mi', 'requests.example.com/gpu', 'configmaps']), [
      'limits.cpu',
      'pods',
      'requests.hugepages-2Mi',
      'requests.example.com/gpu',
    ]);
  });
});
