import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { StoredObject } from '../../api/object.js';
import { findResource, type ResourceInfo } from '../../api/resources.js';
import { ApiError } from '../../machinery/errors.js';
import { admitNamespaceLifecycle, immortalNamespaces, type NamespaceLookup } from './namespace-lifecycle.js';

function resource(group: string, version: string, plural: string): ResourceInfo {
  const r = findResource(group, version, plural);
  assert.ok(r);
  return r;
}

const pods = resource('', 'v1', 'pods');
const deployments = resource('apps', 'v1', 'deployments');
const namespaces = resource('', 'v1', 'namespaces');
const nodes = resource('', 'v1', 'nodes');

function ns(name: string, phase: 'Active' | 'Terminating'): StoredObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name }, status: { phase } };
}

const lookup: NamespaceLookup = async (name) => ({ live: ns('live', 'Active'), dying: ns('dying', 'Terminating') })[name];

const obj = (namespace: string, name: string): StoredObject => ({ metadata: { name, namespace } });

describe('admitNamespaceLifecycle', () => {
  test('objects may be created in an active namespace', async () => {
    await admitNamespaceLifecycle('CREATE', pods, obj('live', 'p'), lookup);
  });

  test('creating in a missing namespace is 404 for the namespace', async () => {
    await assert.rejects(admitNamespaceLifecycle('CREATE', pods, obj('ghost', 'p'), lookup), (e: unknown) => e instanceof ApiError && e.code === 404 && e.message === 'namespaces "ghost" not found');
  });

  test('creating in a terminating namespace is 403 with upstream\'s message', async () => {
    await assert.rejects(admitNamespaceLifecycle('CREATE', deployments, obj('dying', 'web'), lookup), (e: unknown) => {
      assert.ok(e instanceof ApiError);
      assert.equal(e.code, 403);
      assert.equal(e.reason, 'Forbidden');
      assert.equal(e.message, 'deployments.apps "web" is forbidden: unable to create new content in namespace dying because it is being terminated');
      assert.equal(e.details?.causes?.[0]?.reason, 'NamespaceTerminating');
      assert.equal(e.details?.causes?.[0]?.field, 'metadata.namespace');
      return true;
    });
  });

  test('the NamespaceTerminating cause says the namespace is being terminated, as upstream\'s does', async () => {
    await assert.rejects(admitNamespaceLifecycle('CREATE', pods, obj('dying', 'p'), lookup), (e: unknown) => e instanceof ApiError && e.details?.causes?.[0]?.message === 'namespace dying is being terminated');
  });

  test('updates and deletes in a terminating namespace are allowed', async () => {
    await admitNamespaceLifecycle('UPDATE', pods, obj('dying', 'p'), lookup);
    await admitNamespaceLifecycle('DELETE', pods, obj('dying', 'p'), lookup);
  });

  test('cluster-scoped objects do not need a namespace', async () => {
    await admitNamespaceLifecycle('CREATE', nodes, { metadata: { name: 'n1' } }, lookup);
  });

  test('default, kube-system and kube-public may not be deleted', async () => {
    assert.deepEqual([...immortalNamespaces].sort(), ['default', 'kube-public', 'kube-system']);
    for (const name of immortalNamespaces) {
      await assert.rejects(
        admitNamespaceLifecycle('DELETE', namespaces, { metadata: { name } }, lookup),
        (e: unknown) => e instanceof ApiError && e.code === 403 && e.message === `namespaces "${name}" is forbidden: this namespace may not be deleted`,
      );
    }
  });

  test('other namespaces may be deleted and namespaces created', async () => {
    await admitNamespaceLifecycle('DELETE', namespaces, { metadata: { name: 'live' } }, lookup);
    await admitNamespaceLifecycle('CREATE', namespaces, { metadata: { name: 'brand-new' } }, lookup);
  });
});
