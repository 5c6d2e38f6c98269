// Strategic-merge-patch meta read from the generated schemas: x-kubernetes-patch-strategy and
// x-kubernetes-patch-merge-key of each field, and the meta of its value (list items, map values).
import { opaquePatchMeta, type FieldPatchMeta, type PatchMeta } from '../../machinery/patch-meta.js';
import { refOf, type Definitions, type JsonSchema } from './json-schema.js';

/** Follows $ref (and a single-entry allOf) until a schema with content. */
export function resolveSchema(defs: Definitions, schema: JsonSchema | undefined): JsonSchema | undefined {
  let s = schema;
  for (let depth = 0; s !== undefined && depth < 32; depth++) {
    const name = refOf(s);
    if (name === undefined) return s;
    s = defs[name];
  }
  return s;
}

/** A schema whose content is arbitrary JSON (RawExtension, FieldsV1, an untyped object). */
function isFreeForm(s: JsonSchema): boolean {
  return s.type === 'object' && s.properties === undefined && s.additionalProperties === undefined;
}

const scalarMeta: PatchMeta = { field: () => undefined };

/** Builds PatchMeta lazily from schemas, sharing one PatchMeta per resolved schema object. */
export class SchemaPatchMeta {
  private readonly cache = new Map<JsonSchema, PatchMeta>();

  constructor(private readonly defs: Definitions) {}

  metaOf(schema: JsonSchema | undefined): PatchMeta {
    const s = resolveSchema(this.defs, schema);
    if (s === undefined || isFreeForm(s)) return opaquePatchMeta;
    let meta = this.cache.get(s);
    if (meta !== undefined) return meta;
    if (s.properties !== undefined) {
      const props = s.properties;
      const fields = new Map<string, FieldPatchMeta>();
      meta = {
        field: (name: string): FieldPatchMeta | undefined => {
          if (!Object.hasOwn(props, name)) return undefined;
          let f = fields.get(name);
          if (f === undefined) {
            f = this.fieldMeta(props[name]!);
            fields.set(name, f);
          }
          return f;
        },
      };
    } else if (typeof s.additionalProperties === 'object') {
      // A map: every key has the value schema's meta.
      const entry: FieldPatchMeta = { strategies: [], value: this.metaOf(s.additionalProperties) };
      meta = { field: () => entry };
    } else {
      meta = scalarMeta;
    }
    this.cache.set(s, meta);
    return meta;
  }

  private fieldMeta(p: JsonSchema): FieldPatchMeta {
    const strategy = p['x-kubernetes-patch-strategy'];
    const strategies = strategy === undefined || strategy === '' ? [] : strategy.split(',');
    const mergeKey = p['x-kubernetes-patch-merge-key'];
    const s = resolveSchema(this.defs, p);
    let valueSchema: JsonSchema | undefined = p;
    if (s?.type === 'array') valueSchema = s.items;
    else if (s !== undefined && s.properties === undefined && typeof s.additionalProperties === 'object') valueSchema = s.additionalProperties;
    const value = this.metaOf(valueSchema);
    return mergeKey === undefined ? { strategies, value } : { strategies, mergeKey, value };
  }
}
