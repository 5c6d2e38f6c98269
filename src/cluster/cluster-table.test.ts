import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatClusterTable, formatColumns } from './cluster-table.js';
import type { ClusterState } from './cluster-state.js';

const node = (name: string, role: 'master' | 'node'): ClusterState['nodes'][number] => ({ name, role, netns: `k8ts-${name}`, hostVeth: 'v', ip: '172.30.0.2', dataDir: '/d', logFile: '/l' });

describe('cluster list output', () => {
  test('columns are padded to the widest cell and three spaces apart, with no trailing blanks', () => {
    assert.equal(formatColumns([['A', 'BB'], ['CCCC', 'D']]), 'A      BB\nCCCC   D\n');
  });

  test('each cluster shows its name, UUID, status, node count besides the master and API address', () => {
    const c: ClusterState = {
      name: 'demo',
      uuid: '6db574e4-9d70-4c6a-ba95-4652e44f6cf8',
      status: 'CREATE_COMPLETE',
      createdAt: '',
      updatedAt: '',
      flannelBackend: 'vxlan',
      bridge: 'k8ts-demo',
      subnet: '172.30.0.0/24',
      hostIp: '172.30.0.1',
      apiAddress: 'https://172.30.0.2:6443',
      hostRules: [],
      nodes: [node('demo-master', 'master'), node('demo-node-1', 'node'), node('demo-node-2', 'node'), node('demo-node-3', 'node')],
    };
    assert.equal(
      formatClusterTable([c, { ...c, name: 'x', status: 'CREATE_FAILED', nodes: [node('x-master', 'master')] }]),
      [
        'NAME   UUID                                   STATUS            NODES   API ADDRESS',
        'demo   6db574e4-9d70-4c6a-ba95-4652e44f6cf8   CREATE_COMPLETE   3       https://172.30.0.2:6443',
        'x      6db574e4-9d70-4c6a-ba95-4652e44f6cf8   CREATE_FAILED     0       https://172.30.0.2:6443',
        '',
      ].join('\n'),
    );
  });
});
