// The generic shape every API object shares. Typed kinds come from the kubernetes-types package.
import type { ObjectMeta as KtObjectMeta } from 'kubernetes-types/meta/v1.js';

export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** ObjectMeta with the server-set fields writable (the registry sets them). */
export type ObjectMeta = Mutable<KtObjectMeta>;

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [field: string]: unknown;
}

/** A KubeObject whose metadata is present (after decoding and defaulting). */
export interface StoredObject extends KubeObject {
  metadata: ObjectMeta;
}

export interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

export interface GroupVersionResource {
  readonly group: string;
  readonly version: string;
  readonly resource: string;
}

export function apiVersionOf(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`;
}

export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
