import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalQuantity, quantityString } from './canonical-quantity.js';

describe('canonicalQuantity', () => {
  test('keeps canonical quantities as they are', () => {
    for (const q of ['1Gi', '1000Mi', '100M', '500m', '2', '1e3', '0']) assert.equal(canonicalQuantity(q), q);
  });

  test('moves binary quantities to the largest exact suffix', () => {
    assert.equal(canonicalQuantity('1024Mi'), '1Gi');
    assert.equal(canonicalQuantity('0.5Gi'), '512Mi');
    assert.equal(canonicalQuantity('1536Mi'), '1536Mi');
  });

  test('prints small or fractional binary quantities in decimal', () => {
    assert.equal(canonicalQuantity('0.5Ki'), '512');
    assert.equal(canonicalQuantity('1.5Ki'), '1536');
    assert.equal(canonicalQuantity('0.1Ki'), '102400m');
  });

  test('normalizes decimal quantities to an exponent that is a multiple of three', () => {
    assert.equal(canonicalQuantity('0.5'), '500m');
    assert.equal(canonicalQuantity('2000'), '2k');
    assert.equal(canonicalQuantity('1.5k'), '1500');
    assert.equal(canonicalQuantity('0.000000001'), '1n');
    assert.equal(canonicalQuantity('1.5e3'), '1500');
    assert.equal(canonicalQuantity('-1500m'), '-1500m');
  });

  test('rounds below nano precision up and leaves garbage unchanged', () => {
    assert.equal(canonicalQuantity('0.0000000001'), '1n');
    assert.equal(canonicalQuantity('abc'), 'abc');
    assert.equal(quantityString(undefined), '0');
    assert.equal(quantityString(3), '3');
  });
});
