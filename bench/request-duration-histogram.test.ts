import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { histogramDelta, parseLabels, quantileBucket, requestDurationHistogram, requestTotal } from './request-duration-histogram.js';

function series(verb: string, resource: string, counts: readonly number[], sum: number): string[] {
  const base = `component="apiserver",group="",resource="${resource}",scope="namespace",subresource="",verb="${verb}",version="v1"`;
  const bounds = ['0.1', '1', '5'];
  const total = counts[counts.length - 1] ?? 0;
  return [
    ...bounds.map((b, i) => `apiserver_request_duration_seconds_bucket{${base},le="${b}"} ${counts[i] ?? 0}`),
    `apiserver_request_duration_seconds_bucket{${base},le="+Inf"} ${total}`,
    `apiserver_request_duration_seconds_sum{${base}} ${sum}`,
    `apiserver_request_duration_seconds_count{${base}} ${total}`,
  ];
}

const scrape = [
  '# HELP apiserver_request_total [STABLE] Counter of apiserver requests.',
  '# TYPE apiserver_request_total counter',
  'apiserver_request_total{code="200",component="apiserver",group="coordination.k8s.io",resource="leases",scope="namespace",subresource="",verb="PUT",version="v1"} 40',
  'apiserver_request_total{code="409",component="apiserver",group="coordination.k8s.io",resource="leases",scope="namespace",subresource="",verb="PUT",version="v1"} 2',
  'apiserver_request_total{code="201",component="apiserver",group="",resource="pods",scope="namespace",subresource="",verb="POST",version="v1"} 90',
  '# TYPE apiserver_request_duration_seconds histogram',
  ...series('POST', 'pods', [90, 99, 100], 4),
  ...series('PATCH', 'pods', [5, 10, 10], 2),
  ...series('GET', 'pods', [0, 0, 1000], 3000),
  'process_resident_memory_bytes 1234',
].join('\n');

describe('request duration histogram from /metrics', () => {
  test('labels are read with their escapes undone', () => {
    const labels = parseLabels('a="x",b="say \\"hi\\"",le="+Inf"');
    assert.equal(labels.get('a'), 'x');
    assert.equal(labels.get('b'), 'say "hi"');
    assert.equal(labels.get('le'), '+Inf');
  });

  test('the series of the mutating verbs are summed bucket by bucket and other verbs are left out', () => {
    const h = requestDurationHistogram(scrape);
    assert.deepEqual(h.bounds, [0.1, 1, 5]);
    assert.deepEqual(h.counts, [95, 109, 110]);
    assert.equal(h.count, 110);
    assert.equal(h.sum, 6);
  });

  test('the p99 bucket is the first whose cumulative count reaches 99% of the requests', () => {
    const h = requestDurationHistogram(scrape);
    assert.equal(quantileBucket(h, 0.5), 0.1);
    assert.equal(quantileBucket(h, 0.99), 1);
    assert.equal(quantileBucket(h, 1), 5);
    assert.equal(quantileBucket(requestDurationHistogram(scrape, ['GET']), 0.99), 5);
  });

  test('a quantile beyond the last finite bucket is infinite and one of no requests is not a number', () => {
    assert.equal(quantileBucket({ bounds: [1], counts: [1], count: 10, sum: 50 }, 0.99), Number.POSITIVE_INFINITY);
    assert.ok(Number.isNaN(quantileBucket({ bounds: [1], counts: [0], count: 0, sum: 0 }, 0.99)));
  });

  test('the difference of two scrapes holds only the requests between them', () => {
    const before = requestDurationHistogram(scrape);
    const after = requestDurationHistogram([scrape, ...series('DELETE', 'configmaps', [0, 3, 4], 9)].join('\n'));
    const delta = histogramDelta(after, before);
    assert.deepEqual(delta.counts, [0, 3, 4]);
    assert.equal(delta.count, 4);
    assert.equal(delta.sum, 9);
    assert.equal(quantileBucket(delta, 0.5), 1);
  });

  test('creates and updates labelled with the request verb count as POST and PUT', () => {
    const k8tsStyle = [...series('CREATE', 'pods', [1, 2, 2], 1), ...series('UPDATE', 'leases', [3, 3, 3], 1), ...series('LIST', 'pods', [0, 0, 7], 9)].join('\n');
    assert.equal(requestDurationHistogram(k8tsStyle).count, 5);
    assert.equal(requestDurationHistogram(k8tsStyle, ['PUT']).count, 3);
    assert.equal(requestTotal('apiserver_request_total{code="200",resource="leases",verb="UPDATE"} 7', { verb: 'PUT' }), 7);
  });

  test('request totals add up every series whose labels match, whatever the code', () => {
    assert.equal(requestTotal(scrape, { resource: 'leases', verb: 'PUT' }), 42);
    assert.equal(requestTotal(scrape, { verb: 'POST' }), 90);
    assert.equal(requestTotal(scrape, { verb: 'DELETE' }), 0);
  });
});
