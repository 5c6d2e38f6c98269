// Live: the DaemonSet controller in this process against `k8ts server --virtual-nodes 3` (the scheduler binds the
// daemon pods, virtual nodes run them), driven with the real kubectl.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import type { ControllerRevision, DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { Informer } from '../../client/informer.js';
import { readKubeconfig } from '../../client/kubeconfig.js';
import { RestClient } from '../../client/rest-client.js';
import { K8tsServer, sleep, waitFor, writeTemp } from '../../../test/e2e/support/server.js';
import { controllerNames } from '../controller-names.js';
import { isPodReady } from '../podcontrol/active-pods.js';
import { startDaemonSetController, type DaemonSetControllerHandle } from './daemon-set-controller.js';

interface EventJson {
  reason: string;
  message: string;
  involvedObject: { kind?: string; name?: string };
}

const manifest = `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector:
    matchLabels: { app: agent }
  updateStrategy:
    type: RollingUpdate
    rollingUpdate: { maxUnavailable: 1 }
  template:
    metadata:
      labels: { app: agent }
    spec:
      terminationGracePeriodSeconds: 2
      containers:
      - name: agent
        image: busybox:1.36
`;

describe('DaemonSet controller against a real server with virtual nodes', () => {
  let server: K8tsServer;
  let client: RestClient;
  let dsc: DaemonSetControllerHandle;

  before(async () => {
    // Turned off in the server: our own controller (once the server has it), and taint eviction so that a NoExecute
    // taint is handled by the DaemonSet controller alone.
    const disable = ['daemonset-controller', 'taint-eviction-controller'].filter((n) => controllerNames.includes(n)).flatMap((n) => ['--disable-controller', n]);
    server = await K8tsServer.start({ extraArgs: ['--virtual-nodes', '3', ...disable] });
    client = new RestClient(readKubeconfig(server.kubeconfig));
    dsc = startDaemonSetController(client);
    await dsc.waitForSync();
  });

  after(async () => {
    dsc.stop();
    client.close();
    await server.destroy();
  });

  /** kubectl without blocking this process's event loop (the controller under test runs in it). */
  const k = (args: string[]): Promise<string> =>
    new Promise((resolve, reject) => {
      execFile('kubectl', args, { env: { ...process.env, KUBECONFIG: server.kubeconfig }, timeout: 120_000 }, (err, stdout, stderr) => {
        if (err !== null) reject(new Error(`kubectl ${args.join(' ')} failed: ${err.message}\n${stderr}\n${stdout}`));
        else resolve(stdout);
      });
    });
  const getDs = (): Promise<DaemonSet> => client.request<DaemonSet>('GET', '/apis/apps/v1/namespaces/default/daemonsets/agent');
  const pods = async (): Promise<Pod[]> => (await client.request<{ items: Pod[] }>('GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Dagent')).items.filter((p) => p.metadata?.deletionTimestamp === undefined);
  const runningByNode = async (): Promise<Map<string, Pod[]>> => {
    const m = new Map<string, Pod[]>();
    for (const p of await pods()) {
      if (p.status?.phase !== 'Running' || !isPodReady(p)) continue;
      const n = p.spec?.nodeName ?? '';
      m.set(n, [...(m.get(n) ?? []), p]);
    }
    return m;
  };
  const nodeNames = async (): Promise<string[]> => (await client.request<{ items: Array<{ metadata: { name: string } }> }>('GET', '/api/v1/nodes')).items.map((n) => n.metadata.name).sort();
  const coversAll = async (): Promise<boolean> => {
    const m = await runningByNode();
    return (await nodeNames()).every((n) => m.get(n)?.length === 1) && (await pods()).length === 3;
  };

  test('a DaemonSet runs one Running pod on each node, pinned by node affinity and with the daemon tolerations', async () => {
    await k(['apply', '-f', writeTemp('agent-ds.yaml', manifest)]);
    await waitFor('one running agent pod per node', coversAll, 60_000);
    const out = await k(['rollout', 'status', 'ds/agent', '--timeout=60s']);
    assert.match(out, /daemon set "agent" successfully rolled out/);

    const ds = await getDs();
    const revisions = (await client.request<{ items: ControllerRevision[] }>('GET', '/apis/apps/v1/namespaces/default/controllerrevisions')).items;
    assert.equal(revisions.length, 1);
    const hash = revisions[0]?.metadata?.labels?.['controller-revision-hash'] ?? '';
    assert.equal(revisions[0]?.metadata?.name, `agent-${hash}`);
    assert.equal(revisions[0]?.revision, 1);
    for (const p of await pods()) {
      assert.equal(p.metadata?.labels?.['controller-revision-hash'], hash);
      assert.equal(p.metadata?.labels?.['pod-template-generation'], '1');
      assert.match(p.metadata?.name ?? '', /^agent-[a-z0-9]{5}$/);
      assert.deepEqual(p.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms, [
        { matchFields: [{ key: 'metadata.name', operator: 'In', values: [p.spec?.nodeName ?? ''] }] },
      ]);
      const keys = (p.spec?.tolerations ?? []).map((t) => `${t.key ?? ''}:${t.effect ?? ''}`);
      for (const want of ['node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unschedulable:NoSchedule', 'node.kubernetes.io/disk-pressure:NoSchedule']) {
        assert.ok(keys.includes(want), `missing toleration ${want} in ${keys.join(', ')}`);
      }
    }
    await waitFor('status counts', async () => {
      const s = (await getDs()).status;
      return s?.numberAvailable === 3 && s.observedGeneration === ds.metadata?.generation;
    });
    const s = (await getDs()).status;
    assert.deepEqual(
      [s?.desiredNumberScheduled, s?.currentNumberScheduled, s?.numberMisscheduled, s?.numberReady, s?.numberAvailable, s?.updatedNumberScheduled, s?.numberUnavailable],
      [3, 3, 0, 3, 3, 3, undefined],
    );
    await dsc.recorder.flush();
    const events = (await client.request<{ items: EventJson[] }>('GET', '/api/v1/namespaces/default/events')).items.filter((e) => e.involvedObject.kind === 'DaemonSet');
    const created = events.filter((e) => e.reason === 'SuccessfulCreate').map((e) => e.message);
    assert.equal(created.length, 3);
    for (const m of created) assert.match(m, /^Created pod: agent-[a-z0-9]{5}$/);
  });

  test('a node with an untolerated NoSchedule taint keeps its pod but gets no new one; NoExecute deletes the pod', async () => {
    const [n1, n2] = await nodeNames();
    assert.ok(n1 !== undefined && n2 !== undefined);
    await k(['taint', 'nodes', n1, 'dedicated=infra:NoSchedule']);
    await sleep(1500);
    assert.equal((await runningByNode()).get(n1)?.length, 1, 'NoSchedule does not evict');
    await waitFor('one misscheduled-free status with 2 desired', async () => (await getDs()).status?.desiredNumberScheduled === 2);
    // Delete the pod on the NoSchedule node: it is not replaced.
    const onN1 = (await pods()).find((p) => p.spec?.nodeName === n1);
    await k(['delete', 'pod', onN1?.metadata?.name ?? '', '--wait=false']);
    await waitFor('the pod on the NoSchedule node to go', async () => !(await pods()).some((p) => p.spec?.nodeName === n1), 30_000);
    await sleep(2000);
    assert.equal((await pods()).filter((p) => p.spec?.nodeName === n1).length, 0, 'no new pod on the tainted node');

    await k(['taint', 'nodes', n2, 'dedicated=infra:NoExecute']);
    await waitFor('the pod on the NoExecute node to be deleted', async () => !(await pods()).some((p) => p.spec?.nodeName === n2), 30_000);
    await dsc.recorder.flush();
    await waitFor('status of one desired node', async () => {
      const s = (await getDs()).status;
      return s?.desiredNumberScheduled === 1 && s.currentNumberScheduled === 1 && s.numberAvailable === 1 && s.numberMisscheduled === 0;
    });
    const deleted = (await client.request<{ items: EventJson[] }>('GET', '/api/v1/namespaces/default/events')).items.filter((e) => e.reason === 'SuccessfulDelete' && e.involvedObject.kind === 'DaemonSet');
    assert.ok(deleted.some((e) => /^Deleted pod: agent-/.test(e.message)));

    // A toleration of the taint key covers every node again (a new template: a second revision).
    await k(['patch', 'ds', 'agent', '--type=json', '-p', JSON.stringify([{ op: 'add', path: '/spec/template/spec/tolerations', value: [{ key: 'dedicated', operator: 'Exists' }] }])]);
    await waitFor('all three nodes covered with the toleration', async () => (await coversAll()) && (await pods()).every((p) => (p.spec?.tolerations ?? []).some((t) => t.key === 'dedicated')), 60_000);
    await k(['rollout', 'status', 'ds/agent', '--timeout=60s']);
    await k(['taint', 'nodes', n1, 'dedicated-']);
    await k(['taint', 'nodes', n2, 'dedicated-']);
  });

  test('an image change rolls the pods one node at a time, and rollout history and undo work', async () => {
    const unavailable: number[] = [];
    const watch = new Informer(client, '/api/v1/namespaces/default/pods', { labelSelector: 'app=agent' });
    let armed = false;
    const check = (): void => {
      if (!armed) return;
      const live = watch.list().map((o) => o as unknown as Pod).filter((p) => p.metadata?.deletionTimestamp === undefined);
      const readyNodes = new Set(live.filter(isPodReady).map((p) => p.spec?.nodeName ?? ''));
      unavailable.push(3 - readyNodes.size);
    };
    watch.addHandlers({ add: check, update: check, delete: check });
    watch.start();
    await watch.waitForSync();
    armed = true;
    try {
      await k(['set', 'image', 'ds/agent', 'agent=busybox:1.37']);
      const out = await k(['rollout', 'status', 'ds/agent', '--timeout=90s']);
      assert.match(out, /daemon set "agent" successfully rolled out/);
    } finally {
      watch.stop();
    }
    assert.ok(unavailable.length > 5, `only ${unavailable.length} changes observed`);
    assert.ok(Math.max(...unavailable) <= 1, `more than one node unavailable at once: ${unavailable.join(',')}`);
    const current = await pods();
    assert.equal(current.length, 3);
    for (const p of current) assert.equal(p.spec?.containers[0]?.image, 'busybox:1.37');
    const s = (await getDs()).status;
    assert.equal(s?.updatedNumberScheduled, 3);

    const history = await k(['rollout', 'history', 'ds/agent']);
    assert.match(history, /REVISION/);
    assert.match(history, /\n3 /);
    const rev3 = await k(['rollout', 'history', 'ds/agent', '--revision=3']);
    assert.match(rev3, /busybox:1\.37/);

    await k(['rollout', 'undo', 'ds/agent']);
    await k(['rollout', 'status', 'ds/agent', '--timeout=90s']);
    await waitFor('pods back on the previous image', async () => {
      const ps = await pods();
      return ps.length === 3 && ps.every((p) => p.spec?.containers[0]?.image === 'busybox:1.36' && isPodReady(p));
    }, 60_000);
  });
  test('a nodeSelector limits the DaemonSet to matching nodes, and OnDelete replaces a pod only when it is deleted', async () => {
    const [n1, n2, n3] = await nodeNames();
    assert.ok(n1 !== undefined && n2 !== undefined && n3 !== undefined);
    await k(['label', 'nodes', n1, n2, 'disk=ssd']);
    const picky = manifest
      .replaceAll('agent', 'picky')
      .replace('type: RollingUpdate\n    rollingUpdate: { maxUnavailable: 1 }', 'type: OnDelete')
      .replace('terminationGracePeriodSeconds: 2', 'terminationGracePeriodSeconds: 1\n      nodeSelector: { disk: ssd }');
    await k(['apply', '-f', writeTemp('picky-ds.yaml', picky)]);
    const pickyPods = async (): Promise<Pod[]> =>
      (await client.request<{ items: Pod[] }>('GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Dpicky')).items.filter((p) => p.metadata?.deletionTimestamp === undefined);
    const nodesOf = async (): Promise<string[]> => (await pickyPods()).map((p) => p.spec?.nodeName ?? '').sort();
    await waitFor('picky pods on the two ssd nodes', async () => (await nodesOf()).join() === [n1, n2].join() && (await pickyPods()).every(isPodReady), 60_000);

    // A node that stops matching loses its pod.
    await k(['label', 'nodes', n2, 'disk-']);
    await waitFor('the pod on the relabelled node to go', async () => (await nodesOf()).join() === n1, 30_000);

    // OnDelete: a template change leaves the pod alone until it is deleted.
    await k(['label', 'nodes', n3, 'disk=ssd']);
    await waitFor('a pod on the newly labelled node', async () => (await nodesOf()).join() === [n1, n3].join() && (await pickyPods()).every(isPodReady), 60_000);
    await k(['set', 'image', 'ds/picky', 'picky=busybox:1.37']);
    await sleep(1500);
    assert.deepEqual((await pickyPods()).map((p) => p.spec?.containers[0]?.image), ['busybox:1.36', 'busybox:1.36']);
    const onN1 = (await pickyPods()).find((p) => p.spec?.nodeName === n1);
    await k(['delete', 'pod', onN1?.metadata?.name ?? '']);
    await waitFor('a replacement with the new image on the first node', async () => (await pickyPods()).some((p) => p.spec?.nodeName === n1 && p.spec.containers[0]?.image === 'busybox:1.37' && isPodReady(p)), 60_000);
    await waitFor('status with one updated pod', async () => {
      const s = (await client.request<DaemonSet>('GET', '/apis/apps/v1/namespaces/default/daemonsets/picky')).status;
      return s?.desiredNumberScheduled === 2 && s.updatedNumberScheduled === 1 && s.numberAvailable === 2 && s.numberMisscheduled === 0;
    });
  });
});
