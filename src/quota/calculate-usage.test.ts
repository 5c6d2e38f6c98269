import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ResourceQuota } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/object.js';
import { calculateUsage, type ListObjects } from './calculate-usage.js';
import { evaluatorFor, evaluatorsMatching } from './quota-registry.js';
import { resourceListToJSON } from './resource-list.js';

const now = new Date('2025-01-01T00:00:00Z');
const resources = [
  { group: '', resource: 'pods' },
  { group: '', resource: 'configmaps' },
  { group: '', resource: 'services' },
  { group: 'apps', resource: 'deployments' },
  { group: '', resource: 'events' },
];

const objects: Record<string, KubeObject[]> = {
  'pods.': [
    { metadata: { name: 'a', namespace: 'ns' }, spec: { containers: [{ name: 'c', resources: { requests: { cpu: '250m', memory: '1Gi' } } }] }, status: { phase: 'Running' } },
    { metadata: { name: 'b', namespace: 'ns' }, spec: { containers: [{ name: 'c', resources: { requests: { cpu: '250m' } } }], activeDeadlineSeconds: 10 }, status: { phase: 'Running' } },
    { metadata: { name: 'done', namespace: 'ns' }, spec: { containers: [{ name: 'c', resources: { requests: { cpu: '1' } } }] }, status: { phase: 'Succeeded' } },
  ],
  'configmaps.': [{ metadata: { name: 'x', namespace: 'ns' } }, { metadata: { name: 'y', namespace: 'ns' } }],
  'services.': [],
  'deployments.apps': [{ metadata: { name: 'd', namespace: 'ns' } }],
};
const list: ListObjects = (group, resource) => objects[`${resource}.${group}`] ?? [];

function quota(hard: Record<string, string>, spec: Partial<ResourceQuota['spec']> = {}): ResourceQuota {
  return { metadata: { name: 'q', namespace: 'ns' }, spec: { hard, ...spec } };
}

function usage(q: ResourceQuota, l: ListObjects = list): { used: Record<string, string>; errors: string[] } {
  const names = Object.keys(q.spec?.hard ?? {});
  const r = calculateUsage(q, names, evaluatorsMatching(names, resources), l, now);
  return { used: resourceListToJSON(r.used), errors: r.errors };
}

describe('calculating a quota usage', () => {
  test('sums what each evaluator measures, for the quota hard names only', () => {
    const { used } = usage(quota({ pods: '10', 'requests.cpu': '2', memory: '4Gi', 'count/pods': '10', configmaps: '5', 'count/deployments.apps': '3', services: '2', 'count/widgets.example.com': '1' }));
    assert.deepEqual(used, { configmaps: '2', 'count/deployments.apps': '1', 'count/pods': '3', memory: '1Gi', pods: '2', 'requests.cpu': '500m', services: '0' });
  });

  test('counts only objects in every scope of the quota', () => {
    assert.deepEqual(usage(quota({ pods: '10' }, { scopes: ['Terminating'] })).used, { pods: '1' });
    assert.deepEqual(usage(quota({ pods: '10' }, { scopes: ['NotTerminating'] })).used, { pods: '1' });
    assert.deepEqual(usage(quota({ pods: '10' }, { scopes: ['BestEffort'] })).used, { pods: '0' });
  });

  test('leaves out the resources of an evaluator whose objects cannot be listed', () => {
    const failing: ListObjects = (group, resource, ns) => {
      if (resource === 'configmaps') throw new Error('configmaps not yet synced');
      return list(group, resource, ns);
    };
    const r = usage(quota({ pods: '10', configmaps: '5' }), failing);
    assert.deepEqual(r.used, { pods: '2' });
    assert.deepEqual(r.errors, ['failed to list content: configmaps not yet synced']);
  });

  test('events are never quota-ed', () => {
    assert.equal(evaluatorFor('', 'events'), undefined);
    assert.equal(evaluatorFor('events.k8s.io', 'events'), undefined);
  });
});
