// metrics.k8s.io/v1beta1, served by the API server itself as k3s ships metrics-server: `nodes` (NodeMetrics) and
// `pods` (PodMetrics), verbs get and list, answered from the kubelets' /stats/summary at request time. As
// metrics-server's REST storage: the nodes or pods are read (label selector, field selector on metadata.name and, for
// pods, metadata.namespace), only Running pods count, the kubelets of the nodes concerned are asked in parallel and
// whatever has no metrics is left out of a list; lists are sorted by (namespace and) name. A get of an unknown node or
// pod is the lister's NotFound (`node "x" not found`, `pods "x" not found`); of one without metrics,
// `nodemetrics.metrics.k8s.io "x" not found` / `podmetrics.metrics.k8s.io "ns/x" not found`.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { StoredObject } from '../../api/object.js';
import { findResource, type ResourceInfo } from '../../api/resources.js';
import { ApiError } from '../../machinery/errors.js';
import type { Summary } from '../../kubelet/stats/summary.js';
import { send, type Encoding, type Res } from '../http.js';
import type { ResourceRequestInfo } from '../request-info.js';
import { includeObjectOf } from '../handlers/output.js';
import { getKubeletClientConfig, type KubeletClientConfig } from '../handlers/pod-log.js';
import type { HandlerContext } from '../handlers/resource-handler.js';
import { parseSelection } from '../handlers/selectors.js';
import type { Selection } from '../registry/selection.js';
import { fetchKubeletSummaries } from './fetch-kubelet-summary.js';
import { metricsGroupVersion, nodeMetricsOf, podMetricsOf, type NodeMetrics, type PodMetrics } from './metrics-from-summary.js';
import { nodeMetricsTable, podMetricsTable } from './metrics-table.js';

export const metricsGroup = 'metrics.k8s.io';

/** How the summaries are obtained (the kubelets over HTTPS; tests hand in their own). */
export type SummarySource = (nodes: readonly Node[], client: KubeletClientConfig) => Promise<Map<string, Summary>>;

let summarySource: SummarySource = (nodes, client) => fetchKubeletSummaries(nodes, client);

/** Replaces how summaries are fetched (tests); undefined restores asking the kubelets. */
export function setSummarySource(s: SummarySource | undefined): void {
  summarySource = s ?? ((nodes, client) => fetchKubeletSummaries(nodes, client));
}

function coreResource(resource: 'nodes' | 'pods'): ResourceInfo {
  const r = findResource('', 'v1', resource);
  if (r === undefined) throw ApiError.internal(`the ${resource} resource is not registered`);
  return r;
}

function kubeletClient(r: ResourceInfo): KubeletClientConfig {
  const c = getKubeletClientConfig();
  // What the aggregator answers while metrics-server is unavailable.
  if (c === undefined) throw new ApiError(503, 'ServiceUnavailable', 'the server is currently unable to handle the request', { group: metricsGroup, kind: r.resource });
  return c;
}

function selected(sel: Selection, labels: Record<string, string> | undefined, fields: Record<string, string>): boolean {
  if (sel.label !== undefined && !sel.label.empty() && !sel.label.matches(labels ?? {})) return false;
  if (sel.field !== undefined && !sel.field.empty() && !sel.field.matches(fields)) return false;
  return true;
}

/** Every object of r in the namespace ('' for all), read as the informers' listers do (resourceVersion 0). */
async function listAll<T>(ctx: HandlerContext, r: ResourceInfo, namespace: string): Promise<readonly T[]> {
  const items: readonly StoredObject[] = (await ctx.registry.storeFor(r).list(namespace, { selection: {}, resourceVersion: '0' })).items;
  return items as unknown as readonly T[];
}

/** Metrics of the nodes, sorted by name; nodes without metrics are left out. */
export async function nodeMetrics(nodes: readonly Node[], client: KubeletClientConfig, nowMs = Date.now()): Promise<NodeMetrics[]> {
  const summaries = await summarySource(nodes, client);
  const out: NodeMetrics[] = [];
  for (const n of nodes) {
    const s = summaries.get(n.metadata?.name ?? '');
    const m = s === undefined ? undefined : nodeMetricsOf(n, s.node, nowMs);
    if (m !== undefined) out.push(m);
  }
  return out.sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
}

/** Metrics of the Running pods, sorted by namespace and name; pods without metrics are left out. */
export async function podMetrics(pods: readonly Pod[], nodesByName: ReadonlyMap<string, Node>, client: KubeletClientConfig, nowMs = Date.now()): Promise<PodMetrics[]> {
  const running = pods.filter((p) => p.status?.phase === 'Running' && (p.spec?.nodeName ?? '') !== '');
  const nodes = [...new Set(running.map((p) => p.spec?.nodeName ?? ''))].flatMap((name) => {
    const n = nodesByName.get(name);
    return n === undefined ? [] : [n];
  });
  const summaries = nodes.length === 0 ? new Map<string, Summary>() : await summarySource(nodes, client);
  const out: PodMetrics[] = [];
  for (const p of running) {
    const s = summaries.get(p.spec?.nodeName ?? '');
    const ps = s?.pods.find((x) => x.podRef.namespace === p.metadata?.namespace && x.podRef.name === p.metadata?.name);
    const m = ps === undefined ? undefined : podMetricsOf(p, ps, nowMs);
    if (m !== undefined) out.push(m);
  }
  const key = (m: PodMetrics): string => `${m.metadata.namespace ?? ''}\u0000${m.metadata.name}`;
  return out.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

function sendItem(res: Res, enc: Encoding, query: URLSearchParams, item: NodeMetrics | PodMetrics, kind: 'NodeMetrics' | 'PodMetrics'): void {
  if (enc.as === 'Table') {
    const include = includeObjectOf(query);
    send(res, 200, kind === 'NodeMetrics' ? nodeMetricsTable([item as NodeMetrics], include) : podMetricsTable([item as PodMetrics], include), enc);
  } else if (enc.as === 'PartialObjectMetadata' || enc.as === 'PartialObjectMetadataList') {
    send(res, 200, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: item.metadata }, enc);
  } else {
    send(res, 200, { kind, apiVersion: metricsGroupVersion, ...item }, enc);
  }
}

function sendList(res: Res, enc: Encoding, query: URLSearchParams, items: NodeMetrics[] | PodMetrics[], kind: 'NodeMetrics' | 'PodMetrics'): void {
  if (enc.as === 'Table') {
    const include = includeObjectOf(query);
    send(res, 200, kind === 'NodeMetrics' ? nodeMetricsTable(items as NodeMetrics[], include) : podMetricsTable(items as PodMetrics[], include), enc);
  } else if (enc.as === 'PartialObjectMetadata' || enc.as === 'PartialObjectMetadataList') {
    send(res, 200, { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata: {}, items: items.map((m) => ({ metadata: m.metadata })) }, enc);
  } else {
    send(res, 200, { kind: `${kind}List`, apiVersion: metricsGroupVersion, metadata: {}, items }, enc);
  }
}

async function serveNodes(res: Res, info: ResourceRequestInfo, enc: Encoding, query: URLSearchParams, ctx: HandlerContext, r: ResourceInfo): Promise<void> {
  const nodesR = coreResource('nodes');
  if (info.verb === 'get') {
    const node = (await ctx.registry.storeFor(nodesR).tryGet('', info.name)) as Node | undefined;
    // The node lister's NotFound (client-go listers name the resource in the singular).
    if (node === undefined) throw ApiError.notFound({ group: '', name: 'node' }, info.name);
    const [m] = await nodeMetrics([node], kubeletClient(r));
    if (m === undefined) throw ApiError.notFound({ group: metricsGroup, name: 'nodemetrics' }, info.name);
    return sendItem(res, enc, query, m, 'NodeMetrics');
  }
  const sel = parseSelection(query, r);
  const client = kubeletClient(r);
  const nodes = (await listAll<Node>(ctx, nodesR, '')).filter((n) => selected(sel, n.metadata?.labels, { 'metadata.name': n.metadata?.name ?? '' }));
  return sendList(res, enc, query, await nodeMetrics(nodes, client), 'NodeMetrics');
}

async function nodesByName(ctx: HandlerContext): Promise<Map<string, Node>> {
  const nodes = await listAll<Node>(ctx, coreResource('nodes'), '');
  return new Map(nodes.map((n) => [n.metadata?.name ?? '', n]));
}

async function servePods(res: Res, info: ResourceRequestInfo, enc: Encoding, query: URLSearchParams, ctx: HandlerContext, r: ResourceInfo): Promise<void> {
  const podsR = coreResource('pods');
  if (info.verb === 'get') {
    const pod = (await ctx.registry.storeFor(podsR).tryGet(info.namespace, info.name)) as Pod | undefined;
    if (pod === undefined) throw ApiError.notFound({ group: '', name: 'pods' }, info.name);
    const [m] = await podMetrics([pod], await nodesByName(ctx), kubeletClient(r));
    if (m === undefined) throw ApiError.notFound({ group: metricsGroup, name: 'podmetrics' }, `${info.namespace}/${info.name}`);
    return sendItem(res, enc, query, m, 'PodMetrics');
  }
  const sel = parseSelection(query, r);
  const client = kubeletClient(r);
  const pods = (await listAll<Pod>(ctx, podsR, info.namespace)).filter((p) =>
    selected(sel, p.metadata?.labels, { 'metadata.name': p.metadata?.name ?? '', 'metadata.namespace': p.metadata?.namespace ?? '' }),
  );
  return sendList(res, enc, query, await podMetrics(pods, await nodesByName(ctx), client), 'PodMetrics');
}

/** GET (get or list) of nodes.metrics.k8s.io or pods.metrics.k8s.io; other verbs are not supported. */
export async function serveMetrics(res: Res, info: ResourceRequestInfo, enc: Encoding, query: URLSearchParams, ctx: HandlerContext, r: ResourceInfo): Promise<void> {
  if (info.verb !== 'get' && info.verb !== 'list') throw ApiError.methodNotSupported({ group: r.group, name: r.resource }, info.verb);
  if (r.resource === 'nodes') return serveNodes(res, info, enc, query, ctx, r);
  if (r.resource === 'pods') return servePods(res, info, enc, query, ctx, r);
  throw ApiError.internal(`metrics.k8s.io serves no resource ${r.resource}`);
}
