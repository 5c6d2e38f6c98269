import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ControllerExpectations, expectationsTimeoutMs } from './controller-expectations.js';

describe('ControllerExpectations', () => {
  test('a controller without expectations may sync', () => {
    assert.equal(new ControllerExpectations().satisfiedExpectations('ns/rs'), true);
  });

  test('expected creations hold the controller back until each is observed', () => {
    const e = new ControllerExpectations();
    e.expectCreations('ns/rs', 2);
    assert.equal(e.satisfiedExpectations('ns/rs'), false);
    e.creationObserved('ns/rs');
    assert.equal(e.satisfiedExpectations('ns/rs'), false);
    e.creationObserved('ns/rs');
    assert.equal(e.satisfiedExpectations('ns/rs'), true);
  });

  test('a deletion is counted once, and only for a pod the controller meant to delete', () => {
    const e = new ControllerExpectations();
    e.expectDeletions('ns/rs', ['ns/a', 'ns/b']);
    e.deletionObserved('ns/rs', 'ns/a');
    e.deletionObserved('ns/rs', 'ns/a');
    e.deletionObserved('ns/rs', 'ns/other');
    assert.deepEqual(e.get('ns/rs'), { add: 0, del: 1 });
    assert.equal(e.satisfiedExpectations('ns/rs'), false);
    e.deletionObserved('ns/rs', 'ns/b');
    assert.equal(e.satisfiedExpectations('ns/rs'), true);
  });

  test('expectations older than five minutes no longer hold the controller back', () => {
    let now = 1_000_000;
    const e = new ControllerExpectations(() => now);
    e.expectCreations('ns/rs', 5);
    now += expectationsTimeoutMs;
    assert.equal(e.satisfiedExpectations('ns/rs'), false);
    now += 1;
    assert.equal(e.satisfiedExpectations('ns/rs'), true);
  });

  test('deleting expectations lets a re-created controller start clean', () => {
    const e = new ControllerExpectations();
    e.expectCreations('ns/rs', 3);
    e.deleteExpectations('ns/rs');
    assert.equal(e.get('ns/rs'), undefined);
    assert.equal(e.satisfiedExpectations('ns/rs'), true);
  });

  test('observations for a controller without expectations are ignored', () => {
    const e = new ControllerExpectations();
    e.creationObserved('ns/rs');
    assert.equal(e.get('ns/rs'), undefined);
  });
});
