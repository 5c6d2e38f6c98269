import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../object.js';
import { groupDefaulters, prepareJobForCreate } from './index.js';

function apply(key: string, obj: KubeObject): Record<string, unknown> {
  const d = groupDefaulters[key];
  assert.ok(d, `${key} has a defaulter`);
  d(obj);
  return obj['spec'] as Record<string, unknown>;
}

describe('group defaulters', () => {
  test('an apps/v1 Deployment gets 1 replica, 25%/25% rolling updates, 10 revisions and a 600s deadline', () => {
    const spec = apply('apps/Deployment', { spec: { template: { spec: { containers: [] } } } });
    assert.equal(spec['replicas'], 1);
    assert.deepEqual(spec['strategy'], { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
    assert.equal(spec['revisionHistoryLimit'], 10);
    assert.equal(spec['progressDeadlineSeconds'], 600);
  });

  test('a StatefulSet gets OrderedReady, partition 0 and Retain/Retain', () => {
    const spec = apply('apps/StatefulSet', { spec: { template: {}, volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: {} }] } });
    assert.equal(spec['podManagementPolicy'], 'OrderedReady');
    assert.deepEqual(spec['updateStrategy'], { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
    assert.deepEqual(spec['persistentVolumeClaimRetentionPolicy'], { whenDeleted: 'Retain', whenScaled: 'Retain' });
    assert.deepEqual(spec['volumeClaimTemplates'], [{ metadata: { name: 'data' }, spec: { volumeMode: 'Filesystem' }, status: { phase: 'Pending' } }]);
  });

  test('a DaemonSet rolls one pod at a time without surge', () => {
    const spec = apply('apps/DaemonSet', { spec: { template: {} } });
    assert.deepEqual(spec['updateStrategy'], { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
  });

  test('a Job gets its batch defaults and its labels from the template', () => {
    const job: KubeObject = { metadata: { name: 'pi' }, spec: { template: { metadata: { labels: { app: 'pi' } }, spec: { containers: [] } } } };
    const spec = apply('batch/Job', job);
    assert.deepEqual(
      { completions: spec['completions'], parallelism: spec['parallelism'], backoffLimit: spec['backoffLimit'], completionMode: spec['completionMode'], suspend: spec['suspend'], podReplacementPolicy: spec['podReplacementPolicy'], manualSelector: spec['manualSelector'] },
      { completions: 1, parallelism: 1, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false, podReplacementPolicy: 'TerminatingOrFailed', manualSelector: false },
    );
    assert.deepEqual(job.metadata?.labels, { app: 'pi' });
  });

  test('prepareJobForCreate adds the generated labels and selector unless the selector is manual', () => {
    const job: KubeObject = { metadata: { name: 'pi' }, spec: { template: { metadata: { labels: { app: 'pi' } } } } };
    prepareJobForCreate(job, 'uid-1');
    const spec = job['spec'] as { selector: unknown; template: { metadata: { labels: unknown } } };
    assert.deepEqual(spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': 'uid-1' } });
    assert.deepEqual(spec.template.metadata.labels, {
      app: 'pi',
      'job-name': 'pi',
      'batch.kubernetes.io/job-name': 'pi',
      'controller-uid': 'uid-1',
      'batch.kubernetes.io/controller-uid': 'uid-1',
    });
    const manual: KubeObject = { metadata: { name: 'm' }, spec: { manualSelector: true, template: {} } };
    prepareJobForCreate(manual, 'uid-2');
    assert.equal((manual['spec'] as Record<string, unknown>)['selector'], undefined);
  });

  test('a CronJob allows concurrency and keeps 3 successful and 1 failed job', () => {
    const spec = apply('batch/CronJob', { spec: { schedule: '@hourly', jobTemplate: { spec: { template: {} } } } });
    assert.deepEqual([spec['concurrencyPolicy'], spec['suspend'], spec['successfulJobsHistoryLimit'], spec['failedJobsHistoryLimit']], ['Allow', false, 3, 1]);
  });

  test('an HPA behavior is filled with the upstream scaling rules', () => {
    const spec = apply('autoscaling/HorizontalPodAutoscaler', { spec: { maxReplicas: 3, scaleTargetRef: { kind: 'Deployment', name: 'w' }, behavior: { scaleDown: { stabilizationWindowSeconds: 60 } } } });
    assert.equal(spec['minReplicas'], 1);
    assert.deepEqual(spec['behavior'], {
      scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] },
      scaleDown: { stabilizationWindowSeconds: 60, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
    });
  });

  test('binding subjects get their api groups and PriorityClasses preempt lower priorities', () => {
    const rb: KubeObject = { roleRef: { kind: 'Role', name: 'r' }, subjects: [{ kind: 'User', name: 'u' }, { kind: 'ServiceAccount', name: 's' }] };
    groupDefaulters['rbac.authorization.k8s.io/RoleBinding']?.(rb);
    assert.deepEqual(rb['subjects'], [{ kind: 'User', name: 'u', apiGroup: 'rbac.authorization.k8s.io' }, { kind: 'ServiceAccount', name: 's', apiGroup: '' }]);
    const pc: KubeObject = { value: 1 };
    groupDefaulters['scheduling.k8s.io/PriorityClass']?.(pc);
    assert.equal(pc['preemptionPolicy'], 'PreemptLowerPriority');
  });
});
