// One scheduling decision, after pkg/scheduler/schedule_one.go of v1.32: run the PreFilter and
// Filter plugins of the default profile over the snapshot, score the feasible nodes (normalized,
// weighted, summed) and pick the best, breaking ties at random. When nothing fits, the FitError
// and its message are upstream's ("0/3 nodes are available: 1 Insufficient cpu, ...").
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { FilterPlugin, FitError, NodeFilter, NodeInfo, NodeScore, ScorePlugin, Snapshot, Status } from './framework.js';
import { unresolvable } from './framework.js';
import { balancedAllocationScore } from './plugins/balanced-allocation.js';
import { imageLocalityScore } from './plugins/image-locality.js';
import { interPodAffinityFilter, interPodAffinityScore } from './plugins/inter-pod-affinity.js';
import { nodeAffinityFilter, nodeAffinityScore } from './plugins/node-affinity.js';
import { nodeName } from './plugins/node-name.js';
import { nodePorts } from './plugins/node-ports.js';
import { leastAllocatedScore, nodeResourcesFitFilter } from './plugins/node-resources-fit.js';
import { nodeUnschedulable } from './plugins/node-unschedulable.js';
import { podTopologySpreadFilter, podTopologySpreadScore } from './plugins/pod-topology-spread.js';
import { taintTolerationFilter, taintTolerationScore } from './plugins/taint-toleration.js';
import { volumeBinding } from './plugins/volume-binding.js';
import { volumeZone } from './plugins/volume-zone.js';

/** The filters of the default profile, in upstream's order (the first rejection is a node's status). */
export const defaultFilterPlugins: readonly FilterPlugin[] = [
  nodeUnschedulable,
  nodeName,
  taintTolerationFilter,
  nodeAffinityFilter,
  nodePorts,
  nodeResourcesFitFilter,
  volumeBinding,
  volumeZone,
  podTopologySpreadFilter,
  interPodAffinityFilter,
];

/** The scores of the default profile with their default weights. */
export const defaultScorePlugins: readonly ScorePlugin[] = [
  taintTolerationScore,
  nodeAffinityScore,
  leastAllocatedScore,
  podTopologySpreadScore,
  interPodAffinityScore,
  balancedAllocationScore,
  imageLocalityScore,
];

/** ErrNoNodesAvailable's text, the message when the cluster has no nodes at all. */
export const noNodesAvailableMessage = 'no nodes available to schedule pods';

export interface ScheduleOptions {
  /** A number in [0, 1), for picking among equally scored nodes; Math.random by default. */
  readonly random?: () => number;
  readonly filterPlugins?: readonly FilterPlugin[];
  readonly scorePlugins?: readonly ScorePlugin[];
  /**
   * Upstream's percentageOfNodesToScore (adaptive by default): in big clusters filtering stops once enough feasible
   * nodes are found, starting where the previous cycle stopped. Give the cycle's start index and read the next one
   * from `cursor.next`; without a cursor every node is filtered.
   */
  readonly cursor?: { start: number; next?: number };
}

const minFeasibleNodesToFind = 100;
const minFeasibleNodesPercentageToFind = 5;

/** numFeasibleNodesToFind with the default (adaptive) percentageOfNodesToScore. */
export function numFeasibleNodesToFind(numAllNodes: number): number {
  if (numAllNodes < minFeasibleNodesToFind) return numAllNodes;
  let percentage = 50 - Math.trunc(numAllNodes / 125);
  if (percentage < minFeasibleNodesPercentageToFind) percentage = minFeasibleNodesPercentageToFind;
  const n = Math.trunc((numAllNodes * percentage) / 100);
  return n < minFeasibleNodesToFind ? minFeasibleNodesToFind : n;
}

export type ScheduleResult = { readonly node: string } | { readonly error: FitError };

/** The outcome of the PreFilter phase. */
export type PreFilterOutcome =
  | { readonly kind: 'rejected'; readonly status: Status }
  | { readonly kind: 'filters'; readonly filters: readonly NodeFilter[]; readonly nodeNames?: ReadonlySet<string>; readonly pluginsWithNodes: readonly string[] };

/** RunPreFilterPlugins: an Unresolvable rejection stops at once, an Unschedulable one after all ran. */
export function runPreFilters(pod: Pod, snapshot: Snapshot, plugins: readonly FilterPlugin[] = defaultFilterPlugins): PreFilterOutcome {
  const filters: NodeFilter[] = [];
  let nodeNames: Set<string> | undefined;
  const pluginsWithNodes: string[] = [];
  let rejection: Status | undefined;
  for (const plugin of plugins) {
    const r = plugin.preFilter(pod, snapshot);
    if (r.kind === 'skip') continue;
    if (r.kind === 'reject') {
      if (r.status.code === 'UnschedulableAndUnresolvable') return { kind: 'rejected', status: r.status };
      rejection = r.status;
      continue;
    }
    filters.push(r.filter);
    if (r.nodeNames !== undefined) {
      pluginsWithNodes.push(plugin.name);
      nodeNames = nodeNames === undefined ? new Set(r.nodeNames) : new Set([...nodeNames].filter((n) => r.nodeNames?.has(n)));
      if (nodeNames.size === 0) {
        const msg =
          pluginsWithNodes.length === 1
            ? `node(s) didn't satisfy plugin ${pluginsWithNodes[0]}`
            : `node(s) didn't satisfy plugin(s) [${pluginsWithNodes.join(' ')}] simultaneously`;
        return { kind: 'rejected', status: unresolvable(plugin.name, msg) };
      }
    }
  }
  if (rejection !== undefined) return { kind: 'rejected', status: rejection };
  return nodeNames === undefined ? { kind: 'filters', filters, pluginsWithNodes } : { kind: 'filters', filters, nodeNames, pluginsWithNodes };
}

/** RunFilterPlugins: the first rejecting filter's status, or null when the node fits. */
export function runFilters(filters: readonly NodeFilter[], nodeInfo: NodeInfo): Status | null {
  for (const f of filters) {
    const s = f(nodeInfo);
    if (s !== null) return s;
  }
  return null;
}

/** Whether the pod passes every filter on one node of the snapshot (used by preemption). */
export function podFitsNode(pod: Pod, snapshot: Snapshot, node: string, plugins: readonly FilterPlugin[] = defaultFilterPlugins): Status | null {
  const nodeInfo = snapshot.nodeByName.get(node);
  if (nodeInfo === undefined) return unresolvable('', `node "${node}" not found`);
  const pre = runPreFilters(pod, snapshot, plugins);
  if (pre.kind === 'rejected') return pre.status;
  return runFilters(pre.filters, nodeInfo);
}

export interface TotalScore {
  readonly name: string;
  readonly totalScore: number;
}

/** prioritizeNodes: per plugin score, normalize, weight; summed per node, in the feasible order. */
export function prioritizeNodes(pod: Pod, snapshot: Snapshot, feasible: readonly NodeInfo[], plugins: readonly ScorePlugin[] = defaultScorePlugins): TotalScore[] {
  const n = feasible.length;
  const totals = new Float64Array(n);
  for (const plugin of plugins) {
    const scorer = plugin.preScore(pod, snapshot, feasible);
    if (scorer === null) continue;
    const w = plugin.weight;
    if (scorer.normalize === undefined) {
      for (let i = 0; i < n; i++) totals[i] = (totals[i] ?? 0) + scorer.score(feasible[i] as NodeInfo) * w;
      continue;
    }
    const scores: NodeScore[] = feasible.map((ni) => ({ name: ni.name, score: scorer.score(ni) }));
    const normalized = scorer.normalize(scores);
    for (let i = 0; i < n; i++) totals[i] = (totals[i] ?? 0) + (normalized[i]?.score ?? 0) * w;
  }
  return feasible.map((ni, i) => ({ name: ni.name, totalScore: totals[i] ?? 0 }));
}

/** selectHost: the highest total; ties resolved by reservoir sampling with `random`. */
export function selectHost(scores: readonly TotalScore[], random: () => number): string {
  let best: TotalScore | undefined;
  let count = 0;
  for (const s of scores) {
    if (best === undefined || s.totalScore > best.totalScore) {
      best = s;
      count = 1;
    } else if (s.totalScore === best.totalScore) {
      count++;
      if (Math.floor(random() * count) === 0) best = s;
    }
  }
  if (best === undefined) throw new Error('empty priorityList');
  return best.name;
}

/** schedulePod: the node for the pod, or the FitError saying why none fits. */
export function schedulePod(pod: Pod, snapshot: Snapshot, opts: ScheduleOptions = {}): ScheduleResult {
  const random = opts.random ?? Math.random;
  const numAllNodes = snapshot.nodes.length;
  if (numAllNodes === 0) return { error: { numAllNodes: 0, nodeToStatus: new Map() } };

  const pre = runPreFilters(pod, snapshot, opts.filterPlugins ?? defaultFilterPlugins);
  if (pre.kind === 'rejected') {
    return {
      error: { numAllNodes, nodeToStatus: new Map(), absentNodesStatus: pre.status, preFilterMsg: pre.status.reasons.join(', ') },
    };
  }
  let candidates = snapshot.nodes;
  let absentNodesStatus: Status | undefined;
  if (pre.nodeNames !== undefined) {
    const names = pre.nodeNames;
    candidates = snapshot.nodes.filter((n) => names.has(n.name));
    absentNodesStatus = unresolvable('', `node(s) didn't satisfy plugin(s) [${[...pre.pluginsWithNodes].sort().join(' ')}]`);
  }
  const nodeToStatus = new Map<string, Status>();
  const feasible: NodeInfo[] = [];
  const cursor = opts.cursor;
  const want = cursor === undefined ? candidates.length : numFeasibleNodesToFind(candidates.length);
  const start = cursor === undefined || candidates.length === 0 ? 0 : cursor.start % candidates.length;
  let processed = 0;
  for (; processed < candidates.length && feasible.length < want; processed++) {
    const nodeInfo = candidates[(start + processed) % candidates.length] as NodeInfo;
    const status = runFilters(pre.filters, nodeInfo);
    if (status === null) feasible.push(nodeInfo);
    else nodeToStatus.set(nodeInfo.name, status);
  }
  if (cursor !== undefined) cursor.next = candidates.length === 0 ? 0 : (start + processed) % candidates.length;
  if (feasible.length === 0) {
    return { error: absentNodesStatus === undefined ? { numAllNodes, nodeToStatus } : { numAllNodes, nodeToStatus, absentNodesStatus } };
  }
  const only = feasible[0];
  if (feasible.length === 1 && only !== undefined) return { node: only.name };
  return { node: selectHost(prioritizeNodes(pod, snapshot, feasible, opts.scorePlugins ?? defaultScorePlugins), random) };
}

/** Go's sort.Strings order. */
function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** FitError.Error(): "0/N nodes are available: <prefilter>. <count reason, ...>. <postfilter>". */
export function fitErrorMessage(err: FitError): string {
  if (err.numAllNodes === 0 && err.preFilterMsg === undefined) return noNodesAvailableMessage + (err.postFilterMsg === undefined ? '' : ` ${err.postFilterMsg}`);
  let msg = `0/${err.numAllNodes} nodes are available:`;
  if (err.preFilterMsg !== undefined && err.preFilterMsg !== '') {
    msg += ` ${err.preFilterMsg}.`;
  } else {
    const reasons = new Map<string, number>();
    for (const status of err.nodeToStatus.values()) for (const r of status.reasons) reasons.set(r, (reasons.get(r) ?? 0) + 1);
    const absent = err.numAllNodes - err.nodeToStatus.size;
    if (absent > 0 && err.absentNodesStatus !== undefined) {
      for (const r of err.absentNodesStatus.reasons) reasons.set(r, (reasons.get(r) ?? 0) + absent);
    }
    const histogram = [...reasons].map(([r, n]) => `${n} ${r}`).sort(compareBytes);
    if (histogram.length > 0) msg += ` ${histogram.join(', ')}.`;
  }
  if (err.postFilterMsg !== undefined && err.postFilterMsg !== '') msg += ` ${err.postFilterMsg}`;
  return msg;
}

/** A small deterministic random source (mulberry32) for reproducible tie-breaking. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
