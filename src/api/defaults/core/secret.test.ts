import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { coreDefaulters } from './index.js';
import type { KubeObject } from '../../object.js';

describe('Secret defaults', () => {
  test('stringData is written into data as base64, over the same key, and is not kept', () => {
    const s = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { a: 'eA==', b: 'eQ==' }, stringData: { b: 'zz', c: 'é' } } as unknown as KubeObject;
    coreDefaulters['/Secret']?.(s);
    assert.deepEqual(s, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: 'Opaque', data: { a: 'eA==', b: 'eno=', c: 'w6k=' } });
  });
});
