// Live: the garbage collector against a real k8ts server of this build, driven by the real kubectl. The replica set
// and replication controller controllers and the scheduler are off, so the pods here are the test's own and are
// deleted at once.
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readKubeconfig } from '../../client/kubeconfig.js';
import { RestClient } from '../../client/rest-client.js';
import { ApiError } from '../../machinery/errors.js';
import { freePort, K8tsServer, sleep, waitFor } from '../../../test/e2e/support/server.js';
import { startGarbageCollector, type GarbageCollectorHandle } from './garbage-collector.js';

/** K8tsServer running this build's CLI, so that the API server's side of cascading deletion is the one under test. */
class ThisBuildServer extends K8tsServer {
  override async startProcess(): Promise<void> {
    const main = fileURLToPath(new URL('../../cli/main.js', import.meta.url));
    const args = ['server', '--data-dir', this.dataDir, '--bind-address', '127.0.0.1', '--https-listen-port', String(this.port), '--disable-agent', '--disable-cluster-dns', ...(this.opts.extraArgs ?? [])];
    const proc = spawn(process.execPath, [main, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    proc.stdout.on('data', (d: Buffer) => (this.log += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (this.log += d.toString()));
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      if (proc.exitCode !== null) throw new Error(`k8ts server exited with ${proc.exitCode}:\n${this.log}`);
      if ((await this.readyz()) === 200 && this.log.includes('k8ts server ready')) return;
      await sleep(50);
    }
    throw new Error(`k8ts server did not become ready:\n${this.log}`);
  }
}

interface Meta {
  name: string;
  namespace?: string;
  uid: string;
  deletionTimestamp?: string;
  finalizers?: string[];
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; blockOwnerDeletion?: boolean; controller?: boolean }[];
}
interface Json {
  metadata: Meta;
}

const ns = 'gc-test';
const cmPath = (name = ''): string => `/api/v1/namespaces/${ns}/configmaps${name === '' ? '' : `/${name}`}`;
const podPath = (name = ''): string => `/api/v1/namespaces/${ns}/pods${name === '' ? '' : `/${name}`}`;
const rsPath = (name = ''): string => `/apis/apps/v1/namespaces/${ns}/replicasets${name === '' ? '' : `/${name}`}`;

describe('the garbage collector against a real server and kubectl', () => {
  let server: K8tsServer;
  let client: RestClient;
  let gc: GarbageCollectorHandle | undefined;

  const exists = async (path: string): Promise<boolean> => {
    try {
      await client.request('GET', path);
      return true;
    } catch (e: unknown) {
      if (e instanceof ApiError && e.code === 404) return false;
      throw e;
    }
  };

  before(async () => {
    server = new ThisBuildServer(mkdtempSync(join(tmpdir(), 'k8ts-gc-')), await freePort(), {
      extraArgs: ['--disable-controller', 'replicaset', '--disable-controller', 'replicationcontroller', '--disable-controller', 'garbage-collector', '--disable-scheduler'],
    });
    await server.startProcess();
    client = new RestClient(readKubeconfig(server.kubeconfig));
    await client.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    await waitFor('the default service account', () => exists(`/api/v1/namespaces/${ns}/serviceaccounts/default`));
    gc = startGarbageCollector(client);
    await gc.waitForSync();
  });

  after(async () => {
    gc?.stop();
    client.close();
    await server.destroy();
  });

  // kubectl runs asynchronously: it waits for deletions that this process's collector must finish meanwhile.
  const kubectl = async (...args: string[]): Promise<string> => {
    const { stdout } = await promisify(execFile)('kubectl', args, { env: { ...process.env, KUBECONFIG: server.kubeconfig }, timeout: 60_000 });
    return stdout;
  };


  const configMap = (name: string, owners: Meta['ownerReferences'] = []): Promise<Json> =>
    client.request<Json>('POST', cmPath(), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ownerReferences: owners }, data: {} });

  const replicaSet = (name: string): Promise<Json> =>
    client.request<Json>('POST', rsPath(), {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name },
      spec: { replicas: 0, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    });

  const pod = (name: string, owner: Json | undefined, extra: { finalizers?: string[]; block?: boolean } = {}): Promise<Json> =>
    client.request<Json>('POST', podPath(), {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        ...(extra.finalizers === undefined ? {} : { finalizers: extra.finalizers }),
        ...(owner === undefined ? {} : { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: extra.block ?? true }] }),
      },
      spec: { containers: [{ name: 'c', image: 'nginx' }] },
    });

  test('a ConfigMap owned by another ConfigMap is deleted in the background when its owner is deleted', async () => {
    const owner = await configMap('owner');
    await configMap('dependent', [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata.uid }]);
    await configMap('bystander');
    assert.match(await kubectl('delete', 'configmap', 'owner', '-n', ns), /configmap "owner" deleted/);
    await waitFor('the dependent ConfigMap to be collected', async () => !(await exists(cmPath('dependent'))));
    assert.equal(await exists(cmPath('bystander')), true);
  });

  test('a ConfigMap owned by a Pod goes with the Pod: dependents across kinds', async () => {
    const owner = await pod('cm-owner', undefined);
    await configMap('owned-by-pod', [{ apiVersion: 'v1', kind: 'Pod', name: 'cm-owner', uid: owner.metadata.uid }]);
    await kubectl('delete', 'pod', 'cm-owner', '-n', ns);
    await waitFor('the ConfigMap owned by the pod to be collected', async () => !(await exists(cmPath('owned-by-pod'))));
  });

  test('kubectl delete --cascade=foreground keeps the ReplicaSet, with a deletionTimestamp, until its pods are gone', async () => {
    const rs = await replicaSet('fg');
    await pod('fg-held', rs, { finalizers: ['example.com/hold'] });
    await pod('fg-free', rs);
    await pod('fg-nonblocking', rs, { block: false });
    assert.match(await kubectl('delete', 'rs', 'fg', '-n', ns, '--cascade=foreground', '--wait=false'), /replicaset.apps "fg" deleted/);
    const marked = await client.request<Json>('GET', rsPath('fg'));
    assert.ok(marked.metadata.deletionTimestamp !== undefined);
    assert.deepEqual(marked.metadata.finalizers, ['foregroundDeletion']);
    await waitFor('the pods without finalizers to be deleted', async () => !(await exists(podPath('fg-free'))) && !(await exists(podPath('fg-nonblocking'))));
    const held = await client.request<Json>('GET', podPath('fg-held'));
    assert.ok(held.metadata.deletionTimestamp !== undefined, 'the held pod is being deleted');
    await sleep(500);
    assert.equal(await exists(rsPath('fg')), true, 'the ReplicaSet waits for its blocking pod');
    await client.request('PATCH', podPath('fg-held'), { metadata: { finalizers: null } }, 'application/merge-patch+json');
    await waitFor('the ReplicaSet to go once its pods are gone', async () => !(await exists(rsPath('fg'))));
  });

  test('kubectl delete --cascade=foreground returns once the collector has deleted the pods and then the ReplicaSet', async () => {
    const rs = await replicaSet('fg-wait');
    await pod('fg-wait-a', rs);
    await pod('fg-wait-b', rs);
    await kubectl('delete', 'rs', 'fg-wait', '-n', ns, '--cascade=foreground');
    assert.equal(await exists(rsPath('fg-wait')), false);
    assert.equal(await exists(podPath('fg-wait-a')), false);
    assert.equal(await exists(podPath('fg-wait-b')), false);
  });

  test('kubectl delete --cascade=orphan deletes the ReplicaSet and leaves its pods without the ownerReference', async () => {
    const rs = await replicaSet('orphan');
    await pod('orphan-a', rs);
    await pod('orphan-b', rs);
    await kubectl('delete', 'rs', 'orphan', '-n', ns, '--cascade=orphan');
    assert.equal(await exists(rsPath('orphan')), false, 'kubectl waited for the ReplicaSet to go');
    for (const name of ['orphan-a', 'orphan-b']) {
      const p = await client.request<Json>('GET', podPath(name));
      assert.equal(p.metadata.ownerReferences, undefined, `${name} keeps no ownerReferences`);
      assert.equal(p.metadata.deletionTimestamp, undefined);
    }
  });

  test('kubectl delete rs removes its pods in the background by default', async () => {
    const rs = await replicaSet('bg');
    await pod('bg-a', rs);
    await kubectl('delete', 'rs', 'bg', '-n', ns);
    assert.equal(await exists(rsPath('bg')), false, 'the owner goes at once');
    await waitFor('the pod to be collected', async () => !(await exists(podPath('bg-a'))));
  });

  test('the deprecated orphanDependents query parameter adds the orphan finalizer, and cannot be combined with propagationPolicy', async () => {
    await configMap('legacy');
    const both = await server.request('DELETE', `${cmPath('legacy')}?orphanDependents=true&propagationPolicy=Foreground`);
    assert.equal(both.status, 400);
    assert.match(both.body, /propagationPolicy: Invalid value: \\"Foreground\\": orphanDependents and deletionPropagation cannot be both set/);
    const hold = await configMap('legacy-held', []);
    await client.request('PATCH', cmPath('legacy-held'), { metadata: { finalizers: ['example.com/hold'] } }, 'application/merge-patch+json');
    const res = await server.request('DELETE', `${cmPath('legacy-held')}?orphanDependents=true`);
    assert.equal(res.status, 200);
    const after = await client.request<Json>('GET', cmPath('legacy-held'));
    assert.equal(after.metadata.uid, hold.metadata.uid);
    assert.deepEqual(after.metadata.finalizers, ['example.com/hold', 'orphan']);
    await waitFor('the collector to remove the orphan finalizer', async () => (await client.request<Json>('GET', cmPath('legacy-held'))).metadata.finalizers?.length === 1);
    await client.request('PATCH', cmPath('legacy-held'), { metadata: { finalizers: null } }, 'application/merge-patch+json');
    assert.equal(await exists(cmPath('legacy-held')), false);
    await configMap('legacy-cascade');
    await client.request('PATCH', cmPath('legacy-cascade'), { metadata: { finalizers: ['example.com/hold'] } }, 'application/merge-patch+json');
    const accepted = await server.request('DELETE', `${cmPath('legacy-cascade')}?orphanDependents=false`);
    assert.equal(accepted.status, 202, 'an explicit orphanDependents=false that could not delete at once is 202 Accepted');
    await client.request('PATCH', cmPath('legacy-cascade'), { metadata: { finalizers: null } }, 'application/merge-patch+json');
  });

  test('a ReplicationController deleted through v1 without options orphans its pods, as upstream keeps v1 compatible', async () => {
    const rc = await client.request<Json>('POST', `/api/v1/namespaces/${ns}/replicationcontrollers`, {
      apiVersion: 'v1',
      kind: 'ReplicationController',
      metadata: { name: 'legacy-rc' },
      spec: { replicas: 0, selector: { app: 'legacy-rc' }, template: { metadata: { labels: { app: 'legacy-rc' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    });
    await client.request('POST', podPath(), {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'legacy-rc-pod', ownerReferences: [{ apiVersion: 'v1', kind: 'ReplicationController', name: 'legacy-rc', uid: rc.metadata.uid, controller: true, blockOwnerDeletion: true }] },
      spec: { containers: [{ name: 'c', image: 'nginx' }] },
    });
    const res = await server.request('DELETE', `/api/v1/namespaces/${ns}/replicationcontrollers/legacy-rc`);
    assert.equal(res.status, 200);
    assert.deepEqual((JSON.parse(res.body) as Json).metadata.finalizers, ['orphan']);
    await waitFor('the ReplicationController to go', async () => !(await exists(`/api/v1/namespaces/${ns}/replicationcontrollers/legacy-rc`)));
    const p = await client.request<Json>('GET', podPath('legacy-rc-pod'));
    assert.equal(p.metadata.ownerReferences, undefined);
  });

  test('dependents of an owner that never existed, or exists with another uid, are collected; the rightful dependent stays', async () => {
    const real = await configMap('real-owner');
    await configMap('wrong-uid', [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'real-owner', uid: '00000000-0000-0000-0000-000000000001' }]);
    await configMap('never-owner', [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'no-such-owner', uid: '00000000-0000-0000-0000-000000000002' }]);
    await configMap('right-uid', [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'real-owner', uid: real.metadata.uid }]);
    await waitFor('the dependents of absent owners to be collected', async () => !(await exists(cmPath('wrong-uid'))) && !(await exists(cmPath('never-owner'))));
    await sleep(500);
    assert.equal(await exists(cmPath('right-uid')), true);
  });

  test('a dependent with one live owner and one absent owner keeps the live one and loses the absent reference', async () => {
    const live = await configMap('live-owner');
    await configMap('two-owners', [
      { apiVersion: 'v1', kind: 'ConfigMap', name: 'live-owner', uid: live.metadata.uid },
      { apiVersion: 'v1', kind: 'ConfigMap', name: 'gone-owner', uid: '00000000-0000-0000-0000-000000000003' },
    ]);
    await waitFor('the absent reference to be removed', async () => (await client.request<Json>('GET', cmPath('two-owners'))).metadata.ownerReferences?.length === 1);
    const after = await client.request<Json>('GET', cmPath('two-owners'));
    assert.equal(after.metadata.ownerReferences?.[0]?.uid, live.metadata.uid);
  });
});
