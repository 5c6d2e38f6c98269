import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { tcpProbe } from './tcp-probe.js';
import { closedPort } from './test-servers.js';

describe('tcpProbe', () => {
  test('a listening port is a success', async () => {
    const server = createServer((s) => s.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      assert.deepEqual(await tcpProbe('127.0.0.1', (server.address() as AddressInfo).port, 1), { result: 'success', output: '' });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  test('a refused connection is a failure worded as Go dial errors', async () => {
    const port = await closedPort();
    assert.deepEqual(await tcpProbe('127.0.0.1', port, 1), { result: 'failure', output: `dial tcp 127.0.0.1:${port}: connect: connection refused` });
  });
});
