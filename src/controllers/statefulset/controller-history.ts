// The pure parts of upstream's pkg/controller/history/controller_history.go: ControllerRevision hashing (FNV-1 over
// the data's JSON plus the collision-count probe), `<parent>-<hash>` names, new revisions with the parent's
// controller reference and the controller.kubernetes.io/hash label, sorting, equality and the next revision number.
import type { ControllerRevision } from 'kubernetes-types/apps/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { canonicalJson, safeEncodeString } from '../deployment/compute-hash.js';

/** history.ControllerRevisionHashLabel. */
export const controllerRevisionHashLabel = 'controller.kubernetes.io/hash';

/** Go's json.Marshal of a map: keys sorted, and <, >, &, U+2028, U+2029 escaped. */
export function goJson(value: unknown): string {
  return canonicalJson(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** 32-bit FNV-1 (hash/fnv.New32): multiply, then xor. */
export function fnv32(bytes: Uint8Array, hash = 0x811c9dc5): number {
  let h = hash;
  for (const b of bytes) {
    h = Math.imul(h, 0x01000193) >>> 0;
    h = (h ^ b) >>> 0;
  }
  return h >>> 0;
}

/** HashControllerRevision: FNV-1 of the data's JSON and the probe in decimal, safe-encoded. */
export function hashControllerRevision(data: unknown, probe?: number): string {
  let h = fnv32(Buffer.from(goJson(data), 'utf8'));
  if (probe !== undefined) h = fnv32(Buffer.from(String(probe), 'utf8'), h);
  return safeEncodeString(String(h));
}

/** ControllerRevisionName: `<prefix>-<hash>`, the prefix cut to 223 characters. */
export function controllerRevisionName(prefix: string, hash: string): string {
  return `${prefix.length > 223 ? prefix.slice(0, 223) : prefix}-${hash}`;
}

/** NewControllerRevision: a revision of `data` owned by `controllerRef`, labelled with the template's labels and the hash. */
export function newControllerRevision(parentName: string, namespace: string, controllerRef: OwnerReference, templateLabels: Record<string, string>, data: unknown, revision: number, collisionCount: number | undefined): ControllerRevision {
  const hash = hashControllerRevision(data, collisionCount);
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: { name: controllerRevisionName(parentName, hash), namespace, labels: { ...templateLabels, [controllerRevisionHashLabel]: hash }, ownerReferences: [controllerRef] },
    data: data as ControllerRevision['data'],
    revision,
  };
}

/** SortControllerRevisions: by revision, then creation time, then name. */
export function sortControllerRevisions(revisions: ControllerRevision[]): ControllerRevision[] {
  return revisions.sort((a, b) => {
    if (a.revision !== b.revision) return a.revision - b.revision;
    const ta = a.metadata?.creationTimestamp ?? '';
    const tb = b.metadata?.creationTimestamp ?? '';
    if (ta !== tb) return ta < tb ? -1 : 1;
    const na = a.metadata?.name ?? '';
    const nb = b.metadata?.name ?? '';
    return na < nb ? -1 : na > nb ? 1 : 0;
  });
}

/** EqualRevision: the same data. */
export function equalRevision(a: ControllerRevision | undefined, b: ControllerRevision | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return goJson(a.data ?? null) === goJson(b.data ?? null);
}

/** FindEqualRevisions: the revisions whose data equals `needle`'s, in the given order. */
export function findEqualRevisions(revisions: readonly ControllerRevision[], needle: ControllerRevision): ControllerRevision[] {
  return revisions.filter((r) => equalRevision(r, needle));
}

/** nextRevision: one more than the last of the sorted revisions, or 1. */
export function nextRevision(sorted: readonly ControllerRevision[]): number {
  const last = sorted[sorted.length - 1];
  return last === undefined ? 1 : last.revision + 1;
}

/**
 * The revisions truncateHistory deletes: those neither current, update nor worn by a pod, oldest first, beyond
 * revisionHistoryLimit.
 */
export function revisionsToTruncate(sorted: readonly ControllerRevision[], liveNames: ReadonlySet<string>, historyLimit: number): ControllerRevision[] {
  const history = sorted.filter((r) => !liveNames.has(r.metadata?.name ?? ''));
  if (history.length <= historyLimit) return [];
  return history.slice(0, history.length - historyLimit);
}
