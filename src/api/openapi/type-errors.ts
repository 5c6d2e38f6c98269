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

/** What the walk needs of a schema once its `$ref`s are followed; computed once per schema object. */
interface Resolved {
  s: JsonSchema;
  /** The Go struct name of the last definition followed ('' when none). */
  name: string;
  /** 'intOrString', 'quantity', 'time' or the schema's type. */
  check: string;
}

const resolvedCache = new WeakMap<Definitions, WeakMap<JsonSchema, Resolved | null>>();

function resolve(defs: Definitions, sch: JsonSchema): Resolved | undefined {
  let byDefs = resolvedCache.get(defs);
  if (byDefs === undefined) {
    byDefs = new WeakMap();
    resolvedCache.set(defs, byDefs);
  }
  const hit = byDefs.get(sch);
  if (hit !== undefined) return hit ?? undefined;
  let s: JsonSchema | undefined = sch;
  let ref: string | undefined;
  for (let i = 0; s !== undefined && i < 32; i++) {
    const r = refOf(s);
    if (r === undefined) break;
    ref = r;
    s = defs[r];
  }
  let out: Resolved | undefined;
  if (s !== undefined) {
    const name = structName(ref);
    let check = s.type ?? '';
    if (name === 'IntOrString' || s['x-kubernetes-int-or-string'] === true || s.format === 'int-or-string') check = 'intOrString';
    else if (name === 'Quantity') check = 'quantity';
    else if (name === 'Time' || name === 'MicroTime') check = 'time';
    else if (s['x-kubernetes-preserve-unknown-fields'] === true) check = 'any';
    out = { s, name, check };
  }
  byDefs.set(sch, out ?? null);
  return out;
}

/** A field path built only when an error needs it: the parent and the key of each step. */
interface PathStep {
  parent: PathStep | undefined;
  key: string;
}

function pathText(p: PathStep | undefined): string {
  const keys: string[] = [];
  for (let at = p; at !== undefined; at = at.parent) keys.push(at.key);
  return keys.reverse().join('.');
}

const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export function findTypeError(defs: Definitions, value: unknown, root: JsonSchema | undefined, rootName: string): string | undefined {
  const walk = (v: unknown, sch: JsonSchema | undefined, path: PathStep | undefined, struct: string, depth: number): string | undefined => {
    if (sch === undefined || v === null || depth > 200) return undefined;
    const res = resolve(defs, sch);
    if (res === undefined) return undefined;
    const fail = (): string => {
      const where = path === undefined ? '' : ` into Go struct field ${struct}.${pathText(path)}`;
      const num = typeof v === 'number' ? ` ${String(v)}` : '';
      return `json: cannot unmarshal ${jsonTypeOf(v)}${num}${where === '' ? ' into Go value' : where} of type ${goTypeOf(defs, sch)}`;
    };
    const s = res.s;
    switch (res.check) {
      case 'intOrString':
        return typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v)) ? undefined : fail();
      case 'quantity':
        return typeof v === 'string' || typeof v === 'number' ? undefined : fail();
      case 'time':
        // metav1.Time unmarshals with time.Parse(time.RFC3339, ...).
        if (typeof v === 'string') {
          return v === '' || rfc3339.test(v) ? undefined : `parsing time ${JSON.stringify(v)} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(v)} as "2006"`;
        }
        break;
      case 'any':
        return undefined;
    }
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
        const nextStruct = res.name !== '' ? res.name : struct;
        const props = s.properties;
        if (props !== undefined) {
          for (const k of Object.keys(v)) {
            const p = Object.hasOwn(props, k) ? props[k] : undefined;
            if (p === undefined) continue;
            const e = walk(v[k], p, { parent: path, key: k }, nextStruct, depth + 1);
            if (e !== undefined) return e;
          }
        } else if (typeof s.additionalProperties === 'object') {
          const ap = s.additionalProperties;
          for (const k of Object.keys(v)) {
            const e = walk(v[k], ap, { parent: path, key: k }, nextStruct, depth + 1);
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
  return walk(value, root, undefined, rootName, 0);
}
