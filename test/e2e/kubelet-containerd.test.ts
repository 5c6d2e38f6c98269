// The kubelet on real containerd: a k8ts server without scheduler, containerd started by k8ts's supervisor with a
// throwaway data dir, the busybox and pause images built offline and imported. Host-network pods only (no CNI:
// nothing leaves the machine). Skipped only where containerd, runc or busybox-static is not installed, or without root.
import { after, before, describe, test } from 'node:test';
import { existsSync } from 'node:fs';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { K8tsServer, unmountUnder, waitFor } from './support/server.js';
import { readKubeconfig } from '../../src/client/kubeconfig.js';
import { RestClient } from '../../src/client/rest-client.js';
import { ApiError } from '../../src/machinery/errors.js';
import { connectCri, type CriClient } from '../../src/cri/index.js';
import { startContainerd, type ContainerdProcess } from '../../src/containerd/containerd-process.js';
import { importImageArchive } from '../../src/containerd/images.js';
import { DEFAULT_PAUSE_REF, buildBusyboxImage, buildPauseImage } from '../../src/images/builtin-images.js';
import { startKubelet, type Kubelet } from '../../src/kubelet/kubelet.js';
import { containerdTestSkipReason } from '../../src/containerd/live-test-skip.js';

const skipReason = containerdTestSkipReason;

const skip = skipReason();
const nodeName = 'kubelet-containerd';
const ns = 'default';

function hostNetworkPod(name: string, script: string, restartPolicy: string, grace = 30): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns },
    spec: {
      nodeName, hostNetwork: true, restartPolicy, terminationGracePeriodSeconds: grace,
      containers: [{ name: 'main', image: 'busybox', imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', script] }],
    },
  } as Pod;
}

describe('the kubelet on containerd (host-network pods)', { skip }, () => {
  let server: K8tsServer;
  let client: RestClient;
  let dataDir: string;
  let containerd: ContainerdProcess;
  let cri: CriClient;
  let kubelet: Kubelet;

  const getPod = (name: string): Promise<Pod> => client.request<Pod>('GET', `/api/v1/namespaces/${ns}/pods/${name}`);
  const waitPod = async (name: string, what: string, fn: (p: Pod) => boolean, timeoutMs = 30_000): Promise<Pod> => {
    let last: Pod | undefined;
    await waitFor(what, async () => fn((last = await getPod(name))), timeoutMs).catch((e: unknown) => {
      throw new Error(`${e instanceof Error ? e.message : String(e)}; last status: ${JSON.stringify(last?.status)}`);
    });
    return last as Pod;
  };

  before(async () => {
    // A short path: containerd's socket lives under it and a unix socket path holds at most 107 bytes.
    dataDir = await mkdtemp('/tmp/k8ts-kl-');
    await buildBusyboxImage(join(dataDir, 'busybox.tar'));
    await buildPauseImage(join(dataDir, 'pause.tar'));
    containerd = await startContainerd({ dataDir, sandboxImage: DEFAULT_PAUSE_REF });
    await importImageArchive(containerd.socketPath, join(dataDir, 'pause.tar'));
    await importImageArchive(containerd.socketPath, join(dataDir, 'busybox.tar'));
    cri = await connectCri(containerd.socketPath, { timeoutMs: 60_000 });
    server = await K8tsServer.start();
    client = new RestClient(readKubeconfig(server.kubeconfig));
    await client.request('POST', '/api/v1/nodes', {
      apiVersion: 'v1', kind: 'Node', metadata: { name: nodeName },
      status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }] },
    });
    kubelet = startKubelet({ client, nodeName, runtime: cri, images: cri, rootDir: join(dataDir, 'kubelet'), hostIP: '127.0.0.1', relistIntervalMs: 500, resyncIntervalMs: 3000 });
  });

  after(async () => {
    await kubelet?.stop();
    // Whatever a failed test left running goes with containerd's own cleanup below.
    if (cri !== undefined) {
      const sbs = await cri.listPodSandbox({}).catch(() => ({ items: [] }));
      for (const sb of sbs.items) {
        await cri.stopPodSandbox({ podSandboxId: sb.id }).catch(() => undefined);
        await cri.removePodSandbox({ podSandboxId: sb.id }).catch(() => undefined);
      }
      cri.close();
    }
    await containerd?.stop();
    await server?.destroy();
    if (dataDir !== undefined) {
      // The volumes of pods left at the end (tmpfs for projected volumes) are unmounted first.
      unmountUnder(dataDir);
      await rm(dataDir, { recursive: true, force: true }).catch(() => undefined);
    }
  });

  test('a busybox pod goes Running with a containerd container ID and its output in the log', async () => {
    await client.request('POST', `/api/v1/namespaces/${ns}/pods`, hostNetworkPod('hello', 'echo hello; sleep 3600', 'Always', 5));
    const p = await waitPod('hello', 'Running', (x) => x.status?.phase === 'Running' && x.status.containerStatuses?.[0]?.ready === true);
    const cs = p.status?.containerStatuses?.[0];
    assert.match(cs?.containerID ?? '', /^containerd:\/\/[0-9a-f]{64}$/);
    assert.equal(p.status?.podIP, '127.0.0.1');
    assert.match(cs?.imageID ?? '', /sha256:/);
    const id = (cs?.containerID ?? '').slice('containerd://'.length);
    const st = await cri.containerStatus({ containerId: id });
    assert.equal(st.status?.state, 'CONTAINER_RUNNING');
    const { readFile } = await import('node:fs/promises');
    await waitFor('log line', async () => (await readFile(st.status?.logPath ?? '', 'utf8').catch(() => '')).includes(' stdout F hello'));
  });

  test('restartPolicy Never with exit 3 goes Failed with exit code 3', async () => {
    await client.request('POST', `/api/v1/namespaces/${ns}/pods`, hostNetworkPod('exits', 'exit 3', 'Never'));
    const p = await waitPod('exits', 'Failed', (x) => x.status?.phase === 'Failed');
    assert.equal(p.status?.containerStatuses?.[0]?.state?.terminated?.exitCode, 3);
    assert.equal(p.status?.containerStatuses?.[0]?.state?.terminated?.reason, 'Error');
  });

  test('deleting a pod stops its container within the grace period and the pod goes away', async () => {
    const p = await getPod('hello');
    const uid = p.metadata?.uid ?? '';
    const started = Date.now();
    await client.request('DELETE', `/api/v1/namespaces/${ns}/pods/hello`, { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 2 });
    await waitFor('pod gone', async () => {
      try {
        await getPod('hello');
        return false;
      } catch (e: unknown) {
        return e instanceof ApiError && e.code === 404;
      }
    }, 20_000);
    // sh as PID 1 ignores SIGTERM: containerd kills it when the 2 s grace period ends.
    const took = Date.now() - started;
    assert.ok(took < 10_000, `deletion took ${took} ms`);
    // The pod object goes first; its stopped sandbox is removed right after (upstream leaves that to its GC).
    await waitFor('the sandbox removed', async () => (await cri.listPodSandbox({ filter: { labelSelector: { 'io.kubernetes.pod.uid': uid } } })).items.length === 0, 10_000);
    // And the pod's cgroup with it, in every hierarchy (memory stands for them on v1; the one tree on v2).
    const v2 = existsSync('/sys/fs/cgroup/cgroup.controllers');
    const podCgroup = v2 ? `/sys/fs/cgroup/k8ts/pod${uid}` : `/sys/fs/cgroup/memory/k8ts/pod${uid}`;
    await waitFor(`${podCgroup} removed`, () => !existsSync(podCgroup), 10_000);
  });
});
