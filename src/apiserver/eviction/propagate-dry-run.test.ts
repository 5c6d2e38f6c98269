import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { propagateDryRun } from './propagate-dry-run.js';

describe('propagateDryRun', () => {
  test('takes whichever of the query and the deleteOptions says dry run', () => {
    assert.deepEqual(propagateDryRun(['All'], undefined), ['All']);
    assert.deepEqual(propagateDryRun([], ['All']), ['All']);
    assert.deepEqual(propagateDryRun(['All'], ['All']), ['All']);
    assert.deepEqual(propagateDryRun([], []), []);
  });

  test('refuses a query and deleteOptions that disagree', () => {
    assert.throws(() => propagateDryRun(['All'], ['Other']), { code: 500, message: 'Non-matching dry-run options in request and content: [All] and [Other]' });
  });
});
