// The files of the cluster PKI in DATA_DIR/tls: created on first start, reused later; the serving
// certificate is reissued when the addresses it must cover change.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyPairPem } from './pki.js';

// The X.509 library takes half a second to load: only when a certificate must be made.
const pkiLib = (): Promise<typeof import('./pki.js')> => import('./pki.js');

export interface ClusterPki {
  readonly dir: string;
  readonly ca: KeyPairPem;
  readonly serving: KeyPairPem;
  readonly admin: KeyPairPem;
  /** The API server's client certificate towards kubelets (CN=kube-apiserver-kubelet-client, O=system:masters). */
  readonly apiserverKubeletClient: KeyPairPem;
}

function readPair(dir: string, name: string): KeyPairPem | undefined {
  const c = join(dir, `${name}.crt`);
  const k = join(dir, `${name}.key`);
  if (!existsSync(c) || !existsSync(k)) return undefined;
  return { certPem: readFileSync(c, 'utf8'), keyPem: readFileSync(k, 'utf8') };
}

function writePair(dir: string, name: string, p: KeyPairPem): void {
  writeFileSync(join(dir, `${name}.crt`), p.certPem, { mode: 0o644 });
  writeFileSync(join(dir, `${name}.key`), p.keyPem, { mode: 0o600 });
}

export async function ensureClusterPki(dataDir: string, sans: { dnsNames: string[]; ipAddresses: string[] }): Promise<ClusterPki> {
  const dir = join(dataDir, 'tls');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  let ca = readPair(dir, 'server-ca');
  if (ca === undefined) {
    ca = await (await pkiLib()).createCA(`k8ts-server-ca@${Math.floor(Date.now() / 1000)}`);
    writePair(dir, 'server-ca', ca);
  }
  const sanFile = join(dir, 'serving-kube-apiserver.sans');
  const wanted = [...new Set([...sans.dnsNames.map((d) => `DNS:${d}`), ...sans.ipAddresses.map((i) => `IP:${i}`)])].sort();
  let serving = readPair(dir, 'serving-kube-apiserver');
  const had = existsSync(sanFile) ? readFileSync(sanFile, 'utf8').split('\n').filter((l) => l !== '') : [];
  if (serving === undefined || !wanted.every((w) => had.includes(w))) {
    const all = [...new Set([...had, ...wanted])].sort();
    serving = await (await pkiLib()).issueCertificate(ca, {
      commonName: 'kube-apiserver',
      dnsNames: all.filter((s) => s.startsWith('DNS:')).map((s) => s.slice(4)),
      ipAddresses: all.filter((s) => s.startsWith('IP:')).map((s) => s.slice(3)),
      server: true,
    });
    writePair(dir, 'serving-kube-apiserver', serving);
    writeFileSync(sanFile, `${all.join('\n')}\n`);
  }
  let admin = readPair(dir, 'client-admin');
  if (admin === undefined) {
    admin = await (await pkiLib()).issueCertificate(ca, { commonName: 'system:admin', organizations: ['system:masters'], client: true });
    writePair(dir, 'client-admin', admin);
  }
  let kubeletClient = readPair(dir, 'client-kube-apiserver');
  if (kubeletClient === undefined) {
    kubeletClient = await (await pkiLib()).issueCertificate(ca, { commonName: 'kube-apiserver-kubelet-client', organizations: ['system:masters'], client: true });
    writePair(dir, 'client-kube-apiserver', kubeletClient);
  }
  return { dir, ca, serving, admin, apiserverKubeletClient: kubeletClient };
}
