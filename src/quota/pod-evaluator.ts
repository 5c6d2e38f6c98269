// Quota for pods, after pkg/quota/v1/evaluator/core/pods.go (v1.32): compute resources from the pod's requests and
// limits (component-helpers PodRequests/PodLimits), count/pods for every pod in storage, and the Terminating,
// NotTerminating, BestEffort, NotBestEffort, PriorityClass and CrossNamespacePodAffinity scopes. Terminal pods and
// pods past their deletion grace period are not charged compute resources (QuotaV1Pod).
import type { Container, Pod, PodAffinityTerm, WeightedPodAffinityTerm } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/object.js';
import { podQOSClass } from '../apiserver/registry/strategy.js';
import { labelSelectorFromObject, isQualifiedName } from '../machinery/label-selector.js';
import { newQuantity, quantityFromJSON } from '../machinery/quantity.js';
import { podRequests } from '../scheduler/pod-requests.js';
import { intersection, objectCountName, type QuotaEvaluator, type QuotaOperation, type ScopeSelectorRequirement } from './evaluator.js';
import { addLists, type ResourceList } from './resource-list.js';

const podCountName = objectCountName('', 'pods');

const podResources = [
  podCountName,
  'cpu',
  'memory',
  'ephemeral-storage',
  'requests.cpu',
  'requests.memory',
  'requests.ephemeral-storage',
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
  'pods',
];

const hugePagesPrefix = 'hugepages-';
const requestsPrefix = 'requests.';
const podResourcePrefixes = [hugePagesPrefix, `${requestsPrefix}${hugePagesPrefix}`];

/** The resources that, when a quota limits them, every container must state (a backward-compatibility rule). */
const validationSet = new Set(['cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory']);

/** helper.IsNativeResource: no domain, or a kubernetes.io domain. */
function isNativeResource(name: string): boolean {
  return !name.includes('/') || name.includes('kubernetes.io/');
}

/** helper.IsExtendedResourceName. */
function isExtendedResourceName(name: string): boolean {
  if (isNativeResource(name) || name.startsWith(requestsPrefix)) return false;
  return isQualifiedName(`${requestsPrefix}${name}`).length === 0;
}

/** isExtendedResourceNameForQuota: only requests.<extended> can be quota'd. */
function isExtendedResourceNameForQuota(name: string): boolean {
  return !isNativeResource(name) && name.startsWith(requestsPrefix);
}

function toList(raw: Readonly<Record<string, string | number>> | undefined): ResourceList {
  const out: ResourceList = new Map();
  for (const [name, q] of Object.entries(raw ?? {})) out.set(name, quantityFromJSON(q));
  return out;
}

function maxInto(into: ResourceList, other: ResourceList): void {
  for (const [name, q] of other) {
    const have = into.get(name);
    if (have === undefined || q.cmp(have) > 0) into.set(name, q);
  }
}

/** resourcehelper.PodLimits: containers summed, init containers as a maximum (sidecars added), overhead on what is limited. */
export function podLimits(pod: Pod): ResourceList {
  let limits: ResourceList = new Map();
  for (const c of pod.spec?.containers ?? []) limits = addLists(limits, toList(c.resources?.limits));
  let restartable: ResourceList = new Map();
  const init: ResourceList = new Map();
  for (const c of pod.spec?.initContainers ?? []) {
    let cl = toList(c.resources?.limits);
    if (c.restartPolicy === 'Always') {
      limits = addLists(limits, cl);
      restartable = addLists(restartable, cl);
      cl = restartable;
    } else {
      cl = addLists(cl, restartable);
    }
    maxInto(init, cl);
  }
  maxInto(limits, init);
  for (const [name, q] of toList(pod.spec?.overhead)) {
    const have = limits.get(name);
    if (have !== undefined) limits.set(name, have.add(q));
  }
  return limits;
}

/** podComputeUsageHelper: the quota names a set of requests and limits charges. */
function computeUsage(requests: ResourceList, limits: ResourceList): ResourceList {
  const out: ResourceList = new Map([['pods', newQuantity(1, 'DecimalSI')]]);
  const req = (name: string, ...as: string[]): void => {
    const q = requests.get(name);
    if (q !== undefined) for (const a of as) out.set(a, q);
  };
  const lim = (name: string, as: string): void => {
    const q = limits.get(name);
    if (q !== undefined) out.set(as, q);
  };
  req('cpu', 'cpu', 'requests.cpu');
  lim('cpu', 'limits.cpu');
  req('memory', 'memory', 'requests.memory');
  lim('memory', 'limits.memory');
  req('ephemeral-storage', 'ephemeral-storage', 'requests.ephemeral-storage');
  lim('ephemeral-storage', 'limits.ephemeral-storage');
  for (const [name, q] of requests) {
    if (name.startsWith(hugePagesPrefix)) {
      out.set(name, q);
      out.set(`${requestsPrefix}${name}`, q);
    }
    if (isExtendedResourceName(name)) out.set(`${requestsPrefix}${name}`, q);
  }
  return out;
}

/** QuotaV1Pod: whether the pod is charged compute resources (not terminal, not stuck past its deletion grace period). */
export function quotaV1Pod(pod: Pod, now: Date): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Failed' || phase === 'Succeeded') return false;
  const ts = pod.metadata?.deletionTimestamp;
  const grace = pod.metadata?.deletionGracePeriodSeconds;
  if (ts !== undefined && grace !== undefined) {
    const deadline = Date.parse(ts) + grace * 1000;
    if (now.getTime() > deadline) return false;
  }
  return true;
}

/** PodUsageFunc. */
export function podUsage(pod: Pod, now: Date): ResourceList {
  const out: ResourceList = new Map([[podCountName, newQuantity(1, 'DecimalSI')]]);
  if (!quotaV1Pod(pod, now)) return out;
  return addLists(out, computeUsage(podRequests(pod), podLimits(pod)));
}

function isTerminating(pod: Pod): boolean {
  const ads = pod.spec?.activeDeadlineSeconds;
  return ads !== undefined && ads >= 0;
}

/** qos.GetPodQOS: status.qosClass when set, else computed from the spec. */
function isBestEffort(pod: Pod): boolean {
  const qos = pod.status?.qosClass;
  return (qos !== undefined && qos !== '' ? qos : podQOSClass(pod.spec)) === 'BestEffort';
}

const crossNamespaceTerm = (t: PodAffinityTerm): boolean => (t.namespaces ?? []).length > 0 || (t.namespaceSelector !== undefined && t.namespaceSelector !== null);
const crossNamespaceTerms = (ts: readonly PodAffinityTerm[] | undefined): boolean => (ts ?? []).some(crossNamespaceTerm);
const crossNamespaceWeighted = (ts: readonly WeightedPodAffinityTerm[] | undefined): boolean => (ts ?? []).some((t) => crossNamespaceTerm(t.podAffinityTerm));

function usesCrossNamespacePodAffinity(pod: Pod): boolean {
  const a = pod.spec?.affinity;
  if (a === undefined) return false;
  for (const x of [a.podAffinity, a.podAntiAffinity]) {
    if (x === undefined) continue;
    if (crossNamespaceTerms(x.requiredDuringSchedulingIgnoredDuringExecution)) return true;
    if (crossNamespaceWeighted(x.preferredDuringSchedulingIgnoredDuringExecution)) return true;
  }
  return false;
}

const scopeOperators = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist']);

/** podMatchesSelector: the PriorityClass scope as a label selector on {PriorityClass: <name>}. */
function podMatchesPriorityClass(pod: Pod, selector: ScopeSelectorRequirement): boolean {
  if (!scopeOperators.has(selector.operator)) throw new Error(`failed to parse and convert selector: ${JSON.stringify(selector.operator)} is not a valid scope selector operator`);
  const sel = labelSelectorFromObject({ matchExpressions: [{ key: selector.scopeName, operator: selector.operator, values: selector.values ?? null }] });
  const name = pod.spec?.priorityClassName ?? '';
  return sel.matches(name === '' ? {} : { PriorityClass: name });
}

/** podMatchesScopeFunc. */
export function podMatchesScope(selector: ScopeSelectorRequirement, pod: Pod): boolean {
  switch (selector.scopeName) {
    case 'Terminating':
      return isTerminating(pod);
    case 'NotTerminating':
      return !isTerminating(pod);
    case 'BestEffort':
      return isBestEffort(pod);
    case 'NotBestEffort':
      return !isBestEffort(pod);
    case 'PriorityClass':
      if (selector.operator === 'Exists') return (pod.spec?.priorityClassName ?? '') !== '';
      return podMatchesPriorityClass(pod, selector);
    case 'CrossNamespacePodAffinity':
      return usesCrossNamespacePodAffinity(pod);
    default:
      return false;
  }
}

/** enforcePodContainerConstraints: records which required names this container does not state. */
function missingForContainer(c: Container, required: ReadonlySet<string>, missing: Map<string, Set<string>>): void {
  const have = computeUsage(toList(c.resources?.requests), toList(c.resources?.limits));
  for (const name of required) {
    if (have.has(name)) continue;
    const names = missing.get(name) ?? new Set<string>();
    names.add(c.name);
    missing.set(name, names);
  }
}

/** Constraints: with cpu or memory quota'd, every container must request (or limit) it. */
export function podConstraints(required: readonly string[], pod: Pod): string | undefined {
  const requiredSet = new Set(required.filter((r) => validationSet.has(r)));
  const missing = new Map<string, Set<string>>();
  for (const c of pod.spec?.containers ?? []) missingForContainer(c, requiredSet, missing);
  for (const c of pod.spec?.initContainers ?? []) missingForContainer(c, requiredSet, missing);
  if (missing.size === 0) return undefined;
  const parts = [...missing.keys()].sort().map((r) => `${r} for: ${[...(missing.get(r) ?? [])].sort().join(',')}`);
  return `must specify ${parts.join('; ')}`;
}

export const podEvaluator: QuotaEvaluator = {
  group: '',
  resource: 'pods',
  handles: (op: QuotaOperation) => op === 'CREATE',
  matchingResources(input) {
    const out = intersection(input, podResources);
    for (const r of input) {
      if (podResourcePrefixes.some((p) => r.startsWith(p))) out.push(r);
      if (isExtendedResourceNameForQuota(r)) out.push(r);
    }
    return out;
  },
  matchesScope: (selector, obj: KubeObject) => podMatchesScope(selector, obj as Pod),
  constraints: (required, obj: KubeObject) => podConstraints(required, obj as Pod),
  usage: (obj: KubeObject, now) => podUsage(obj as Pod, now),
};
