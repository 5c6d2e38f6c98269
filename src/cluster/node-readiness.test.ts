import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeReadiness } from './node-readiness.js';

const node = (name: string, ready: string): object => ({ metadata: { name }, status: { conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: ready }] } });

describe('node readiness', () => {
  test('nodes whose Ready condition is True are ready; others and unregistered ones are not', () => {
    const list = { items: [node('c-node-1', 'True'), node('c-master', 'False'), node('stranger', 'True'), node('c-node-2', 'Unknown')] };
    assert.deepEqual(nodeReadiness(list, ['c-master', 'c-node-1', 'c-node-2', 'c-node-3']), { ready: ['c-node-1'], notReady: ['c-master', 'c-node-2', 'c-node-3'] });
  });

  test('a malformed list counts nothing as ready', () => {
    assert.deepEqual(nodeReadiness({ items: [{ metadata: {} }, 3] }, ['a']), { ready: [], notReady: ['a'] });
    assert.deepEqual(nodeReadiness(undefined, ['a']), { ready: [], notReady: ['a'] });
  });
});
