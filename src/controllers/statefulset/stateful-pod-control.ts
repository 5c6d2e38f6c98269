// StatefulPodControl of upstream's stateful_pod_control.go: creates a pod's claims before the pod, restores a pod's
// identity and storage, deletes pods, keeps claim owner references as persistentVolumeClaimRetentionPolicy says, and
// records upstream's events: "create Pod web-0 in StatefulSet web successful", "create Claim www-web-0 Pod web-0 in
// StatefulSet web success", "create Pod mongo-0 in StatefulSet mongo failed error: <error>".
import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { RestClient } from '../../client/rest-client.js';
import { ApiError } from '../../machinery/errors.js';
import type { EventRecorder } from '../events/event-recorder.js';
import { AggregatedErrors } from '../podcontrol/controller-ref-manager.js';
import { errorMessage, newControllerRef } from '../podcontrol/pod-control.js';
import type { StatefulPodOps } from './stateful-set-control.js';
import {
  deletePolicy,
  getPersistentVolumeClaims,
  identityMatches,
  podInOrdinalRange,
  retentionPolicy,
  setName,
  setNamespace,
  setOwner,
  storageMatches,
  updateIdentity,
  updateStorage,
} from './stateful-set-utils.js';

/** maxUpdateRetries. */
const maxUpdateRetries = 10;

/** strings.Title of a one-word verb. */
function title(verb: string): string {
  return verb.charAt(0).toUpperCase() + verb.slice(1);
}

/** recordPodEvent's message. */
export function podEventMessage(verb: string, podName: string, setName: string, err?: unknown): string {
  return err === undefined ? `${verb.toLowerCase()} Pod ${podName} in StatefulSet ${setName} successful` : `${verb.toLowerCase()} Pod ${podName} in StatefulSet ${setName} failed error: ${errorMessage(err)}`;
}

/** recordClaimEvent's message. */
export function claimEventMessage(verb: string, claimName: string, podName: string, setName: string, err?: unknown): string {
  return err === undefined
    ? `${verb.toLowerCase()} Claim ${claimName} Pod ${podName} in StatefulSet ${setName} success`
    : `${verb.toLowerCase()} Claim ${claimName} for Pod ${podName} in StatefulSet ${setName} failed error: ${errorMessage(err)}`;
}

function podRef(pod: Pod): OwnerReference {
  return newControllerRef({ apiVersion: 'v1', kind: 'Pod', metadata: { name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '' } });
}

function matchesRef(ref: OwnerReference, kind: string, apiGroup: string, name: string): boolean {
  const group = ref.apiVersion.includes('/') ? ref.apiVersion.split('/')[0] : '';
  return ref.kind === kind && group === apiGroup && ref.name === name;
}

/**
 * updateClaimOwnerRefForSetAndPod: the claim's owner references with ours scrubbed and re-added as the retention
 * policy says (the set while the pod is in range, the pod once scaled down); none when another controller owns it.
 */
export function claimOwnerRefs(claim: PersistentVolumeClaim, set: StatefulSet, pod: Pod): OwnerReference[] {
  const refs = claim.metadata?.ownerReferences ?? [];
  const setUid = set.metadata?.uid ?? '';
  const podUid = pod.metadata?.uid ?? '';
  const unexpectedController = refs.some((r) => r.controller === true && r.uid !== setUid && r.uid !== podUid);
  let out = refs.filter((r) => !matchesRef(r, 'StatefulSet', 'apps', setName(set)) && !matchesRef(r, 'Pod', '', pod.metadata?.name ?? ''));
  if (unexpectedController) return out;
  const policy = retentionPolicy(set);
  const add = (ref: OwnerReference): void => {
    if (!out.some((r) => r.uid === ref.uid)) out = [...out, ref];
  };
  const scaledDown = !podInOrdinalRange(pod, set);
  if (policy.whenScaled === deletePolicy && scaledDown) add(podRef(pod));
  if (policy.whenDeleted === deletePolicy && !(policy.whenScaled === deletePolicy && scaledDown)) add(newControllerRef(setOwner(set)));
  return out;
}

export class StatefulPodControl implements StatefulPodOps {
  constructor(
    private readonly client: RestClient,
    private readonly recorder: EventRecorder,
  ) {}

  private podsPath(ns: string, name = ''): string {
    return `/api/v1/namespaces/${encodeURIComponent(ns)}/pods${name === '' ? '' : `/${encodeURIComponent(name)}`}`;
  }

  private claimsPath(ns: string, name = ''): string {
    return `/api/v1/namespaces/${encodeURIComponent(ns)}/persistentvolumeclaims${name === '' ? '' : `/${encodeURIComponent(name)}`}`;
  }

  private recordPodEvent(verb: string, set: StatefulSet, pod: Pod, err?: unknown): void {
    const msg = podEventMessage(verb, pod.metadata?.name ?? '', setName(set), err);
    this.recorder.event(setOwner(set), err === undefined ? 'Normal' : 'Warning', `${err === undefined ? 'Successful' : 'Failed'}${title(verb)}`, '%s', msg);
  }

  private recordClaimEvent(verb: string, set: StatefulSet, pod: Pod, claim: PersistentVolumeClaim, err?: unknown): void {
    const msg = claimEventMessage(verb, claim.metadata?.name ?? '', pod.metadata?.name ?? '', setName(set), err);
    this.recorder.event(setOwner(set), err === undefined ? 'Normal' : 'Warning', `${err === undefined ? 'Successful' : 'Failed'}${title(verb)}`, '%s', msg);
  }

  /** createPersistentVolumeClaims: every missing claim of the pod; the failures aggregated. */
  private async createPersistentVolumeClaims(set: StatefulSet, pod: Pod): Promise<void> {
    const errs: Error[] = [];
    for (const { claim } of getPersistentVolumeClaims(set, pod)) {
      const ns = claim.metadata?.namespace ?? '';
      const name = claim.metadata?.name ?? '';
      let existing: PersistentVolumeClaim | undefined;
      try {
        existing = await this.client.request<PersistentVolumeClaim>('GET', this.claimsPath(ns, name));
      } catch (e: unknown) {
        if (e instanceof ApiError && e.code === 404) {
          const refs = claimOwnerRefs(claim, set, pod);
          const body: PersistentVolumeClaim = { ...claim, metadata: { ...(claim.metadata ?? {}) } };
          if (refs.length > 0 && body.metadata !== undefined) body.metadata.ownerReferences = refs;
          try {
            await this.client.request('POST', this.claimsPath(ns), body);
            this.recordClaimEvent('create', set, pod, claim);
          } catch (ce: unknown) {
            errs.push(new Error(`failed to create PVC ${name}: ${errorMessage(ce)}`));
            if (!(ce instanceof ApiError && ce.code === 409 && ce.reason === 'AlreadyExists')) this.recordClaimEvent('create', set, pod, claim, ce);
          }
        } else {
          errs.push(new Error(`failed to retrieve PVC ${name}: ${errorMessage(e)}`));
          this.recordClaimEvent('create', set, pod, claim, e);
        }
        continue;
      }
      if (existing.metadata?.deletionTimestamp !== undefined && existing.metadata.deletionTimestamp !== null) errs.push(new Error(`pvc ${name} is being deleted`));
    }
    if (errs.length === 1 && errs[0] !== undefined) throw errs[0];
    if (errs.length > 1) throw new AggregatedErrors(errs);
  }

  async createStatefulPod(set: StatefulSet, pod: Pod): Promise<void> {
    try {
      await this.createPersistentVolumeClaims(set, pod);
    } catch (e: unknown) {
      this.recordPodEvent('create', set, pod, e);
      throw e;
    }
    try {
      await this.client.request('POST', this.podsPath(setNamespace(set)), pod);
    } catch (e: unknown) {
      // An existing pod is no news.
      if (!(e instanceof ApiError && e.code === 409 && e.reason === 'AlreadyExists')) this.recordPodEvent('create', set, pod, e);
      throw e;
    }
    this.recordPodEvent('create', set, pod);
  }

  async createMissingPersistentVolumeClaims(set: StatefulSet, pod: Pod): Promise<void> {
    await this.createPersistentVolumeClaims(set, pod);
  }

  async updateStatefulPod(set: StatefulSet, pod: Pod): Promise<void> {
    let copy = structuredClone(pod);
    for (let attempt = 0; attempt < maxUpdateRetries; attempt++) {
      let consistent = true;
      if (!identityMatches(set, copy)) {
        updateIdentity(set, copy);
        consistent = false;
      }
      if (!storageMatches(set, copy)) {
        updateStorage(set, copy);
        consistent = false;
        try {
          await this.createPersistentVolumeClaims(set, copy);
        } catch (e: unknown) {
          this.recordPodEvent('update', set, pod, e);
          throw e;
        }
      }
      if (consistent) return;
      try {
        await this.client.request('PUT', this.podsPath(setNamespace(set), copy.metadata?.name ?? ''), copy);
        this.recordPodEvent('update', set, pod);
        return;
      } catch (e: unknown) {
        if (!(e instanceof ApiError && e.code === 409 && e.reason === 'Conflict')) {
          this.recordPodEvent('update', set, pod, e);
          throw e;
        }
      }
      try {
        copy = await this.client.request<Pod>('GET', this.podsPath(setNamespace(set), copy.metadata?.name ?? ''));
      } catch (e: unknown) {
        this.recordPodEvent('update', set, copy, e);
        throw e;
      }
    }
    const err = new Error(`aborting update after ${maxUpdateRetries} attempts`);
    this.recordPodEvent('update', set, pod, err);
    throw err;
  }

  async deleteStatefulPod(set: StatefulSet, pod: Pod): Promise<void> {
    try {
      await this.client.request('DELETE', this.podsPath(setNamespace(set), pod.metadata?.name ?? ''));
    } catch (e: unknown) {
      this.recordPodEvent('delete', set, pod, e);
      throw e;
    }
    this.recordPodEvent('delete', set, pod);
  }

  /** UpdatePodClaimForRetentionPolicy: rewrites the owner references of the pod's existing claims where they differ. */
  async updatePodClaimForRetentionPolicy(set: StatefulSet, pod: Pod): Promise<void> {
    for (const { claim } of getPersistentVolumeClaims(set, pod)) {
      const ns = claim.metadata?.namespace ?? '';
      const name = claim.metadata?.name ?? '';
      let existing: PersistentVolumeClaim;
      try {
        existing = await this.client.request<PersistentVolumeClaim>('GET', this.claimsPath(ns, name));
      } catch (e: unknown) {
        if (e instanceof ApiError && e.code === 404) continue;
        throw new Error(`could not retrieve claim ${name} for ${pod.metadata?.name ?? ''} when checking PVC deletion policy: ${errorMessage(e)}`);
      }
      const refs = claimOwnerRefs(existing, set, pod);
      if (JSON.stringify(refs) === JSON.stringify(existing.metadata?.ownerReferences ?? [])) continue;
      const updated: PersistentVolumeClaim = { ...existing, metadata: { ...(existing.metadata ?? {}), ownerReferences: refs } };
      try {
        await this.client.request('PUT', this.claimsPath(ns, name), updated);
      } catch (e: unknown) {
        throw new Error(`could not update claim ${name} for delete policy ownerRefs: ${errorMessage(e)}`);
      }
    }
  }
}
