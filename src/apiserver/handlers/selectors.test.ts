import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { StoredObject } from '../../api/object.js';
import { findResource, type ResourceInfo } from '../../api/resources.js';
import { ApiError } from '../../machinery/errors.js';
import { selects, selectsEverything } from '../registry/selection.js';
import { parseSelection } from './selectors.js';

function resource(group: string, version: string, plural: string): ResourceInfo {
  const r = findResource(group, version, plural);
  assert.ok(r);
  return r;
}

const pods = resource('', 'v1', 'pods');
const coreEvents = resource('', 'v1', 'events');
const eventsV1 = resource('events.k8s.io', 'v1', 'events');
const secrets = resource('', 'v1', 'secrets');

function pod(name: string, labels: Record<string, string>, nodeName: string, phase: string): StoredObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels }, spec: { nodeName, containers: [] }, status: { phase } };
}

const q = (s: string): URLSearchParams => new URLSearchParams(s);

describe('parseSelection', () => {
  test('no selectors select everything', () => {
    const sel = parseSelection(q(''), pods);
    assert.equal(selectsEverything(sel), true);
    assert.equal(selects(sel, pods, pod('a', {}, '', 'Pending')), true);
  });

  test('blank selectors select everything', () => {
    assert.equal(selectsEverything(parseSelection(q('labelSelector=%20&fieldSelector='), pods)), true);
  });

  test('an equality label selector picks matching labels', () => {
    const sel = parseSelection(q('labelSelector=app%3Dweb'), pods);
    assert.equal(selects(sel, pods, pod('a', { app: 'web' }, '', 'Pending')), true);
    assert.equal(selects(sel, pods, pod('b', { app: 'db' }, '', 'Pending')), false);
    assert.equal(selects(sel, pods, pod('c', {}, '', 'Pending')), false);
  });

  test('set-based label selectors work, including existence and negation', () => {
    const sel = parseSelection(q(`labelSelector=${encodeURIComponent('tier in (front,back),!canary,env')}`), pods);
    assert.equal(selects(sel, pods, pod('a', { tier: 'front', env: 'prod' }, '', 'Pending')), true);
    assert.equal(selects(sel, pods, pod('b', { tier: 'front', env: 'prod', canary: 'yes' }, '', 'Pending')), false);
    assert.equal(selects(sel, pods, pod('c', { tier: 'middle', env: 'prod' }, '', 'Pending')), false);
    assert.equal(selects(sel, pods, pod('d', { tier: 'back' }, '', 'Pending')), false);
  });

  test('field selectors on pods match spec.nodeName and status.phase', () => {
    const sel = parseSelection(q(`fieldSelector=${encodeURIComponent('spec.nodeName=n1,status.phase!=Failed')}`), pods);
    assert.equal(selects(sel, pods, pod('a', {}, 'n1', 'Running')), true);
    assert.equal(selects(sel, pods, pod('b', {}, 'n2', 'Running')), false);
    assert.equal(selects(sel, pods, pod('c', {}, 'n1', 'Failed')), false);
  });

  test('an unscheduled pod matches spec.nodeName=""', () => {
    const sel = parseSelection(q('fieldSelector=spec.nodeName%3D'), pods);
    assert.equal(selects(sel, pods, pod('a', {}, '', 'Pending')), true);
    assert.equal(selects(sel, pods, pod('b', {}, 'n1', 'Pending')), false);
  });

  test('label and field selectors must both match', () => {
    const sel = parseSelection(q('labelSelector=app%3Dweb&fieldSelector=metadata.name%3Da'), pods);
    assert.equal(selects(sel, pods, pod('a', { app: 'web' }, '', 'Pending')), true);
    assert.equal(selects(sel, pods, pod('a', { app: 'db' }, '', 'Pending')), false);
    assert.equal(selects(sel, pods, pod('b', { app: 'web' }, '', 'Pending')), false);
  });

  test('an extra field requirement is added to the client\'s (a watch of one name)', () => {
    const sel = parseSelection(q('fieldSelector=status.phase%3DRunning'), pods, 'metadata.name=a');
    assert.equal(selects(sel, pods, pod('a', {}, '', 'Running')), true);
    assert.equal(selects(sel, pods, pod('b', {}, '', 'Running')), false);
    assert.equal(selects(parseSelection(q(''), pods, 'metadata.name=a'), pods, pod('b', {}, '', 'Running')), false);
  });

  test('events.k8s.io field labels are converted to the stored core event\'s', () => {
    const sel = parseSelection(q('fieldSelector=regarding.name%3Dweb'), eventsV1);
    const ev: StoredObject = { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e', namespace: 'default' }, involvedObject: { kind: 'Pod', name: 'web' } };
    assert.equal(selects(sel, eventsV1, ev), true);
    assert.equal(selects(sel, eventsV1, { ...ev, involvedObject: { kind: 'Pod', name: 'db' } }), false);
  });

  test('core events select on involvedObject fields and secrets on type', () => {
    const ev: StoredObject = { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e', namespace: 'default' }, involvedObject: { kind: 'Pod', name: 'web' } };
    assert.equal(selects(parseSelection(q('fieldSelector=involvedObject.kind%3DPod'), coreEvents), coreEvents, ev), true);
    const s: StoredObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default' }, type: 'kubernetes.io/tls' };
    assert.equal(selects(parseSelection(q('fieldSelector=type%3Dkubernetes.io%2Ftls'), secrets), secrets, s), true);
    assert.equal(selects(parseSelection(q('fieldSelector=type%3DOpaque'), secrets), secrets, s), false);
  });

  test('a malformed label selector is 400 BadRequest', () => {
    assert.throws(() => parseSelection(q(`labelSelector=${encodeURIComponent('app in web')}`), pods), (e: unknown) => e instanceof ApiError && e.code === 400 && e.reason === 'BadRequest' && e.message.length > 0);
  });

  test('a field label the kind does not support is 400 with upstream\'s message', () => {
    assert.throws(
      () => parseSelection(q('fieldSelector=spec.bogus%3Dx'), pods),
      (e: unknown) => e instanceof ApiError && e.code === 400 && e.message === 'field label not supported: spec.bogus',
    );
  });

  test('a malformed field selector is 400 BadRequest', () => {
    assert.throws(() => parseSelection(q('fieldSelector=metadata.name'), pods), (e: unknown) => e instanceof ApiError && e.code === 400);
  });
});
