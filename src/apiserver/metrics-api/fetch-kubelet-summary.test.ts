import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { Node } from 'kubernetes-types/core/v1.js';
import type { Summary } from '../../kubelet/stats/summary.js';
import type { KubeletClientConfig } from '../handlers/pod-log.js';
import { fetchKubeletSummaries, fetchKubeletSummary, hasKubelet, isSummary } from './fetch-kubelet-summary.js';

const client: KubeletClientConfig = { caPem: '', certPem: '', keyPem: '' };

function node(name: string, port: number, runtime = 'containerd://1.7.0'): Node {
  return {
    metadata: { name },
    status: {
      addresses: [{ type: 'InternalIP', address: '127.0.0.1' }],
      daemonEndpoints: { kubeletEndpoint: { Port: port } },
      nodeInfo: { containerRuntimeVersion: runtime } as NonNullable<Node['status']>['nodeInfo'],
    },
  };
}

const summaryOf = (name: string): Summary => ({ node: { nodeName: name, startTime: '2024-05-01T00:00:00Z' }, pods: [] });

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const addr = srv.address();
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  if (addr === null || typeof addr === 'string') throw new Error('no port');
  return addr.port;
}

describe('isSummary', () => {
  test('accepts a Summary and rejects other JSON', () => {
    assert.equal(isSummary({ node: { nodeName: 'n' }, pods: [{ podRef: { name: 'p', namespace: 'd', uid: 'u' }, containers: [{ name: 'c' }] }] }), true);
    assert.equal(isSummary({ node: { nodeName: 'n' } }), false);
    assert.equal(isSummary({ node: {}, pods: [] }), false);
    assert.equal(isSummary({ node: { nodeName: 'n' }, pods: [{ podRef: { name: 'p' }, containers: [] }] }), false);
    assert.equal(isSummary('x'), false);
  });
});

describe('hasKubelet', () => {
  test('is false for a virtual node, whose addresses must never be dialled', () => {
    assert.equal(hasKubelet(node('v', 10250, 'virtual://0.1')), false);
    assert.equal(hasKubelet(node('real', 10250)), true);
  });
});

describe('fetchKubeletSummary', () => {
  test('rejects when the kubelet refuses the connection', async () => {
    await assert.rejects(fetchKubeletSummary(node('n', await closedPort()), client, 2000), /ECONNREFUSED/);
  });
});

describe('fetchKubeletSummaries', () => {
  test('asks every node in parallel and leaves out those whose kubelet does not answer', async () => {
    const asked: string[] = [];
    const got = await fetchKubeletSummaries([node('a', 1), node('b', 2), node('c', 3)], client, 100, async (n) => {
      const name = n.metadata?.name ?? '';
      asked.push(name);
      if (name === 'b') throw new Error('connection refused');
      return summaryOf(name);
    });
    assert.deepEqual(asked, ['a', 'b', 'c']);
    assert.deepEqual([...got.keys()], ['a', 'c']);
  });

  test('never asks a virtual node', async () => {
    const asked: string[] = [];
    const got = await fetchKubeletSummaries([node('v', 10250, 'virtual://0.1')], client, 100, async (n) => {
      asked.push(n.metadata?.name ?? '');
      return summaryOf('v');
    });
    assert.deepEqual(asked, []);
    assert.equal(got.size, 0);
  });

  test('leaves out a node with no address instead of failing the whole scrape', async () => {
    const bare: Node = { metadata: { name: 'bare' }, status: {} };
    const got = await fetchKubeletSummaries([bare, node('ok', 1)], client, 100, async (n, c, t) => {
      if (n.metadata?.name === 'bare') return fetchKubeletSummary(n, c, t);
      return summaryOf('ok');
    });
    assert.deepEqual([...got.keys()], ['ok']);
  });

  test('leaves out a real kubelet endpoint that refuses the connection', async () => {
    const got = await fetchKubeletSummaries([node('gone', await closedPort())], client, 2000);
    assert.equal(got.size, 0);
  });
});
