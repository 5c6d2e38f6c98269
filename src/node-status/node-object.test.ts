import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from 'kubernetes-types/core/v1.js';
import type { StatusResponse } from '../cri/runtime-service.js';
import type { MachineInfo } from './machine-info.js';
import {
  aggregateMessage,
  containerRuntimeVersion,
  evictionPressure,
  initialNode,
  kubeletVersion,
  metaTime,
  nodeConditions,
  nodeResources,
  nodeStatus,
  nodeStatusHasChanged,
  noPressure,
  reconcileExistingNode,
  runtimeErrors,
} from './node-object.js';

const machine: MachineInfo = {
  cpus: 2,
  memoryBytes: 24684084n * 1024n,
  ephemeralStorageBytes: 264092233728n,
  hugePages: [
    { size: '1Gi', bytes: 0n },
    { size: '2Mi', bytes: 0n },
  ],
  machineId: '3d1219c7c4c5404aaa1f6d2a48adfda4',
  systemUuid: '3d1219c7-c4c5-404a-aa1f-6d2a48adfda4',
  bootId: '421f16d4-98d0-480b-80f7-e98bb8a9b926',
  kernelVersion: '6.1.0-18-amd64',
  osImage: 'Debian GNU/Linux 12 (bookworm)',
  operatingSystem: 'linux',
  architecture: 'amd64',
  hostname: 'node-a',
  internalIp: '192.0.2.2',
};

const version = { version: '0.1.0', runtimeName: 'containerd', runtimeVersion: '1.6.20~ds1', runtimeApiVersion: 'v1' };
const status = (network: boolean, runtime = true): StatusResponse => ({
  status: {
    conditions: [
      { type: 'RuntimeReady', status: runtime, reason: '', message: '' },
      { type: 'NetworkReady', status: network, reason: network ? '' : 'NetworkPluginNotReady', message: network ? '' : 'Network plugin returns error: cni plugin not initialized' },
    ],
  },
  info: {},
  runtimeHandlers: [],
});

const t0 = Date.parse('2026-01-01T00:00:00Z');

describe('node resources', () => {
  test('capacity is the machine, allocatable reserves the default hard eviction thresholds', () => {
    const r = nodeResources(machine);
    assert.deepEqual(r.capacity, {
      cpu: '2',
      'ephemeral-storage': '257902572Ki',
      'hugepages-1Gi': '0',
      'hugepages-2Mi': '0',
      memory: '24684084Ki',
      pods: '110',
    });
    // memory.available<100Mi; nodefs.available<10% (float32 0.1, truncated, as upstream)
    assert.equal(r.allocatable?.['memory'], '24581684Ki');
    assert.equal(r.allocatable?.['ephemeral-storage'], String(264092233728n - BigInt(Math.trunc(264092233728 * Math.fround(0.1)))));
    assert.equal(r.allocatable?.['cpu'], '2');
    assert.equal(r.allocatable?.['pods'], '110');
  });

  test('huge pages are taken from allocatable memory', () => {
    const r = nodeResources({ ...machine, hugePages: [{ size: '2Mi', bytes: 512n * 2097152n }] });
    assert.equal(r.capacity?.['hugepages-2Mi'], '1Gi');
    assert.equal(r.allocatable?.['memory'], `${24684084 - 102400 - 1048576}Ki`);
  });
});

describe('node conditions', () => {
  test('a new node reports sufficient memory, no disk or PID pressure, and ready, with upstream texts', () => {
    const c = nodeConditions(t0, [], { pressure: noPressure, errors: [], capacity: nodeResources(machine).capacity });
    assert.deepEqual(
      c.map((x) => [x.type, x.status, x.reason, x.message]),
      [
        ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
        ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
        ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
        ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'],
      ],
    );
    assert.ok(c.every((x) => x.lastHeartbeatTime === '2026-01-01T00:00:00Z' && x.lastTransitionTime === '2026-01-01T00:00:00Z'));
  });

  test('heartbeats move every time, transitions only when the status changes', () => {
    const cap = nodeResources(machine).capacity;
    const first = nodeConditions(t0, [], { pressure: noPressure, errors: [], capacity: cap });
    const later = nodeConditions(t0 + 10_000, first, { pressure: { ...noPressure, disk: true }, errors: [], capacity: cap });
    const disk = later.find((x) => x.type === 'DiskPressure');
    assert.deepEqual([disk?.status, disk?.reason, disk?.message, disk?.lastTransitionTime], ['True', 'KubeletHasDiskPressure', 'kubelet has disk pressure', '2026-01-01T00:00:10Z']);
    const ready = later.find((x) => x.type === 'Ready');
    assert.equal(ready?.lastHeartbeatTime, '2026-01-01T00:00:10Z');
    assert.equal(ready?.lastTransitionTime, '2026-01-01T00:00:00Z');
  });

  test('a runtime whose network is not ready makes the node NotReady with upstream wording', () => {
    assert.deepEqual(runtimeErrors(status(false)), [
      'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized',
    ]);
    const c = nodeConditions(t0, [], { pressure: noPressure, errors: runtimeErrors(status(false)), capacity: nodeResources(machine).capacity });
    const ready = c.find((x) => x.type === 'Ready');
    assert.equal(ready?.status, 'False');
    assert.equal(ready?.reason, 'KubeletNotReady');
    assert.equal(ready?.message, 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized');
  });

  test('several errors aggregate in brackets; a missing condition prints as <nil>; an unreachable runtime is down', () => {
    assert.deepEqual(runtimeErrors({ status: { conditions: [] }, info: {}, runtimeHandlers: [] }), [
      'container runtime not ready: <nil>',
      'container runtime network not ready: <nil>',
    ]);
    assert.equal(aggregateMessage(['a', 'b', 'a']), '[a, b]');
    assert.equal(aggregateMessage(['a']), 'a');
    assert.deepEqual(runtimeErrors(undefined), ['container runtime is down']);
    assert.deepEqual(runtimeErrors(status(true)), []);
  });

  test('pressure follows the default hard eviction thresholds', () => {
    const mi = 1024n * 1024n;
    assert.deepEqual(evictionPressure({ memoryAvailable: 101n * mi, nodefsAvailable: 11n, nodefsCapacity: 100n }), noPressure);
    assert.deepEqual(evictionPressure({ memoryAvailable: 99n * mi, nodefsAvailable: 9n, nodefsCapacity: 100n }), { memory: true, disk: true, pid: false });
  });

  test('a node without capacity is not ready', () => {
    const c = nodeConditions(t0, [], { pressure: noPressure, errors: [], capacity: { cpu: '1' } });
    assert.equal(c.find((x) => x.type === 'Ready')?.message, 'missing node capacity for resources: memory, pods, ephemeral-storage');
  });
});

describe('the registered node', () => {
  test('carries the kubelet and k3s labels, annotations, node info, addresses and endpoint', () => {
    const n = initialNode({ machine, runtime: { version, status: status(true) }, nowMs: t0, nodeName: 'node-a', isServer: true });
    assert.deepEqual(n.metadata?.labels, {
      'beta.kubernetes.io/arch': 'amd64',
      'beta.kubernetes.io/instance-type': 'k8ts',
      'beta.kubernetes.io/os': 'linux',
      'kubernetes.io/arch': 'amd64',
      'kubernetes.io/hostname': 'node-a',
      'kubernetes.io/os': 'linux',
      'node.kubernetes.io/instance-type': 'k8ts',
      'node-role.kubernetes.io/control-plane': 'true',
      'node-role.kubernetes.io/master': 'true',
    });
    assert.equal(n.metadata?.annotations?.['volumes.kubernetes.io/controller-managed-attach-detach'], 'true');
    assert.deepEqual(n.status?.nodeInfo, {
      machineID: machine.machineId,
      systemUUID: machine.systemUuid,
      bootID: machine.bootId,
      kernelVersion: '6.1.0-18-amd64',
      osImage: 'Debian GNU/Linux 12 (bookworm)',
      containerRuntimeVersion: 'containerd://1.6.20~ds1',
      kubeletVersion: kubeletVersion(),
      kubeProxyVersion: kubeletVersion(),
      operatingSystem: 'linux',
      architecture: 'amd64',
    });
    assert.match(kubeletVersion(), /^v1\.32\.0-k8ts\.\d+$/);
    assert.deepEqual(n.status?.addresses, [
      { type: 'InternalIP', address: '192.0.2.2' },
      { type: 'Hostname', address: 'node-a' },
    ]);
    assert.deepEqual(n.status?.daemonEndpoints, { kubeletEndpoint: { Port: 10250 } });
    assert.deepEqual(n.spec, {});
  });

  test('an agent node has no role labels; a remembered podCIDR is asked for again', () => {
    const n = initialNode({ machine, runtime: { version, status: status(true) }, nowMs: t0, nodeName: 'node-a', isServer: false, podCidr: '10.240.3.0/24' });
    assert.equal(n.metadata?.labels?.['node-role.kubernetes.io/control-plane'], undefined);
    assert.deepEqual(n.spec, { podCIDR: '10.240.3.0/24', podCIDRs: ['10.240.3.0/24'] });
  });

  test('a failed Version call reports the runtime version as Unknown', () => {
    assert.equal(containerRuntimeVersion(undefined), 'containerd://Unknown');
    assert.equal(nodeStatus({ machine, runtime: { version: undefined, status: undefined }, nowMs: t0 }).nodeInfo?.containerRuntimeVersion, 'containerd://Unknown');
  });

  test('re-registration patches only the labels and annotations that differ', () => {
    const want = initialNode({ machine, runtime: { version, status: status(true) }, nowMs: t0, nodeName: 'node-a', isServer: true });
    const existing: Node = { metadata: { name: 'node-a', labels: { ...want.metadata?.labels, 'kubernetes.io/arch': 'arm64', extra: 'kept' }, annotations: { ...want.metadata?.annotations } } };
    assert.deepEqual(reconcileExistingNode(want, existing), { metadata: { labels: { 'kubernetes.io/arch': 'amd64' } } });
    assert.equal(reconcileExistingNode(want, { metadata: { ...want.metadata } }), undefined);
  });
});

describe('status changes', () => {
  test('only heartbeat times moving is no change; a condition or capacity change is', () => {
    const s1 = nodeStatus({ machine, runtime: { version, status: status(true) }, nowMs: t0 });
    const s2 = nodeStatus({ machine, runtime: { version, status: status(true) }, nowMs: t0 + 10_000 }, s1.conditions);
    assert.equal(nodeStatusHasChanged(s1, s2), false);
    // What others write (images, a NetworkUnavailable condition) is not ours to compare.
    const server = { ...s1, images: [{ names: ['x'] }], conditions: [...(s1.conditions ?? []), { type: 'NetworkUnavailable', status: 'False' }] };
    assert.equal(nodeStatusHasChanged(server, s2), false);
    const s3 = nodeStatus({ machine, runtime: { version, status: status(false) }, nowMs: t0 + 20_000 }, s2.conditions);
    assert.equal(nodeStatusHasChanged(s2, s3), true);
    const s4 = nodeStatus({ machine: { ...machine, cpus: 4 }, runtime: { version, status: status(true) }, nowMs: t0 + 20_000 }, s2.conditions);
    assert.equal(nodeStatusHasChanged(s2, s4), true);
    assert.equal(nodeStatusHasChanged(undefined, s4), true);
  });

  test('metav1.Time is written in whole seconds', () => {
    assert.equal(metaTime(t0 + 1999), '2026-01-01T00:00:01Z');
  });
});
