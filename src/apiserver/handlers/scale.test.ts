import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { StoredObject } from '../../api/object.js';
import { formatLabelSelector } from '../../api/printers/label-selector.js';
import { ApiError } from '../../machinery/errors.js';
import { applyScale, scaleOf, selectorString } from './scale.js';

describe('selectorString', () => {
  // The string of metav1.LabelSelectorAsSelector(sel).String(), as upstream's Scale status.selector carries it
  // (metav1.FormatLabelSelector is the same string, with "<none>" for an empty one).
  test('matchLabels are sorted by key', () => {
    assert.equal(selectorString({ matchLabels: { tier: 'front', app: 'web' } }), 'app=web,tier=front');
  });

  test('In and NotIn print their values sorted in parentheses', () => {
    assert.equal(selectorString({ matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'dev'] }] }), 'env in (dev,prod)');
    assert.equal(selectorString({ matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['qa'] }] }), 'env notin (qa)');
  });

  test('Exists is the bare key and DoesNotExist is !key', () => {
    assert.equal(selectorString({ matchExpressions: [{ key: 'canary', operator: 'DoesNotExist' }] }), '!canary');
    assert.equal(selectorString({ matchExpressions: [{ key: 'gpu', operator: 'Exists' }] }), 'gpu');
  });

  test('an empty or missing selector is the empty string', () => {
    assert.equal(selectorString({}), '');
    assert.equal(selectorString(undefined), '');
    assert.equal(selectorString({ matchLabels: {} }), '');
  });

  test('a ReplicationController\'s plain map selector is formatted like matchLabels', () => {
    assert.equal(selectorString({ b: '2', a: '1' }), 'a=1,b=2');
  });

  test('labels and expressions on different keys already in order print in key order', () => {
    assert.equal(selectorString({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['front'] }] }), 'app=web,tier in (front)');
  });

  // labels.Selector.Add sorts all requirements by key: matchLabels and matchExpressions interleave.
  test('requirements from matchLabels and matchExpressions are sorted together by key, as metav1.FormatLabelSelector does', () => {
    const sel = { matchLabels: { tier: 'front' }, matchExpressions: [{ key: 'app', operator: 'Exists' }] };
    assert.equal(selectorString(sel), 'app,tier=front');
    assert.equal(selectorString(sel), formatLabelSelector(sel));
  });
});

function deployment(): StoredObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', uid: 'u1', resourceVersion: '7', creationTimestamp: '2024-01-01T00:00:00Z' },
    spec: { replicas: 3, selector: { matchLabels: { app: 'web' } } },
    status: { replicas: 2 },
  };
}

describe('scaleOf', () => {
  test('a deployment\'s Scale carries its identity, desired and current replicas and selector', () => {
    assert.deepEqual(scaleOf(deployment()), {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: { name: 'web', namespace: 'default', uid: 'u1', resourceVersion: '7', creationTimestamp: '2024-01-01T00:00:00Z' },
      spec: { replicas: 3 },
      status: { replicas: 2, selector: 'app=web' },
    });
  });

  test('missing replicas are 0', () => {
    const d = deployment();
    d['spec'] = {};
    delete d['status'];
    const s = scaleOf(d) as { spec: { replicas: number }; status: { replicas: number; selector: string } };
    assert.equal(s.spec.replicas, 0);
    assert.deepEqual(s.status, { replicas: 0, selector: '' });
  });
});

describe('applyScale', () => {
  test('sets the parent\'s spec.replicas and keeps the rest of the spec', () => {
    const out = applyScale(deployment(), { spec: { replicas: 5 } }, 'web');
    assert.deepEqual(out['spec'], { replicas: 5, selector: { matchLabels: { app: 'web' } } });
  });

  test('a Scale pinned to the current resourceVersion applies', () => {
    const out = applyScale(deployment(), { metadata: { resourceVersion: '7' }, spec: { replicas: 1 } }, 'web');
    assert.equal((out['spec'] as { replicas: number }).replicas, 1);
  });

  test('a negative replica count is 422 Invalid with upstream\'s ValidateScale message', () => {
    assert.throws(
      () => applyScale(deployment(), { spec: { replicas: -1 } }, 'web'),
      (e: unknown) => e instanceof ApiError && e.code === 422 && e.message === 'Scale.autoscaling "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    );
  });

  test('a non-integer replica count cannot be decoded', () => {
    assert.throws(() => applyScale(deployment(), { spec: { replicas: 'three' } }, 'web'), (e: unknown) => e instanceof ApiError && e.code === 400);
    assert.throws(() => applyScale(deployment(), { spec: { replicas: 1.5 } }, 'web'), (e: unknown) => e instanceof ApiError && e.code === 400);
  });

  test('a stale resourceVersion is 409 Conflict', () => {
    assert.throws(() => applyScale(deployment(), { metadata: { resourceVersion: '6' }, spec: { replicas: 1 } }, 'web'), (e: unknown) => e instanceof ApiError && e.code === 409 && e.reason === 'Conflict');
  });

  // Upstream's scale REST updates the parent through its store: the conflict names the parent resource from the
  // request (deployments.apps), not the Scale.
  test('a stale resourceVersion names the parent resource in the conflict, as upstream does', () => {
    assert.throws(
      () => applyScale(deployment(), { metadata: { resourceVersion: '6' }, spec: { replicas: 1 } }, 'web', { group: 'apps', name: 'deployments' }),
      (e: unknown) => e instanceof ApiError && e.message === 'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again',
    );
  });
});
