// Upstream's EndpointSliceTracker: the versions of the slices this controller last wrote, per Service, so that a
// sync on an informer cache that has not caught up with those writes is retried instead of acting on old data,
// and so that the controller's own writes do not queue another sync.
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { labelServiceName } from './slice-reconciler.js';

const deletionExpected = -1n;

/**
 * The version of a slice: metadata.generation when the server sets it (upstream does), else the resourceVersion
 * read as a number; undefined when neither is usable.
 */
export function sliceVersion(slice: EndpointSlice): bigint | undefined {
  const g = slice.metadata?.generation;
  if (typeof g === 'number') return BigInt(g);
  const rv = slice.metadata?.resourceVersion ?? '';
  return /^\d+$/.test(rv) ? BigInt(rv) : undefined;
}

function serviceKey(slice: EndpointSlice): string | undefined {
  const name = slice.metadata?.labels?.[labelServiceName];
  if (name === undefined || name === '') return undefined;
  return `${slice.metadata?.namespace ?? ''}/${name}`;
}

export class EndpointSliceTracker {
  private readonly byService = new Map<string, Map<string, bigint>>();

  private versionsFor(slice: EndpointSlice, create: boolean): Map<string, bigint> | undefined {
    const key = serviceKey(slice);
    if (key === undefined) return undefined;
    let m = this.byService.get(key);
    if (m === undefined && create) {
      m = new Map();
      this.byService.set(key, m);
    }
    return m;
  }

  has(slice: EndpointSlice): boolean {
    return this.versionsFor(slice, false)?.has(slice.metadata?.uid ?? '') ?? false;
  }

  /** True unless the slice is at the version this controller wrote (or an older one). */
  shouldSync(slice: EndpointSlice): boolean {
    const g = this.versionsFor(slice, false)?.get(slice.metadata?.uid ?? '');
    const v = sliceVersion(slice);
    return g === undefined || v === undefined || v > g;
  }

  /** Stale: a slice is older than written, one expected deleted is there, or one written is missing. */
  staleSlices(namespace: string, serviceName: string, slices: readonly EndpointSlice[]): boolean {
    const m = this.byService.get(`${namespace}/${serviceName}`);
    if (m === undefined) return false;
    const provided = new Set<string>();
    for (const s of slices) {
      const uid = s.metadata?.uid ?? '';
      provided.add(uid);
      const g = m.get(uid);
      const v = sliceVersion(s);
      if (g !== undefined && (g === deletionExpected || (v !== undefined && g > v))) return true;
    }
    for (const [uid, g] of m) if (g !== deletionExpected && !provided.has(uid)) return true;
    return false;
  }

  /** Records a slice as written (the server's answer to a create or update). */
  update(slice: EndpointSlice): void {
    const v = sliceVersion(slice);
    const uid = slice.metadata?.uid;
    if (v === undefined || uid === undefined) return;
    this.versionsFor(slice, true)?.set(uid, v);
  }

  expectDeletion(slice: EndpointSlice): void {
    const uid = slice.metadata?.uid;
    if (uid === undefined) return;
    this.versionsFor(slice, true)?.set(uid, deletionExpected);
  }

  /** Forgets a deleted slice; false when its deletion was not expected (someone else deleted it). */
  handleDeletion(slice: EndpointSlice): boolean {
    const m = this.versionsFor(slice, false);
    if (m === undefined) return true;
    const uid = slice.metadata?.uid ?? '';
    const g = m.get(uid);
    m.delete(uid);
    return g === undefined || g === deletionExpected;
  }

  deleteService(namespace: string, name: string): void {
    this.byService.delete(`${namespace}/${name}`);
  }
}
