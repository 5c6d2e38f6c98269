import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Node } from 'kubernetes-types/core/v1.js';
import type { StatusResponse } from '../cri/runtime-service.js';
import { FakeApiClient } from './fake-api-client.js';
import type { MachineInfo } from './machine-info.js';
import { noPressure } from './node-object.js';
import { startNodeStatus, type NodeStatusOptions } from './node-status-loop.js';

const machine: MachineInfo = {
  cpus: 2,
  memoryBytes: 8n << 30n,
  ephemeralStorageBytes: 100n << 30n,
  hugePages: [{ size: '2Mi', bytes: 0n }],
  machineId: 'm',
  systemUuid: 'u',
  bootId: 'b',
  kernelVersion: '6.1.0',
  osImage: 'Debian GNU/Linux 12 (bookworm)',
  operatingSystem: 'linux',
  architecture: 'amd64',
  hostname: 'node-a',
  internalIp: '192.0.2.2',
};
const nodeKey = '/api/v1/nodes/node-a';
const leaseKey = '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node-a';

async function until(what: string, fn: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function runtimeStatus(networkReady: boolean): StatusResponse {
  return {
    status: {
      conditions: [
        { type: 'RuntimeReady', status: true, reason: '', message: '' },
        { type: 'NetworkReady', status: networkReady, reason: networkReady ? '' : 'NetworkPluginNotReady', message: networkReady ? '' : 'Network plugin returns error: cni plugin not initialized' },
      ],
    },
    info: {},
    runtimeHandlers: [],
  };
}

async function withLoop(fn: (ctx: { api: FakeApiClient; dataDir: string; opts: NodeStatusOptions; net: { ready: boolean } }) => Promise<void>, prepare?: (api: FakeApiClient, dataDir: string) => Promise<void>): Promise<void> {
  const api = new FakeApiClient();
  const dataDir = await mkdtemp(join(tmpdir(), 'k8ts-nodestatus-'));
  const net = { ready: true };
  await prepare?.(api, dataDir);
  const opts: NodeStatusOptions = {
    client: api,
    nodeName: 'node-a',
    machine,
    runtimeVersion: async () => ({ version: '0.1.0', runtimeName: 'containerd', runtimeVersion: '1.6.20~ds1', runtimeApiVersion: 'v1' }),
    runtimeStatus: async () => runtimeStatus(net.ready),
    isServer: true,
    dataDir,
    statusUpdateIntervalMs: 20,
    leaseRenewIntervalMs: 20,
    pressure: async () => noPressure,
  };
  try {
    await fn({ api, dataDir, opts, net });
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

const node = (api: FakeApiClient): Node => (api.objects.get(nodeKey) ?? {}) as Node;
const ready = (api: FakeApiClient) => node(api).status?.conditions?.find((c) => c.type === 'Ready');

describe('startNodeStatus', () => {
  test('registers the node, renews its lease, follows the runtime, and writes subnet.env once a podCIDR is set', async () => {
    await withLoop(async ({ api, dataDir, opts, net }) => {
      const h = startNodeStatus(opts);
      try {
        await until('the node', () => api.objects.has(nodeKey));
        assert.equal(node(api).metadata?.labels?.['node-role.kubernetes.io/control-plane'], 'true');
        assert.equal(ready(api)?.status, 'True');
        await until('the lease', () => api.objects.has(leaseKey));
        const renewTime = (): unknown => (api.objects.get(leaseKey)?.['spec'] as { renewTime?: string } | undefined)?.renewTime;
        const first = renewTime();
        await until('a renewal', () => renewTime() !== first);

        net.ready = false;
        await until('NotReady', () => ready(api)?.status === 'False');
        assert.match(ready(api)?.message ?? '', /^container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady/);
        net.ready = true;
        await until('Ready again', () => ready(api)?.status === 'True');

        const cidr = h.podCidr();
        api.put(nodeKey, { ...(api.objects.get(nodeKey) ?? {}), spec: { podCIDR: '10.240.5.0/24', podCIDRs: ['10.240.5.0/24'] } });
        assert.equal(await cidr, '10.240.5.0/24');
        assert.match(await readFile(join(dataDir, 'subnet.env'), 'utf8'), /^SUBNET=10\.240\.5\.0\/24$/m);
        assert.equal(await h.podCidr(), '10.240.5.0/24');
      } finally {
        await h.stop();
      }
    });
  });

  test('an unchanged status is not posted again before the report interval', async () => {
    await withLoop(async ({ api, opts }) => {
      const h = startNodeStatus({ ...opts, statusReportIntervalMs: 60_000 });
      try {
        await until('the node', () => api.objects.has(nodeKey));
        const gets = (): number => api.requests.filter((r) => r.method === 'GET' && r.path === nodeKey).length;
        await until('a few status checks', () => gets() >= 5);
        assert.equal(api.requests.filter((r) => r.method === 'PATCH' && r.path === `${nodeKey}/status`).length, 0);
      } finally {
        // Stopping while a caller waits for a podCIDR that never comes fails the wait.
        const waiting = h.podCidr();
        await h.stop();
        await assert.rejects(waiting, /node status is stopped/);
      }
    });
  });

  test('a node registered before gets its labels back, our status, and keeps its podCIDR', async () => {
    await withLoop(
      async ({ api, opts }) => {
        const h = startNodeStatus(opts);
        try {
          await until('our status', () => ready(api)?.reason === 'KubeletReady');
          assert.equal(node(api).metadata?.labels?.['kubernetes.io/os'], 'linux');
          assert.equal(node(api).metadata?.labels?.['custom'], 'kept');
          assert.equal(await h.podCidr(), '10.240.7.0/24');
        } finally {
          await h.stop();
        }
      },
      async (api) => {
        api.put(nodeKey, {
          metadata: { name: 'node-a', labels: { custom: 'kept' } },
          spec: { podCIDR: '10.240.7.0/24' },
          status: { conditions: [{ type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' }] },
        });
      },
    );
  });

  test('a node created anew asks for the podCIDR its subnet.env remembers', async () => {
    await withLoop(
      async ({ api, opts }) => {
        const h = startNodeStatus(opts);
        try {
          await until('the node', () => api.objects.has(nodeKey));
          assert.equal(node(api).spec?.podCIDR, '10.240.9.0/24');
          assert.equal(await h.podCidr(), '10.240.9.0/24');
        } finally {
          await h.stop();
        }
      },
      async (_api, dataDir) => {
        await writeFile(join(dataDir, 'subnet.env'), 'SUBNET=10.240.9.0/24\nMTU=1450\n');
      },
    );
  });

  test('a remembered podCIDR another node holds now is not asked for', async () => {
    await withLoop(
      async ({ api, opts }) => {
        const h = startNodeStatus(opts);
        try {
          await until('the node', () => api.objects.has(nodeKey));
          assert.equal(node(api).spec?.podCIDR, undefined);
        } finally {
          await h.stop();
        }
      },
      async (api, dataDir) => {
        await writeFile(join(dataDir, 'subnet.env'), 'SUBNET=10.240.9.0/24\nMTU=1450\n');
        api.put('/api/v1/nodes/node-b', { metadata: { name: 'node-b' }, spec: { podCIDR: '10.240.9.0/24', podCIDRs: ['10.240.9.0/24'] } });
      },
    );
  });
});
