// VolumeBinding, for claims that already exist: every PVC the pod mounts must exist; bound
// claims' PersistentVolumes must allow the node (spec.nodeAffinity); unbound claims need a
// WaitForFirstConsumer StorageClass (provisioned after scheduling), otherwise the pod waits for
// the claim to bind. Skipped when the snapshot carries no claims at all.
import type { PersistentVolume, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import type { FilterPlugin, Snapshot } from '../framework.js';
import { unresolvable } from '../framework.js';
import { NodeSelectorMatcher } from '../node-affinity-matcher.js';

export const volumeNodeAffinityConflictReason = 'node(s) had volume node affinity conflict';
export const unboundImmediateClaimsReason = 'pod has unbound immediate PersistentVolumeClaims';

/** The claim names the pod's volumes refer to (persistentVolumeClaim and ephemeral volumes). */
export function podClaimNames(pod: Pod): string[] {
  const out: string[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    if (v.persistentVolumeClaim !== undefined) out.push(v.persistentVolumeClaim.claimName);
    else if (v.ephemeral !== undefined) out.push(`${pod.metadata?.name ?? ''}-${v.name}`);
  }
  return out;
}

/** The bound PersistentVolumes of the pod's claims, or a PreFilter rejection. */
export function boundVolumes(pod: Pod, snapshot: Snapshot): { volumes: PersistentVolume[] } | { reason: string } {
  const ns = pod.metadata?.namespace ?? '';
  const claims = new Map<string, PersistentVolumeClaim>();
  for (const c of snapshot.objects.persistentVolumeClaims ?? []) if ((c.metadata?.namespace ?? '') === ns) claims.set(c.metadata?.name ?? '', c);
  const pvs = new Map((snapshot.objects.persistentVolumes ?? []).map((pv) => [pv.metadata?.name ?? '', pv]));
  const classes = new Map((snapshot.objects.storageClasses ?? []).map((sc) => [sc.metadata?.name ?? '', sc]));
  const volumes: PersistentVolume[] = [];
  let unboundImmediate = false;
  for (const name of podClaimNames(pod)) {
    const claim = claims.get(name);
    if (claim === undefined) return { reason: `persistentvolumeclaim "${name}" not found` };
    if (claim.metadata?.deletionTimestamp !== undefined) return { reason: `persistentvolumeclaim "${name}" is being deleted` };
    const volumeName = claim.spec?.volumeName ?? '';
    if (volumeName !== '') {
      const pv = pvs.get(volumeName);
      if (pv !== undefined) volumes.push(pv);
      continue;
    }
    const className = claim.spec?.storageClassName ?? '';
    if (classes.get(className)?.volumeBindingMode !== 'WaitForFirstConsumer') unboundImmediate = true;
  }
  if (unboundImmediate) return { reason: unboundImmediateClaimsReason };
  return { volumes };
}

/** volumeutil.CheckNodeAffinity: the PV's required node selector against the node's labels only. */
export function volumeAllowsNode(pv: PersistentVolume, labels: Readonly<Record<string, string>>): boolean {
  const required = pv.spec?.nodeAffinity?.required;
  if (required === undefined) return true;
  return new NodeSelectorMatcher(required).matches(labels, '');
}

export const volumeBinding: FilterPlugin = {
  name: 'VolumeBinding',
  preFilter(pod, snapshot) {
    if (snapshot.objects.persistentVolumeClaims === undefined || podClaimNames(pod).length === 0) return { kind: 'skip' };
    const bound = boundVolumes(pod, snapshot);
    if ('reason' in bound) return { kind: 'reject', status: unresolvable('VolumeBinding', bound.reason) };
    return {
      kind: 'filter',
      filter: (nodeInfo) =>
        bound.volumes.every((pv) => volumeAllowsNode(pv, nodeInfo.node.metadata?.labels ?? {}))
          ? null
          : unresolvable('VolumeBinding', volumeNodeAffinityConflictReason),
    };
  },
};
