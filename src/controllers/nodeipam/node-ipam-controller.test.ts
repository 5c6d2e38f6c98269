// Live: the node IPAM controller against a real k8ts server.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readKubeconfig } from '../../client/kubeconfig.js';
import { RestClient } from '../../client/rest-client.js';
import { K8tsServer, waitFor } from '../../../test/e2e/support/server.js';
import { startNodeIpamController } from './node-ipam-controller.js';

type NodeJson = { spec?: { podCIDR?: string; podCIDRs?: string[] } };

describe('node IPAM controller', () => {
  let server: K8tsServer;
  let client: RestClient;

  before(async () => {
    server = await K8tsServer.start({ extraArgs: ['--disable-controller', 'node-ipam', '--disable-scheduler'] });
    client = new RestClient(readKubeconfig(server.kubeconfig));
  });
  after(async () => {
    client.close();
    await server.destroy();
  });

  const createNode = (name: string, podCIDR?: string): Promise<unknown> =>
    client.request('POST', '/api/v1/nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name },
      spec: podCIDR === undefined ? {} : { podCIDR, podCIDRs: [podCIDR] },
    });
  const getNode = (name: string): Promise<NodeJson> => client.request<NodeJson>('GET', `/api/v1/nodes/${name}`);
  const cidrOf = async (name: string): Promise<string | undefined> => (await getNode(name)).spec?.podCIDR;

  test('nodes get free blocks, existing blocks are kept, and a deleted node releases its block', async () => {
    // A node that already holds the first block before the controller starts.
    await createNode('ipam-a', '10.99.0.0/24');
    await createNode('ipam-b');
    const ipam = startNodeIpamController(client, { clusterCidr: '10.99.0.0/22' });
    try {
      await waitFor('ipam-b to get a podCIDR', async () => (await cidrOf('ipam-b')) !== undefined);
      const b = await getNode('ipam-b');
      assert.equal(b.spec?.podCIDR, '10.99.1.0/24');
      assert.deepEqual(b.spec?.podCIDRs, ['10.99.1.0/24']);
      assert.equal(await cidrOf('ipam-a'), '10.99.0.0/24');

      await createNode('ipam-c');
      await createNode('ipam-d');
      await waitFor('ipam-c and ipam-d to get podCIDRs', async () => (await cidrOf('ipam-c')) !== undefined && (await cidrOf('ipam-d')) !== undefined);
      assert.deepEqual([await cidrOf('ipam-c'), await cidrOf('ipam-d')].sort(), ['10.99.2.0/24', '10.99.3.0/24']);

      // The range is full: a fifth node waits, and gets the block a deleted node gives back.
      await createNode('ipam-e');
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(await cidrOf('ipam-e'), undefined);
      await client.request('DELETE', '/api/v1/nodes/ipam-a');
      await waitFor('ipam-e to get the released block', async () => (await cidrOf('ipam-e')) === '10.99.0.0/24');
    } finally {
      ipam.stop();
    }
  });
});
