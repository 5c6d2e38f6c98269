import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { savedJoin } from './agent-command.js';
import { createCA, issueCertificate } from '../pki/pki.js';
import { caBundleHash } from '../pki/join-token.js';

describe('an agent\'s saved join', () => {
  test('is used only for the token\'s CA and while its client certificate is valid', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-agent-'));
    try {
      assert.equal(savedJoin(dir, ''), undefined);
      const ca = await createCA('test-ca');
      const client = await issueCertificate(ca, { commonName: 'system:node:n', organizations: ['system:nodes'], client: true });
      const saved = { caCert: ca.certPem, client, serving: client, settings: { clusterCidr: '10.240.0.0/16', serviceCidr: '10.254.0.0/16', clusterDns: '10.254.0.10', clusterDomain: 'cluster.local', flannelBackend: 'vxlan' } };
      writeFileSync(join(dir, 'join.json'), JSON.stringify(saved));
      assert.deepEqual(savedJoin(dir, caBundleHash(ca.certPem)), saved);
      assert.deepEqual(savedJoin(dir, ''), saved);
      assert.equal(savedJoin(dir, 'f'.repeat(64)), undefined);
      assert.equal(savedJoin(dir, '', Date.now() + 2 * 366 * 86_400_000), undefined);
      writeFileSync(join(dir, 'join.json'), '{broken');
      assert.equal(savedJoin(dir, ''), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
