// The record of one cluster made by `k8ts cluster create`: DATA_DIR/clusters/NAME/cluster.json, written at every step
// so that a half-created cluster can still be listed and deleted. Statuses are OpenStack Magnum's.
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FlannelBackend } from './node-commands.js';

export const clusterStatuses = ['CREATE_IN_PROGRESS', 'CREATE_COMPLETE', 'CREATE_FAILED', 'DELETE_IN_PROGRESS', 'DELETE_FAILED'] as const;
export type ClusterStatus = (typeof clusterStatuses)[number];

export interface NodeState {
  readonly name: string;
  readonly role: 'master' | 'node';
  readonly netns: string;
  readonly hostVeth: string;
  readonly ip: string;
  /** The node's --data-dir. */
  readonly dataDir: string;
  /** Its `k8ts server` / `k8ts agent` log. */
  readonly logFile: string;
  /** The k8ts process, once started. */
  readonly pid?: number;
}

/** One rule this cluster inserted in the host's iptables filter table (the arguments after -I CHAIN 1 / -D CHAIN). */
export interface HostRule {
  readonly chain: string;
  readonly rule: readonly string[];
}

export interface ClusterState {
  readonly name: string;
  readonly uuid: string;
  status: ClusterStatus;
  statusReason?: string;
  readonly createdAt: string;
  updatedAt: string;
  readonly flannelBackend: FlannelBackend;
  readonly bridge: string;
  readonly subnet: string;
  readonly hostIp: string;
  /** https://MASTER_IP:6443 */
  readonly apiAddress: string;
  /** The kubeconfig file the context NAME was merged into (removed from it again on delete). */
  kubeconfig?: string;
  hostRules: HostRule[];
  /** The master first. */
  nodes: NodeState[];
}

export function clustersDir(dataDir: string): string {
  return join(dataDir, 'clusters');
}

export function clusterDir(dataDir: string, name: string): string {
  return join(clustersDir(dataDir), name);
}

export function clusterStatePath(dataDir: string, name: string): string {
  return join(clusterDir(dataDir, name), 'cluster.json');
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (o: Record<string, unknown>, k: string, where: string): string => {
  const v = o[k];
  if (typeof v !== 'string') throw new Error(`${where}: ${k} must be a string`);
  return v;
};

function parseNode(v: unknown, where: string): NodeState {
  if (!isRecord(v)) throw new Error(`${where}: not an object`);
  const role = str(v, 'role', where);
  if (role !== 'master' && role !== 'node') throw new Error(`${where}: role must be master or node`);
  const pid = v['pid'];
  if (pid !== undefined && (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0)) throw new Error(`${where}: pid must be a positive integer`);
  return {
    name: str(v, 'name', where),
    role,
    netns: str(v, 'netns', where),
    hostVeth: str(v, 'hostVeth', where),
    ip: str(v, 'ip', where),
    dataDir: str(v, 'dataDir', where),
    logFile: str(v, 'logFile', where),
    ...(pid !== undefined ? { pid } : {}),
  };
}

/** Parses cluster.json, checking every field; `where` names the file in messages. */
export function parseClusterState(text: string, where: string): ClusterState {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e: unknown) {
    throw new Error(`${where}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!isRecord(doc)) throw new Error(`${where}: not a JSON object`);
  const status = str(doc, 'status', where);
  if (!(clusterStatuses as readonly string[]).includes(status)) throw new Error(`${where}: unknown status ${JSON.stringify(status)}`);
  const backend = str(doc, 'flannelBackend', where);
  if (backend !== 'vxlan' && backend !== 'host-gw') throw new Error(`${where}: flannelBackend must be vxlan or host-gw`);
  const nodes = doc['nodes'];
  if (!Array.isArray(nodes)) throw new Error(`${where}: nodes must be a list`);
  const rules = doc['hostRules'] ?? [];
  if (!Array.isArray(rules)) throw new Error(`${where}: hostRules must be a list`);
  const hostRules = rules.map((r: unknown, i): HostRule => {
    if (!isRecord(r) || typeof r['chain'] !== 'string' || !Array.isArray(r['rule']) || !r['rule'].every((a: unknown) => typeof a === 'string')) {
      throw new Error(`${where}: hostRules[${i}] must be {chain, rule: [strings]}`);
    }
    return { chain: r['chain'], rule: r['rule'] as string[] };
  });
  const reason = doc['statusReason'];
  const kubeconfig = doc['kubeconfig'];
  return {
    name: str(doc, 'name', where),
    uuid: str(doc, 'uuid', where),
    status: status as ClusterStatus,
    ...(typeof reason === 'string' ? { statusReason: reason } : {}),
    createdAt: str(doc, 'createdAt', where),
    updatedAt: str(doc, 'updatedAt', where),
    flannelBackend: backend,
    bridge: str(doc, 'bridge', where),
    subnet: str(doc, 'subnet', where),
    hostIp: str(doc, 'hostIp', where),
    apiAddress: str(doc, 'apiAddress', where),
    ...(typeof kubeconfig === 'string' ? { kubeconfig } : {}),
    hostRules,
    nodes: nodes.map((n: unknown, i) => parseNode(n, `${where}: nodes[${i}]`)),
  };
}

/** Writes cluster.json atomically (a temporary file renamed over it), stamping updatedAt. */
export function writeClusterState(dataDir: string, state: ClusterState, now: Date = new Date()): void {
  state.updatedAt = now.toISOString();
  const dir = clusterDir(dataDir, state.name);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = clusterStatePath(dataDir, state.name);
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}

/** The cluster's record; undefined when the cluster has no cluster.json. */
export function readClusterState(dataDir: string, name: string): ClusterState | undefined {
  const path = clusterStatePath(dataDir, name);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e: unknown) {
    if (e instanceof Error && 'code' in e && e.code === 'ENOENT') return undefined;
    throw e;
  }
  return parseClusterState(text, path);
}

/** Every cluster's record, by name; a directory whose cluster.json is missing or unreadable is reported in `broken`. */
export function listClusterStates(dataDir: string): { clusters: ClusterState[]; broken: { name: string; error: string }[] } {
  let names: string[];
  try {
    names = readdirSync(clustersDir(dataDir), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
  } catch (e: unknown) {
    if (e instanceof Error && 'code' in e && e.code === 'ENOENT') return { clusters: [], broken: [] };
    throw e;
  }
  const clusters: ClusterState[] = [];
  const broken: { name: string; error: string }[] = [];
  for (const name of names) {
    try {
      const s = readClusterState(dataDir, name);
      if (s === undefined) broken.push({ name, error: 'no cluster.json' });
      else clusters.push(s);
    } catch (e: unknown) {
      broken.push({ name, error: e instanceof Error ? e.message : String(e) });
    }
  }
  return { clusters, broken };
}
