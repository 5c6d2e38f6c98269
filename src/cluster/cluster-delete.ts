// `k8ts cluster delete NAME`: every trace of a cluster, whatever state it got to. Processes first (each node's
// namespace and the pods' containers), then the pinned pod namespaces, the node namespaces (their veth pairs go with
// them), the bridge, the host's guard rules, the kubeconfig context and the cluster's directory. What the record
// lacks (a half-written cluster.json, or none) is derived from the name, as create derives it.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { bridgeName, validateClusterName } from './address-plan.js';
import { clusterDir, readClusterState, writeClusterState, type ClusterState, type HostRule } from './cluster-state.js';
import { deleteBridge, deleteHostRule, deleteNodeNetns, hostRules, runCommand } from './host-network.js';
import { removeContextFile } from './kubeconfig-context.js';
import { killNodeProcesses, type NodeProcesses } from './node-teardown.js';
import { clusterLinkId } from './address-plan.js';

export interface DeleteClusterOptions {
  dataDir: string;
  name: string;
  out: (line: string) => void;
}

/** The namespaces `ip netns list` shows that belong to the cluster by name (k8ts-NAME-master, k8ts-NAME-node-i). */
export function clusterNamespaces(netnsList: string, name: string): string[] {
  const re = new RegExp(`^k8ts-${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-(master|node-\\d+)$`);
  return netnsList
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => re.test(n));
}

/** Mount points under `dir` in a mountinfo table, deepest first. */
export function mountsUnder(mountinfo: string, dir: string): string[] {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  const out: string[] = [];
  for (const line of mountinfo.split('\n')) {
    const mp = (line.split(' ')[4] ?? '').replace(/\\040/g, ' ');
    if (mp === dir || mp.startsWith(prefix)) out.push(mp);
  }
  return out.sort((a, b) => b.length - a.length);
}

export async function deleteCluster(o: DeleteClusterOptions): Promise<void> {
  const invalid = validateClusterName(o.name);
  if (invalid !== undefined) throw new Error(invalid);
  const dir = clusterDir(o.dataDir, o.name);
  let dirEntries: string[];
  try {
    dirEntries = readdirSync(dir);
  } catch {
    throw new Error(`cluster "${o.name}" not found in ${join(o.dataDir, 'clusters')} ('k8ts cluster list' shows the clusters)`);
  }
  if (process.getuid?.() !== 0) throw new Error('k8ts cluster delete removes network namespaces and a bridge, which needs root: run it as root');
  let state: ClusterState | undefined;
  try {
    state = readClusterState(o.dataDir, o.name);
  } catch (e: unknown) {
    o.out(`The record of cluster "${o.name}" is unreadable (${e instanceof Error ? e.message : String(e)}); deleting what its name leads to`);
  }
  if (state !== undefined) {
    state.status = 'DELETE_IN_PROGRESS';
    delete state.statusReason;
    writeClusterState(o.dataDir, state);
  }
  o.out(`Deleting cluster "${o.name}" ...`);

  // The nodes: those recorded, those whose namespaces exist, those whose data dirs exist.
  const nodes = new Map<string, NodeProcesses & { hostVeth?: string }>();
  for (const n of state?.nodes ?? []) nodes.set(n.netns, { netns: n.netns, dataDir: n.dataDir, hostVeth: n.hostVeth, ...(n.pid !== undefined ? { pid: n.pid } : {}) });
  const prefix = `k8ts-${o.name}-`;
  for (const ns of clusterNamespaces(await runCommand('ip', ['netns', 'list']), o.name)) {
    if (!nodes.has(ns)) nodes.set(ns, { netns: ns, dataDir: join(dir, ns.slice(prefix.length)) });
  }
  for (const entry of dirEntries) {
    const ns = `${prefix}${entry}`;
    if (/^(master|node-\d+)$/.test(entry) && !nodes.has(ns)) nodes.set(ns, { netns: ns, dataDir: join(dir, entry) });
  }

  const fail = (msg: string): never => {
    if (state !== undefined) {
      state.status = 'DELETE_FAILED';
      state.statusReason = msg;
      writeClusterState(o.dataDir, state);
    }
    throw new Error(`deleting cluster "${o.name}" failed: ${msg}`);
  };

  const killed = await killNodeProcesses([...nodes.values()]);
  if (killed.survivors.length > 0) fail(`processes ${killed.survivors.join(', ')} did not die`);
  o.out(` ✓ Stopped the processes of ${nodes.size} node${nodes.size === 1 ? '' : 's'} and their pods`);

  for (const mp of mountsUnder(readFileSync('/proc/self/mountinfo', 'utf8'), dir)) {
    await runCommand('umount', [mp]).catch(() => runCommand('umount', ['-l', mp]));
  }

  const id = clusterLinkId(o.name);
  for (const n of nodes.values()) {
    const index = /-node-(\d+)$/.exec(n.netns)?.[1] ?? '0';
    await deleteNodeNetns(n.netns, n.hostVeth ?? `k8v${id}-${index}`);
  }
  const bridge = state?.bridge ?? bridgeName(o.name);
  await deleteBridge(bridge);
  const rules: HostRule[] = [...(state?.hostRules ?? []), ...hostRules(o.name, bridge)];
  for (const r of rules) await deleteHostRule(r);
  o.out(` ✓ Deleted the namespaces, bridge ${bridge} and the host's rules`);

  if (state?.kubeconfig !== undefined) {
    removeContextFile(state.kubeconfig, o.name);
    o.out(` ✓ Removed context "${o.name}" from ${state.kubeconfig}`);
  }
  rmSync(dir, { recursive: true, force: true });
  o.out(`Deleted cluster "${o.name}"`);
}
