// ReplicaSetControllerRefManager of upstream's controller_ref_manager.go: a Deployment claims the ReplicaSets it
// owns that still match its selector, adopts matching orphans (once a fresh read shows it is not being deleted)
// and releases owned ones that stopped matching, through strategic merge patches of ownerReferences.
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { RestClient } from '../../client/rest-client.js';
import { ApiError } from '../../machinery/errors.js';
import type { LabelSelector } from '../../machinery/label-selector.js';
import { AggregatedErrors, deleteOwnerRefPatch, getControllerOf, ownerRefControllerPatch } from '../podcontrol/controller-ref-manager.js';
import { errorMessage, type ControllerObject } from '../podcontrol/pod-control.js';

export function replicaSetPath(namespace: string, name: string): string {
  return `/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/replicasets/${encodeURIComponent(name)}`;
}

export class ReplicaSetControllerRefManager {
  private canAdoptResult: Promise<void> | undefined;

  constructor(
    private readonly client: RestClient,
    private readonly controller: ControllerObject,
    private readonly selector: LabelSelector,
    private readonly canAdoptFn: () => Promise<void>,
  ) {}

  private canAdopt(): Promise<void> {
    this.canAdoptResult ??= this.canAdoptFn();
    return this.canAdoptResult;
  }

  /** ClaimReplicaSets: the ReplicaSets this controller owns after adopting and releasing. */
  async claimReplicaSets(sets: readonly ReplicaSet[]): Promise<ReplicaSet[]> {
    const claimed: ReplicaSet[] = [];
    const errors: Error[] = [];
    for (const rs of sets) {
      try {
        const result = await this.claim(rs);
        if (result !== undefined) claimed.push(result);
      } catch (e: unknown) {
        errors.push(e instanceof Error ? e : new Error(String(e)));
      }
    }
    if (errors.length > 0) throw new AggregatedErrors(errors);
    return claimed;
  }

  /** ClaimObject: the RS (as adopted, when adopted) if it is ours, undefined otherwise. */
  private async claim(rs: ReplicaSet): Promise<ReplicaSet | undefined> {
    const self = this.controller.metadata;
    const matches = this.selector.matches(rs.metadata?.labels ?? {});
    const ref = getControllerOf(rs);
    if (ref !== undefined) {
      if (ref.uid !== self.uid) return undefined;
      if (matches) return rs;
      if (self.deletionTimestamp !== undefined) return undefined;
      try {
        await this.release(rs);
      } catch (e: unknown) {
        if (e instanceof ApiError && e.code === 404) return undefined;
        throw e;
      }
      return undefined;
    }
    if (self.deletionTimestamp !== undefined || !matches) return undefined;
    if (rs.metadata?.deletionTimestamp !== undefined) return undefined;
    if ((self.namespace ?? '') !== '' && self.namespace !== rs.metadata?.namespace) return undefined;
    try {
      return await this.adopt(rs);
    } catch (e: unknown) {
      if (e instanceof ApiError && e.code === 404) return undefined;
      throw e;
    }
  }

  /** AdoptReplicaSet. */
  private async adopt(rs: ReplicaSet): Promise<ReplicaSet> {
    const m = rs.metadata ?? {};
    try {
      await this.canAdopt();
    } catch (e: unknown) {
      throw new Error(`can't adopt ReplicaSet ${m.namespace ?? ''}/${m.name ?? ''} (${m.uid ?? ''}): ${errorMessage(e)}`);
    }
    return this.client.request<ReplicaSet>('PATCH', replicaSetPath(m.namespace ?? '', m.name ?? ''), ownerRefControllerPatch(this.controller, m.uid ?? ''), 'application/strategic-merge-patch+json');
  }

  /** ReleaseReplicaSet: a gone or re-created RS is not an error. */
  private async release(rs: ReplicaSet): Promise<void> {
    const m = rs.metadata ?? {};
    try {
      await this.client.request('PATCH', replicaSetPath(m.namespace ?? '', m.name ?? ''), deleteOwnerRefPatch(m.uid ?? '', [this.controller.metadata.uid]), 'application/strategic-merge-patch+json');
    } catch (e: unknown) {
      if (e instanceof ApiError && (e.code === 404 || e.reason === 'Invalid')) return;
      throw e;
    }
  }
}
