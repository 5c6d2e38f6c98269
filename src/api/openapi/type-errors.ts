// The first value whose JSON type does not fit its schema, reported as Go's encoding/json does when the
// apiserver decodes a request into its typed structs ("json: cannot unmarshal string into Go struct field
// PodSpec.spec.containers of type []v1.Container"). Upstream answers 400 BadRequest; without this check a
// mistyped value would reach defaulting and validation as the wrong type.
import { isRecord } from '../object.js';
import { refOf, type Definitions, type JsonSchema } from './json-schema.js';

function jsonTypeOf(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'string') return 'string';
  return 'object';
}

/** Go's name for the type a schema decodes into: v1.Container, []v1.Container, map[string]string, int32. */
function goTypeOf(defs: Definitions, s: JsonSchema | undefined, depth = 0): string {
  if (s === undefined || depth > 8) return 'interface {}';
  const ref = refOf(s);
  if (ref !== undefined) {
    const parts = ref.split('.');
    const name = parts[parts.length - 1] ?? ref;
    const pkg = parts[parts.length - 2] ?? '';
    if (name === 'IntOrString') return 'intstr.IntOrString';
    if (name === 'Quantity') return 'resource.Quantity';
    if (name === 'Time' || name === 'MicroTime') return `v1.${name}`;
    return `${pkg}.${name}`;
  }
  switch (s.type) {
    case 'array':
      return `[]${goTypeOf(defs, s.items, depth + 1)}`;
    case 'object':
      return typeof s.additionalProperties === 'object' ? `map[string]${goTypeOf(defs, s.additionalProperties, depth + 1)}` : 'map[string]interface {}';
    case 'integer':
      return s.format === 'int64' ? 'int64' : 'int32';
    case 'number':
      return 'float64';
    case 'boolean':
      return 'bool';
    case 'string':
      return 'string';
    default:
      return 'interface {}';
  }
}

function structName(ref: string | undefined): string {
  if (ref === undefined) return '';
  const parts = ref.split('.');
  return parts[parts.length - 1] ?? ref;
}

export function findTypeError(defs: Definitions, value: unknown, root: JsonSchema | undefined, rootName: string): string | undefined {
  const walk = (v: unknown, sch: JsonSchema | undefined, path: string, struct: string, depth: number): string | undefined => {
    if (sch === undefined || v === null || depth > 200) return undefined;
    let s: JsonSchema | undefined = sch;
    let ref: string | undefined;
    for (let i = 0; s !== undefined && i < 32; i++) {
      const r = refOf(s);
      if (r === undefined) break;
      ref = r;
      s = defs[r];
    }
    if (s === undefined) return undefined;
    const fail = (): string => {
      const where = path === '' ? '' : ` into Go struct field ${struct}.${path}`;
      const num = typeof v === 'number' ? ` ${String(v)}` : '';
      return `json: cannot unmarshal ${jsonTypeOf(v)}${num}${where === '' ? ' into Go value' : where} of type ${goTypeOf(defs, sch)}`;
    };
    const name = structName(ref);
    if (name === 'IntOrString' || s['x-kubernetes-int-or-string'] === true || s.format === 'int-or-string') {
      return typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v)) ? undefined : fail();
    }
    if (name === 'Quantity') return typeof v === 'string' || typeof v === 'number' ? undefined : fail();
    if ((name === 'Time' || name === 'MicroTime') && typeof v === 'string') {
      // metav1.Time unmarshals with time.Parse(time.RFC3339, ...).
      const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
      return v === '' || rfc3339.test(v) ? undefined : `parsing time ${JSON.stringify(v)} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(v)} as "2006"`;
    }
    if (s['x-kubernetes-preserve-unknown-fields'] === true) return undefined;
    const child = (key: string): string => (path === '' ? key : `${path}.${key}`);
    switch (s.type) {
      case 'array': {
        if (!Array.isArray(v)) return fail();
        for (let i = 0; i < v.length; i++) {
          const e = walk(v[i], s.items, path, struct, depth + 1);
          if (e !== undefined) return e;
        }
        return undefined;
      }
      case 'object': {
        if (!isRecord(v)) return fail();
        const nextStruct = name !== '' ? name : struct;
        if (s.properties !== undefined) {
          for (const [k, fv] of Object.entries(v)) {
            const p = Object.hasOwn(s.properties, k) ? s.properties[k] : undefined;
            if (p === undefined) continue;
            const e = walk(fv, p, child(k), nextStruct, depth + 1);
            if (e !== undefined) return e;
          }
        } else if (typeof s.additionalProperties === 'object') {
          for (const [k, fv] of Object.entries(v)) {
            const e = walk(fv, s.additionalProperties, child(k), nextStruct, depth + 1);
            if (e !== undefined) return e;
          }
        }
        return undefined;
      }
      case 'string':
        return typeof v === 'string' ? undefined : fail();
      case 'integer':
        return typeof v === 'number' && Number.isInteger(v) ? undefined : fail();
      case 'number':
        return typeof v === 'number' ? undefined : fail();
      case 'boolean':
        return typeof v === 'boolean' ? undefined : fail();
      default:
        return undefined;
    }
  };
  return walk(value, root, '', rootName, 0);
}
