import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { collectionPath, quotableResources } from './quotable-resources.js';

describe('quotable resources', () => {
  const names = quotableResources().map((r) => (r.group === '' ? r.resource : `${r.resource}.${r.group}`));

  test('include the namespaced stored resources once each', () => {
    for (const n of ['pods', 'services', 'persistentvolumeclaims', 'configmaps', 'secrets', 'resourcequotas', 'deployments.apps', 'jobs.batch', 'horizontalpodautoscalers.autoscaling']) {
      assert.ok(names.includes(n), n);
    }
    assert.equal(names.filter((n) => n === 'deployments.apps').length, 1);
    assert.equal(names.filter((n) => n === 'horizontalpodautoscalers.autoscaling').length, 1);
  });

  test('leave out cluster-scoped, virtual, legacy-group and ignored resources', () => {
    for (const n of ['nodes', 'namespaces', 'bindings', 'events', 'events.events.k8s.io', 'deployments.extensions', 'priorityclasses.scheduling.k8s.io']) {
      assert.ok(!names.includes(n), n);
    }
  });

  test('are watched at their collection path', () => {
    const dep = quotableResources().find((r) => r.resource === 'deployments');
    assert.ok(dep !== undefined);
    assert.equal(collectionPath(dep), '/apis/apps/v1/deployments');
  });
});
