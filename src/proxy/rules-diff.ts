// The difference between what a Service had in the table and what it should have now, as the operations of one
// nft transaction. Unchanged chains are not touched; a chain whose rules changed is flushed and refilled; a chain no
// longer wanted is flushed and deleted later (upstream's staleChains: before kernel 6.2, a chain just unreferenced
// by a deleted map element cannot be deleted in the same breath); an element whose value changed is deleted and
// added again (nft's `add element` keeps an existing one).
import { elementId, type NftElement, type RenderedRules } from './rendered-rules.js';

export interface RulesDiff {
  deleteElements: NftElement[];
  addElements: NftElement[];
  /** Chains to create. */
  addChains: string[];
  /** Existing chains to empty (changed or no longer wanted). */
  flushChains: string[];
  /** Chains no longer wanted (also in flushChains): to delete once nothing refers to them. */
  staleChains: string[];
  /** Rules to add, by chain, in order (new and changed chains). */
  rules: Map<string, string[]>;
  deleteSets: string[];
  /** Affinity sets to create, with their timeouts in seconds. */
  addSets: Map<string, number>;
}

export function emptyDiff(): RulesDiff {
  return { deleteElements: [], addElements: [], addChains: [], flushChains: [], staleChains: [], rules: new Map(), deleteSets: [], addSets: new Map() };
}

export function isEmptyDiff(d: RulesDiff): boolean {
  return d.deleteElements.length === 0 && d.addElements.length === 0 && d.addChains.length === 0 && d.flushChains.length === 0 && d.deleteSets.length === 0 && d.addSets.size === 0;
}

function sameRules(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((r, i) => r === b[i]);
}

export function diffRendered(prev: RenderedRules, next: RenderedRules): RulesDiff {
  const d = emptyDiff();
  for (const [name, timeout] of prev.sets) if (next.sets.get(name) !== timeout) d.deleteSets.push(name);
  for (const [name, timeout] of next.sets) if (prev.sets.get(name) !== timeout) d.addSets.set(name, timeout);
  // A set deleted and made again (its timeout changed) must first lose the rules that refer to it: rewrite them all.
  const rewriteAll = d.deleteSets.some((s) => next.sets.has(s));
  for (const [name, rules] of next.chains) {
    const old = prev.chains.get(name);
    if (old === undefined) {
      d.addChains.push(name);
      d.rules.set(name, rules);
    } else if (rewriteAll || !sameRules(old, rules)) {
      d.flushChains.push(name);
      d.rules.set(name, rules);
    }
  }
  for (const name of prev.chains.keys()) {
    if (!next.chains.has(name)) {
      d.flushChains.push(name);
      d.staleChains.push(name);
    }
  }
  const nextById = new Map(next.elements.map((e) => [elementId(e), e]));
  const prevById = new Map(prev.elements.map((e) => [elementId(e), e]));
  for (const [id, e] of prevById) {
    const n = nextById.get(id);
    if (n === undefined || n.value !== e.value || n.comment !== e.comment) d.deleteElements.push(e);
  }
  for (const [id, e] of nextById) {
    const p = prevById.get(id);
    if (p === undefined || p.value !== e.value || p.comment !== e.comment) d.addElements.push(e);
  }
  return d;
}

/** Several services' diffs as one. */
export function mergeDiffs(diffs: Iterable<RulesDiff>): RulesDiff {
  const out = emptyDiff();
  for (const d of diffs) {
    out.deleteElements.push(...d.deleteElements);
    out.addElements.push(...d.addElements);
    out.addChains.push(...d.addChains);
    out.flushChains.push(...d.flushChains);
    out.staleChains.push(...d.staleChains);
    for (const [c, r] of d.rules) out.rules.set(c, r);
    out.deleteSets.push(...d.deleteSets);
    for (const [s, t] of d.addSets) out.addSets.set(s, t);
  }
  return out;
}
