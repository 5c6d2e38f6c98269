import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Summary } from '../kubelet/stats/summary.js';
import { formatGoFloat, formatResourceMetrics } from './metrics-resource.js';

describe('formatGoFloat', () => {
  test("prints floats as Go's shortest %g: plain below 1e6, exponent form from 1e6 and below 1e-4", () => {
    assert.equal(formatGoFloat(0), '0');
    assert.equal(formatGoFloat(12.34), '12.34');
    assert.equal(formatGoFloat(123456), '123456');
    assert.equal(formatGoFloat(1e6), '1e+06');
    assert.equal(formatGoFloat(1700000000.5), '1.7000000005e+09');
    assert.equal(formatGoFloat(1234567.5), '1.2345675e+06');
    assert.equal(formatGoFloat(0.0001), '0.0001');
    assert.equal(formatGoFloat(0.00001), '1e-05');
    assert.equal(formatGoFloat(1e100), '1e+100');
    assert.equal(formatGoFloat(Number.NaN), 'NaN');
  });
});

describe('formatResourceMetrics', () => {
  const summary: Summary = {
    node: {
      nodeName: 'n',
      startTime: '2026-01-01T00:00:00Z',
      cpu: { time: '2026-11-22T14:00:00Z', usageNanoCores: 5, usageCoreNanoSeconds: 2_500_000_000 },
      memory: { time: '2026-11-22T14:00:00Z', workingSetBytes: 1048576 },
    },
    pods: [
      {
        podRef: { name: 'web', namespace: 'default', uid: 'u' },
        startTime: '2026-11-22T13:00:00Z',
        cpu: { time: '2026-11-22T14:00:01Z', usageCoreNanoSeconds: 3e9 },
        memory: { time: '2026-11-22T14:00:01Z', workingSetBytes: 2048 },
        containers: [
          { name: 'b', startTime: '2026-11-22T13:00:05Z', cpu: { time: '2026-11-22T14:00:01Z', usageCoreNanoSeconds: 1e9 }, memory: { time: '2026-11-22T14:00:01Z', workingSetBytes: 1024 } },
          { name: 'a"x', startTime: '2026-11-22T13:00:05Z', cpu: { time: '2026-11-22T14:00:01Z', usageCoreNanoSeconds: 2e9 } },
        ],
      },
    ],
  };

  test('writes the stable families sorted by name with HELP, TYPE, sorted labels and millisecond timestamps', () => {
    const t0 = Date.parse('2026-11-22T14:00:00Z');
    const t1 = t0 + 1000;
    const start = Date.parse('2026-11-22T13:00:05Z') / 1000;
    assert.equal(
      formatResourceMetrics(summary),
      [
        '# HELP container_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the container in core-seconds',
        '# TYPE container_cpu_usage_seconds_total counter',
        `container_cpu_usage_seconds_total{container="a\\"x",namespace="default",pod="web"} 2 ${t1}`,
        `container_cpu_usage_seconds_total{container="b",namespace="default",pod="web"} 1 ${t1}`,
        '# HELP container_memory_working_set_bytes [STABLE] Current working set of the container in bytes',
        '# TYPE container_memory_working_set_bytes gauge',
        `container_memory_working_set_bytes{container="b",namespace="default",pod="web"} 1024 ${t1}`,
        '# HELP container_start_time_seconds [STABLE] Start time of the container since unix epoch in seconds',
        '# TYPE container_start_time_seconds gauge',
        `container_start_time_seconds{container="a\\"x",namespace="default",pod="web"} ${formatGoFloat(start)}`,
        `container_start_time_seconds{container="b",namespace="default",pod="web"} ${formatGoFloat(start)}`,
        '# HELP node_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the node in core-seconds',
        '# TYPE node_cpu_usage_seconds_total counter',
        `node_cpu_usage_seconds_total 2.5 ${t0}`,
        '# HELP node_memory_working_set_bytes [STABLE] Current working set of the node in bytes',
        '# TYPE node_memory_working_set_bytes gauge',
        `node_memory_working_set_bytes 1.048576e+06 ${t0}`,
        '# HELP pod_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the pod in core-seconds',
        '# TYPE pod_cpu_usage_seconds_total counter',
        `pod_cpu_usage_seconds_total{namespace="default",pod="web"} 3 ${t1}`,
        '# HELP pod_memory_working_set_bytes [STABLE] Current working set of the pod in bytes',
        '# TYPE pod_memory_working_set_bytes gauge',
        `pod_memory_working_set_bytes{namespace="default",pod="web"} 2048 ${t1}`,
        '# HELP resource_scrape_error [STABLE] 1 if there was an error while getting container metrics, 0 otherwise',
        '# TYPE resource_scrape_error gauge',
        'resource_scrape_error 0',
        '',
      ].join('\n'),
    );
  });

  test('a failed summary is only resource_scrape_error 1', () => {
    assert.equal(
      formatResourceMetrics(undefined),
      '# HELP resource_scrape_error [STABLE] 1 if there was an error while getting container metrics, 0 otherwise\n# TYPE resource_scrape_error gauge\nresource_scrape_error 1\n',
    );
  });
});
