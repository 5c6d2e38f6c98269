// The proxy's record of what its table holds, and the transactions that move it to what the Services want: a full
// one (the table rebuilt from nothing, at start and after a failure) or a partial one for just the Services that
// changed. It also keeps upstream's two bookkeeping rules: an element (a service IP:port, a NodePort) belongs to the
// first Service that claimed it, and a chain no longer wanted is flushed at once but deleted only a second later.
import { elementId, emptyRendered, type RenderedRules } from './rendered-rules.js';
import { diffRendered, mergeDiffs, type RulesDiff } from './rules-diff.js';
import { diffScript, nodePortIPsScript, skeletonScript, type SkeletonOptions } from './nft-script.js';

/** How long a flushed chain waits before it is deleted (upstream: one second). */
export const staleChainDelayMs = 1000;

export interface PlannedSync {
  /** The nft script ('' when nothing is to change). */
  script: string;
  /** Element ids claimed by two Services (the second one's is left out), for a warning. */
  conflicts: { element: string; owner: string; claimant: string }[];
  /** Records the transaction as applied: call after nft succeeded. */
  commit(): void;
}

export class ProxyRules {
  private rendered = new Map<string, RenderedRules>();
  private owners = new Map<string, string>();
  private stale = new Map<string, number>();

  constructor(private readonly table: string) {}

  /** Services with rules in the table. */
  get serviceCount(): number {
    return this.rendered.size;
  }

  /** Chains flushed and waiting to be deleted. */
  staleChainNames(): string[] {
    return [...this.stale.keys()];
  }

  /** When the oldest stale chain may go (undefined when none waits). */
  nextStaleDeadline(): number | undefined {
    let min: number | undefined;
    for (const t of this.stale.values()) if (min === undefined || t < min) min = t;
    return min === undefined ? undefined : min + staleChainDelayMs;
  }

  /** The table from scratch with every Service's rules. */
  planFull(all: ReadonlyMap<string, RenderedRules>, skeleton: Omit<SkeletonOptions, 'table'>): PlannedSync {
    const plan = this.planChanges(all, new Map(), new Map(), new Map(), 0);
    return {
      script: skeletonScript({ table: this.table, ...skeleton }) + plan.scriptBody([]),
      conflicts: plan.conflicts,
      commit: () => {
        this.rendered = plan.rendered;
        this.owners = plan.owners;
        this.stale = new Map();
      },
    };
  }

  /** The changes for the Services in `changed` (an empty RenderedRules for one that is gone), at time `now`. */
  planPartial(changed: ReadonlyMap<string, RenderedRules>, now: number, nodePortIPs?: readonly string[]): PlannedSync {
    const plan = this.planChanges(changed, new Map(this.rendered), new Map(this.owners), new Map(this.stale), now);
    const due = [...plan.stale].filter(([, t]) => t + staleChainDelayMs <= now).map(([c]) => c);
    const body = plan.scriptBody(due);
    const script = body + (nodePortIPs !== undefined ? nodePortIPsScript(this.table, nodePortIPs) : '');
    return {
      script,
      conflicts: plan.conflicts,
      commit: () => {
        this.rendered = plan.rendered;
        this.owners = plan.owners;
        for (const c of due) plan.stale.delete(c);
        this.stale = plan.stale;
      },
    };
  }

  private planChanges(
    changed: ReadonlyMap<string, RenderedRules>,
    rendered: Map<string, RenderedRules>,
    owners: Map<string, string>,
    stale: Map<string, number>,
    now: number,
  ): { rendered: Map<string, RenderedRules>; owners: Map<string, string>; stale: Map<string, number>; conflicts: PlannedSync['conflicts']; scriptBody(deleteChains: string[]): string } {
    const diffs: [string, RenderedRules, RulesDiff][] = [];
    for (const [key, next] of changed) diffs.push([key, next, diffRendered(rendered.get(key) ?? emptyRendered(), next)]);
    // Releases first, then claims: an element can pass from one Service to another in one transaction.
    for (const [key, , d] of diffs) {
      d.deleteElements = d.deleteElements.filter((e) => {
        const id = elementId(e);
        if (owners.get(id) !== key) return false;
        owners.delete(id);
        return true;
      });
    }
    const conflicts: PlannedSync['conflicts'] = [];
    for (const [key, next, d] of diffs) {
      const refused = new Set<string>();
      d.addElements = d.addElements.filter((e) => {
        const id = elementId(e);
        const owner = owners.get(id);
        if (owner !== undefined && owner !== key) {
          conflicts.push({ element: id, owner, claimant: key });
          refused.add(id);
          return false;
        }
        owners.set(id, key);
        return true;
      });
      // What the table holds for this Service: its wanted elements less those another Service holds.
      const applied = refused.size === 0 ? next : { ...next, elements: next.elements.filter((e) => owners.get(elementId(e)) === key) };
      if (applied.chains.size === 0 && applied.sets.size === 0 && applied.elements.length === 0) rendered.delete(key);
      else rendered.set(key, applied);
      for (const c of d.staleChains) stale.set(c, now);
      for (const c of d.rules.keys()) stale.delete(c);
    }
    const merged = mergeDiffs(diffs.map(([, , d]) => d));
    return {
      rendered,
      owners,
      stale,
      conflicts,
      scriptBody: (deleteChains) => diffScript(this.table, merged, deleteChains),
    };
  }
}
