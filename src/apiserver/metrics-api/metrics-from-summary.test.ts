import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { NodeStats, PodStats } from '../../kubelet/stats/summary.js';
import { cpuQuantity, memoryQuantity, nodeMetricsOf, podMetricsOf } from './metrics-from-summary.js';

const now = Date.parse('2024-05-01T10:00:07.400Z');

describe('cpuQuantity', () => {
  test('renders nanocores in the canonical DecimalSI form metrics-server sends', () => {
    assert.equal(cpuQuantity(12345), '12345n');
    assert.equal(cpuQuantity(5_000_000), '5m');
    assert.equal(cpuQuantity(12_345_000), '12345u');
    assert.equal(cpuQuantity(123_450_000), '123450u');
    assert.equal(cpuQuantity(1_000_000_000), '1');
    assert.equal(cpuQuantity(1_500_000_000), '1500m');
    assert.equal(cpuQuantity(2_000_000_000), '2');
    assert.equal(cpuQuantity(0), '0');
  });

  test('drops fractions of a nanocore', () => {
    assert.equal(cpuQuantity(999.9), '999n');
  });
});

describe('memoryQuantity', () => {
  test('renders bytes in the canonical BinarySI form', () => {
    assert.equal(memoryQuantity(123456 * 1024), '123456Ki');
    assert.equal(memoryQuantity(64 * 1024 * 1024), '64Mi');
    assert.equal(memoryQuantity(3 * 1024 ** 3), '3Gi');
    assert.equal(memoryQuantity(1025), '1025');
    assert.equal(memoryQuantity(0), '0');
  });

  test('falls back to DecimalSI below 1024 bytes as upstream does', () => {
    assert.equal(memoryQuantity(1000), '1k');
    assert.equal(memoryQuantity(512), '512');
  });
});

const node: Node = { metadata: { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1' } } };

describe('nodeMetricsOf', () => {
  test('makes NodeMetrics from the node stats, with the CPU sample time as timestamp', () => {
    const stats: NodeStats = {
      nodeName: 'n1',
      startTime: '2024-05-01T00:00:00Z',
      cpu: { time: '2024-05-01T10:00:05Z', usageNanoCores: 250_000_000, usageCoreNanoSeconds: 1 },
      memory: { time: '2024-05-01T10:00:05Z', workingSetBytes: 2048 * 1024 * 1024, usageBytes: 1 },
    };
    assert.deepEqual(nodeMetricsOf(node, stats, now), {
      metadata: { name: 'n1', creationTimestamp: '2024-05-01T10:00:07Z', labels: { 'kubernetes.io/hostname': 'n1' } },
      timestamp: '2024-05-01T10:00:05Z',
      window: '10s',
      usage: { cpu: '250m', memory: '2Gi' },
    });
  });

  test('leaves labels out when the node has none', () => {
    const stats: NodeStats = {
      nodeName: 'n1',
      startTime: '2024-05-01T00:00:00Z',
      cpu: { time: '2024-05-01T10:00:05Z', usageNanoCores: 1 },
      memory: { time: '2024-05-01T10:00:05Z', workingSetBytes: 1 },
    };
    assert.equal('labels' in (nodeMetricsOf({ metadata: { name: 'n1' } }, stats, now)?.metadata ?? {}), false);
  });

  test('has no metrics before the kubelet has a CPU rate or a working set', () => {
    const base: NodeStats = { nodeName: 'n1', startTime: '2024-05-01T00:00:00Z' };
    assert.equal(nodeMetricsOf(node, { ...base, cpu: { time: '2024-05-01T10:00:05Z', usageCoreNanoSeconds: 5 }, memory: { time: '2024-05-01T10:00:05Z', workingSetBytes: 1 } }, now), undefined);
    assert.equal(nodeMetricsOf(node, { ...base, cpu: { time: '2024-05-01T10:00:05Z', usageNanoCores: 5 } }, now), undefined);
  });
});

const pod: Pod = { metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } }, status: { phase: 'Running' } };

function containerStats(name: string, nanoCores: number | undefined, workingSet: number, time: string): PodStats['containers'][number] {
  return {
    name,
    startTime: '2024-05-01T09:00:00Z',
    cpu: { time, ...(nanoCores !== undefined ? { usageNanoCores: nanoCores } : {}) },
    memory: { time, workingSetBytes: workingSet },
  };
}

describe('podMetricsOf', () => {
  test('makes PodMetrics with every container in the kubelet order and the earliest sample time', () => {
    const stats: PodStats = {
      podRef: { name: 'web', namespace: 'default', uid: 'u' },
      startTime: '2024-05-01T09:00:00Z',
      containers: [containerStats('app', 998_765_432, 5 * 1024 * 1024, '2024-05-01T10:00:06Z'), containerStats('sidecar', 12345, 700 * 1024, '2024-05-01T10:00:04Z')],
    };
    assert.deepEqual(podMetricsOf(pod, stats, now), {
      metadata: { name: 'web', namespace: 'default', creationTimestamp: '2024-05-01T10:00:07Z', labels: { app: 'web' } },
      timestamp: '2024-05-01T10:00:04Z',
      window: '10s',
      containers: [
        { name: 'app', usage: { cpu: '998765432n', memory: '5Mi' } },
        { name: 'sidecar', usage: { cpu: '12345n', memory: '700Ki' } },
      ],
    });
  });

  test('leaves out a pod one of whose containers has no CPU rate yet', () => {
    const stats: PodStats = {
      podRef: { name: 'web', namespace: 'default', uid: 'u' },
      startTime: '2024-05-01T09:00:00Z',
      containers: [containerStats('app', 1, 1, '2024-05-01T10:00:06Z'), containerStats('new', undefined, 1, '2024-05-01T10:00:06Z')],
    };
    assert.equal(podMetricsOf(pod, stats, now), undefined);
  });

  test('leaves out a pod whose containers the kubelet does not report yet', () => {
    assert.equal(podMetricsOf(pod, { podRef: { name: 'web', namespace: 'default', uid: 'u' }, startTime: '2024-05-01T09:00:00Z', containers: [] }, now), undefined);
  });

  test('renders another window when given one, in Go duration form', () => {
    const stats: PodStats = {
      podRef: { name: 'web', namespace: 'default', uid: 'u' },
      startTime: '2024-05-01T09:00:00Z',
      containers: [containerStats('app', 1, 1, '2024-05-01T10:00:06Z')],
    };
    assert.equal(podMetricsOf(pod, stats, now, 90_500)?.window, '1m30.5s');
  });
});

describe('a kubelet summary with a figure that is not a number', () => {
  test('leaves that node out instead of failing, and the quantities never throw', () => {
    const node = { metadata: { name: 'n1' } };
    const bad = { nodeName: 'n1', cpu: { time: '2026-11-22T10:00:00Z', usageNanoCores: 'abc' as unknown as number }, memory: { time: '2026-11-22T10:00:00Z', workingSetBytes: 1024 } };
    assert.equal(nodeMetricsOf(node, bad as unknown as Parameters<typeof nodeMetricsOf>[1], Date.parse('2026-11-22T10:00:05Z')), undefined);
    assert.equal(cpuQuantity(Number.NaN), '0');
    assert.equal(memoryQuantity(Number.POSITIVE_INFINITY), '0');
  });
});
