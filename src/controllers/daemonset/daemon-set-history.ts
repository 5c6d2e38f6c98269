// The ControllerRevisions of a DaemonSet (upstream's pkg/controller/daemon/update.go): each stores a strategic
// merge patch that replaces spec.template, named `<ds>-<hash>` and labelled with controller-revision-hash, so that
// `kubectl rollout history|undo daemonset` can show and restore it.
import type { ControllerRevision, DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { canonicalJson, computeHash } from '../deployment/compute-hash.js';
import { controllerRevisionHashLabel } from './daemon-set-util.js';

/** getPatch: `{"spec":{"template":{...,"$patch":"replace"}}}`. */
export function getPatch(ds: DaemonSet): Record<string, unknown> {
  const template = structuredClone(ds.spec?.template ?? {}) as Record<string, unknown>;
  template['$patch'] = 'replace';
  return { spec: { template } };
}

/** Match: the revision stores the DaemonSet's current template. */
export function matchHistory(ds: DaemonSet, history: ControllerRevision): boolean {
  return canonicalJson(getPatch(ds)) === canonicalJson(history.data ?? null);
}

/** The highest revision number among `histories` (0 for none). */
export function maxRevision(histories: readonly ControllerRevision[]): number {
  return histories.reduce((m, h) => Math.max(m, h.revision), 0);
}

/** snapshot's object: the revision of the DaemonSet's template with this revision number. */
export function newControllerRevision(ds: DaemonSet, revision: number, controllerRef: OwnerReference): ControllerRevision {
  const hash = computeHash(ds.spec?.template ?? {}, ds.status?.collisionCount);
  const metadata: NonNullable<ControllerRevision['metadata']> = {
    name: `${ds.metadata?.name ?? ''}-${hash}`,
    labels: { ...(ds.spec?.template?.metadata?.labels ?? {}), [controllerRevisionHashLabel]: hash },
    ownerReferences: [controllerRef],
  };
  if (ds.metadata?.namespace !== undefined) metadata.namespace = ds.metadata.namespace;
  if (ds.metadata?.annotations !== undefined) metadata.annotations = { ...ds.metadata.annotations };
  return { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata, data: getPatch(ds), revision };
}
