import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { downwardApiPayload, extractFieldPathAsString, extractResourceValue, formatMap, goQuote } from './downward-api.js';

const pod: Pod = {
  metadata: { name: 'web', namespace: 'prod', uid: 'u-1', labels: { zone: 'us-east', app: 'web' }, annotations: { 'build/commit': 'abc"1' } },
  spec: {
    containers: [
      { name: 'main', resources: { limits: { cpu: '500m', memory: '64Mi' }, requests: { cpu: '250m', memory: '32Mi' } } },
      { name: 'side' },
    ],
  },
};
const allocatable = { cpu: '4', memory: '8Gi', 'ephemeral-storage': '100Gi' };

describe('downward API files', () => {
  test('strings are quoted as Go\'s %q quotes them', () => {
    assert.equal(goQuote('plain'), '"plain"');
    assert.equal(goQuote('a"b\\c'), '"a\\"b\\\\c"');
    assert.equal(goQuote('line\nnext\ttab\x01\x7f'), '"line\\nnext\\ttab\\x01\\x7f"');
    assert.equal(goQuote('héllo ☺ 日本'), '"héllo ☺ 日本"');
    assert.equal(goQuote('zero\u200bwidth'), '"zero\\u200bwidth"');
  });

  test('labels and annotations are key="value" lines sorted by key, without a trailing newline', () => {
    assert.equal(formatMap({ zone: 'us-east', app: 'web' }), 'app="web"\nzone="us-east"');
    assert.equal(extractFieldPathAsString(pod, 'metadata.annotations'), 'build/commit="abc\\"1"');
    assert.equal(formatMap(undefined), '');
  });

  test('metadata fields and single labels or annotations by subscript are extracted', () => {
    assert.equal(extractFieldPathAsString(pod, 'metadata.name'), 'web');
    assert.equal(extractFieldPathAsString(pod, 'metadata.namespace'), 'prod');
    assert.equal(extractFieldPathAsString(pod, 'metadata.uid'), 'u-1');
    assert.equal(extractFieldPathAsString(pod, "metadata.labels['zone']"), 'us-east');
    assert.equal(extractFieldPathAsString(pod, "metadata.annotations['build/commit']"), 'abc"1');
    assert.equal(extractFieldPathAsString(pod, "metadata.labels['absent']"), '');
    assert.throws(() => extractFieldPathAsString(pod, 'spec.nodeName'), { message: 'unsupported fieldPath: spec.nodeName' });
    assert.throws(() => extractFieldPathAsString(pod, "metadata.name['x']"), { message: 'fieldPath "metadata.name[\'x\']" does not support subscript' });
  });

  test('container resources are divided by the divisor and rounded up; unset limits are the node\'s allocatable', () => {
    assert.equal(extractResourceValue({ containerName: 'main', resource: 'limits.cpu' }, pod, allocatable), '1');
    assert.equal(extractResourceValue({ containerName: 'main', resource: 'limits.cpu', divisor: '1m' }, pod, allocatable), '500');
    assert.equal(extractResourceValue({ containerName: 'main', resource: 'requests.cpu', divisor: '1m' }, pod, allocatable), '250');
    assert.equal(extractResourceValue({ containerName: 'main', resource: 'limits.memory', divisor: '1Mi' }, pod, allocatable), '64');
    assert.equal(extractResourceValue({ containerName: 'main', resource: 'limits.memory' }, pod, allocatable), String(64 * 1024 * 1024));
    assert.equal(extractResourceValue({ containerName: 'side', resource: 'limits.cpu' }, pod, allocatable), '4');
    assert.equal(extractResourceValue({ containerName: 'side', resource: 'limits.memory', divisor: '1Gi' }, pod, allocatable), '8');
    assert.equal(extractResourceValue({ containerName: 'side', resource: 'requests.memory' }, pod, allocatable), '0');
    assert.throws(() => extractResourceValue({ containerName: 'ghost', resource: 'limits.cpu' }, pod, allocatable), { message: 'container ghost not found' });
    assert.throws(() => extractResourceValue({ containerName: 'main', resource: 'limits.gpu' }, pod, allocatable), { message: 'unsupported container resource : limits.gpu' });
  });

  test('a volume\'s items become files with their modes; failed items are reported together', () => {
    const p = downwardApiPayload([
      { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
      { path: './sub/name', fieldRef: { fieldPath: 'metadata.name' }, mode: 0o400 },
      { path: 'cpu', resourceFieldRef: { containerName: 'main', resource: 'limits.cpu', divisor: '1m' } },
    ], pod, 0o644, allocatable);
    assert.deepEqual([...p].map(([k, v]) => [k, v.data.toString(), v.mode]), [
      ['labels', 'app="web"\nzone="us-east"', 0o644],
      ['sub/name', 'web', 0o400],
      ['cpu', '500', 0o644],
    ]);
    assert.throws(() => downwardApiPayload([
      { path: 'a', fieldRef: { fieldPath: 'status.podIP' } },
      { path: 'b', fieldRef: { fieldPath: 'spec.nodeName' } },
    ], pod, 0o644, allocatable), { message: '[unsupported fieldPath: status.podIP, unsupported fieldPath: spec.nodeName]' });
  });
});
