// Live: the StatefulSet controller in this process against `k8ts server --virtual-nodes 3`, where bound pods go
// Running and Ready; kubectl runs asynchronously so that the controller keeps running meanwhile.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import { readKubeconfig } from '../../client/kubeconfig.js';
import { Informer } from '../../client/informer.js';
import { RestClient } from '../../client/rest-client.js';
import { K8tsServer, seedDir, waitFor } from '../../../test/e2e/support/server.js';
import { controllerNames } from '../controller-names.js';
import { isPodReady } from '../podcontrol/active-pods.js';
import { startStatefulSetController, type StatefulSetControllerHandle } from './stateful-set-controller.js';

interface EventJson {
  reason: string;
  message: string;
  type: string;
  source?: { component?: string };
  involvedObject: { kind?: string; name?: string };
}

function webSet(replicas: number, image: string, extra: Partial<NonNullable<StatefulSet['spec']>> = {}): StatefulSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web' },
    spec: {
      serviceName: 'nginx',
      replicas,
      selector: { matchLabels: { app: 'nginx' } },
      // A short grace period: virtual nodes honour it, and the default 30 s would make every deletion slow.
      template: { metadata: { labels: { app: 'nginx' } }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'nginx', image, volumeMounts: [{ name: 'www', mountPath: '/usr/share/nginx/html' }] }] } },
      volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      ...extra,
    },
  };
}

describe('StatefulSet controller against a real server with virtual nodes', () => {
  let server: K8tsServer;
  let client: RestClient;
  let ssc: StatefulSetControllerHandle;
  let nsCounter = 0;

  before(async () => {
    const disable = controllerNames.includes('statefulset-controller') ? ['--disable-controller', 'statefulset-controller'] : [];
    server = await K8tsServer.start({ extraArgs: ['--virtual-nodes', '3', ...disable] });
    client = new RestClient(readKubeconfig(server.kubeconfig));
    ssc = startStatefulSetController(client);
    await ssc.waitForSync();
  });

  after(async () => {
    ssc.stop();
    client.close();
    await server.destroy();
  });

  const k = (args: string[]): Promise<string> =>
    new Promise((resolve, reject) => {
      execFile('kubectl', args, { env: { ...process.env, KUBECONFIG: server.kubeconfig }, timeout: 120_000 }, (err, stdout, stderr) => {
        if (err !== null) reject(new Error(`kubectl ${args.join(' ')} failed: ${err.message}\n${stderr}\n${stdout}`));
        else resolve(stdout);
      });
    });
  const newNamespace = async (): Promise<string> => {
    const ns = `sts-${++nsCounter}`;
    await client.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    return ns;
  };
  const setPath = (ns: string): string => `/apis/apps/v1/namespaces/${ns}/statefulsets/web`;
  const pods = async (ns: string): Promise<Pod[]> => (await client.request<{ items: Pod[] }>('GET', `/api/v1/namespaces/${ns}/pods`)).items;
  const events = async (ns: string): Promise<EventJson[]> => (await client.request<{ items: EventJson[] }>('GET', `/api/v1/namespaces/${ns}/events`)).items;
  const getSet = (ns: string): Promise<StatefulSet> => client.request<StatefulSet>('GET', setPath(ns));
  const patchSet = (ns: string, patch: unknown): Promise<StatefulSet> => client.request<StatefulSet>('PATCH', setPath(ns), patch, 'application/merge-patch+json');
  const readyNames = async (ns: string): Promise<string[]> =>
    (await pods(ns))
      .filter((p) => p.status?.phase === 'Running' && isPodReady(p) && p.metadata?.deletionTimestamp === undefined)
      .map((p) => p.metadata?.name ?? '')
      .sort();
  const rolledOut = async (ns: string, replicas: number): Promise<void> =>
    waitFor(
      `web rolled out to ${replicas}`,
      async () => {
        const s = await getSet(ns);
        const st = s.status;
        return (st?.observedGeneration ?? 0) >= (s.metadata?.generation ?? 0) && st?.readyReplicas === replicas && st.replicas === replicas && st.updatedReplicas === replicas && st.currentRevision === st.updateRevision;
      },
      60_000,
    );
  /** Records, in order, every pod added to the namespace with its revision label. */
  const recordCreations = async (ns: string): Promise<{ log: string[]; stop(): void }> => {
    const inf = new Informer(client, `/api/v1/namespaces/${ns}/pods`);
    const log: string[] = [];
    inf.addHandlers({ add: (o) => log.push(`${o.metadata?.name ?? ''} ${(o as unknown as Pod).metadata?.labels?.['controller-revision-hash'] ?? ''}`) });
    inf.start();
    await inf.waitForSync();
    log.length = 0;
    return { log, stop: () => inf.stop() };
  };

  test('web creates web-0 then web-1 (after web-0 is Ready) with their claims, and kubectl rollout status succeeds', async () => {
    const ns = await newNamespace();
    await client.request('POST', `/apis/apps/v1/namespaces/${ns}/statefulsets`, webSet(2, 'nginx:1.7.12'));
    await waitFor('web-0 and web-1 ready', async () => (await readyNames(ns)).join() === 'web-0,web-1', 60_000);

    const [p0, p1] = (await pods(ns)).sort((a, b) => ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1));
    assert.ok(p0 !== undefined && p1 !== undefined);
    const readyAt = p0.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime ?? '';
    assert.ok(readyAt !== '' && (p1.metadata?.creationTimestamp ?? '') >= readyAt, `web-1 created ${p1.metadata?.creationTimestamp ?? ''} before web-0 was Ready ${readyAt}`);
    assert.equal(p1.spec?.hostname, 'web-1');
    assert.equal(p1.spec?.subdomain, 'nginx');
    assert.equal(p1.metadata?.labels?.['statefulset.kubernetes.io/pod-name'], 'web-1');
    assert.equal(p1.metadata?.labels?.['apps.kubernetes.io/pod-index'], '1');
    assert.deepEqual(p1.spec?.volumes?.find((v) => v.name === 'www')?.persistentVolumeClaim, { claimName: 'www-web-1' });

    const claims = (await client.request<{ items: PersistentVolumeClaim[] }>('GET', `/api/v1/namespaces/${ns}/persistentvolumeclaims`)).items;
    assert.deepEqual(claims.map((c) => c.metadata?.name).sort(), ['www-web-0', 'www-web-1']);
    assert.equal(claims[0]?.metadata?.labels?.['app'], 'nginx');
    assert.equal(claims[0]?.metadata?.ownerReferences, undefined, 'Retain/Retain leaves claims unowned');

    const set = await getSet(ns);
    const rev = set.status?.updateRevision ?? '';
    assert.match(rev, /^web-[a-z0-9]+$/);
    assert.equal(p0.metadata?.labels?.['controller-revision-hash'], rev);
    assert.equal(set.status?.currentRevision, rev);
    assert.equal(set.status?.collisionCount, 0);

    await waitFor('events', async () => (await events(ns)).filter((e) => e.reason === 'SuccessfulCreate').length >= 4);
    const msgs = (await events(ns)).filter((e) => e.reason === 'SuccessfulCreate').map((e) => e.message);
    assert.ok(msgs.includes('create Claim www-web-0 Pod web-0 in StatefulSet web success'), msgs.join('\n'));
    assert.ok(msgs.includes('create Pod web-0 in StatefulSet web successful'), msgs.join('\n'));
    assert.ok(msgs.includes('create Pod web-1 in StatefulSet web successful'), msgs.join('\n'));
    const ev = (await events(ns)).find((e) => e.reason === 'SuccessfulCreate');
    assert.equal(ev?.source?.component, 'statefulset-controller');
    assert.equal(ev?.involvedObject.kind, 'StatefulSet');

    const out = await k(['rollout', 'status', 'sts/web', '-n', ns, '--timeout=60s']);
    assert.match(out, /partitioned roll out complete: 2 new pods have been updated|statefulset rolling update complete 2 pods at revision web-/);
  });

  test('scaling down removes the highest ordinal first and keeps the claims', async () => {
    const ns = await newNamespace();
    await client.request('POST', `/apis/apps/v1/namespaces/${ns}/statefulsets`, webSet(3, 'nginx:1'));
    await rolledOut(ns, 3);
    await patchSet(ns, { spec: { replicas: 1 } });
    await waitFor('web-2 gone first', async () => !(await pods(ns)).some((p) => p.metadata?.name === 'web-2'), 30_000);
    await rolledOut(ns, 1);
    assert.deepEqual(await readyNames(ns), ['web-0']);
    const deletes = (await events(ns)).filter((e) => e.reason === 'SuccessfulDelete').map((e) => e.message);
    assert.deepEqual(deletes, ['delete Pod web-2 in StatefulSet web successful', 'delete Pod web-1 in StatefulSet web successful']);
    // Claims stay (whenScaled: Retain).
    const claims = (await client.request<{ items: PersistentVolumeClaim[] }>('GET', `/api/v1/namespaces/${ns}/persistentvolumeclaims`)).items;
    assert.equal(claims.length, 3);
  });

  test('an image change rolls from the highest ordinal down; rollout history and undo work', async () => {
    const ns = await newNamespace();
    await client.request('POST', `/apis/apps/v1/namespaces/${ns}/statefulsets`, webSet(3, 'nginx:1.7.12'));
    await rolledOut(ns, 3);
    const first = (await getSet(ns)).status?.currentRevision ?? '';
    const rec = await recordCreations(ns);
    await k(['set', 'image', 'sts/web', 'nginx=nginx:1.9.10', '-n', ns]);
    await k(['rollout', 'status', 'sts/web', '-n', ns, '--timeout=90s']);
    await rolledOut(ns, 3);
    const set = await getSet(ns);
    const second = set.status?.updateRevision ?? '';
    assert.notEqual(second, first);
    assert.deepEqual(rec.log, [`web-2 ${second}`, `web-1 ${second}`, `web-0 ${second}`]);
    rec.stop();
    for (const p of await pods(ns)) assert.equal(p.spec?.containers[0]?.image, 'nginx:1.9.10');

    const revs = (await client.request<{ items: { metadata: { name: string }; revision: number }[] }>('GET', `/apis/apps/v1/namespaces/${ns}/controllerrevisions`)).items;
    assert.deepEqual(revs.map((r) => [r.metadata.name, r.revision]).sort(), [
      [first, 1],
      [second, 2],
    ].sort());
    const history = await k(['rollout', 'history', 'sts/web', '-n', ns]);
    assert.match(history, /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
    assert.match(await k(['rollout', 'history', 'sts/web', '-n', ns, '--revision=1']), /Image:\s+nginx:1\.7\.12/);

    await k(['rollout', 'undo', 'sts/web', '-n', ns]);
    await waitFor('undo applied', async () => (await getSet(ns)).spec?.template.spec?.containers[0]?.image === 'nginx:1.7.12', 30_000);
    await k(['rollout', 'status', 'sts/web', '-n', ns, '--timeout=90s']);
    await rolledOut(ns, 3);
    const undone = await getSet(ns);
    assert.equal(undone.status?.updateRevision, first, 'the equal older revision is reused');
    for (const p of await pods(ns)) assert.equal(p.spec?.containers[0]?.image, 'nginx:1.7.12');
    const after = (await client.request<{ items: { metadata: { name: string }; revision: number }[] }>('GET', `/apis/apps/v1/namespaces/${ns}/controllerrevisions`)).items;
    assert.equal(after.find((r) => r.metadata.name === first)?.revision, 3);
  });

  test('a partition holds the lower ordinals at the old revision', async () => {
    const ns = await newNamespace();
    await client.request('POST', `/apis/apps/v1/namespaces/${ns}/statefulsets`, webSet(3, 'nginx:1', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } }));
    await rolledOut(ns, 3);
    await patchSet(ns, { spec: { template: { spec: { containers: [{ name: 'nginx', image: 'nginx:2', volumeMounts: [{ name: 'www', mountPath: '/usr/share/nginx/html' }] }] } } } });
    await waitFor(
      'web-2 updated',
      async () => {
        const st = (await getSet(ns)).status;
        return st?.updatedReplicas === 1 && st.readyReplicas === 3;
      },
      60_000,
    );
    const out = await k(['rollout', 'status', 'sts/web', '-n', ns, '--timeout=60s']);
    assert.match(out, /partitioned roll out complete: 1 new pods have been updated/);
    const images = Object.fromEntries((await pods(ns)).map((p) => [p.metadata?.name ?? '', p.spec?.containers[0]?.image ?? '']));
    assert.deepEqual(images, { 'web-0': 'nginx:1', 'web-1': 'nginx:1', 'web-2': 'nginx:2' });
    const st = (await getSet(ns)).status;
    assert.notEqual(st?.currentRevision, st?.updateRevision);
    assert.equal(st?.currentReplicas, 2);
  });

  test('Parallel creates every pod without waiting for readiness, and whenDeleted Delete makes the set own the claims', async () => {
    const ns = await newNamespace();
    const set = webSet(3, 'nginx:1', { podManagementPolicy: 'Parallel', persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' } });
    // No node matches: the pods stay Pending, so OrderedReady would stop at web-0.
    const podSpec = set.spec?.template.spec;
    if (podSpec !== undefined) podSpec.nodeSelector = { 'no-such-label': 'x' };
    await client.request('POST', `/apis/apps/v1/namespaces/${ns}/statefulsets`, set);
    await waitFor('three pods', async () => (await pods(ns)).length === 3, 30_000);
    assert.deepEqual(
      (await pods(ns)).map((p) => [p.metadata?.name, p.status?.phase]).sort(),
      [
        ['web-0', 'Pending'],
        ['web-1', 'Pending'],
        ['web-2', 'Pending'],
      ],
    );
    await waitFor('status', async () => (await getSet(ns)).status?.replicas === 3);
    const st = (await getSet(ns)).status;
    assert.equal(st?.readyReplicas ?? 0, 0);
    const uid = (await getSet(ns)).metadata?.uid;
    const claims = (await client.request<{ items: PersistentVolumeClaim[] }>('GET', `/api/v1/namespaces/${ns}/persistentvolumeclaims`)).items;
    assert.equal(claims.length, 3);
    for (const c of claims) {
      assert.deepEqual(
        c.metadata?.ownerReferences?.map((r) => [r.kind, r.name, r.uid, r.controller]),
        [['StatefulSet', 'web', uid, true]],
      );
    }
  });

  test('bad-statefulset.yaml yields FailedCreate with the API server validation message as upstream words it', async () => {
    const ns = await newNamespace();
    await k(['apply', '-n', ns, '-f', join(seedDir, 'bad-statefulset.yaml')]);
    await waitFor('FailedCreate', async () => (await events(ns)).some((e) => e.reason === 'FailedCreate'), 30_000);
    const ev = (await events(ns)).find((e) => e.reason === 'FailedCreate');
    assert.equal(ev?.type, 'Warning');
    assert.equal(ev?.involvedObject.name, 'mongo');
    assert.equal(
      ev?.message,
      `create Pod mongo-0 in StatefulSet mongo failed error: Pod "mongo-0" is invalid: spec.subdomain: Invalid value: "Mongo": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
    );
    const described = await k(['describe', 'sts', 'mongo', '-n', ns]);
    assert.match(described, /Warning\s+FailedCreate\s+\S+\s+(\(x\d+ over \S+\)\s+)?statefulset-controller\s+create Pod mongo-0 in StatefulSet mongo failed error: Pod "mongo-0" is invalid/);
  });
});
