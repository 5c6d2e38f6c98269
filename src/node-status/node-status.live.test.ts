// Live: this machine registers as a node of a real `k8ts server` (with node-ipam), with a runtime that only answers
// Version and Status; kubectl sees the node, its Lease renews, node-ipam's podCIDR lands in subnet.env and survives a
// restart of both the server and the agent, and a runtime whose network is not ready makes the node NotReady.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Node } from 'kubernetes-types/core/v1.js';
import { K8tsServer, waitFor } from '../../test/e2e/support/server.js';
import { readKubeconfig } from '../client/kubeconfig.js';
import { RestClient } from '../client/rest-client.js';
import type { StatusResponse } from '../cri/runtime-service.js';
import { readMachineInfo, type MachineInfo } from './machine-info.js';
import { startNodeStatus, type NodeStatusHandle } from './node-status-loop.js';

const net = { ready: true };
const runtimeStatus = async (): Promise<StatusResponse> => ({
  status: {
    conditions: [
      { type: 'RuntimeReady', status: true, reason: '', message: '' },
      { type: 'NetworkReady', status: net.ready, reason: net.ready ? '' : 'NetworkPluginNotReady', message: net.ready ? '' : 'Network plugin returns error: cni plugin not initialized' },
    ],
  },
  info: {},
  runtimeHandlers: [],
});
const runtimeVersion = async () => ({ version: '0.1.0', runtimeName: 'containerd', runtimeVersion: '1.6.20~ds1', runtimeApiVersion: 'v1' });

describe('node status against a real server', () => {
  let server: K8tsServer;
  let dataDir: string;
  let machine: MachineInfo;
  let handle: NodeStatusHandle | undefined;

  const kubectl = (args: string[]): Promise<string> =>
    new Promise((resolve, reject) => {
      execFile('kubectl', args, { env: { ...process.env, KUBECONFIG: server.kubeconfig }, timeout: 30_000 }, (err, stdout, stderr) => {
        if (err !== null) reject(new Error(`kubectl ${args.join(' ')}: ${err.message}\n${stderr}`));
        else resolve(stdout);
      });
    });
  const getNode = async (): Promise<Node> => JSON.parse(await kubectl(['get', 'node', machine.hostname, '-o', 'json'])) as Node;
  const ready = async () => (await getNode()).status?.conditions?.find((c) => c.type === 'Ready');
  const start = (): NodeStatusHandle =>
    startNodeStatus({
      client: new RestClient(readKubeconfig(server.kubeconfig)),
      nodeName: machine.hostname,
      machine,
      runtimeVersion,
      runtimeStatus,
      isServer: true,
      dataDir,
      statusUpdateIntervalMs: 300,
      leaseRenewIntervalMs: 300,
    });

  before(async () => {
    server = await K8tsServer.start();
    dataDir = await mkdtemp(join(tmpdir(), 'k8ts-node-'));
    machine = await readMachineInfo({ dataDir });
  });

  after(async () => {
    await handle?.stop();
    await server?.destroy();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  test('registers this machine with labels, capacity, node info and Ready, and writes its podCIDR to subnet.env', async () => {
    handle = start();
    const cidr = await handle.podCidr();
    assert.match(cidr, /^10\.240\.\d+\.0\/24$/);
    assert.match(await readFile(join(dataDir, 'subnet.env'), 'utf8'), new RegExp(`^SUBNET=${cidr.replace(/\./g, '\\.')}$`, 'm'));

    const node = await getNode();
    assert.equal(node.spec?.podCIDR, cidr);
    assert.equal(node.metadata?.labels?.['kubernetes.io/hostname'], machine.hostname);
    assert.equal(node.metadata?.labels?.['node-role.kubernetes.io/control-plane'], 'true');
    assert.equal(node.metadata?.labels?.['node.kubernetes.io/instance-type'], 'k8ts');
    assert.equal(node.status?.capacity?.['pods'], '110');
    assert.equal(node.status?.capacity?.['cpu'], String(machine.cpus));
    assert.equal(node.status?.nodeInfo?.containerRuntimeVersion, 'containerd://1.6.20~ds1');
    assert.match(node.status?.nodeInfo?.kubeletVersion ?? '', /^v1\.32\.0-k8ts\.\d+$/);
    assert.equal(node.status?.nodeInfo?.bootID, machine.bootId);
    assert.deepEqual(node.status?.addresses, [
      { type: 'InternalIP', address: machine.internalIp },
      { type: 'Hostname', address: machine.hostname },
    ]);
    const r = await ready();
    assert.deepEqual([r?.status, r?.reason, r?.message], ['True', 'KubeletReady', 'kubelet is posting ready status']);
    const wide = await kubectl(['get', 'nodes', '-o', 'wide']);
    assert.match(wide, new RegExp(`^${machine.hostname}\\s+Ready\\s+control-plane,master\\s+`, 'm'));
  });

  test('renews a Lease owned by the node', async () => {
    const lease = async (): Promise<Lease> => JSON.parse(await kubectl(['get', 'lease', '-n', 'kube-node-lease', machine.hostname, '-o', 'json'])) as Lease;
    const first = await lease();
    assert.equal(first.spec?.holderIdentity, machine.hostname);
    assert.equal(first.spec?.leaseDurationSeconds, 40);
    assert.equal(first.metadata?.ownerReferences?.[0]?.uid, (await getNode()).metadata?.uid);
    await waitFor('a lease renewal', async () => (await lease()).spec?.renewTime !== first.spec?.renewTime, 10_000);
  });

  test('a runtime whose network is not ready makes the node NotReady with upstream wording', async () => {
    net.ready = false;
    await waitFor('NotReady', async () => (await ready())?.status === 'False', 10_000);
    const r = await ready();
    assert.equal(r?.reason, 'KubeletNotReady');
    assert.equal(r?.message, 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized');
    net.ready = true;
    await waitFor('Ready again', async () => (await ready())?.status === 'True', 10_000);
  });

  test('after a restart of server and agent, and after the node was deleted, the node keeps its podCIDR', async () => {
    const cidr = await handle?.podCidr();
    await handle?.stop();
    await server.restart();
    handle = start();
    assert.equal(await handle.podCidr(), cidr);
    await waitFor('Ready after the restart', async () => (await ready())?.status === 'True', 10_000);

    // Another node takes the next block; ours is deleted (its block freed) and comes back: node-ipam would give it the
    // block after the other's, but it asks for the one subnet.env remembers.
    const client = new RestClient(readKubeconfig(server.kubeconfig));
    await client.request('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'other-node' } });
    await waitFor('the other node\'s podCIDR', async () => (await client.request<Node>('GET', '/api/v1/nodes/other-node')).spec?.podCIDR !== undefined);
    await handle.stop();
    await kubectl(['delete', 'node', machine.hostname]);
    handle = start();
    assert.equal(await handle.podCidr(), cidr);
    assert.equal((await getNode()).spec?.podCIDR, cidr);
    assert.notEqual((await client.request<Node>('GET', '/api/v1/nodes/other-node')).spec?.podCIDR, cidr);
  });
});
