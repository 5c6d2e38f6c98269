// The kubelet's serving certificate (CN system:node:NAME, O system:nodes, SANs: the node's addresses and host name),
// signed by the cluster CA the server keeps in DATA_DIR/tls, as k3s issues its agents' kubelet certificates. It is
// kept in DATA_DIR/agent/serving-kubelet.{crt,key} and issued again when the names it must cover change or the CA
// is another.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyPairPem } from '../pki/pki.js';

export interface KubeletServingCertOptions {
  dataDir: string;
  nodeName: string;
  ipAddresses: readonly string[];
  dnsNames: readonly string[];
}

export interface KubeletTls {
  serving: KeyPairPem;
  /** The CA client certificates must chain to (the cluster CA). */
  clientCaPem: string;
}

function readPair(dir: string, name: string): KeyPairPem | undefined {
  const c = join(dir, `${name}.crt`);
  const k = join(dir, `${name}.key`);
  if (!existsSync(c) || !existsSync(k)) return undefined;
  return { certPem: readFileSync(c, 'utf8'), keyPem: readFileSync(k, 'utf8') };
}

export async function ensureKubeletServingCertificate(opts: KubeletServingCertOptions): Promise<KubeletTls> {
  const ca = readPair(join(opts.dataDir, 'tls'), 'server-ca');
  if (ca === undefined) throw new Error(`the cluster CA is missing from ${join(opts.dataDir, 'tls')}: the kubelet's serving certificate cannot be issued`);
  const dir = join(opts.dataDir, 'agent');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const sans = [...new Set([...opts.dnsNames.map((d) => `DNS:${d}`), ...opts.ipAddresses.map((i) => `IP:${i}`)])].sort();
  const sanFile = join(dir, 'serving-kubelet.sans');
  const had = existsSync(sanFile) ? readFileSync(sanFile, 'utf8') : '';
  const { issueCertificate, verifiedBy } = await import('../pki/pki.js');
  let serving = readPair(dir, 'serving-kubelet');
  if (serving === undefined || had !== `${sans.join('\n')}\n` || !verifiedBy(serving.certPem, ca.certPem)) {
    serving = await issueCertificate(ca, {
      commonName: `system:node:${opts.nodeName}`,
      organizations: ['system:nodes'],
      dnsNames: sans.filter((s) => s.startsWith('DNS:')).map((s) => s.slice(4)),
      ipAddresses: sans.filter((s) => s.startsWith('IP:')).map((s) => s.slice(3)),
      server: true,
    });
    writeFileSync(join(dir, 'serving-kubelet.crt'), serving.certPem, { mode: 0o644 });
    writeFileSync(join(dir, 'serving-kubelet.key'), serving.keyPem, { mode: 0o600 });
    writeFileSync(sanFile, `${sans.join('\n')}\n`);
  }
  return { serving, clientCaPem: ca.certPem };
}
