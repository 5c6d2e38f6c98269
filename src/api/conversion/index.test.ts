import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { KubeObject } from '../object.js';
import { findResource, type ResourceInfo } from '../resources.js';
import { fromStorageVersion, toStorageVersion } from './index.js';

function resource(group: string, version: string, plural: string): ResourceInfo {
  const r = findResource(group, version, plural);
  assert.ok(r, `${group}/${version}/${plural} is served`);
  return r;
}

const seedDir = '/work/shared/seed-manifests';
function seed(file: string): KubeObject {
  const parsed: unknown = parse(readFileSync(`${seedDir}/${file}`, 'utf8'));
  assert.ok(typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed));
  return parsed as KubeObject;
}

describe('extensions/v1beta1 workloads', () => {
  const rs = resource('extensions', 'v1beta1', 'replicasets');
  const deploy = resource('extensions', 'v1beta1', 'deployments');
  const ds = resource('extensions', 'v1beta1', 'daemonsets');

  test('a ReplicaSet without a selector gets one from its template labels, and the same labels on itself', () => {
    const input = seed('kuard-rs.yaml');
    const before = JSON.stringify(input);
    const out = toStorageVersion(input, rs);
    assert.equal(out.apiVersion, 'apps/v1');
    assert.deepEqual((out['spec'] as { selector: unknown }).selector, { matchLabels: { app: 'kuard', version: '2' } });
    assert.deepEqual(out.metadata?.labels, { app: 'kuard', version: '2' });
    assert.equal(JSON.stringify(input), before, 'the input is not mutated');
  });

  test('a Deployment gets the extensions/v1beta1 defaults, not the apps/v1 ones', () => {
    const out = toStorageVersion({ apiVersion: 'extensions/v1beta1', kind: 'Deployment', metadata: { name: 'd' }, spec: { template: { metadata: { labels: { a: 'b' } }, spec: { containers: [] } } } }, deploy);
    const spec = out['spec'] as Record<string, unknown>;
    assert.deepEqual(spec['strategy'], { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } });
    assert.equal(spec['replicas'], 1);
    assert.equal(spec['revisionHistoryLimit'], 2147483647);
    assert.equal(spec['progressDeadlineSeconds'], 2147483647);
  });

  test('the exported nginx Deployment keeps its explicit values', () => {
    const out = toStorageVersion(seed('nginx-deployments.yaml'), deploy);
    const spec = out['spec'] as Record<string, unknown>;
    assert.equal(spec['revisionHistoryLimit'], 10);
    assert.equal(spec['progressDeadlineSeconds'], 600);
    assert.deepEqual(spec['selector'], { matchLabels: { run: 'nginx' } });
  });

  test('a Deployment rollbackTo travels in the deprecated annotation and comes back', () => {
    const input: KubeObject = {
      apiVersion: 'extensions/v1beta1',
      kind: 'Deployment',
      metadata: { name: 'd', annotations: { keep: 'me' } },
      spec: { selector: { matchLabels: { a: 'b' } }, rollbackTo: { revision: 3 }, template: { metadata: { labels: { a: 'b' } } } },
    };
    const stored = toStorageVersion(input, deploy);
    assert.deepEqual(stored.metadata?.annotations, { keep: 'me', 'deprecated.deployment.rollback.to': '3' });
    assert.equal((stored['spec'] as Record<string, unknown>)['rollbackTo'], undefined);
    const back = fromStorageVersion(stored, deploy);
    assert.equal(back.apiVersion, 'extensions/v1beta1');
    assert.deepEqual((back['spec'] as Record<string, unknown>)['rollbackTo'], { revision: 3 });
    assert.deepEqual(back.metadata?.annotations, { keep: 'me' });
  });

  test('a DaemonSet defaults to OnDelete and keeps templateGeneration in an annotation', () => {
    const input: KubeObject = { apiVersion: 'extensions/v1beta1', kind: 'DaemonSet', metadata: { name: 'x' }, spec: { templateGeneration: 2, template: { metadata: { labels: { k: 'v' } } } } };
    const stored = toStorageVersion(input, ds);
    const spec = stored['spec'] as Record<string, unknown>;
    assert.deepEqual(spec['updateStrategy'], { type: 'OnDelete' });
    assert.equal(spec['revisionHistoryLimit'], 10);
    assert.equal(spec['templateGeneration'], undefined);
    assert.equal(stored.metadata?.annotations?.['deprecated.daemonset.template.generation'], '2');
    const back = fromStorageVersion(stored, ds);
    assert.equal((back['spec'] as Record<string, unknown>)['templateGeneration'], 2);
    assert.equal(back.metadata?.annotations, undefined);
  });

  test('a round trip through apps/v1 keeps every field both versions have', () => {
    const input: KubeObject = {
      apiVersion: 'extensions/v1beta1',
      kind: 'Deployment',
      metadata: { name: 'd', labels: { x: 'y' } },
      spec: {
        replicas: 3,
        selector: { matchLabels: { a: 'b' } },
        strategy: { type: 'Recreate' },
        minReadySeconds: 5,
        paused: true,
        revisionHistoryLimit: 2,
        progressDeadlineSeconds: 30,
        template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } },
      },
      status: { replicas: 3, observedGeneration: 1 },
    };
    assert.deepEqual(fromStorageVersion(toStorageVersion(input, deploy), deploy), input);
  });
});

describe('events.k8s.io/v1 Event', () => {
  const ev = resource('events.k8s.io', 'v1', 'events');
  const v1Event: KubeObject = {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: 'e', namespace: 'default' },
    eventTime: '2024-01-01T00:00:00.000000Z',
    series: { count: 2, lastObservedTime: '2024-01-01T00:00:01.000000Z' },
    reportingController: 'k8ts/scheduler',
    reportingInstance: 'node-1',
    action: 'Binding',
    reason: 'Scheduled',
    regarding: { kind: 'Pod', name: 'p', namespace: 'default' },
    related: { kind: 'Node', name: 'node-1' },
    note: 'assigned',
    type: 'Normal',
    deprecatedSource: { component: 'scheduler' },
    deprecatedFirstTimestamp: '2024-01-01T00:00:00Z',
    deprecatedLastTimestamp: '2024-01-01T00:00:01Z',
    deprecatedCount: 2,
  };

  test('converts to core v1 with upstream field names', () => {
    const core = toStorageVersion(v1Event, ev);
    assert.deepEqual(core, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'e', namespace: 'default' },
      eventTime: '2024-01-01T00:00:00.000000Z',
      series: { count: 2, lastObservedTime: '2024-01-01T00:00:01.000000Z' },
      related: { kind: 'Node', name: 'node-1' },
      action: 'Binding',
      reason: 'Scheduled',
      type: 'Normal',
      reportingInstance: 'node-1',
      involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' },
      message: 'assigned',
      source: { component: 'scheduler' },
      firstTimestamp: '2024-01-01T00:00:00Z',
      lastTimestamp: '2024-01-01T00:00:01Z',
      count: 2,
      reportingComponent: 'k8ts/scheduler',
    });
  });

  test('round-trips losslessly', () => {
    assert.deepEqual(fromStorageVersion(toStorageVersion(v1Event, ev), ev), v1Event);
  });
});

describe('autoscaling/v1 HorizontalPodAutoscaler', () => {
  const hpa = resource('autoscaling', 'v1', 'horizontalpodautoscalers');
  const base = { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h', namespace: 'default' } };
  const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' };

  test('targetCPUUtilizationPercentage becomes a cpu Utilization metric', () => {
    const v2 = toStorageVersion({ ...base, spec: { scaleTargetRef: ref, minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 50 } }, hpa);
    assert.equal(v2.apiVersion, 'autoscaling/v2');
    assert.deepEqual(v2['spec'], {
      scaleTargetRef: ref,
      minReplicas: 1,
      maxReplicas: 5,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
    });
  });

  test('no target means the implicit 80% cpu target', () => {
    const v2 = toStorageVersion({ ...base, spec: { scaleTargetRef: ref, maxReplicas: 5 } }, hpa);
    assert.deepEqual((v2['spec'] as Record<string, unknown>)['metrics'], [
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
    ]);
  });

  test('other metrics, current metrics, conditions and behavior travel in annotations and come back', () => {
    const v2: KubeObject = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'h', namespace: 'default', annotations: { mine: 'x' } },
      spec: {
        scaleTargetRef: ref,
        minReplicas: 1,
        maxReplicas: 5,
        metrics: [
          { type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } } },
          { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } },
        ],
        behavior: { scaleDown: { stabilizationWindowSeconds: 60, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] } },
      },
      status: {
        currentReplicas: 2,
        desiredReplicas: 2,
        currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 40, averageValue: '100m' } } }],
        conditions: [{ type: 'AbleToScale', status: 'True', lastTransitionTime: '2024-01-01T00:00:00Z', reason: 'ReadyForNewScale', message: 'ok' }],
      },
    };
    const v1 = fromStorageVersion(v2, hpa);
    const spec = v1['spec'] as Record<string, unknown>;
    assert.equal(spec['targetCPUUtilizationPercentage'], 60);
    assert.equal((v1['status'] as Record<string, unknown>)['currentCPUUtilizationPercentage'], 40);
    const ann = v1.metadata?.annotations ?? {};
    assert.equal(ann['mine'], 'x');
    assert.deepEqual(JSON.parse(ann['autoscaling.alpha.kubernetes.io/metrics'] ?? ''), [{ type: 'Pods', pods: { metricName: 'qps', targetAverageValue: '10' } }]);
    assert.deepEqual(JSON.parse(ann['autoscaling.alpha.kubernetes.io/current-metrics'] ?? ''), [
      { type: 'Resource', resource: { name: 'cpu', currentAverageUtilization: 40, currentAverageValue: '100m' } },
    ]);
    assert.deepEqual(JSON.parse(ann['autoscaling.alpha.kubernetes.io/behavior'] ?? ''), {
      ScaleDown: { StabilizationWindowSeconds: 60, SelectPolicy: 'Max', Policies: [{ Type: 'Percent', Value: 100, PeriodSeconds: 15 }] },
    });
    assert.ok(ann['autoscaling.alpha.kubernetes.io/conditions']);
    assert.deepEqual(toStorageVersion(v1, hpa), v2);
  });

  test('round-trip annotations sent to autoscaling/v2 are not stored', () => {
    const v2 = resource('autoscaling', 'v2', 'horizontalpodautoscalers');
    const v1 = toStorageVersion({ ...base, metadata: { name: 'h', annotations: { 'autoscaling.alpha.kubernetes.io/metrics': 'not json' } }, spec: { scaleTargetRef: ref, maxReplicas: 2 } }, hpa);
    assert.equal(v1.metadata?.annotations, undefined);
    const direct = toStorageVersion({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h', annotations: { 'autoscaling.alpha.kubernetes.io/conditions': '[]', other: 'y' } } }, v2);
    assert.deepEqual(direct.metadata?.annotations, { other: 'y' });
  });
});

describe('other resources', () => {
  test('are served in their storage version with only apiVersion rewritten', () => {
    const r = resource('apps', 'v1', 'deployments');
    const obj: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' }, spec: { replicas: 1 } };
    assert.deepEqual(toStorageVersion(obj, r), obj);
    assert.deepEqual(fromStorageVersion(obj, r), obj);
  });
});
