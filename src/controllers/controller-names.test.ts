import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalControllerName, controllerNames } from './controller-names.js';
import { startableControllerNames } from './index.js';

describe('controller names', () => {
  test('the command line knows exactly the controllers the controller manager starts', () => {
    assert.deepEqual([...controllerNames].sort(), [...startableControllerNames].sort());
  });

  test('a name is accepted with or without the -controller suffix, and an unknown one is not', () => {
    assert.equal(canonicalControllerName('replicaset'), 'replicaset-controller');
    assert.equal(canonicalControllerName('replicaset-controller'), 'replicaset-controller');
    assert.equal(canonicalControllerName('no-such'), undefined);
  });
});
