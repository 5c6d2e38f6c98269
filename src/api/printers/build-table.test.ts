import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { StoredObject } from '../object.js';
import { findResource, type ResourceInfo } from '../resources.js';
import { buildTable } from './index.js';

const now = new Date('2024-05-01T12:00:00Z');
const pods = findResource('', 'v1', 'pods') as ResourceInfo;
const done: StoredObject = {
  metadata: { name: 'job-x', namespace: 'default', creationTimestamp: '2024-05-01T11:00:00Z', uid: 'u1', labels: { a: 'b' } },
  spec: { containers: [{ name: 'c' }] },
  status: { phase: 'Succeeded', containerStatuses: [{ name: 'c', image: 'i', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] },
};

describe('buildTable', () => {
  test('returns a meta.k8s.io/v1 Table with PartialObjectMetadata rows for includeObject=Metadata', () => {
    const t = buildTable(pods, [done], now, { includeObject: 'Metadata' });
    assert.equal(t.kind, 'Table');
    assert.equal(t.apiVersion, 'meta.k8s.io/v1');
    assert.deepEqual(t.metadata, {});
    assert.deepEqual(t.columnDefinitions.map((c) => c.name), ['Name', 'Ready', 'Status', 'Restarts', 'Age', 'IP', 'Node', 'Nominated Node', 'Readiness Gates']);
    assert.deepEqual(t.rows[0]?.cells, ['job-x', '0/1', 'Completed', '0', '60m', '<none>', '<none>', '<none>', '<none>']);
    assert.deepEqual(t.rows[0]?.object, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: done.metadata });
    assert.deepEqual(t.rows[0]?.conditions, [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }]);
  });

  test('embeds the whole object for Object, as served when a conversion is given, and nothing for None', () => {
    assert.equal(buildTable(pods, [done], now, { includeObject: 'Object' }).rows[0]?.object, done);
    const served = buildTable(pods, [done], now, { includeObject: 'Object', asServed: (o) => ({ ...o, apiVersion: 'v1', kind: 'Pod' }) });
    assert.equal(served.rows[0]?.object?.kind, 'Pod');
    const none = buildTable(pods, [done], now, { includeObject: 'None' });
    assert.equal('object' in (none.rows[0] ?? {}), false);
  });

  test('returns an empty rows array for an empty list', () => {
    const t = buildTable(pods, [], now, { includeObject: 'Metadata' });
    assert.deepEqual(t.rows, []);
    assert.equal(t.columnDefinitions.length, 9);
  });

  test('marks -o wide columns with priority 1 and names the Name column format name', () => {
    const cols = buildTable(pods, [], now, { includeObject: 'None' }).columnDefinitions;
    assert.deepEqual(cols.filter((c) => c.priority === 1).map((c) => c.name), ['IP', 'Node', 'Nominated Node', 'Readiness Gates']);
    assert.equal(cols[0]?.format, 'name');
    assert.ok(cols.every((c) => c.description.length > 0));
  });
});
