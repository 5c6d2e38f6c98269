import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureClusterPki } from './cluster-pki.js';
import { caHash, createCA, issueCertificate, userFromCertificate, verifiedBy } from './pki.js';

const serverAuth = '1.3.6.1.5.5.7.3.1';
const clientAuth = '1.3.6.1.5.5.7.3.2';

describe('createCA', () => {
  test('makes a self-signed CA certificate with a matching key', async () => {
    const ca = await createCA('k8ts-test-ca');
    const cert = new X509Certificate(ca.certPem);
    assert.equal(cert.ca, true);
    assert.equal(cert.subject, 'CN=k8ts-test-ca');
    assert.equal(cert.issuer, 'CN=k8ts-test-ca');
    assert.ok(cert.verify(cert.publicKey), 'self-signed');
    assert.ok(cert.checkPrivateKey(createPrivateKey(ca.keyPem)));
    assert.ok(Date.parse(cert.validTo) - Date.now() > 9 * 365 * 24 * 3600 * 1000, 'valid for years');
    assert.ok(Date.parse(cert.validFrom) <= Date.now(), 'valid already');
    assert.match(ca.keyPem, /^-----BEGIN PRIVATE KEY-----\n/);
  });
});

describe('issueCertificate', () => {
  test('a serving certificate verifies against the CA and carries its DNS and IP SANs', async () => {
    const ca = await createCA('ca');
    const leaf = await issueCertificate(ca, { commonName: 'kube-apiserver', dnsNames: ['localhost', 'kubernetes.default.svc'], ipAddresses: ['127.0.0.1', '10.254.0.1'], server: true });
    const cert = new X509Certificate(leaf.certPem);
    const caCert = new X509Certificate(ca.certPem);
    assert.ok(cert.verify(caCert.publicKey));
    assert.ok(cert.checkIssued(caCert));
    assert.equal(cert.ca, false);
    assert.equal(cert.subject, 'CN=kube-apiserver');
    const sans = (cert.subjectAltName ?? '').split(', ');
    for (const s of ['DNS:localhost', 'DNS:kubernetes.default.svc', 'IP Address:127.0.0.1', 'IP Address:10.254.0.1']) assert.ok(sans.includes(s), `${s} in ${cert.subjectAltName}`);
    assert.ok(cert.checkHost('kubernetes.default.svc') !== undefined);
    assert.equal(cert.checkIP('10.254.0.1'), '10.254.0.1');
    assert.deepEqual(cert.keyUsage, [serverAuth]);
    assert.ok(cert.checkPrivateKey(createPrivateKey(leaf.keyPem)));
    assert.equal(verifiedBy(leaf.certPem, ca.certPem), true);
  });

  test('a client certificate carries the user as CN and its groups as O', async () => {
    const ca = await createCA('ca');
    const admin = await issueCertificate(ca, { commonName: 'system:admin', organizations: ['system:masters', 'dev'], client: true });
    const cert = new X509Certificate(admin.certPem);
    assert.equal(cert.subject, 'CN=system:admin\nO=system:masters\nO=dev');
    assert.deepEqual(cert.keyUsage, [clientAuth]);
    assert.equal(cert.subjectAltName, undefined);
    assert.equal(verifiedBy(admin.certPem, ca.certPem), true);
  });

  test('special characters in names are escaped, not turned into extra attributes', async () => {
    const ca = await createCA('ca');
    const odd = await issueCertificate(ca, { commonName: 'a,b=c', organizations: ['x+y'], client: true });
    const cert = new X509Certificate(odd.certPem);
    assert.ok(!cert.subject.split('\n').some((l) => l.startsWith('b=')), cert.subject);
    assert.ok(cert.subject.split('\n').filter((l) => l.startsWith('O=')).length === 1, cert.subject);
  });

  test('a certificate of another CA does not verify', async () => {
    const ca = await createCA('ca');
    const other = await createCA('other');
    const leaf = await issueCertificate(other, { commonName: 'x', client: true });
    assert.equal(verifiedBy(leaf.certPem, ca.certPem), false);
  });

  test('each certificate gets its own key and a positive serial', async () => {
    const ca = await createCA('ca');
    const a = await issueCertificate(ca, { commonName: 'a', client: true });
    const b = await issueCertificate(ca, { commonName: 'b', client: true });
    assert.notEqual(a.keyPem, b.keyPem);
    const sa = new X509Certificate(a.certPem).serialNumber;
    const sb = new X509Certificate(b.certPem).serialNumber;
    assert.notEqual(sa, sb);
    assert.ok(!/^[89A-F]/i.test(sa), `serial ${sa} has the sign bit clear`);
  });
});

describe('userFromCertificate and caHash', () => {
  test('the user is the CN and the groups the O values', () => {
    assert.deepEqual(userFromCertificate({ CN: 'alice', O: ['dev', 'ops'] }), { name: 'alice', groups: ['dev', 'ops'] });
    assert.deepEqual(userFromCertificate({ CN: 'bob', O: 'dev' }), { name: 'bob', groups: ['dev'] });
    assert.deepEqual(userFromCertificate({ CN: 'carol' }), { name: 'carol', groups: [] });
  });

  test('the CA hash is the lower-case hex SHA-256 of the certificate', async () => {
    const ca = await createCA('ca');
    assert.match(caHash(ca.certPem), /^[0-9a-f]{64}$/);
    assert.equal(caHash(ca.certPem), new X509Certificate(ca.certPem).fingerprint256.replace(/:/g, '').toLowerCase());
  });
});

describe('ensureClusterPki', () => {
  test('creates the CA, serving, admin and kubelet-client certificates once and reuses them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-pki-'));
    try {
      const first = await ensureClusterPki(dir, { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
      const serving = new X509Certificate(first.serving.certPem);
      assert.ok(serving.verify(new X509Certificate(first.ca.certPem).publicKey));
      assert.ok((serving.subjectAltName ?? '').includes('IP Address:127.0.0.1'));
      const admin = new X509Certificate(first.admin.certPem);
      assert.equal(admin.subject, 'CN=system:admin\nO=system:masters');
      assert.equal(new X509Certificate(first.apiserverKubeletClient.certPem).subject, 'CN=kube-apiserver-kubelet-client\nO=system:masters');
      assert.equal(statSync(join(dir, 'tls', 'server-ca.key')).mode & 0o777, 0o600);
      assert.equal(readFileSync(join(dir, 'tls', 'server-ca.crt'), 'utf8'), first.ca.certPem);

      const second = await ensureClusterPki(dir, { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
      assert.equal(second.ca.certPem, first.ca.certPem);
      assert.equal(second.serving.certPem, first.serving.certPem);
      assert.equal(second.admin.certPem, first.admin.certPem);

      const third = await ensureClusterPki(dir, { dnsNames: ['localhost', 'node-1'], ipAddresses: ['127.0.0.1'] });
      assert.equal(third.ca.certPem, first.ca.certPem);
      assert.notEqual(third.serving.certPem, first.serving.certPem);
      const sans = new X509Certificate(third.serving.certPem).subjectAltName ?? '';
      assert.ok(sans.includes('DNS:node-1') && sans.includes('DNS:localhost') && sans.includes('IP Address:127.0.0.1'), sans);

      const fourth = await ensureClusterPki(dir, { dnsNames: ['localhost'], ipAddresses: [] });
      assert.equal(fourth.serving.certPem, third.serving.certPem, 'a subset of the known names keeps the certificate');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
