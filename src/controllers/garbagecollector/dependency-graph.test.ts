import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DependencyGraph, type ObjectIdentity, type ObservedObject, type OwnerReference } from './dependency-graph.js';

function id(kind: string, name: string, uid: string, namespace = 'default'): ObjectIdentity {
  return { apiVersion: kind === 'ReplicaSet' ? 'apps/v1' : 'v1', kind, namespace, name, uid };
}

function ref(owner: ObjectIdentity, blockOwnerDeletion?: boolean): OwnerReference {
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.name, uid: owner.uid, ...(blockOwnerDeletion === undefined ? {} : { blockOwnerDeletion }) };
}

function obj(identity: ObjectIdentity, owners: OwnerReference[] = [], extra: { finalizers?: string[]; beingDeleted?: boolean } = {}): ObservedObject {
  return { identity, ownerReferences: owners, finalizers: extra.finalizers ?? [], beingDeleted: extra.beingDeleted ?? false };
}

const rs = id('ReplicaSet', 'rs', 'u-rs');
const podA = id('Pod', 'a', 'u-a');
const podB = id('Pod', 'b', 'u-b');

describe('DependencyGraph', () => {
  test('a dependent observed before its owner creates a virtual owner node that the collector must check', () => {
    const g = new DependencyGraph();
    const actions = g.observe(obj(podA, [ref(rs)]));
    assert.deepEqual(actions.attemptToDelete, ['u-rs']);
    const owner = g.get('u-rs');
    assert.ok(owner);
    assert.equal(owner.observed, false);
    assert.deepEqual([...owner.dependents].map((d) => d.identity.name), ['a']);
  });

  test('observing the owner turns its virtual node into a real one without new work', () => {
    const g = new DependencyGraph();
    g.observe(obj(podA, [ref(rs)]));
    const actions = g.observe(obj(rs));
    assert.deepEqual(actions, { attemptToDelete: [], attemptToOrphan: [], absent: [] });
    assert.equal(g.get('u-rs')?.observed, true);
  });

  test('deleting an owner sends its dependents to attemptToDelete and records the owner as absent', () => {
    const g = new DependencyGraph();
    g.observe(obj(rs));
    g.observe(obj(podA, [ref(rs)]));
    g.observe(obj(podB, [ref(rs)]));
    const actions = g.remove(rs, false);
    assert.deepEqual(actions.attemptToDelete.sort(), ['u-a', 'u-b']);
    assert.deepEqual(actions.absent, [rs]);
    assert.equal(g.get('u-rs'), undefined);
  });

  test('an owner entering foreground deletion queues its dependents and itself', () => {
    const g = new DependencyGraph();
    g.observe(obj(rs));
    g.observe(obj(podA, [ref(rs, true)]));
    const actions = g.observe(obj(rs, [], { finalizers: ['foregroundDeletion'], beingDeleted: true }));
    assert.deepEqual(actions.attemptToDelete, ['u-a', 'u-rs']);
    const again = g.observe(obj(rs, [], { finalizers: ['foregroundDeletion'], beingDeleted: true }));
    assert.deepEqual(again.attemptToDelete, [], 'only the transition queues work');
  });

  test('blocking dependents are those whose reference has blockOwnerDeletion', () => {
    const g = new DependencyGraph();
    g.observe(obj(rs, [], { finalizers: ['foregroundDeletion'], beingDeleted: true }));
    g.observe(obj(podA, [ref(rs, true)]));
    g.observe(obj(podB, [ref(rs, false)]));
    const owner = g.get('u-rs');
    assert.ok(owner);
    assert.deepEqual(g.blockingDependents(owner).map((d) => d.identity.name), ['a']);
  });

  test('a blocking dependent that goes away queues its foreground-deleting owner', () => {
    const g = new DependencyGraph();
    g.observe(obj(rs, [], { finalizers: ['foregroundDeletion'], beingDeleted: true }));
    g.observe(obj(podA, [ref(rs, true)]));
    assert.deepEqual(g.remove(podA, false).attemptToDelete, ['u-rs']);
  });

  test('dropping a blocking reference or its blockOwnerDeletion queues a foreground-deleting owner', () => {
    const g = new DependencyGraph();
    g.observe(obj(rs, [], { finalizers: ['foregroundDeletion'], beingDeleted: true }));
    g.observe(obj(podA, [ref(rs, true)]));
    g.observe(obj(podB, [ref(rs, true)]));
    assert.deepEqual(g.observe(obj(podA, [ref(rs, false)])).attemptToDelete, ['u-rs']);
    assert.deepEqual(g.observe(obj(podB, [])).attemptToDelete, ['u-rs']);
    const owner = g.get('u-rs');
    assert.ok(owner);
    assert.deepEqual([...owner.dependents].map((d) => d.identity.name), ['a']);
  });

  test('an owner with the orphan finalizer being deleted is queued for orphaning once', () => {
    const g = new DependencyGraph();
    g.observe(obj(rs));
    g.observe(obj(podA, [ref(rs)]));
    assert.deepEqual(g.observe(obj(rs, [], { finalizers: ['orphan'], beingDeleted: true })).attemptToOrphan, ['u-rs']);
    assert.deepEqual(g.observe(obj(rs, [], { finalizers: ['orphan'], beingDeleted: true })).attemptToOrphan, []);
  });

  test('dependents across kinds hang off the same owner node', () => {
    const g = new DependencyGraph();
    const pod = id('Pod', 'p', 'u-p');
    const cm = id('ConfigMap', 'c', 'u-c');
    g.observe(obj(pod));
    g.observe(obj(cm, [ref(pod)]));
    assert.deepEqual(g.remove(pod, false).attemptToDelete, ['u-c']);
  });

  test('a virtual delete of a virtual owner removes it and queues its dependents', () => {
    const g = new DependencyGraph();
    g.observe(obj(podA, [ref(rs)]));
    const actions = g.remove(rs, true);
    assert.deepEqual(actions.attemptToDelete, ['u-a']);
    assert.equal(g.get('u-rs'), undefined);
  });

  test('a virtual delete at other coordinates does not remove an observed node, only queues the dependents that named them', () => {
    const g = new DependencyGraph();
    g.observe(obj(rs));
    const wrongKind: ObjectIdentity = { ...rs, apiVersion: 'v1', kind: 'ConfigMap' };
    g.observe(obj(podA, [ref(wrongKind)]));
    g.observe(obj(podB, [ref(rs)]));
    const actions = g.remove(wrongKind, true);
    assert.deepEqual(actions.attemptToDelete, ['u-a']);
    assert.deepEqual(actions.absent, [wrongKind]);
    assert.equal(g.get('u-rs')?.observed, true);
    assert.deepEqual(g.remove(rs, true).attemptToDelete.sort(), ['u-a', 'u-b'], 'a virtual delete at its own coordinates removes an observed node');
  });
});
