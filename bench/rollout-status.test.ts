import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { deploymentRolloutStatus, rolloutFenceposts, scaledValue, type RolloutDeployment } from './rollout-status.js';

function deployment(generation: number, status: NonNullable<RolloutDeployment['status']>, replicas = 10): RolloutDeployment {
  return { metadata: { name: 'web', generation }, spec: { replicas }, status };
}

describe('rolling update bounds', () => {
  test('25% of 1000 replicas allows 250 extra pods and 250 unavailable ones', () => {
    assert.deepEqual(rolloutFenceposts(1000), { surge: 250, unavailable: 250 });
  });

  test('a surge percentage rounds up and an unavailable one rounds down', () => {
    assert.deepEqual(rolloutFenceposts(10), { surge: 3, unavailable: 2 });
    assert.equal(scaledValue('33%', 10, true), 4);
    assert.equal(scaledValue('33%', 10, false), 3);
    assert.equal(scaledValue(5, 10, false), 5);
  });

  test('when both bounds come to zero one pod may be unavailable', () => {
    assert.deepEqual(rolloutFenceposts(3, 0, '10%'), { surge: 0, unavailable: 1 });
  });

  test('a string that is not a percentage is refused', () => {
    assert.throws(() => scaledValue('25', 100, true), /string is not a percentage/);
  });
});

describe('rollout status as kubectl decides it', () => {
  test('a generation not yet observed is waited for', () => {
    const r = deploymentRolloutStatus(deployment(2, { observedGeneration: 1, replicas: 10, updatedReplicas: 10, availableReplicas: 10 }));
    assert.equal(r.done, false);
    assert.equal(r.message, 'Waiting for deployment spec update to be observed...');
  });

  test('too few updated replicas, old replicas left and unavailable updated ones each keep it waiting', () => {
    assert.equal(
      deploymentRolloutStatus(deployment(2, { observedGeneration: 2, replicas: 12, updatedReplicas: 5, availableReplicas: 9 })).message,
      'Waiting for deployment "web" rollout to finish: 5 out of 10 new replicas have been updated...',
    );
    assert.equal(
      deploymentRolloutStatus(deployment(2, { observedGeneration: 2, replicas: 12, updatedReplicas: 10, availableReplicas: 10 })).message,
      'Waiting for deployment "web" rollout to finish: 2 old replicas are pending termination...',
    );
    assert.equal(
      deploymentRolloutStatus(deployment(2, { observedGeneration: 2, replicas: 10, updatedReplicas: 10, availableReplicas: 8 })).message,
      'Waiting for deployment "web" rollout to finish: 8 of 10 updated replicas are available...',
    );
  });

  test('every replica updated and available with the generation observed is done', () => {
    const r = deploymentRolloutStatus(deployment(2, { observedGeneration: 2, replicas: 10, updatedReplicas: 10, availableReplicas: 10 }));
    assert.deepEqual(r, { message: 'deployment "web" successfully rolled out', done: true });
  });

  test('an exceeded progress deadline is an error', () => {
    const r = deploymentRolloutStatus(deployment(2, { observedGeneration: 2, conditions: [{ type: 'Progressing', reason: 'ProgressDeadlineExceeded' }] }));
    assert.equal(r.error, 'deployment "web" exceeded its progress deadline');
    assert.equal(r.done, false);
  });
});
