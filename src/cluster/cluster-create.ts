// `k8ts cluster create NAME --nodes N`: a master and N nodes on this one machine, each a network namespace "host" on
// a bridge of its own (as OpenStack Magnum made a bay of a master and minions): `k8ts server` in the master's
// namespace, `k8ts agent` in the others', then a wait (with progress) until every node is Ready, and a kubeconfig
// context NAME. The record in DATA_DIR/clusters/NAME/cluster.json is written before anything is made, so a cluster
// that fails half-way is CREATE_FAILED and `k8ts cluster delete` still finds all of it.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readKubeconfig } from '../client/kubeconfig.js';
import { RestClient } from '../client/rest-client.js';
import { addressesInUse, pickSubnet, planNetwork, validateClusterName, MAX_NODES, type NodePlan } from './address-plan.js';
import { clusterDir, listClusterStates, writeClusterState, type ClusterState, type NodeState } from './cluster-state.js';
import { createBridge, createNodeNetns, hostRules, insertHostRule, readHostAddresses } from './host-network.js';
import { currentCredentials, mergeContextFile } from './kubeconfig-context.js';
import { agentArgs, API_PORT, masterArgs, type FlannelBackend } from './node-commands.js';
import { nodeReadiness, type NodeReadiness } from './node-readiness.js';
import { processAlive } from '../machinery/process-alive.js';

/** The server's default pod and service ranges, which a cluster's bridge subnet must not overlap. */
const POD_AND_SERVICE_RANGES = ['10.240.0.0/16', '10.254.0.0/16'];

export interface CreateClusterOptions {
  dataDir: string;
  name: string;
  nodes: number;
  flannelBackend: FlannelBackend;
  /** The kubeconfig file the context goes into. */
  kubeconfig: string;
  /** How to run k8ts: the node executable and the k8ts script. */
  k8tsCommand: readonly string[];
  /** Give up (CREATE_FAILED) when the nodes are not all Ready by then. */
  timeoutMs: number;
  /** Progress lines. */
  out: (line: string) => void;
  /** Aborting (Ctrl-C) fails the creation as a timeout does. */
  signal?: AbortSignal;
  /** Extra flags for the master's `k8ts server` and the nodes' `k8ts agent`. */
  serverArgs?: readonly string[];
  agentArgs?: readonly string[];
}

/** The last `lines` lines of a log file, for messages. */
export function logTail(path: string, lines = 15): string {
  try {
    const text = readFileSync(path, 'utf8').trimEnd();
    return text.split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;

class CreateError extends Error {}

/** A node's directory in the cluster's: master, node-1, ... (short: containerd's socket paths must stay short). */
export function nodeDirName(index: number): string {
  return index === 0 ? 'master' : `node-${index}`;
}

/** containerd refuses unix socket paths longer than this. */
const MAX_SOCKET_PATH = 104;

function nodeState(dataDir: string, name: string, n: NodePlan): NodeState {
  const dir = clusterDir(dataDir, name);
  const short = nodeDirName(n.index);
  return { name: n.name, role: n.role, netns: n.netns, hostVeth: n.hostVeth, ip: n.ip, dataDir: join(dir, short), logFile: join(dir, `${short}.log`) };
}

/** The file `ip netns add` pins a namespace at. */
export function netnsPath(netns: string): string {
  return `/run/netns/${netns}`;
}

/** Starts one node's k8ts in its namespace, detached (its own session), output to its log file; returns its pid. */
function startNodeProcess(k8ts: readonly string[], node: NodeState, args: string[]): number {
  mkdirSync(node.dataDir, { recursive: true, mode: 0o700 });
  const fd = openSync(node.logFile, 'a', 0o600);
  try {
    const [exe, ...rest] = k8ts;
    if (exe === undefined) throw new Error('no k8ts command');
    // nsenter, not `ip netns exec`: that one also gives the process a mount namespace with a fresh /sys, which hides
    // the cgroup mounts runc needs. With nsenter the node shares the host's mounts (its containers' too).
    const child = spawn('nsenter', [`--net=${netnsPath(node.netns)}`, '--', exe, ...rest, ...args], { detached: true, stdio: ['ignore', fd, fd] });
    if (child.pid === undefined) throw new Error(`could not start ${node.name}'s k8ts`);
    child.on('error', () => undefined);
    child.unref();
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

export async function createCluster(o: CreateClusterOptions): Promise<ClusterState> {
  const started = Date.now();
  const invalid = validateClusterName(o.name);
  if (invalid !== undefined) throw new Error(invalid);
  if (!Number.isInteger(o.nodes) || o.nodes < 0 || o.nodes > MAX_NODES) throw new Error(`invalid --nodes ${o.nodes}: a whole number from 0 to ${MAX_NODES}`);
  if (process.getuid?.() !== 0) throw new Error('k8ts cluster create makes network namespaces and a bridge, which needs root: run it as root');
  if (existsSync(clusterDir(o.dataDir, o.name))) throw new Error(`cluster "${o.name}" already exists (k8ts cluster delete ${o.name} removes it)`);

  const host = await readHostAddresses();
  const others = listClusterStates(o.dataDir).clusters.map((c) => c.subnet);
  const subnet = pickSubnet([...addressesInUse(host.addrs, host.routes), ...others], POD_AND_SERVICE_RANGES);
  if (subnet === undefined) throw new Error('no free /24 for the cluster in 172.25.0.0-172.30.255.255: every one collides with an address or route on this machine');
  const plan = planNetwork(o.name, o.nodes, subnet);
  const longestSocket = join(clusterDir(o.dataDir, o.name), nodeDirName(o.nodes), 'containerd', 'containerd.sock.ttrpc');
  if (longestSocket.length > MAX_SOCKET_PATH) {
    throw new Error(`the nodes' containerd socket paths would be too long (${longestSocket}: ${longestSocket.length} > ${MAX_SOCKET_PATH} characters): use a shorter --data-dir or cluster name`);
  }
  const master = plan.nodes[0];
  if (master === undefined) throw new Error('no master in the plan');
  const now = new Date().toISOString();
  const state: ClusterState = {
    name: o.name,
    uuid: randomUUID(),
    status: 'CREATE_IN_PROGRESS',
    createdAt: now,
    updatedAt: now,
    flannelBackend: o.flannelBackend,
    bridge: plan.bridge,
    subnet: plan.subnet,
    hostIp: plan.hostIp,
    apiAddress: `https://${master.ip}:${API_PORT}`,
    hostRules: [],
    nodes: plan.nodes.map((n) => nodeState(o.dataDir, o.name, n)),
  };
  writeClusterState(o.dataDir, state);
  const save = (): void => writeClusterState(o.dataDir, state);
  o.out(`Creating cluster "${o.name}" (a master and ${o.nodes} node${o.nodes === 1 ? '' : 's'}, flannel backend ${o.flannelBackend}) ...`);

  try {
    // The network: the host's guard rules first, then the bridge and one namespace per node.
    for (const r of hostRules(o.name, plan.bridge)) {
      state.hostRules.push(r);
      save();
      await insertHostRule(r);
    }
    await createBridge(plan);
    // The master's --service-cidr when --server-arg gives one (the nodes route that range to their proxy).
    const serviceCidr = [...(o.serverArgs ?? [])].map((a) => /^--service-cidr=(.+)$/.exec(a)?.[1]).find((v) => v !== undefined);
    await Promise.all(plan.nodes.map((n) => createNodeNetns(plan, n, serviceCidr)));
    o.out(` ✓ Network ${plan.subnet} on bridge ${plan.bridge} (this host ${plan.hostIp}, ${plan.nodes.map((n) => `${n.name} ${n.ip}`).join(', ')})`);

    const masterNode = state.nodes[0];
    if (masterNode === undefined) throw new Error('no master');
    const masterPid = startNodeProcess(o.k8tsCommand, masterNode, [...masterArgs({ dataDir: masterNode.dataDir, nodeName: masterNode.name, ip: masterNode.ip, flannelBackend: o.flannelBackend }), ...(o.serverArgs ?? [])]);
    state.nodes[0] = { ...masterNode, pid: masterPid };
    save();
    o.out(` ✓ Started k8ts server on ${masterNode.name} (pid ${masterPid}, log ${masterNode.logFile})`);

    const deadline = started + o.timeoutMs;
    const checkTime = (what: string): void => {
      if (o.signal?.aborted === true) throw new CreateError(`interrupted while ${what}`);
      if (Date.now() > deadline) throw new CreateError(`timed out after ${seconds(o.timeoutMs)} while ${what}`);
    };
    const checkAlive = (): void => {
      for (const n of state.nodes) {
        if (n.pid !== undefined && !processAlive(n.pid)) throw new CreateError(`k8ts on ${n.name} exited; the end of ${n.logFile}:\n${logTail(n.logFile)}`);
      }
    };
    const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

    // The server writes its kubeconfig once it serves; the token is written before that.
    const kubeconfigFile = join(masterNode.dataDir, 'kubeconfig.yaml');
    while (!existsSync(kubeconfigFile)) {
      checkAlive();
      checkTime('waiting for the API server');
      await sleep(50);
    }
    o.out(` ✓ API server up at ${state.apiAddress} (${seconds(Date.now() - started)})`);

    if (o.nodes > 0) {
      // The agents read the token from the master's file (0600): on a command line, /proc would show it to anyone.
      const tokenFile = join(masterNode.dataDir, 'token');
      if (readFileSync(tokenFile, 'utf8').trim() === '') throw new Error(`${tokenFile} is empty`);
      for (let i = 1; i < state.nodes.length; i++) {
        const n = state.nodes[i];
        if (n === undefined) continue;
        const pid = startNodeProcess(o.k8tsCommand, n, [...agentArgs({ dataDir: n.dataDir, nodeName: n.name, ip: n.ip, masterIp: masterNode.ip, tokenFile }), ...(o.agentArgs ?? [])]);
        state.nodes[i] = { ...n, pid };
      }
      save();
      o.out(` ✓ Started k8ts agent on ${state.nodes.slice(1).map((n) => n.name).join(', ')}`);
    }

    const client = new RestClient(readKubeconfig(kubeconfigFile));
    const names = state.nodes.map((n) => n.name);
    let last = '';
    try {
      for (;;) {
        checkAlive();
        let readiness: NodeReadiness | undefined;
        try {
          readiness = nodeReadiness(await client.request('GET', '/api/v1/nodes'), names);
        } catch (e: unknown) {
          void e; // not serving yet
        }
        if (readiness !== undefined) {
          const line = `   Nodes Ready: ${readiness.ready.length}/${names.length}${readiness.notReady.length > 0 ? ` (waiting for ${readiness.notReady.join(', ')})` : ''}`;
          if (line !== last) o.out(`${line} (${seconds(Date.now() - started)})`);
          last = line;
          if (readiness.notReady.length === 0) break;
        }
        checkTime(`waiting for ${readiness === undefined ? 'the nodes' : readiness.notReady.join(', ')} to be Ready`);
        await sleep(200);
      }
    } finally {
      client.close();
    }
    o.out(` ✓ All ${names.length} nodes Ready (${seconds(Date.now() - started)})`);

    const creds = currentCredentials(readFileSync(kubeconfigFile, 'utf8'), kubeconfigFile);
    mergeContextFile(o.kubeconfig, o.name, { ...creds, server: state.apiAddress });
    state.kubeconfig = o.kubeconfig;
    state.status = 'CREATE_COMPLETE';
    save();
    o.out(`Set kubectl context to "${o.name}" in ${o.kubeconfig}`);
    o.out(`You can now use your cluster with:\n\nkubectl get nodes --context ${o.name}\n`);
    return state;
  } catch (e: unknown) {
    const msg = e instanceof Error ? e.message : String(e);
    state.status = 'CREATE_FAILED';
    state.statusReason = msg;
    save();
    if (!(e instanceof CreateError)) {
      const failedNode = state.nodes.find((n) => n.pid !== undefined && !processAlive(n.pid));
      if (failedNode !== undefined) state.statusReason = `${msg}; k8ts on ${failedNode.name} exited; the end of ${failedNode.logFile}:\n${logTail(failedNode.logFile)}`;
      save();
    }
    throw new Error(`creating cluster "${o.name}" failed: ${state.statusReason ?? msg}\nThe cluster is CREATE_FAILED; 'k8ts cluster delete ${o.name}' removes what was made.`);
  }
}
