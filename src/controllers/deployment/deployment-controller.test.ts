// Live: the Deployment controller in this process against `k8ts server --virtual-nodes 3` (scheduler, ReplicaSet
// controller and virtual nodes run in the server, so pods go Running), driven with the real kubectl.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { Informer } from '../../client/informer.js';
import { readKubeconfig } from '../../client/kubeconfig.js';
import { RestClient } from '../../client/rest-client.js';
import { K8tsServer, seedDir, waitFor, writeTemp } from '../../../test/e2e/support/server.js';
import { controllerNames } from '../index.js';
import { isPodReady } from '../podcontrol/active-pods.js';
import { startDeploymentController, type DeploymentControllerHandle } from './deployment-controller.js';

interface EventJson {
  reason: string;
  message: string;
  involvedObject: { kind?: string; name?: string };
}

describe('Deployment controller against a real server with virtual nodes', () => {
  let server: K8tsServer;
  let client: RestClient;
  let dc: DeploymentControllerHandle;

  before(async () => {
    const disable = controllerNames.includes('deployment-controller') ? ['--disable-controller', 'deployment-controller'] : [];
    server = await K8tsServer.start({ extraArgs: ['--virtual-nodes', '3', ...disable] });
    client = new RestClient(readKubeconfig(server.kubeconfig));
    dc = startDeploymentController(client);
    await dc.waitForSync();
  });

  after(async () => {
    dc.stop();
    client.close();
    await server.destroy();
  });

  const getDeployment = (ns: string, name: string): Promise<Deployment> => client.request<Deployment>('GET', `/apis/apps/v1/namespaces/${ns}/deployments/${name}`);
  const listRS = async (ns: string): Promise<ReplicaSet[]> => (await client.request<{ items: ReplicaSet[] }>('GET', `/apis/apps/v1/namespaces/${ns}/replicasets`)).items;
  const events = async (ns: string): Promise<EventJson[]> => (await client.request<{ items: EventJson[] }>('GET', `/api/v1/namespaces/${ns}/events`)).items;
  /** kubectl without blocking this process's event loop (the controller under test runs in it). */
  const k = (args: string[]): Promise<string> =>
    new Promise((resolve, reject) => {
      execFile('kubectl', args, { env: { ...process.env, KUBECONFIG: server.kubeconfig }, timeout: 120_000 }, (err, stdout, stderr) => {
        if (err !== null) reject(new Error(`kubectl ${args.join(' ')} failed: ${err.message}\n${stderr}\n${stdout}`));
        else resolve(stdout);
      });
    });
  const rollout = (args: string[]): Promise<string> => k(['rollout', ...args]);

  test('the tutorial: nginx rolls out, updates within maxSurge and maxUnavailable, keeps history and rolls back', async () => {
    await k(['apply', '-f', join(seedDir, 'nginx-deployments.yaml')]);
    await rollout(['status', 'deployment/nginx', '--timeout=60s']);
    await k(['scale', 'deployment/nginx', '--replicas=3']);
    const scaled = await rollout(['status', 'deployment/nginx', '--timeout=60s']);
    assert.match(scaled, /successfully rolled out/);

    let d = await getDeployment('default', 'nginx');
    assert.equal(d.metadata?.annotations?.['deployment.kubernetes.io/revision'], '1');
    const firstRS = (await listRS('default'))[0];
    assert.ok(firstRS !== undefined);
    const hash = firstRS.metadata?.labels?.['pod-template-hash'] ?? '';
    assert.equal(firstRS.metadata?.name, `nginx-${hash}`);
    assert.equal(firstRS.spec?.selector.matchLabels?.['pod-template-hash'], hash);
    assert.deepEqual(firstRS.metadata?.ownerReferences?.map((r) => [r.kind, r.name, r.controller]), [['Deployment', 'nginx', true]]);
    assert.equal(firstRS.metadata?.annotations?.['deployment.kubernetes.io/desired-replicas'], '3');
    assert.equal(firstRS.metadata?.annotations?.['deployment.kubernetes.io/max-replicas'], '4');

    // Watch every ReplicaSet and pod change through the update: never more than 3+1 pods, never fewer than 3-1 ready.
    const violations: string[] = [];
    let steps = 0;
    const rsWatch = new Informer(client, '/apis/apps/v1/namespaces/default/replicasets');
    const podWatch = new Informer(client, '/api/v1/namespaces/default/pods', { labelSelector: 'run=nginx' });
    let armed = false;
    const check = (): void => {
      if (!armed) return;
      steps++;
      const desired = rsWatch.list().reduce((n, o) => n + ((o as ReplicaSet).spec?.replicas ?? 0), 0);
      const live = podWatch.list().map((o) => o as Pod).filter((p) => p.metadata?.deletionTimestamp === undefined);
      const ready = live.filter(isPodReady).length;
      if (desired > 4) violations.push(`ReplicaSets want ${desired} pods`);
      if (live.length > 4) violations.push(`${live.length} pods exist`);
      if (ready < 2) violations.push(`only ${ready} pods are ready`);
    };
    rsWatch.addHandlers({ add: check, update: check, delete: check });
    podWatch.addHandlers({ update: check, delete: check, add: check });
    rsWatch.start();
    podWatch.start();
    await rsWatch.waitForSync();
    await podWatch.waitForSync();
    armed = true;
    check();
    try {
      await k(['set', 'image', 'deployment/nginx', 'nginx=nginx:1.9.10']);
      const out = await rollout(['status', 'deployment/nginx', '--timeout=90s']);
      assert.match(out, /deployment "nginx" successfully rolled out/);
    } finally {
      rsWatch.stop();
      podWatch.stop();
    }
    assert.deepEqual(violations, []);
    assert.ok(steps > 5, `only ${steps} changes observed`);

    d = await getDeployment('default', 'nginx');
    assert.equal(d.metadata?.annotations?.['deployment.kubernetes.io/revision'], '2');
    assert.equal(d.status?.replicas, 3);
    assert.equal(d.status?.updatedReplicas, 3);
    assert.equal(d.status?.availableReplicas, 3);
    assert.equal(d.status?.observedGeneration, d.metadata?.generation);
    const progressing = d.status?.conditions?.find((c) => c.type === 'Progressing');
    const newRS = (await listRS('default')).find((rs) => rs.spec?.template?.spec?.containers[0]?.image === 'nginx:1.9.10');
    assert.ok(newRS !== undefined);
    assert.equal(progressing?.reason, 'NewReplicaSetAvailable');
    assert.equal(progressing?.message, `ReplicaSet "${newRS.metadata?.name ?? ''}" has successfully progressed.`);
    const available = d.status?.conditions?.find((c) => c.type === 'Available');
    assert.deepEqual([available?.status, available?.reason, available?.message], ['True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.']);

    const history = await rollout(['history', 'deployment/nginx']);
    assert.match(history, /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>\n/);
    assert.match(await rollout(['history', 'deployment/nginx', '--revision=1']), /Image:\s+nginx:1\.7\.12/);

    const rsWide = await k(['get', 'rs', '-o', 'wide']);
    assert.match(rsWide, new RegExp(`${firstRS.metadata?.name ?? ''}\\s+0\\s+0\\s+0\\s+\\S+\\s+nginx\\s+nginx:1\\.7\\.12`));
    assert.match(rsWide, new RegExp(`${newRS.metadata?.name ?? ''}\\s+3\\s+3\\s+3\\s+\\S+\\s+nginx\\s+nginx:1\\.9\\.10`));

    assert.match(await rollout(['undo', 'deployment/nginx']), /deployment.apps\/nginx rolled back/);
    await rollout(['status', 'deployment/nginx', '--timeout=90s']);
    d = await getDeployment('default', 'nginx');
    assert.equal(d.spec?.template?.spec?.containers[0]?.image, 'nginx:1.7.12');
    assert.equal(d.metadata?.annotations?.['deployment.kubernetes.io/revision'], '3');
    const rolledBack = (await listRS('default')).find((rs) => rs.metadata?.name === firstRS.metadata?.name);
    assert.equal(rolledBack?.spec?.replicas, 3);
    assert.equal(rolledBack?.metadata?.annotations?.['deployment.kubernetes.io/revision'], '3');
    assert.equal(rolledBack?.metadata?.annotations?.['deployment.kubernetes.io/revision-history'], '1');
    assert.match(await rollout(['history', 'deployment/nginx']), /REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>\n/);

    // The correlator combines more than 10 ScalingReplicaSet events of one deployment, as upstream's does.
    const scaledDownToZero = new RegExp(`^(\\(combined from similar events\\): )?Scaled down replica set ${newRS.metadata?.name ?? ''} from \\d+ to 0$`);
    await waitFor('the ScalingReplicaSet events', async () => (await events('default')).some((e) => e.reason === 'ScalingReplicaSet' && scaledDownToZero.test(e.message)));
    const messages = (await events('default')).filter((e) => e.reason === 'ScalingReplicaSet').map((e) => e.message);
    assert.ok(messages.includes(`Scaled up replica set ${firstRS.metadata?.name ?? ''} from 0 to 1`), messages.join('\n'));
    assert.ok(messages.includes(`Scaled up replica set ${firstRS.metadata?.name ?? ''} from 1 to 3`), messages.join('\n'));
    assert.ok(messages.includes(`Scaled up replica set ${newRS.metadata?.name ?? ''} from 0 to 1`), messages.join('\n'));
  });

  test('pause holds a template change back, resume rolls it out, restart makes a new revision, and change-cause shows in the history', async () => {
    await k(['create', 'namespace', 'pause']);
    await k(['-n', 'pause', 'create', 'deployment', 'web', '--image=nginx:1.7.12', '--replicas=2']);
    await k(['-n', 'pause', 'rollout', 'status', 'deployment/web', '--timeout=60s']);
    await k(['-n', 'pause', 'rollout', 'pause', 'deployment/web']);
    await k(['-n', 'pause', 'set', 'image', 'deployment/web', 'nginx=nginx:1.9.10']);
    await waitFor('the paused condition', async () => (await getDeployment('pause', 'web')).status?.conditions?.some((c) => c.type === 'Progressing' && c.reason === 'DeploymentPaused' && c.status === 'Unknown' && c.message === 'Deployment is paused') === true);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await listRS('pause')).length, 1);

    await k(['-n', 'pause', 'annotate', 'deployment/web', 'kubernetes.io/change-cause=image updated to 1.9.10']);
    await k(['-n', 'pause', 'rollout', 'resume', 'deployment/web']);
    await k(['-n', 'pause', 'rollout', 'status', 'deployment/web', '--timeout=60s']);
    const rss = await listRS('pause');
    assert.equal(rss.length, 2);
    const updated = rss.find((rs) => rs.spec?.template?.spec?.containers[0]?.image === 'nginx:1.9.10');
    assert.equal(updated?.metadata?.annotations?.['kubernetes.io/change-cause'], 'image updated to 1.9.10');
    assert.match(await k(['-n', 'pause', 'rollout', 'history', 'deployment/web']), /2\s+image updated to 1\.9\.10/);

    await k(['-n', 'pause', 'rollout', 'restart', 'deployment/web']);
    await k(['-n', 'pause', 'rollout', 'status', 'deployment/web', '--timeout=60s']);
    assert.equal((await listRS('pause')).length, 3);
    assert.equal((await getDeployment('pause', 'web')).metadata?.annotations?.['deployment.kubernetes.io/revision'], '3');
  });

  test('a Recreate deployment scales the old ReplicaSet to zero before the new one comes up', async () => {
    await k(['create', 'namespace', 'recreate']);
    const manifest = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'app', namespace: 'recreate' },
      spec: {
        replicas: 2,
        strategy: { type: 'Recreate' },
        selector: { matchLabels: { app: 'app' } },
        template: { metadata: { labels: { app: 'app' } }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'nginx', image: 'nginx:1.7.12' }] } },
      },
    };
    await k(['apply', '-f', writeTemp('recreate.json', JSON.stringify(manifest))]);
    await k(['-n', 'recreate', 'rollout', 'status', 'deployment/app', '--timeout=60s']);
    const overlaps: string[] = [];
    const rsWatch = new Informer(client, '/apis/apps/v1/namespaces/recreate/replicasets');
    const check = (): void => {
      const active = rsWatch.list().filter((o) => ((o as ReplicaSet).spec?.replicas ?? 0) > 0 || ((o as ReplicaSet).status?.replicas ?? 0) > 0);
      if (active.length > 1) overlaps.push(active.map((o) => o.metadata?.name ?? '').join(','));
    };
    rsWatch.addHandlers({ add: check, update: check });
    rsWatch.start();
    await rsWatch.waitForSync();
    try {
      await k(['-n', 'recreate', 'set', 'image', 'deployment/app', 'nginx=nginx:1.9.10']);
      await k(['-n', 'recreate', 'rollout', 'status', 'deployment/app', '--timeout=90s']);
    } finally {
      rsWatch.stop();
    }
    assert.deepEqual(overlaps, []);
    const d = await getDeployment('recreate', 'app');
    assert.equal(d.status?.updatedReplicas, 2);
    assert.equal(d.status?.availableReplicas, 2);
  });

  test('a rollout that makes no progress for progressDeadlineSeconds reports ProgressDeadlineExceeded', async () => {
    await k(['create', 'namespace', 'deadline']);
    const manifest = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'stuck', namespace: 'deadline' },
      spec: {
        replicas: 1,
        progressDeadlineSeconds: 2,
        selector: { matchLabels: { app: 'stuck' } },
        template: { metadata: { labels: { app: 'stuck' } }, spec: { nodeSelector: { nowhere: 'true' }, containers: [{ name: 'nginx', image: 'nginx' }] } },
      },
    };
    await k(['apply', '-f', writeTemp('stuck.json', JSON.stringify(manifest))]);
    await assert.rejects(rollout(['-n', 'deadline', 'status', 'deployment/stuck', '--timeout=30s']), /error: deployment "stuck" exceeded its progress deadline/);
    const d = await getDeployment('deadline', 'stuck');
    const rs = (await listRS('deadline'))[0];
    const progressing = d.status?.conditions?.find((c) => c.type === 'Progressing');
    assert.deepEqual([progressing?.status, progressing?.reason, progressing?.message], ['False', 'ProgressDeadlineExceeded', `ReplicaSet "${rs?.metadata?.name ?? ''}" has timed out progressing.`]);
    const available = d.status?.conditions?.find((c) => c.type === 'Available');
    assert.deepEqual([available?.status, available?.reason, available?.message], ['False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.']);
    assert.equal(d.status?.unavailableReplicas, 1);
  });

  test('an orphan ReplicaSet matching the selector is adopted, and released once its labels stop matching', async () => {
    await k(['create', 'namespace', 'adopt']);
    const podTemplate = { metadata: { labels: { app: 'adopt' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.7.12' }] } };
    const orphan = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'orphan', namespace: 'adopt', labels: { app: 'adopt' } }, spec: { replicas: 2, selector: { matchLabels: { app: 'adopt' } }, template: podTemplate } };
    await client.request('POST', '/apis/apps/v1/namespaces/adopt/replicasets', orphan);
    const dep = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'adopt', namespace: 'adopt' }, spec: { replicas: 2, selector: { matchLabels: { app: 'adopt' } }, template: podTemplate } };
    await client.request('POST', '/apis/apps/v1/namespaces/adopt/deployments', dep);
    await rollout(['-n', 'adopt', 'status', 'deployment/adopt', '--timeout=60s']);
    const d = await getDeployment('adopt', 'adopt');
    let rss = await listRS('adopt');
    // Its template equals the deployment's: the adopted ReplicaSet is the new one, nothing else is created.
    assert.deepEqual(rss.map((r) => r.metadata?.name), ['orphan']);
    assert.deepEqual(rss[0]?.metadata?.ownerReferences?.map((r) => [r.kind, r.name, r.uid, r.controller]), [['Deployment', 'adopt', d.metadata?.uid, true]]);
    assert.equal(rss[0]?.metadata?.annotations?.['deployment.kubernetes.io/revision'], '1');

    await k(['-n', 'adopt', 'label', 'rs/orphan', 'app=elsewhere', '--overwrite']);
    await waitFor('the release and a new ReplicaSet', async () => {
      rss = await listRS('adopt');
      const released = rss.find((r) => r.metadata?.name === 'orphan');
      return rss.length === 2 && (released?.metadata?.ownerReferences ?? []).length === 0;
    }, 30_000);
    const created = rss.find((r) => r.metadata?.name !== 'orphan');
    assert.match(created?.metadata?.name ?? '', /^adopt-[bcdfghjklmnpqrstvwxz2456789]+$/);
  });

  test('revisionHistoryLimit keeps only that many old ReplicaSets once a rollout completes, and the deprecated rollback annotation rolls back', async () => {
    await k(['create', 'namespace', 'history']);
    await k(['-n', 'history', 'create', 'deployment', 'h', '--image=nginx:1']);
    await k(['-n', 'history', 'patch', 'deployment/h', '--type=merge', '-p', '{"spec":{"revisionHistoryLimit":1}}']);
    await rollout(['-n', 'history', 'status', 'deployment/h', '--timeout=60s']);
    for (const tag of ['2', '3']) {
      await k(['-n', 'history', 'set', 'image', 'deployment/h', `nginx=nginx:${tag}`]);
      await rollout(['-n', 'history', 'status', 'deployment/h', '--timeout=60s']);
    }
    await waitFor('the cleanup of revision 1', async () => (await listRS('history')).length === 2, 30_000);
    const revisions = (await listRS('history')).map((r) => r.metadata?.annotations?.['deployment.kubernetes.io/revision']).sort();
    assert.deepEqual(revisions, ['2', '3']);

    // The rollback annotation of extensions/v1beta1 rollbacks still works: the template of revision 2 comes back.
    await k(['-n', 'history', 'annotate', 'deployment/h', 'deprecated.deployment.rollback.to=2']);
    await waitFor('the rollback', async () => {
      const d = await getDeployment('history', 'h');
      return d.spec?.template?.spec?.containers[0]?.image === 'nginx:2' && d.metadata?.annotations?.['deprecated.deployment.rollback.to'] === undefined;
    }, 30_000);
    await rollout(['-n', 'history', 'status', 'deployment/h', '--timeout=60s']);
    await waitFor('the DeploymentRollback event', async () => (await events('history')).some((e) => e.reason === 'DeploymentRollback' && e.message === 'Rolled back deployment "h" to revision 2'));
    assert.equal((await getDeployment('history', 'h')).metadata?.annotations?.['deployment.kubernetes.io/revision'], '4');
  });

  test('scaling in the middle of a rollout spreads the new replicas over the ReplicaSets in proportion', async () => {
    await k(['create', 'namespace', 'prop']);
    await k(['-n', 'prop', 'create', 'deployment', 'p', '--image=nginx:1.7.12', '--replicas=10']);
    await k(['-n', 'prop', 'rollout', 'status', 'deployment/p', '--timeout=60s']);
    // An unschedulable template keeps the rollout stuck with the old and the new ReplicaSet both active.
    await k(['-n', 'prop', 'patch', 'deployment/p', '--type=merge', '-p', '{"spec":{"template":{"spec":{"nodeSelector":{"nowhere":"true"}}}}}']);
    // 25% of 10: surge 3, unavailable 2; the old ReplicaSet goes to 8 and the new one to 5, then nothing moves.
    const isNew = (rs: ReplicaSet): boolean => rs.spec?.template?.spec?.nodeSelector?.['nowhere'] === 'true';
    await waitFor('a stuck rollout', async () => {
      const rss = await listRS('prop');
      return rss.length === 2 && rss.some((rs) => isNew(rs) && rs.spec?.replicas === 5) && rss.some((rs) => !isNew(rs) && rs.spec?.replicas === 8);
    }, 30_000);
    await k(['-n', 'prop', 'scale', 'deployment/p', '--replicas=20']);
    await waitFor('the proportional scale', async () => (await listRS('prop')).reduce((n, rs) => n + (rs.spec?.replicas ?? 0), 0) === 25, 30_000);
    // 20 + 25% surge = 25 replicas, shared as 8:5 was: round(8*25/13) = 15 and the remaining 10.
    const afterScale = await listRS('prop');
    assert.deepEqual(afterScale.map((rs) => [isNew(rs), rs.spec?.replicas]).sort(), [[false, 15], [true, 10]]);
    for (const rs of afterScale) {
      assert.equal(rs.metadata?.annotations?.['deployment.kubernetes.io/desired-replicas'], '20');
      assert.equal(rs.metadata?.annotations?.['deployment.kubernetes.io/max-replicas'], '25');
    }
    const messages = (await events('prop')).filter((e) => e.reason === 'ScalingReplicaSet').map((e) => e.message);
    await waitFor('the scale events', async () => (await events('prop')).filter((e) => e.reason === 'ScalingReplicaSet' && / from (8 to 15|5 to 10)$/.test(e.message)).length === 2);
    assert.ok(messages.length > 0);
  });
});
