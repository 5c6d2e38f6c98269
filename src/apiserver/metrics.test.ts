import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiMetrics, metricsVerb, type RequestLabels } from './metrics.js';

const listPods: RequestLabels = { verb: 'LIST', group: '', version: 'v1', resource: 'pods', subresource: '', scope: 'namespace' };
const getDeploy: RequestLabels = { verb: 'GET', group: 'apps', version: 'v1', resource: 'deployments', subresource: 'scale', scope: 'resource' };

function samples(text: string, name: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

describe('ApiMetrics.render', () => {
  test('every line is a comment or a sample in the Prometheus text format, ending in a newline', () => {
    const m = new ApiMetrics();
    m.observe(listPods, 200, 0.01);
    const text = m.render();
    assert.ok(text.endsWith('\n'));
    for (const line of text.trimEnd().split('\n')) {
      assert.match(line, /^(# (HELP|TYPE) [a-z_]+ .+|[a-z_]+(\{([a-z_]+="(?:[^"\\]|\\.)*",?)+\})? -?[0-9.e+-]+)$/, line);
    }
  });

  test('request totals are counted per code and label set, with the component label', () => {
    const m = new ApiMetrics();
    m.observe(listPods, 200, 0.01);
    m.observe(listPods, 200, 0.02);
    m.observe(listPods, 500, 0.02);
    const totals = samples(m.render(), 'apiserver_request_total');
    assert.equal(totals.get('apiserver_request_total{code="200",component="apiserver",group="",resource="pods",scope="namespace",subresource="",verb="LIST",version="v1"}'), 2);
    assert.equal(totals.get('apiserver_request_total{code="500",component="apiserver",group="",resource="pods",scope="namespace",subresource="",verb="LIST",version="v1"}'), 1);
  });

  test('the types are a counter and a histogram', () => {
    const text = new ApiMetrics().render();
    assert.ok(text.includes('# TYPE apiserver_request_total counter\n'));
    assert.ok(text.includes('# TYPE apiserver_request_duration_seconds histogram\n'));
  });

  test('duration buckets are upstream\'s, cumulative, and +Inf equals the count', () => {
    const m = new ApiMetrics();
    for (const s of [0.001, 0.03, 0.3, 7, 100]) m.observe(getDeploy, 200, s);
    const text = m.render();
    const labels = 'component="apiserver",group="apps",resource="deployments",scope="resource",subresource="scale",verb="GET",version="v1"';
    const buckets = [...samples(text, 'apiserver_request_duration_seconds_bucket')].filter(([k]) => k.includes(labels));
    const les = buckets.map(([k]) => /le="([^"]+)"/.exec(k)?.[1]);
    assert.deepEqual(les, ['0.005', '0.025', '0.05', '0.1', '0.2', '0.4', '0.6', '0.8', '1', '1.25', '1.5', '2', '3', '4', '5', '6', '8', '10', '15', '20', '30', '45', '60', '+Inf']);
    const counts = buckets.map(([, v]) => v);
    for (let i = 1; i < counts.length; i++) assert.ok((counts[i] ?? 0) >= (counts[i - 1] ?? 0), 'cumulative');
    const byLe = new Map(buckets.map(([k, v]) => [/le="([^"]+)"/.exec(k)?.[1], v]));
    assert.equal(byLe.get('0.005'), 1);
    assert.equal(byLe.get('0.05'), 2);
    assert.equal(byLe.get('0.4'), 3);
    assert.equal(byLe.get('8'), 4);
    assert.equal(byLe.get('60'), 4);
    assert.equal(byLe.get('+Inf'), 5);
    assert.equal(samples(text, 'apiserver_request_duration_seconds_count').get(`apiserver_request_duration_seconds_count{${labels}}`), 5);
    const sum = samples(text, 'apiserver_request_duration_seconds_sum').get(`apiserver_request_duration_seconds_sum{${labels}}`) ?? 0;
    assert.ok(Math.abs(sum - 107.331) < 1e-9);
  });

  test('watches are counted but not timed', () => {
    const m = new ApiMetrics();
    m.observe({ ...listPods, verb: 'WATCH' }, 200, 300);
    const text = m.render();
    assert.equal([...samples(text, 'apiserver_request_total').keys()].filter((k) => k.includes('verb="WATCH"')).length, 1);
    assert.ok(!text.includes('apiserver_request_duration_seconds_bucket{'));
  });

  test('label values are escaped', () => {
    const m = new ApiMetrics();
    m.observe({ ...listPods, resource: 'we"ird\\name\nx' }, 200, 0);
    assert.ok(m.render().includes('resource="we\\"ird\\\\name\\nx"'));
  });

  test('process metrics are present', () => {
    const text = new ApiMetrics().render();
    assert.match(text, /\nprocess_resident_memory_bytes \d+\n/);
    assert.match(text, /\nprocess_start_time_seconds \d+\n/);
  });
});

describe('the verb label', () => {
  test('writes are labelled with their HTTP verbs and server-side apply as APPLY, as upstream labels them', () => {
    assert.deepEqual(
      ['create', 'update', 'patch', 'delete', 'deletecollection', 'get', 'list', 'watch'].map((v) => metricsVerb(v, 'application/json')),
      ['POST', 'PUT', 'PATCH', 'DELETE', 'DELETECOLLECTION', 'GET', 'LIST', 'WATCH'],
    );
    assert.equal(metricsVerb('patch', 'application/apply-patch+yaml'), 'APPLY');
  });
});
