import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { goLabelSelectorString } from './go-label-selector-string.js';

describe('goLabelSelectorString', () => {
  test('prints labels sorted by key and expressions as Go does', () => {
    assert.equal(
      goLabelSelectorString({ matchLabels: { tier: 'web', app: 'shop' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['a', 'b'] }] }),
      '&LabelSelector{MatchLabels:map[string]string{app: shop,tier: web,},MatchExpressions:[]LabelSelectorRequirement{LabelSelectorRequirement{Key:env,Operator:In,Values:[a b],},},}',
    );
  });

  test('prints a missing selector as nil', () => {
    assert.equal(goLabelSelectorString(undefined), 'nil');
  });
});
