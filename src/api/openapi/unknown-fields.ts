// Fields of a decoded object that its schema does not declare, with the paths upstream's strict
// JSON decoding (sigs.k8s.io/json) reports: fields joined by ".", list items as "[i]", map keys as
// ".key"; at most 100, each once, in document order.
import { isRecord } from '../object.js';
import type { Definitions, JsonSchema } from './json-schema.js';
import { resolveSchema } from './schema-patch-meta.js';

const maxStrictErrors = 100;

export function findUnknownFields(defs: Definitions, value: unknown, schema: JsonSchema | undefined): string[] {
  const found = new Set<string>();
  const walk = (v: unknown, sch: JsonSchema | undefined, path: string): void => {
    if (found.size >= maxStrictErrors) return;
    const s = resolveSchema(defs, sch);
    if (s === undefined) return;
    const child = (key: string): string => (path === '' ? key : `${path}.${key}`);
    if (Array.isArray(v)) {
      if (s.type !== 'array') return;
      v.forEach((item, i) => walk(item, s.items, `${path}[${i}]`));
      return;
    }
    if (!isRecord(v)) return;
    if (s.properties !== undefined) {
      for (const [key, fieldValue] of Object.entries(v)) {
        const p = Object.hasOwn(s.properties, key) ? s.properties[key] : undefined;
        if (p === undefined) {
          if (found.size < maxStrictErrors) found.add(child(key));
          continue;
        }
        walk(fieldValue, p, child(key));
      }
      return;
    }
    if (typeof s.additionalProperties === 'object') {
      for (const [key, entry] of Object.entries(v)) walk(entry, s.additionalProperties, child(key));
    }
  };
  walk(value, schema, '');
  return [...found];
}

/**
 * Removes (in place) the fields the schema does not declare, as decoding into upstream's typed structs drops them,
 * and returns their paths as findUnknownFields reports them (at most 100, in document order): one walk serves both
 * the fieldValidation report and the pruning.
 */
export function pruneUnknownFields(defs: Definitions, value: unknown, schema: JsonSchema | undefined): string[] {
  const found: string[] = [];
  const walk = (v: unknown, sch: JsonSchema | undefined, path: string, depth: number): void => {
    if (depth > 1000) return;
    const s = resolveSchema(defs, sch);
    if (s === undefined) return;
    if (Array.isArray(v)) {
      if (s.type === 'array') v.forEach((item, i) => walk(item, s.items, `${path}[${i}]`, depth + 1));
      return;
    }
    if (!isRecord(v)) return;
    const child = (key: string): string => (path === '' ? key : `${path}.${key}`);
    if (s.properties !== undefined) {
      for (const key of Object.keys(v)) {
        const p = Object.hasOwn(s.properties, key) ? s.properties[key] : undefined;
        if (p === undefined) {
          if (found.length < maxStrictErrors) found.push(child(key));
          delete v[key];
        } else walk(v[key], p, child(key), depth + 1);
      }
      return;
    }
    if (typeof s.additionalProperties === 'object') {
      for (const [key, entry] of Object.entries(v)) walk(entry, s.additionalProperties, child(key), depth + 1);
    }
  };
  walk(value, schema, '', 0);
  return found;
}
