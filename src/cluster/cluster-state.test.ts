import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusterDir, listClusterStates, parseClusterState, readClusterState, writeClusterState, type ClusterState } from './cluster-state.js';

function sample(name: string): ClusterState {
  return {
    name,
    uuid: '6db574e4-9d70-4c6a-ba95-4652e44f6cf8',
    status: 'CREATE_IN_PROGRESS',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    flannelBackend: 'vxlan',
    bridge: `k8ts-${name}`,
    subnet: '172.30.0.0/24',
    hostIp: '172.30.0.1',
    apiAddress: 'https://172.30.0.2:6443',
    hostRules: [{ chain: 'FORWARD', rule: ['-i', `k8ts-${name}`, '-j', 'REJECT'] }],
    nodes: [{ name: `${name}-master`, role: 'master', netns: `k8ts-${name}-master`, hostVeth: 'k8vabcdef-0', ip: '172.30.0.2', dataDir: '/d/m', logFile: '/d/m.log', pid: 42 }],
  };
}

describe('cluster state file', () => {
  test('a written state reads back the same, with updatedAt stamped', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cluster-state-'));
    try {
      const s = sample('demo');
      writeClusterState(dir, s, new Date('2026-02-03T04:05:06.000Z'));
      const back = readClusterState(dir, 'demo');
      assert.deepEqual(back, { ...s, updatedAt: '2026-02-03T04:05:06.000Z' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a missing cluster reads as undefined', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cluster-state-'));
    try {
      assert.equal(readClusterState(dir, 'nope'), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a bad status, backend, role or pid is refused with the field named', () => {
    const good = JSON.stringify(sample('x'));
    const bad = (patch: (o: Record<string, unknown>) => void): string => {
      const o = JSON.parse(good) as Record<string, unknown>;
      patch(o);
      return JSON.stringify(o);
    };
    assert.throws(() => parseClusterState(bad((o) => (o['status'] = 'RUNNING')), 'f'), /f: unknown status "RUNNING"/);
    assert.throws(() => parseClusterState(bad((o) => (o['flannelBackend'] = 'udp')), 'f'), /flannelBackend must be vxlan or host-gw/);
    assert.throws(() => parseClusterState(bad((o) => ((o['nodes'] as Record<string, unknown>[])[0]!['role'] = 'minion')), 'f'), /nodes\[0\]: role must be master or node/);
    assert.throws(() => parseClusterState(bad((o) => ((o['nodes'] as Record<string, unknown>[])[0]!['pid'] = -1)), 'f'), /pid must be a positive integer/);
    assert.throws(() => parseClusterState('{', 'f'), /^Error: f: /);
  });

  test('listing returns the clusters by name and reports directories without a readable record', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cluster-state-'));
    try {
      writeClusterState(dir, sample('b'));
      writeClusterState(dir, sample('a'));
      mkdirSync(clusterDir(dir, 'half'), { recursive: true });
      mkdirSync(clusterDir(dir, 'junk'), { recursive: true });
      writeFileSync(join(clusterDir(dir, 'junk'), 'cluster.json'), 'not json');
      const { clusters, broken } = listClusterStates(dir);
      assert.deepEqual(
        clusters.map((c) => c.name),
        ['a', 'b'],
      );
      assert.deepEqual(
        broken.map((b) => b.name),
        ['half', 'junk'],
      );
      assert.equal(broken[0]?.error, 'no cluster.json');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('listing a data dir without clusters gives nothing', () => {
    assert.deepEqual(listClusterStates('/nonexistent-k8ts-dir'), { clusters: [], broken: [] });
  });
});
