// PodControllerRefManager of upstream's controller_ref_manager.go: a controller claims the pods it owns that still
// match its selector, adopts matching orphans (after a fresh read shows it is still there and not being deleted)
// and releases owned pods that no longer match; both through strategic merge patches of ownerReferences.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { ApiError } from '../../machinery/errors.js';
import type { LabelSelector } from '../../machinery/label-selector.js';
import type { ControllerObject } from './pod-control.js';
import { errorMessage } from './pod-control.js';

/** metav1.GetControllerOf: the ownerReference with controller=true. */
export function getControllerOf(obj: { metadata?: { ownerReferences?: readonly OwnerReference[] } }): OwnerReference | undefined {
  return (obj.metadata?.ownerReferences ?? []).find((r) => r.controller === true);
}

/** An error that aggregates several (utilerrors.NewAggregate): one message, or `[a, b]`. */
export class AggregatedErrors extends Error {
  constructor(readonly errors: readonly Error[]) {
    super(errors.length === 1 ? (errors[0]?.message ?? '') : `[${errors.map((e) => e.message).join(', ')}]`);
    this.name = 'AggregateError';
  }
}

/**
 * RecheckDeletionTimestamp: `getFresh` reads the controller uncached (and checks its uid); adoption is refused when
 * that fails or the controller is being deleted.
 */
export function recheckDeletionTimestamp(getFresh: () => Promise<ControllerObject>): () => Promise<void> {
  return async () => {
    let fresh: ControllerObject;
    try {
      fresh = await getFresh();
    } catch (e: unknown) {
      throw new Error(`can't recheck DeletionTimestamp: ${errorMessage(e)}`);
    }
    if (fresh.metadata.deletionTimestamp !== undefined) {
      throw new Error(`${fresh.metadata.namespace ?? ''}/${fresh.metadata.name} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
    }
  };
}

/** The patch that adds the controller's ownerReference (with the pod's uid as a precondition). */
export function ownerRefControllerPatch(owner: ControllerObject, podUid: string): Record<string, unknown> {
  return {
    metadata: {
      ownerReferences: [{ apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true }],
      uid: podUid,
    },
  };
}

/** GenerateDeleteOwnerRefStrategicMergeBytes: removes the ownerReferences of these owners. */
export function deleteOwnerRefPatch(podUid: string, ownerUids: readonly string[]): Record<string, unknown> {
  return { metadata: { ownerReferences: ownerUids.map((uid) => ({ $patch: 'delete', uid })), uid: podUid } };
}

/** What the manager needs of PodControl. */
export interface PodPatcher {
  patchPod(namespace: string, name: string, patch: Record<string, unknown>): Promise<unknown>;
}

export class PodControllerRefManager {
  private canAdoptResult: Promise<void> | undefined;

  constructor(
    private readonly podControl: PodPatcher,
    private readonly controller: ControllerObject,
    private readonly selector: LabelSelector,
    private readonly canAdoptFn: () => Promise<void>,
  ) {}

  /** CanAdopt runs its check once per manager (sync.Once). */
  private canAdopt(): Promise<void> {
    this.canAdoptResult ??= this.canAdoptFn();
    return this.canAdoptResult;
  }

  /** ClaimPods: the pods this controller owns after adopting and releasing; errors are aggregated and thrown. */
  async claimPods(pods: readonly Pod[], filters: readonly ((pod: Pod) => boolean)[] = []): Promise<Pod[]> {
    const claimed: Pod[] = [];
    const errors: Error[] = [];
    const match = (pod: Pod): boolean => this.selector.matches(pod.metadata?.labels ?? {}) && filters.every((f) => f(pod));
    for (const pod of pods) {
      // The common cases decided without a round through the microtask queue: another controller's pod, and one of
      // ours that still matches.
      const ref = getControllerOf(pod);
      if (ref !== undefined && ref.uid !== this.controller.metadata.uid) continue;
      if (ref !== undefined && match(pod)) {
        claimed.push(pod);
        continue;
      }
      try {
        if (await this.claimObject(pod, match)) claimed.push(pod);
      } catch (e: unknown) {
        errors.push(e instanceof Error ? e : new Error(String(e)));
      }
    }
    if (errors.length > 0) throw new AggregatedErrors(errors);
    return claimed;
  }

  private async claimObject(pod: Pod, match: (pod: Pod) => boolean): Promise<boolean> {
    const ref = getControllerOf(pod);
    const self = this.controller.metadata;
    if (ref !== undefined) {
      // Owned by someone else: ignore.
      if (ref.uid !== self.uid) return false;
      // Ours and still matching.
      if (match(pod)) return true;
      // Ours but no longer matching: release, unless we are being deleted.
      if (self.deletionTimestamp !== undefined) return false;
      try {
        await this.releasePod(pod);
      } catch (e: unknown) {
        if (e instanceof ApiError && e.code === 404) return false;
        throw e;
      }
      return false;
    }
    // An orphan.
    if (self.deletionTimestamp !== undefined || !match(pod)) return false;
    if (pod.metadata?.deletionTimestamp !== undefined) return false;
    if ((self.namespace ?? '') !== '' && self.namespace !== pod.metadata?.namespace) return false;
    try {
      await this.adoptPod(pod);
    } catch (e: unknown) {
      if (e instanceof ApiError && e.code === 404) return false;
      throw e;
    }
    return true;
  }

  /** AdoptPod: adds the controller's ownerReference after the fresh deletion check. */
  async adoptPod(pod: Pod): Promise<void> {
    const m = pod.metadata ?? {};
    try {
      await this.canAdopt();
    } catch (e: unknown) {
      throw new Error(`can't adopt Pod ${m.namespace ?? ''}/${m.name ?? ''} (${m.uid ?? ''}): ${errorMessage(e)}`);
    }
    await this.podControl.patchPod(m.namespace ?? '', m.name ?? '', ownerRefControllerPatch(this.controller, m.uid ?? ''));
  }

  /** ReleasePod: removes the controller's ownerReference; a gone or re-created pod is not an error. */
  async releasePod(pod: Pod): Promise<void> {
    const m = pod.metadata ?? {};
    try {
      await this.podControl.patchPod(m.namespace ?? '', m.name ?? '', deleteOwnerRefPatch(m.uid ?? '', [this.controller.metadata.uid]));
    } catch (e: unknown) {
      if (e instanceof ApiError && (e.code === 404 || e.reason === 'Invalid')) return;
      throw e;
    }
  }
}
