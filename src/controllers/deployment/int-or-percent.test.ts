import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { getScaledValueFromIntOrPercent, resolveFenceposts } from './int-or-percent.js';

describe('getScaledValueFromIntOrPercent', () => {
  test('an int is taken as it is', () => {
    assert.equal(getScaledValueFromIntOrPercent(3, 10, true), 3);
  });

  test('a percentage rounds up or down', () => {
    assert.equal(getScaledValueFromIntOrPercent('25%', 10, true), 3);
    assert.equal(getScaledValueFromIntOrPercent('25%', 10, false), 2);
    assert.equal(getScaledValueFromIntOrPercent('100%', 7, false), 7);
  });

  test('a string without a percent sign is refused with upstream message', () => {
    assert.throws(() => getScaledValueFromIntOrPercent('3', 10, true), { message: 'invalid value for IntOrString: invalid type: string is not a percentage' });
    assert.throws(() => getScaledValueFromIntOrPercent('x%', 10, true), /invalid value for IntOrString: invalid value "x%"/);
  });
});

describe('resolveFenceposts', () => {
  test('the defaults of 25% resolve to surge 1 and unavailable 0 for one replica, then to unavailable 1', () => {
    assert.deepEqual(resolveFenceposts('25%', '25%', 1), { surge: 1, unavailable: 0 });
    assert.deepEqual(resolveFenceposts('25%', '25%', 10), { surge: 3, unavailable: 2 });
  });

  test('both rounding to zero allows one unavailable', () => {
    assert.deepEqual(resolveFenceposts(0, '25%', 3), { surge: 0, unavailable: 1 });
  });

  test('missing values count as zero', () => {
    assert.deepEqual(resolveFenceposts(undefined, 2, 5), { surge: 0, unavailable: 2 });
  });
});
