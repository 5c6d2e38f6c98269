// Live: the kubelet against a real `k8ts server` (no scheduler: pods name their node) with the fake CRI runtime.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { StaticVolumeObjectLookup, VolumeManager } from './volumes/index.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Event, Pod } from 'kubernetes-types/core/v1.js';
import { K8tsServer, waitFor } from '../../test/e2e/support/server.js';
import { readKubeconfig } from '../client/kubeconfig.js';
import { RestClient } from '../client/rest-client.js';
import { ApiError } from '../machinery/errors.js';
import { FakeRuntime } from '../cri/index.js';
import { startKubelet, type Kubelet } from './kubelet.js';

const nodeName = 'kubelet-live';
const ns = 'default';

function podManifest(name: string, script: string, restartPolicy = 'Always'): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns },
    spec: { nodeName, restartPolicy, terminationGracePeriodSeconds: 5, containers: [{ name: 'main', image: 'busybox', imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', script] }] },
  } as Pod;
}

describe('the kubelet with a fake runtime against a live server', () => {
  let server: K8tsServer;
  let client: RestClient;
  let fake: FakeRuntime;
  let kubelet: Kubelet;
  let rootDir: string;

  const getPod = (name: string): Promise<Pod> => client.request<Pod>('GET', `/api/v1/namespaces/${ns}/pods/${name}`);
  const waitPod = async (name: string, what: string, fn: (p: Pod) => boolean, timeoutMs = 15_000): Promise<Pod> => {
    let last: Pod | undefined;
    await waitFor(what, async () => fn((last = await getPod(name))), timeoutMs).catch((e: unknown) => {
      throw new Error(`${errorText(e)}; last status: ${JSON.stringify(last?.status)}`);
    });
    return last as Pod;
  };

  before(async () => {
    server = await K8tsServer.start();
    client = new RestClient(readKubeconfig(server.kubeconfig));
    await client.request('POST', '/api/v1/nodes', {
      apiVersion: 'v1', kind: 'Node', metadata: { name: nodeName },
      status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }] },
    });
    rootDir = mkdtempSync(join(tmpdir(), 'k8ts-kubelet-'));
    fake = new FakeRuntime({ images: [{ ref: 'registry.k8s.io/pause:3.10' }, { ref: 'busybox:latest' }] });
    kubelet = startKubelet({ client, nodeName, runtime: fake, images: fake, rootDir, relistIntervalMs: 200, resyncIntervalMs: 2000 });
  });

  after(async () => {
    await kubelet?.stop();
    await server?.destroy();
    if (rootDir !== undefined) {
      // Volumes of pods still there at the end (tmpfs for projected and secret volumes as root) are torn down first.
      const volumes = new VolumeManager({ rootDir, nodeName, lookup: new StaticVolumeObjectLookup() });
      for (const uid of await volumes.podUidsOnDisk()) await volumes.tearDown(uid);
      rmSync(rootDir, { recursive: true, force: true });
    }
  });

  test('a pod runs, restarts after its container exits, then backs off in CrashLoopBackOff', async () => {
    await client.request('POST', `/api/v1/namespaces/${ns}/pods`, podManifest('crasher', 'sleep 3600'));
    const running = await waitPod('crasher', 'Running and Ready', (p) => p.status?.phase === 'Running' && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true);
    const cs = running.status?.containerStatuses?.[0];
    assert.match(cs?.containerID ?? '', /^containerd:\/\/[0-9a-f]{64}$/);
    assert.equal(running.status?.hostIP, '127.0.0.1');
    assert.equal(running.status?.qosClass, 'BestEffort');

    fake.exitContainer((cs?.containerID ?? '').slice('containerd://'.length), 1);
    const restarted = await waitPod('crasher', 'restarted once', (p) => p.status?.containerStatuses?.[0]?.restartCount === 1 && p.status.containerStatuses[0].state?.running !== undefined);
    const cs2 = restarted.status?.containerStatuses?.[0];
    assert.equal(cs2?.lastState?.terminated?.exitCode, 1);

    fake.exitContainer((cs2?.containerID ?? '').slice('containerd://'.length), 1);
    const looping = await waitPod('crasher', 'CrashLoopBackOff', (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff');
    const uid = looping.metadata?.uid ?? '';
    assert.equal(looping.status?.containerStatuses?.[0]?.state?.waiting?.message, `back-off 10s restarting failed container=main pod=crasher_default(${uid})`);
    assert.equal(looping.status?.containerStatuses?.[0]?.lastState?.terminated?.exitCode, 1);
    assert.equal(looping.status?.containerStatuses?.[0]?.restartCount, 1);
    const ready = looping.status?.conditions?.find((c) => c.type === 'Ready');
    assert.equal(ready?.message, 'containers with unready status: [main]');

    await waitFor('kubelet events', async () => {
      const evs = await client.request<{ items: Event[] }>('GET', `/api/v1/namespaces/${ns}/events?fieldSelector=involvedObject.uid=${uid}`);
      const reasons = new Set(evs.items.map((e) => `${e.reason}: ${e.message}`));
      return reasons.has('Created: Created container: main') && reasons.has('Started: Started container main') &&
        reasons.has(`BackOff: Back-off restarting failed container main in pod crasher_default(${uid})`) &&
        reasons.has('Pulled: Container image "busybox" already present on machine') && evs.items.every((e) => e.source?.component === 'kubelet' && e.source.host === nodeName);
    });
  });

  test('restartPolicy Never with a failing container ends Failed with its exit code', async () => {
    await client.request('POST', `/api/v1/namespaces/${ns}/pods`, podManifest('fails', 'exit 3', 'Never'));
    const failed = await waitPod('fails', 'Failed', (p) => p.status?.phase === 'Failed');
    assert.equal(failed.status?.containerStatuses?.[0]?.state?.terminated?.exitCode, 3);
    assert.equal(failed.status?.containerStatuses?.[0]?.state?.terminated?.reason, 'Error');
  });

  test('a deleted pod is stopped, removed from the runtime and then gone from the API', async () => {
    await client.request('POST', `/api/v1/namespaces/${ns}/pods`, podManifest('deleted', 'sleep 3600'));
    const p = await waitPod('deleted', 'Running', (x) => x.status?.phase === 'Running');
    const uid = p.metadata?.uid ?? '';
    await client.request('DELETE', `/api/v1/namespaces/${ns}/pods/deleted`, { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 3 });
    await waitFor('pod gone', async () => {
      try {
        await getPod('deleted');
        return false;
      } catch (e: unknown) {
        return e instanceof ApiError && e.code === 404;
      }
    });
    const left = await fake.listPodSandbox({ filter: { labelSelector: { 'io.kubernetes.pod.uid': uid } } });
    assert.equal(left.items.length, 0);
    assert.ok(fake.calls.some((c) => c.method === 'StopContainer' && (c.request as { timeout?: string }).timeout === '3'));
  });
});

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
