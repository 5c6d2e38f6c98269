import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { NodeMetrics, PodMetrics } from './metrics-from-summary.js';
import { nodeMetricsTable, podMetricsTable, podUsage } from './metrics-table.js';

const nodeM: NodeMetrics = {
  metadata: { name: 'n1', creationTimestamp: '2024-05-01T10:00:07Z' },
  timestamp: '2024-05-01T10:00:05Z',
  window: '10s',
  usage: { cpu: '250m', memory: '2Gi' },
};
const podM: PodMetrics = {
  metadata: { name: 'web', namespace: 'default', creationTimestamp: '2024-05-01T10:00:07Z' },
  timestamp: '2024-05-01T10:00:05Z',
  window: '10s',
  containers: [
    { name: 'a', usage: { cpu: '5m', memory: '1Mi' } },
    { name: 'b', usage: { cpu: '12345n', memory: '512Ki' } },
  ],
};

describe('podUsage', () => {
  test("adds up the containers' usage", () => {
    assert.deepEqual(podUsage(podM), { cpu: '5012345n', memory: '1536Ki' });
  });
});

describe('nodeMetricsTable', () => {
  test("has metrics-server's columns and one row per node with its metadata as the row object", () => {
    const t = nodeMetricsTable([nodeM]) as { columnDefinitions: { name: string; format: string }[]; rows: { cells: unknown[]; object: unknown }[] };
    assert.deepEqual(t.columnDefinitions.map((c) => [c.name, c.format]), [['Name', 'name'], ['cpu', 'quantity'], ['memory', 'quantity'], ['Window', 'duration']]);
    assert.deepEqual(t.rows[0]?.cells, ['n1', '250m', '2Gi', '10s']);
    assert.deepEqual(t.rows[0]?.object, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: nodeM.metadata });
  });

  test('has null columns and rows when there are no metrics, as Go encodes nil slices', () => {
    assert.deepEqual(nodeMetricsTable([]), { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: {}, columnDefinitions: null, rows: null });
  });
});

describe('podMetricsTable', () => {
  test("shows a pod's summed usage and carries the whole object when asked for it", () => {
    const t = podMetricsTable([podM], 'Object') as { rows: { cells: unknown[]; object: { kind: string; apiVersion: string } }[] };
    assert.deepEqual(t.rows[0]?.cells, ['web', '5012345n', '1536Ki', '10s']);
    assert.equal(t.rows[0]?.object.kind, 'PodMetrics');
    assert.equal(t.rows[0]?.object.apiVersion, 'metrics.k8s.io/v1beta1');
  });

  test('leaves the row object out with includeObject=None', () => {
    const t = podMetricsTable([podM], 'None') as { rows: Record<string, unknown>[] };
    assert.equal('object' in (t.rows[0] ?? {}), false);
  });
});
