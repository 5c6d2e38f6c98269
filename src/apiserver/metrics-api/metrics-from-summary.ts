// metrics.k8s.io/v1beta1 NodeMetrics and PodMetrics from a kubelet's Summary (/stats/summary), as metrics-server makes
// them: usage cpu is the CPU rate in nanocores as a DecimalSI quantity at scale -9 ("12345n", "5m", "1"), memory the
// working set in bytes as a BinarySI quantity ("123456Ki"); the timestamp is when the kubelet sampled the CPU (for a pod,
// its earliest container's); metadata carries the node's or pod's name, namespace and labels and, as metrics-server
// sets it, the time of the answer as creationTimestamp. A node or pod without a CPU rate or working set yet (a rate
// needs two samples) has no metrics.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { newQuantity, newScaledQuantity } from '../../machinery/quantity.js';
import { formatGoDuration } from '../../kubelet/crash-loop-backoff.js';
import type { CpuStats, MemoryStats, NodeStats, PodStats } from '../../kubelet/stats/summary.js';

export const metricsGroupVersion = 'metrics.k8s.io/v1beta1';

/**
 * The window the kubelet's usageNanoCores is a rate over: the k8ts kubelet's housekeeping interval (the Summary does
 * not say, and metrics-server's Summary-based releases likewise reported a fixed window).
 */
export const summaryRateWindowMs = 10_000;

/** A v1.ResourceList of the two resources metrics-server reports (keys in Go's sorted map order). */
export interface Usage {
  cpu: string;
  memory: string;
}

export interface MetricsMeta {
  name: string;
  namespace?: string;
  creationTimestamp: string;
  labels?: Record<string, string>;
}

export interface NodeMetrics {
  kind?: 'NodeMetrics';
  apiVersion?: typeof metricsGroupVersion;
  metadata: MetricsMeta;
  timestamp: string;
  window: string;
  usage: Usage;
}

export interface ContainerMetrics {
  name: string;
  usage: Usage;
}

export interface PodMetrics {
  kind?: 'PodMetrics';
  apiVersion?: typeof metricsGroupVersion;
  metadata: MetricsMeta;
  timestamp: string;
  window: string;
  containers: ContainerMetrics[];
}

/** A CPU rate in nanocores as metrics-server renders it: resource.NewScaledQuantity(n, resource.Nano).String(). */
export function cpuQuantity(nanoCores: number): string {
  return newScaledQuantity(BigInt(Number.isFinite(nanoCores) ? Math.max(0, Math.trunc(nanoCores)) : 0), -9).toString();
}

/** A byte count as a BinarySI quantity: "0", "512", "1k" (below 1024 upstream falls back to DecimalSI), "123456Ki". */
export function memoryQuantity(bytes: number): string {
  return newQuantity(BigInt(Number.isFinite(bytes) ? Math.max(0, Math.trunc(bytes)) : 0), 'BinarySI').toString();
}

/** metav1.Time's JSON: RFC 3339, UTC, whole seconds. */
export function metaTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

interface RawUsage {
  nanoCores: number;
  workingSetBytes: number;
  /** ms since the epoch: when the CPU (else the memory) was sampled. */
  time: number;
}

function rawUsage(cpu: CpuStats | undefined, memory: MemoryStats | undefined): RawUsage | undefined {
  if (cpu?.usageNanoCores === undefined || memory?.workingSetBytes === undefined) return undefined;
  // A kubelet's figure that is not a number leaves just that node or pod out, as metrics-server drops bad data.
  if (!Number.isFinite(Number(cpu.usageNanoCores)) || !Number.isFinite(Number(memory.workingSetBytes))) return undefined;
  const time = Date.parse(cpu.time !== '' ? cpu.time : memory.time);
  return { nanoCores: Number(cpu.usageNanoCores), workingSetBytes: Number(memory.workingSetBytes), time: Number.isNaN(time) ? 0 : time };
}

function usageOf(u: RawUsage): Usage {
  return { cpu: cpuQuantity(u.nanoCores), memory: memoryQuantity(u.workingSetBytes) };
}

function labelsOf(labels: Record<string, string> | undefined): { labels?: Record<string, string> } {
  return labels !== undefined && Object.keys(labels).length > 0 ? { labels: { ...labels } } : {};
}

/** The node's metrics from its Summary's node part, or undefined while the kubelet has no CPU rate or working set. */
export function nodeMetricsOf(node: Node, stats: NodeStats, nowMs: number, windowMs = summaryRateWindowMs): NodeMetrics | undefined {
  const u = rawUsage(stats.cpu, stats.memory);
  if (u === undefined) return undefined;
  return {
    metadata: { name: node.metadata?.name ?? '', creationTimestamp: metaTime(nowMs), ...labelsOf(node.metadata?.labels) },
    timestamp: metaTime(u.time),
    window: formatGoDuration(windowMs),
    usage: usageOf(u),
  };
}

/**
 * The pod's metrics from its PodStats: every container the kubelet reports, in its order; undefined when it reports
 * none yet or one of them lacks a CPU rate or working set (metrics-server leaves such a pod out).
 */
export function podMetricsOf(pod: Pod, stats: PodStats, nowMs: number, windowMs = summaryRateWindowMs): PodMetrics | undefined {
  if (stats.containers.length === 0) return undefined;
  const containers: ContainerMetrics[] = [];
  let earliest: number | undefined;
  for (const c of stats.containers) {
    const u = rawUsage(c.cpu, c.memory);
    if (u === undefined) return undefined;
    containers.push({ name: c.name, usage: usageOf(u) });
    if (earliest === undefined || u.time < earliest) earliest = u.time;
  }
  return {
    metadata: {
      name: pod.metadata?.name ?? '',
      namespace: pod.metadata?.namespace ?? '',
      creationTimestamp: metaTime(nowMs),
      ...labelsOf(pod.metadata?.labels),
    },
    timestamp: metaTime(earliest ?? 0),
    window: formatGoDuration(windowMs),
    containers,
  };
}
