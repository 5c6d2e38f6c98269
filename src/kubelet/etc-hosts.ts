// The pod's /etc/hosts as upstream's kubelet manages it (kubelet_pods.go makeHostsMount, ensureHostsFile,
// managedHostsFileContent, nodeHostsFileContent, hostsEntriesFromHostAliases): ROOT/pods/UID/etc-hosts, rewritten in
// place (a running container's bind mount keeps seeing it) before each container starts, and mounted at /etc/hosts
// of every container that does not mount something there itself. A pod on the pod network gets the localhost lines
// and its IP with its host name (and HOSTNAME.DOMAIN first with spec.subdomain); a host-network pod gets the node's
// hosts file; both end with the pod's hostAliases.
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Container, HostAlias, Pod } from 'kubernetes-types/core/v1.js';
import type { Mount } from '../cri/index.js';
import { goFileError } from './go-file-error.js';

/** etcHostsPath: where containers see the file, and the node's own hosts file. */
export const etcHostsPath = '/etc/hosts';

const managedHostsHeader = '# Kubernetes-managed hosts file.\n';
const managedHostsHeaderWithHostNetwork = '# Kubernetes-managed hosts file (host network).\n';

/** A hosts file that can't be written (or, for a host-network pod, the node's that can't be read). */
export class EtcHostsError extends Error {}

/** getEtcHostsPath: ROOT/pods/UID/etc-hosts. */
export function etcHostsFilePath(rootDir: string, podUid: string): string {
  return join(rootDir, 'pods', podUid, 'etc-hosts');
}

/** hostsEntriesFromHostAliases: a blank line, a comment, then one line per alias IP with its names tab-separated. */
export function hostsEntriesFromHostAliases(hostAliases: readonly HostAlias[] | undefined): string {
  if (hostAliases === undefined || hostAliases.length === 0) return '';
  let out = '\n# Entries added by HostAliases.\n';
  for (const a of hostAliases) out += `${a.ip}\t${(a.hostnames ?? []).join('\t')}\n`;
  return out;
}

/** managedHostsFileContent */
export function managedHostsFileContent(podIPs: readonly string[], hostname: string, domain: string, hostAliases?: readonly HostAlias[]): string {
  let out = managedHostsHeader;
  out += '127.0.0.1\tlocalhost\n';
  out += '::1\tlocalhost ip6-localhost ip6-loopback\n';
  out += 'fe00::0\tip6-localnet\n';
  out += 'fe00::0\tip6-mcastprefix\n';
  out += 'fe00::1\tip6-allnodes\n';
  out += 'fe00::2\tip6-allrouters\n';
  for (const ip of podIPs) out += domain !== '' ? `${ip}\t${hostname}.${domain}\t${hostname}\n` : `${ip}\t${hostname}\n`;
  return out + hostsEntriesFromHostAliases(hostAliases);
}

/** nodeHostsFileContent: the header, the node's file as it is, the aliases. */
export function nodeHostsFileContent(nodeHosts: string, hostAliases?: readonly HostAlias[]): string {
  return managedHostsHeaderWithHostNetwork + nodeHosts + hostsEntriesFromHostAliases(hostAliases);
}

/** shouldMountHostsFile: once the pod has an IP, or at once on the host network. */
export function shouldMountHostsFile(pod: Pod, podIPs: readonly string[]): boolean {
  return podIPs.length > 0 || pod.spec?.hostNetwork === true;
}

/** Whether the container mounts a volume at /etc/hosts itself (then the managed file is not mounted). */
export function mountsOwnEtcHosts(container: Container): boolean {
  return (container.volumeMounts ?? []).some((m) => m.mountPath === etcHostsPath);
}

export interface EnsureHostsFileOptions {
  path: string;
  podIPs: readonly string[];
  hostname: string;
  domain: string;
  hostAliases?: readonly HostAlias[];
  hostNetwork: boolean;
  /** The node's hosts file, for a host-network pod; default /etc/hosts. */
  nodeHostsPath?: string;
}

/** ensureHostsFile: writes the file (mode 0644) in place. Throws EtcHostsError with Go's words for a file error. */
export async function ensureHostsFile(o: EnsureHostsFileOptions): Promise<void> {
  let content: string;
  if (o.hostNetwork) {
    const nodePath = o.nodeHostsPath ?? etcHostsPath;
    let nodeHosts: string;
    try {
      nodeHosts = await readFile(nodePath, 'utf8');
    } catch (e: unknown) {
      throw new EtcHostsError(goFileError('open', nodePath, e));
    }
    content = nodeHostsFileContent(nodeHosts, o.hostAliases);
  } else {
    content = managedHostsFileContent(o.podIPs, o.hostname, o.domain, o.hostAliases);
  }
  try {
    await mkdir(dirname(o.path), { recursive: true, mode: 0o750 });
    await writeFile(o.path, content, { mode: 0o644 });
    await chmod(o.path, 0o644);
  } catch (e: unknown) {
    throw new EtcHostsError(goFileError('open', o.path, e));
  }
}

/** makeHostsMount: ensures the file and gives the mount (read-write, as upstream). */
export async function makeHostsMount(o: EnsureHostsFileOptions): Promise<Mount> {
  await ensureHostsFile(o);
  return { containerPath: etcHostsPath, hostPath: o.path, readonly: false, selinuxRelabel: true };
}
