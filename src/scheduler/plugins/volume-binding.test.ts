import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PersistentVolume, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import { buildSnapshot } from '../framework.js';
import { makeNode, makePod, runFilter } from '../test-objects.js';
import { volumeBinding } from './volume-binding.js';
import { volumeZone } from './volume-zone.js';

const zone = 'topology.kubernetes.io/zone';
const nodes = [makeNode('node-a', { labels: { [zone]: 'a' } }), makeNode('node-b', { labels: { [zone]: 'b' } })];

function claim(name: string, volumeName?: string, storageClassName?: string): PersistentVolumeClaim {
  return {
    metadata: { name, namespace: 'default' },
    spec: { ...(volumeName === undefined ? {} : { volumeName }), ...(storageClassName === undefined ? {} : { storageClassName }) },
  };
}

const localPv: PersistentVolume = {
  metadata: { name: 'local-pv' },
  spec: { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: zone, operator: 'In', values: ['a'] }] }] } } },
};
const zonalPv: PersistentVolume = { metadata: { name: 'zonal-pv', labels: { [zone]: 'b' } }, spec: {} };

function usingClaim(claimName: string): Pod {
  return makePod('db', { spec: { volumes: [{ name: 'data', persistentVolumeClaim: { claimName } }] } });
}

describe('VolumeBinding', () => {
  const snap = buildSnapshot(nodes, [], {
    persistentVolumes: [localPv, zonalPv],
    persistentVolumeClaims: [claim('data-local', 'local-pv'), claim('data-pending', undefined, 'standard'), claim('data-wffc', undefined, 'local-path')],
    storageClasses: [
      { metadata: { name: 'standard' }, provisioner: 'example.com/disk', volumeBindingMode: 'Immediate' },
      { metadata: { name: 'local-path' }, provisioner: 'rancher.io/local-path', volumeBindingMode: 'WaitForFirstConsumer' },
    ],
  });

  test("a bound claim's volume node affinity must match the node", () => {
    assert.equal(runFilter(volumeBinding, usingClaim('data-local'), snap, 'node-a'), null);
    assert.deepEqual(runFilter(volumeBinding, usingClaim('data-local'), snap, 'node-b'), {
      code: 'UnschedulableAndUnresolvable',
      reasons: ['node(s) had volume node affinity conflict'],
      plugin: 'VolumeBinding',
    });
  });

  test('a missing claim rejects the pod at PreFilter', () => {
    const s = runFilter(volumeBinding, usingClaim('nope'), snap, 'node-a');
    assert.ok(s !== null && s !== 'skip');
    assert.deepEqual(s.reasons, ['persistentvolumeclaim "nope" not found']);
  });

  test('an unbound claim of an Immediate class waits for binding, WaitForFirstConsumer does not', () => {
    const s = runFilter(volumeBinding, usingClaim('data-pending'), snap, 'node-a');
    assert.ok(s !== null && s !== 'skip');
    assert.deepEqual(s.reasons, ['pod has unbound immediate PersistentVolumeClaims']);
    assert.equal(runFilter(volumeBinding, usingClaim('data-wffc'), snap, 'node-a'), null);
  });

  test('pods without claims are skipped', () => {
    assert.equal(runFilter(volumeBinding, makePod('web'), snap, 'node-a'), 'skip');
  });
});

describe('VolumeZone', () => {
  const snap = buildSnapshot([...nodes, makeNode('no-zone')], [], { persistentVolumes: [zonalPv], persistentVolumeClaims: [claim('data-zonal', 'zonal-pv')] });

  test("a zonal volume only fits nodes of its zone, and nodes without zone labels", () => {
    assert.equal(runFilter(volumeZone, usingClaim('data-zonal'), snap, 'node-b'), null);
    assert.equal(runFilter(volumeZone, usingClaim('data-zonal'), snap, 'no-zone'), null);
    assert.deepEqual(runFilter(volumeZone, usingClaim('data-zonal'), snap, 'node-a'), {
      code: 'UnschedulableAndUnresolvable',
      reasons: ['node(s) had no available volume zone'],
      plugin: 'VolumeZone',
    });
  });
});
