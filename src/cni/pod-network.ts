// Writes the node's CNI network into containerd's CNI conf dir once the node has a podCIDR. containerd's CRI
// plugin watches that dir and loads the conflist on its own; from then on CRI Status reports NetworkReady=true
// and pod sandboxes get a network namespace with an address from the podCIDR.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultCniConfDir } from '../containerd/containerd-config.js';
import { subnetEnvPath } from '../node-status/subnet-env.js';
import { cniConfigFileName, defaultBridgeMtu, renderCniConfList, subnetEnvMtu } from './cni-config.js';

export interface WriteCniConfigOptions {
  dataDir: string;
  podCidr: string;
  /** containerd's CNI conf dir; default `${dataDir}/agent/etc/cni/net.d` (the one k8ts's containerd reads). */
  confDir?: string;
  /** Default: the MTU in DATA_DIR/subnet.env, else 1500. */
  mtu?: number;
  /** Default cni0. */
  bridge?: string;
}

export interface WriteCniConfigResult {
  path: string;
  /** False when the file already held the same text (it was left untouched). */
  changed: boolean;
}

async function readOrUndefined(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e: unknown) {
    if (e instanceof Error && 'code' in e && e.code === 'ENOENT') return undefined;
    throw e;
  }
}

/** The MTU for the bridge: subnet.env's, else a bridge's 1500. */
export async function podNetworkMtu(dataDir: string): Promise<number> {
  const text = await readOrUndefined(subnetEnvPath(dataDir));
  return (text === undefined ? undefined : subnetEnvMtu(text)) ?? defaultBridgeMtu;
}

/**
 * Writes `10-k8ts.conflist` for the podCIDR, atomically (a temporary file in the same dir renamed over it, so
 * containerd never reads half a file) and only when its text changes.
 */
export async function writeCniConfig(opts: WriteCniConfigOptions): Promise<WriteCniConfigResult> {
  const confDir = opts.confDir ?? defaultCniConfDir(opts.dataDir);
  const path = join(confDir, cniConfigFileName);
  const mtu = opts.mtu ?? (await podNetworkMtu(opts.dataDir));
  const text = renderCniConfList({
    dataDir: opts.dataDir,
    podCidr: opts.podCidr,
    mtu,
    ...(opts.bridge !== undefined ? { bridge: opts.bridge } : {}),
  });
  if ((await readOrUndefined(path)) === text) return { path, changed: false };
  await mkdir(confDir, { recursive: true });
  // A dot file without the .conflist suffix: containerd's loader skips it while it is being written.
  const tmp = join(confDir, `.${cniConfigFileName}.tmp`);
  await writeFile(tmp, text, { mode: 0o644 });
  await rename(tmp, path);
  return { path, changed: true };
}
