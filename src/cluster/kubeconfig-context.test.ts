import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { currentCredentials, kubeconfigPath, mergeContext, removeContext } from './kubeconfig-context.js';

const creds = { server: 'https://172.30.0.2:6443', certificateAuthorityData: 'Q0E=', clientCertificateData: 'Q0VSVA==', clientKeyData: 'S0VZ' };

const existing = `apiVersion: v1
kind: Config
clusters:
  - name: other
    cluster: { server: https://10.0.0.1:6443 }
contexts:
  - name: other
    context: { cluster: other, user: other }
users:
  - name: other
    user: { token: abc }
current-context: other
`;

describe('kubeconfig context', () => {
  test('the kubeconfig file is the first of $KUBECONFIG, else ~/.kube/config', () => {
    assert.equal(kubeconfigPath({ KUBECONFIG: '/a:/b' }, '/home/u'), '/a');
    assert.equal(kubeconfigPath({ KUBECONFIG: ':/b' }, '/home/u'), '/b');
    assert.equal(kubeconfigPath({}, '/home/u'), '/home/u/.kube/config');
  });

  test('merging adds a cluster, user and context named after the cluster and makes it current, keeping the rest', () => {
    const doc = parse(mergeContext(existing, 'demo', creds)) as Record<string, unknown>;
    assert.equal(doc['current-context'], 'demo');
    assert.deepEqual(doc['contexts'], [
      { name: 'other', context: { cluster: 'other', user: 'other' } },
      { name: 'demo', context: { cluster: 'demo', user: 'demo' } },
    ]);
    assert.deepEqual((doc['clusters'] as unknown[])[1], { name: 'demo', cluster: { 'certificate-authority-data': 'Q0E=', server: 'https://172.30.0.2:6443' } });
    assert.deepEqual((doc['users'] as unknown[])[0], { name: 'other', user: { token: 'abc' } });
  });

  test('merging twice replaces the entries instead of adding more', () => {
    const twice = mergeContext(mergeContext(existing, 'demo', creds), 'demo', { ...creds, server: 'https://172.30.1.2:6443' });
    const doc = parse(twice) as { clusters: { name: string; cluster: { server: string } }[] };
    assert.deepEqual(
      doc.clusters.map((c) => [c.name, c.cluster.server]),
      [
        ['other', 'https://10.0.0.1:6443'],
        ['demo', 'https://172.30.1.2:6443'],
      ],
    );
  });

  test('merging into a missing or empty file makes a whole kubeconfig', () => {
    for (const text of [undefined, '']) {
      const doc = parse(mergeContext(text, 'demo', creds)) as Record<string, unknown>;
      assert.equal(doc['apiVersion'], 'v1');
      assert.equal(doc['kind'], 'Config');
      assert.equal((doc['contexts'] as unknown[]).length, 1);
    }
  });

  test('removing takes out exactly the cluster, user and context and clears the current context that was it', () => {
    const back = parse(removeContext(mergeContext(existing, 'demo', creds), 'demo')) as Record<string, unknown>;
    const orig = parse(existing) as Record<string, unknown>;
    assert.deepEqual(back['clusters'], orig['clusters']);
    assert.deepEqual(back['users'], orig['users']);
    assert.deepEqual(back['contexts'], orig['contexts']);
    assert.equal(back['current-context'], '');
    assert.equal((parse(removeContext(existing, 'demo')) as Record<string, unknown>)['current-context'], 'other');
  });

  test('a file that is not a kubeconfig mapping is refused with its name', () => {
    assert.throws(() => mergeContext('- a\n- b\n', 'demo', creds, '/k'), /\/k: not a kubeconfig/);
    assert.throws(() => mergeContext('clusters: 3\n', 'demo', creds, '/k'), /\/k: clusters must be a list/);
  });

  test("the server kubeconfig's current credentials are read back", () => {
    const text = mergeContext(existing, 'demo', creds);
    assert.deepEqual(currentCredentials(text, 'k'), creds);
    assert.throws(() => currentCredentials(existing, 'k'), /k: the current context has no certificate-authority-data/);
  });
});
