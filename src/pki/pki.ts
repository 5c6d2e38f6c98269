// The cluster's PKI: a CA, the API server's serving certificate and client certificates it signs.
// Keys are ECDSA P-256 (fast to generate, accepted by Go's TLS and Node's).
import { webcrypto, X509Certificate as NodeX509 } from 'node:crypto';
import { createRequire } from 'node:module';
import type * as X509 from '@peculiar/x509';

// The library's CommonJS build loads in half the time of its ESM build (fewer module resolutions).
const x509 = createRequire(import.meta.url)('@peculiar/x509') as typeof X509;

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const alg: EcKeyGenParams & EcdsaParams = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

export interface KeyPairPem {
  certPem: string;
  keyPem: string;
}

function pem(label: string, der: ArrayBuffer): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

async function newKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
}

async function exportKey(k: CryptoKey): Promise<string> {
  return pem('PRIVATE KEY', (await webcrypto.subtle.exportKey('pkcs8', k as unknown as webcrypto.CryptoKey)) as ArrayBuffer);
}

async function importKey(keyPem: string): Promise<CryptoKey> {
  const b64 = keyPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  return (await webcrypto.subtle.importKey('pkcs8', Buffer.from(b64, 'base64'), alg, true, ['sign'])) as unknown as CryptoKey;
}

function serial(): string {
  return Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString('hex').replace(/^[89a-f]/, '1');
}

const years = (n: number): Date => new Date(Date.now() + n * 365 * 24 * 3600 * 1000);
const backdate = (): Date => new Date(Date.now() - 60 * 60 * 1000);

export async function createCA(commonName: string): Promise<KeyPairPem> {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${commonName}`,
    notBefore: backdate(),
    notAfter: years(10),
    signingAlgorithm: alg,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem') + '\n', keyPem: await exportKey(keys.privateKey) };
}

export interface LeafOptions {
  commonName: string;
  organizations?: readonly string[];
  dnsNames?: readonly string[];
  ipAddresses?: readonly string[];
  server?: boolean;
  client?: boolean;
}

function escapeRdn(v: string): string {
  return v.replace(/([,+"\\<>;=])/g, '\\$1');
}

export async function issueCertificate(ca: KeyPairPem, opts: LeafOptions): Promise<KeyPairPem> {
  const keys = await newKeys();
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await importKey(ca.keyPem);
  const subject = [`CN=${escapeRdn(opts.commonName)}`, ...(opts.organizations ?? []).map((o) => `O=${escapeRdn(o)}`)].join(', ');
  const eku: string[] = [];
  if (opts.server === true) eku.push(x509.ExtendedKeyUsage.serverAuth);
  if (opts.client === true) eku.push(x509.ExtendedKeyUsage.clientAuth);
  const extensions: X509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension(eku, false),
    await x509.AuthorityKeyIdentifierExtension.create(caCert, false),
  ];
  const names = [...(opts.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })), ...(opts.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value }))];
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names, false));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject,
    issuer: caCert.subject,
    notBefore: backdate(),
    notAfter: years(1),
    signingAlgorithm: alg,
    publicKey: keys.publicKey,
    signingKey: caKey,
    extensions,
  });
  return { certPem: cert.toString('pem') + '\n', keyPem: await exportKey(keys.privateKey) };
}

/** Subject of a verified client certificate: user name from CN, groups from O. */
export function userFromCertificate(subject: Record<string, string | string[] | undefined>): { name: string; groups: string[] } {
  const cn = subject['CN'];
  const o = subject['O'];
  const name = Array.isArray(cn) ? (cn[0] ?? '') : (cn ?? '');
  const groups = o === undefined ? [] : Array.isArray(o) ? o : [o];
  return { name, groups };
}

/** True when the certificate's validity covers now and it is signed by the CA. */
export function verifiedBy(certPem: string, caPem: string): boolean {
  const cert = new NodeX509(certPem);
  const ca = new NodeX509(caPem);
  const now = Date.now();
  return cert.verify(ca.publicKey) && Date.parse(cert.validFrom) <= now && now <= Date.parse(cert.validTo);
}

/** Base64 SHA-256 of the CA certificate's DER (the hash a join token carries). */
export function caHash(caPem: string): string {
  return new NodeX509(caPem).fingerprint256.replace(/:/g, '').toLowerCase();
}
