// Small helpers for reading and rewriting decoded JSON objects without `any`.
import { isRecord } from '../object.js';

export type JsonRecord = Record<string, unknown>;

/** The value as a record, or undefined when it is not one. */
export function asRecord(v: unknown): JsonRecord | undefined {
  return isRecord(v) ? v : undefined;
}

/** The record at obj[key], created (and stored) when absent or not a record. */
export function ensureRecord(obj: JsonRecord, key: string): JsonRecord {
  const existing = obj[key];
  if (isRecord(existing)) return existing;
  const created: JsonRecord = {};
  obj[key] = created;
  return created;
}

export function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/**
 * A deep copy of a JSON value (objects decoded from JSON hold no cycles or class instances). A plain recursive copy:
 * about 8x faster than structuredClone on a pod, which matters on every update.
 */
export function cloneJson<T>(v: T): T {
  return copyValue(v) as T;
}

function copyValue(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) {
    const out: unknown[] = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = copyValue(v[i]);
    return out;
  }
  const src = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(src)) out[k] = copyValue(src[k]);
  return out;
}

/** The string annotations of an object's metadata (a fresh copy; empty when absent). */
export function annotationsOf(obj: JsonRecord): Record<string, string> {
  const meta = asRecord(obj['metadata']);
  const ann = asRecord(meta?.['annotations']);
  const out: Record<string, string> = {};
  if (ann === undefined) return out;
  for (const [k, v] of Object.entries(ann)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** Stores annotations on obj.metadata, dropping the field when the map is empty (as Go's omitempty does). */
export function setAnnotations(obj: JsonRecord, ann: Record<string, string>): void {
  const meta = ensureRecord(obj, 'metadata');
  if (Object.keys(ann).length === 0) delete meta['annotations'];
  else meta['annotations'] = ann;
}

/** Copies obj[from] to out[to] when present (undefined stays absent). */
export function moveField(src: JsonRecord, from: string, out: JsonRecord, to: string): void {
  if (from in src && src[from] !== undefined) out[to] = src[from];
}
