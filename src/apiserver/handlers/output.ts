// Shaping responses: storage version -> served version, lists, Tables and PartialObjectMetadata.
import { fromStorageVersion } from '../../api/conversion/index.js';
import { apiVersionOf, type KubeObject, type StoredObject } from '../../api/object.js';
import { buildTable } from '../../api/printers/index.js';
import type { ResourceInfo } from '../../api/resources.js';
import { RawJson, RawJsonBytes, type Encoding } from '../http.js';
import { cachedServedJson, rememberServedJson } from '../registry/served-json.js';

const isStorageVersion = (r: ResourceInfo): boolean => r.group === r.storage.group && r.version === r.storage.version;

/**
 * Serialization caches: objects decoded by the registry are shared and never mutated afterwards, so their JSON
 * (whole, and as a list item without apiVersion/kind) is computed once per object revision.
 */
/** A list item's JSON as UTF-8 bytes: a list is one copy of its items' cached bytes, not a string to encode again. */
const itemBytes = new WeakMap<object, Buffer>();

export function servedJson(obj: StoredObject, r: ResourceInfo): string {
  if (!isStorageVersion(r)) return JSON.stringify(toServed(obj, r));
  let s = cachedServedJson(obj);
  if (s === undefined) {
    s = JSON.stringify(toServed(obj, r));
    rememberServedJson(obj, s);
  }
  return s;
}

function listItemBytes(obj: StoredObject, r: ResourceInfo): Buffer {
  const cached = isStorageVersion(r) ? itemBytes.get(obj) : undefined;
  if (cached !== undefined) return cached;
  const { apiVersion: _a, kind: _k, ...rest } = toServed(obj, r);
  void _a;
  void _k;
  const json = JSON.stringify(rest);
  if (!isStorageVersion(r)) return Buffer.from(json);
  // A buffer of its own: a slice of Node's shared pool would keep the whole 8 KiB slab alive with the cache entry.
  const b = Buffer.allocUnsafeSlow(Buffer.byteLength(json));
  b.write(json);
  itemBytes.set(obj, b);
  return b;
}

const comma = Buffer.from(',');

export function toServed(obj: StoredObject, r: ResourceInfo): KubeObject {
  const out = r.group === r.storage.group && r.version === r.storage.version ? obj : fromStorageVersion(obj, r);
  out.apiVersion = apiVersionOf(r.group, r.version);
  out.kind = r.kind;
  return out;
}

export function partialMetadata(obj: StoredObject): unknown {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

export function includeObjectOf(query: URLSearchParams): 'None' | 'Metadata' | 'Object' {
  const v = query.get('includeObject');
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}

export function table(r: ResourceInfo, objs: readonly StoredObject[], query: URLSearchParams, listMeta: Record<string, unknown>, withColumns = true): unknown {
  const t = buildTable(r, objs, new Date(), { includeObject: includeObjectOf(query), asServed: (o) => toServed(o, r) });
  return { ...t, metadata: listMeta, ...(withColumns ? {} : { columnDefinitions: null }) };
}

/** The body for one object in the negotiated form. */
export function objectBody(r: ResourceInfo, obj: StoredObject, enc: Encoding, query: URLSearchParams): unknown {
  if (enc.as === 'Table') return table(r, [obj], query, { resourceVersion: obj.metadata.resourceVersion });
  if (enc.as === 'PartialObjectMetadata') return partialMetadata(obj);
  return new RawJson(servedJson(obj, r));
}

export function listBody(r: ResourceInfo, items: readonly StoredObject[], meta: { resourceVersion: string; continue?: string; remainingItemCount?: number }, enc: Encoding, query: URLSearchParams): unknown {
  const listMeta: Record<string, unknown> = { resourceVersion: meta.resourceVersion };
  if (meta.continue !== undefined) listMeta['continue'] = meta.continue;
  if (meta.remainingItemCount !== undefined) listMeta['remainingItemCount'] = meta.remainingItemCount;
  if (enc.as === 'Table') return table(r, items, query, listMeta);
  if (enc.as === 'PartialObjectMetadataList' || enc.as === 'PartialObjectMetadata') {
    return { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata: listMeta, items: items.map((o) => partialMetadata(o)) };
  }
  const head = JSON.stringify({ kind: `${r.kind}List`, apiVersion: apiVersionOf(r.group, r.version), metadata: listMeta });
  const parts: Buffer[] = [Buffer.from(`${head.slice(0, -1)},"items":[`)];
  items.forEach((o, i) => {
    if (i > 0) parts.push(comma);
    parts.push(listItemBytes(o, r));
  });
  parts.push(Buffer.from(']}'));
  return new RawJsonBytes(Buffer.concat(parts));
}

/** A watch event's object in the negotiated form (Table watches send one-row Tables). */
export function watchObject(r: ResourceInfo, obj: StoredObject, enc: Encoding, query: URLSearchParams, first: boolean): unknown {
  if (enc.as === 'Table') return table(r, [obj], query, { resourceVersion: obj.metadata.resourceVersion }, first);
  if (enc.as === 'PartialObjectMetadata' || enc.as === 'PartialObjectMetadataList') return partialMetadata(obj);
  return new RawJson(servedJson(obj, r));
}
