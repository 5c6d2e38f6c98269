// Node selector matching after k8s.io/component-helpers/scheduling/corev1/nodeaffinity: the pod's
// required node affinity (nodeSelector AND requiredDuringScheduling terms), node selector terms
// with matchExpressions and matchFields (metadata.name), and preferred terms' weights.
import type { Node, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, Pod, PreferredSchedulingTerm } from 'kubernetes-types/core/v1.js';
import { type LabelOperator, type LabelSelector, LabelSelector as Selector, newLabelRequirement } from '../machinery/label-selector.js';

const nodeOperators: Readonly<Record<string, LabelOperator>> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
  Gt: 'gt',
  Lt: 'lt',
};

/** A parsed term; `null` when it failed to parse (such a term matches no node). */
interface ParsedTerm {
  readonly labels: LabelSelector | undefined;
  /** metadata.name requirements: In (=) or NotIn (!=) one value. */
  readonly fields: ReadonlyArray<{ readonly equal: boolean; readonly value: string }> | undefined;
}

function parseLabelRequirements(reqs: readonly NodeSelectorRequirement[]): LabelSelector | null {
  const parsed = [];
  for (const r of reqs) {
    const op = Object.prototype.hasOwnProperty.call(nodeOperators, r.operator) ? nodeOperators[r.operator] : undefined;
    if (op === undefined) return null;
    try {
      parsed.push(newLabelRequirement(r.key, op, r.values ?? null));
    } catch {
      return null;
    }
  }
  return Selector.fromRequirements(parsed);
}

function parseFieldRequirements(reqs: readonly NodeSelectorRequirement[]): ParsedTerm['fields'] | null {
  const out: Array<{ equal: boolean; value: string }> = [];
  for (const r of reqs) {
    const values = r.values ?? [];
    if (r.key !== 'metadata.name' || values.length !== 1) return null;
    if (r.operator === 'In') out.push({ equal: true, value: values[0] ?? '' });
    else if (r.operator === 'NotIn') out.push({ equal: false, value: values[0] ?? '' });
    else return null;
  }
  return out;
}

function isEmptyTerm(t: NodeSelectorTerm): boolean {
  return (t.matchExpressions ?? []).length === 0 && (t.matchFields ?? []).length === 0;
}

function parseTerm(t: NodeSelectorTerm): ParsedTerm | null {
  let labels: LabelSelector | undefined;
  let fields: ParsedTerm['fields'];
  if ((t.matchExpressions ?? []).length > 0) {
    const s = parseLabelRequirements(t.matchExpressions ?? []);
    if (s === null) return null;
    labels = s;
  }
  if ((t.matchFields ?? []).length > 0) {
    const f = parseFieldRequirements(t.matchFields ?? []);
    if (f === null) return null;
    fields = f;
  }
  return { labels, fields };
}

function termMatches(t: ParsedTerm | null, labels: Readonly<Record<string, string>>, nodeName: string): boolean {
  if (t === null) return false;
  if (t.labels !== undefined && !t.labels.matches(labels)) return false;
  // Fields are only checked when the node has some (a name), as upstream does.
  if (t.fields !== undefined && nodeName !== '') {
    for (const f of t.fields) if ((nodeName === f.value) !== f.equal) return false;
  }
  return true;
}

/** A NodeSelector: the node matches when any non-empty term matches (terms are ORed). */
export class NodeSelectorMatcher {
  private readonly terms: ReadonlyArray<ParsedTerm | null>;

  constructor(selector: NodeSelector) {
    this.terms = selector.nodeSelectorTerms.filter((t) => !isEmptyTerm(t)).map(parseTerm);
  }

  matches(labels: Readonly<Record<string, string>> | undefined, nodeName: string): boolean {
    return this.terms.some((t) => termMatches(t, labels ?? {}, nodeName));
  }
}

/** nodeaffinity.RequiredNodeAffinity: the pod's nodeSelector and required node affinity together. */
export class RequiredNodeAffinity {
  private readonly labelSelector: LabelSelector | undefined;
  private readonly nodeSelector: NodeSelectorMatcher | undefined;

  constructor(pod: Pod) {
    const ns = pod.spec?.nodeSelector;
    this.labelSelector = ns !== undefined && Object.keys(ns).length > 0 ? Selector.fromSet(ns) : undefined;
    const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    this.nodeSelector = required === undefined ? undefined : new NodeSelectorMatcher(required);
  }

  matches(node: Node): boolean {
    const labels = node.metadata?.labels ?? {};
    if (this.labelSelector !== undefined && !this.labelSelector.matches(labels)) return false;
    if (this.nodeSelector !== undefined) return this.nodeSelector.matches(labels, node.metadata?.name ?? '');
    return true;
  }
}

/** nodeaffinity.PreferredSchedulingTerms: the sum of the weights of the terms a node matches. */
export class PreferredSchedulingTerms {
  private readonly terms: ReadonlyArray<{ readonly term: ParsedTerm | null; readonly weight: number }>;

  constructor(terms: readonly PreferredSchedulingTerm[]) {
    this.terms = terms.filter((t) => t.weight !== 0 && !isEmptyTerm(t.preference)).map((t) => ({ term: parseTerm(t.preference), weight: t.weight }));
  }

  get isEmpty(): boolean {
    return this.terms.length === 0;
  }

  score(node: Node): number {
    let score = 0;
    for (const t of this.terms) if (termMatches(t.term, node.metadata?.labels ?? {}, node.metadata?.name ?? '')) score += t.weight;
    return score;
  }
}
