import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { PodStats, Summary } from '../../kubelet/stats/summary.js';
import type { KubeletClientConfig } from '../handlers/pod-log.js';
import { nodeMetrics, podMetrics, setSummarySource } from './metrics-api.js';

const client: KubeletClientConfig = { caPem: '', certPem: '', keyPem: '' };
const t = '2024-05-01T10:00:05Z';

const nodeObj = (name: string): Node => ({ metadata: { name } });
const podObj = (namespace: string, name: string, nodeName: string, phase = 'Running'): Pod => ({ metadata: { name, namespace }, spec: { nodeName, containers: [] }, status: { phase } });
const podStats = (namespace: string, name: string, nanoCores: number): PodStats => ({
  podRef: { name, namespace, uid: `${namespace}-${name}` },
  startTime: t,
  containers: [{ name: 'c', startTime: t, cpu: { time: t, usageNanoCores: nanoCores }, memory: { time: t, workingSetBytes: 4096 } }],
});
const summary = (name: string, pods: PodStats[]): Summary => ({
  node: { nodeName: name, startTime: t, cpu: { time: t, usageNanoCores: 1_000_000 }, memory: { time: t, workingSetBytes: 1024 * 1024 } },
  pods,
});

afterEach(() => setSummarySource(undefined));

describe('nodeMetrics', () => {
  test('lists the nodes whose kubelets answered, sorted by name', async () => {
    setSummarySource(async (nodes) => new Map(nodes.filter((n) => n.metadata?.name !== 'down').map((n) => [n.metadata?.name ?? '', summary(n.metadata?.name ?? '', [])])));
    const got = await nodeMetrics([nodeObj('zeta'), nodeObj('down'), nodeObj('alpha')], client);
    assert.deepEqual(got.map((m) => [m.metadata.name, m.usage.cpu, m.usage.memory]), [['alpha', '1m', '1Mi'], ['zeta', '1m', '1Mi']]);
  });
});

describe('podMetrics', () => {
  test('reports only Running pods with stats, sorted by namespace and name, asking only their nodes', async () => {
    const asked: string[][] = [];
    setSummarySource(async (nodes) => {
      asked.push(nodes.map((n) => n.metadata?.name ?? ''));
      return new Map([
        ['n1', summary('n1', [podStats('b', 'x', 5_000_000), podStats('a', 'y', 7), podStats('a', 'pending', 1)])],
        ['n2', summary('n2', [])],
      ]);
    });
    const pods = [podObj('b', 'x', 'n1'), podObj('a', 'y', 'n1'), podObj('a', 'pending', 'n1', 'Pending'), podObj('a', 'nostats', 'n2')];
    const nodes = new Map([['n1', nodeObj('n1')], ['n2', nodeObj('n2')], ['n3', nodeObj('n3')]]);
    const got = await podMetrics(pods, nodes, client);
    assert.deepEqual(got.map((m) => [m.metadata.namespace, m.metadata.name, m.containers[0]?.usage.cpu]), [['a', 'y', '7n'], ['b', 'x', '5m']]);
    assert.deepEqual(asked, [['n1', 'n2']]);
  });

  test('asks no kubelet when no pod is running', async () => {
    let calls = 0;
    setSummarySource(async () => {
      calls++;
      return new Map();
    });
    assert.deepEqual(await podMetrics([podObj('a', 'p', 'n1', 'Succeeded')], new Map([['n1', nodeObj('n1')]]), client), []);
    assert.equal(calls, 0);
  });
});
