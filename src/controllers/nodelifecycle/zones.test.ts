import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { zoneFullyDisrupted, zoneKey } from './node-lifecycle-controller.js';

describe('zones', () => {
  test('a node without topology labels is in the zone ""', () => {
    assert.equal(zoneKey({ metadata: { name: 'n' } }), '');
  });

  test('the zone key joins region and zone, from the stable or the beta labels', () => {
    assert.equal(zoneKey({ metadata: { labels: { 'topology.kubernetes.io/region': 'r1', 'topology.kubernetes.io/zone': 'z1' } } }), 'r1:\x00:z1');
    assert.equal(zoneKey({ metadata: { labels: { 'failure-domain.beta.kubernetes.io/zone': 'z2' } } }), ':\x00:z2');
  });

  test('a zone is fully disrupted when none of its nodes is Ready', () => {
    assert.equal(zoneFullyDisrupted([{ type: 'Ready', status: 'Unknown' }, { type: 'Ready', status: 'False' }, undefined]), true);
    assert.equal(zoneFullyDisrupted([{ type: 'Ready', status: 'Unknown' }, { type: 'Ready', status: 'True' }]), false);
    assert.equal(zoneFullyDisrupted([]), false);
  });
});
