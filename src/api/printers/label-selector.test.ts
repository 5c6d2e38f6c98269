import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatLabelSelector, formatLabels, labelSelectorString } from './label-selector.js';

describe('formatLabels', () => {
  test('sorts pairs by key and prints <none> for no labels', () => {
    assert.equal(formatLabels({ b: '2', a: '1' }), 'a=1,b=2');
    assert.equal(formatLabels({}), '<none>');
    assert.equal(formatLabels(undefined), '<none>');
  });
});

describe('labelSelectorString', () => {
  test('prints requirements sorted by key with sorted values', () => {
    const s = labelSelectorString({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['b', 'a'] },
        { key: 'env', operator: 'NotIn', values: ['prod'] },
        { key: 'x', operator: 'DoesNotExist' },
        { key: 'canary', operator: 'Exists' },
      ],
    });
    assert.equal(s, 'app=web,canary,env notin (prod),tier in (a,b),!x');
  });

  test('prints nothing for a nil or empty selector and rejects unknown operators', () => {
    assert.equal(labelSelectorString(undefined), '');
    assert.equal(labelSelectorString({}), '');
    assert.equal(labelSelectorString({ matchExpressions: [{ key: 'a', operator: 'Near' }] }), undefined);
    assert.equal(formatLabelSelector({}), '<none>');
    assert.equal(formatLabelSelector({ matchExpressions: [{ key: 'a', operator: 'In' }] }), '<error>');
  });
});
