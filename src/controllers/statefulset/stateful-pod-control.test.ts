import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import { claimEventMessage, claimOwnerRefs, podEventMessage } from './stateful-pod-control.js';
import { makePod, makeSet } from './test-fixtures.js';

describe('StatefulPodControl events and claim owners', () => {
  test('pod and claim events are worded as upstream records them', () => {
    assert.equal(podEventMessage('create', 'web-0', 'web'), 'create Pod web-0 in StatefulSet web successful');
    assert.equal(podEventMessage('delete', 'web-1', 'web'), 'delete Pod web-1 in StatefulSet web successful');
    assert.equal(podEventMessage('create', 'mongo-0', 'mongo', new Error('Pod "mongo-0" is invalid')), 'create Pod mongo-0 in StatefulSet mongo failed error: Pod "mongo-0" is invalid');
    assert.equal(claimEventMessage('create', 'www-web-0', 'web-0', 'web'), 'create Claim www-web-0 Pod web-0 in StatefulSet web success');
    assert.equal(claimEventMessage('create', 'www-web-0', 'web-0', 'web', new Error('nope')), 'create Claim www-web-0 for Pod web-0 in StatefulSet web failed error: nope');
  });

  const claim: PersistentVolumeClaim = { metadata: { name: 'www-web-1', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'other', uid: 'cm' }] } };

  test('Retain/Retain leaves a claim with only the owners it had', () => {
    const set = makeSet('web', 2);
    assert.deepEqual(claimOwnerRefs(claim, set, makePod(set, 1, 'r')), claim.metadata?.ownerReferences);
  });

  test('whenDeleted Delete makes the set the controller of a claim in range', () => {
    const set = makeSet('web', 2, { persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' } });
    const refs = claimOwnerRefs(claim, set, makePod(set, 1, 'r'));
    assert.deepEqual(
      refs.map((r) => [r.kind, r.name, r.controller ?? false]),
      [
        ['ConfigMap', 'other', false],
        ['StatefulSet', 'web', true],
      ],
    );
  });

  test('whenScaled Delete hands a scaled-down claim to its pod instead of the set', () => {
    const set = makeSet('web', 1, { persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' } });
    const owned: PersistentVolumeClaim = { metadata: { name: 'www-web-1', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'uid-web', controller: true }] } };
    const refs = claimOwnerRefs(owned, set, makePod(set, 1, 'r'));
    assert.deepEqual(
      refs.map((r) => [r.kind, r.name, r.uid]),
      [['Pod', 'web-1', 'pod-uid-1']],
    );
  });

  test('a claim controlled by someone else loses our references and gains none', () => {
    const set = makeSet('web', 2, { persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' } });
    const foreign: PersistentVolumeClaim = { metadata: { name: 'www-web-1', ownerReferences: [{ apiVersion: 'v1', kind: 'Foo', name: 'f', uid: 'f', controller: true }] } };
    assert.deepEqual(claimOwnerRefs(foreign, set, makePod(set, 1, 'r')), foreign.metadata?.ownerReferences);
  });
});
