// Turns the JSON Schema that ts-json-schema-generator derives from each kubernetes-types module
// into upstream's swagger definitions: upstream names (io.k8s.api.core.v1.Pod), integer formats,
// apimachinery's named scalars, and the extensions from extension-table.ts.
import { openApiResources, type ResourceInfo } from '../resources.js';
import { fieldExtensions, freeFormObjects, int64Fields, intOrStringDescription, namedScalars } from './extension-table.js';
import { definitionsPrefix, type Definitions, type GroupVersionKindExtension, type JsonSchema } from './json-schema.js';

/** A schema as ts-json-schema-generator writes it (draft-07). */
export interface RawSchema {
  $ref?: string;
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  description?: string;
  properties?: Record<string, RawSchema>;
  additionalProperties?: RawSchema | boolean;
  items?: RawSchema;
  required?: string[];
  anyOf?: RawSchema[];
}

/** One kubernetes-types module (e.g. "core/v1") as generated: its own definitions and where its imported names come from. */
export interface RawModule {
  readonly module: string;
  /** Definitions of the names this module exports (the generator also emits imported ones; those are ignored). */
  readonly definitions: Readonly<Record<string, RawSchema>>;
  /** Names exported by the module. */
  readonly exports: readonly string[];
  /** Imported local name -> module it comes from. */
  readonly imports: Readonly<Record<string, string>>;
}

/** Upstream package prefix of the definitions of a kubernetes-types module. */
export function packageOfModule(module: string): string {
  switch (module) {
    case 'meta/v1':
      return 'io.k8s.apimachinery.pkg.apis.meta.v1';
    case 'api/resource':
      return 'io.k8s.apimachinery.pkg.api.resource';
    case 'runtime':
      return 'io.k8s.apimachinery.pkg.runtime';
    case 'version':
      return 'io.k8s.apimachinery.pkg.version';
    case 'apiextensions/v1':
      return 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1';
    default:
      return `io.k8s.api.${module.replace('/', '.')}`;
  }
}

/** Group versions served without declarations of their own: their kinds are the same as another group version's. */
const aliasedGroupVersions: Readonly<Record<string, string>> = { 'extensions/v1beta1': 'apps/v1' };

/** kubernetes-types module holding a group version's declarations ("" v1 -> core/v1, rbac.authorization.k8s.io/v1 -> rbac/v1). */
export function moduleOfGroupVersion(group: string, version: string): string {
  return `${group === '' ? 'core' : (group.split('.')[0] ?? group)}/${version}`;
}

/** Upstream definition name of a served kind (io.k8s.api.apps.v1.Deployment). */
export function definitionNameOf(group: string, version: string, kind: string): string {
  if (group === 'extensions') return `io.k8s.api.extensions.${version}.${kind}`;
  return `${packageOfModule(moduleOfGroupVersion(group, version))}.${kind}`;
}

export const intOrStringName = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';

function ref(name: string): string {
  return `${definitionsPrefix}${name}`;
}

function typeList(t: RawSchema['type']): string[] {
  return t === undefined ? [] : Array.isArray(t) ? t : [t];
}

class ModuleConverter {
  constructor(private readonly raw: RawModule) {}

  nameOf(local: string): string {
    const from = this.raw.exports.includes(local) ? this.raw.module : this.raw.imports[local];
    if (from === undefined) throw new Error(`openapi: ${this.raw.module} refers to ${local}, which it neither exports nor imports`);
    return `${packageOfModule(from)}.${local}`;
  }

  /** Converts a property (or item/value) schema; `field` is the JSON field name that holds it (for integer formats). */
  convert(s: RawSchema, field: string | undefined): JsonSchema {
    const out: JsonSchema = {};
    if (s.description !== undefined) out.description = s.description;
    if (s.$ref !== undefined) {
      out.$ref = ref(this.nameOf(decodeURIComponent(s.$ref.slice(s.$ref.lastIndexOf('/') + 1))));
      return out;
    }
    const types = typeList(s.type);
    if (types.length === 2 && types.includes('number') && types.includes('string')) {
      out.$ref = ref(intOrStringName);
      return out;
    }
    if (s.anyOf !== undefined) {
      throw new Error(`openapi: ${this.raw.module}: unions are not expected (field ${field ?? '?'})`);
    }
    const type = types[0];
    if (type === 'number' || type === 'integer') {
      out.type = 'integer';
      out.format = field !== undefined && int64Fields.has(field) ? 'int64' : 'int32';
      return out;
    }
    if (type === 'array') {
      out.type = 'array';
      out.items = s.items ? this.convert(s.items, field) : {};
      return out;
    }
    if (type === 'object' || s.properties !== undefined) {
      out.type = 'object';
      if (s.properties !== undefined) {
        const props: Record<string, JsonSchema> = {};
        for (const name of Object.keys(s.properties).sort()) {
          const p = s.properties[name];
          if (p !== undefined) props[name] = this.convert(p, name);
        }
        out.properties = props;
      }
      if (typeof s.additionalProperties === 'object') out.additionalProperties = this.convert(s.additionalProperties, field);
      if (s.required !== undefined && s.required.length > 0) out.required = [...s.required].sort();
      return out;
    }
    if (type !== undefined) out.type = type;
    return out;
  }
}

function gvk(group: string, version: string, kind: string): GroupVersionKindExtension {
  return { group, kind, version };
}

function addGvk(defs: Definitions, name: string, ext: GroupVersionKindExtension): void {
  const d = defs[name];
  if (d === undefined) return;
  const list = d['x-kubernetes-group-version-kind'] ?? [];
  if (!list.some((e) => e.group === ext.group && e.version === ext.version && e.kind === ext.kind)) list.push(ext);
  d['x-kubernetes-group-version-kind'] = list;
}

function applyFieldExtensions(defs: Definitions): void {
  for (const [defName, fields] of Object.entries(fieldExtensions)) {
    const props = defs[defName]?.properties;
    if (props === undefined) continue;
    for (const [field, ext] of Object.entries(fields)) {
      const p = props[field];
      if (p === undefined) continue;
      if (ext.listMapKeys !== undefined) p['x-kubernetes-list-map-keys'] = [...ext.listMapKeys];
      if (ext.listType !== undefined) p['x-kubernetes-list-type'] = ext.listType;
      if (ext.mapType !== undefined) p['x-kubernetes-map-type'] = ext.mapType;
      if (ext.mergeKey !== undefined) p['x-kubernetes-patch-merge-key'] = ext.mergeKey;
      if (ext.patchStrategy !== undefined) p['x-kubernetes-patch-strategy'] = ext.patchStrategy;
    }
  }
}

/** Fills the descriptions of apiVersion/kind that the generator dropped on literal-typed properties. */
function fillTypeMetaDescriptions(defs: Definitions, descriptions: Map<string, string>): void {
  for (const d of Object.values(defs)) {
    for (const field of ['apiVersion', 'kind']) {
      const p = d.properties?.[field];
      const text = descriptions.get(field);
      if (p !== undefined && p.description === undefined && text !== undefined) p.description = text;
    }
  }
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of Object.keys(record).sort()) {
    const v = record[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** Builds upstream-named swagger definitions, with extensions, from the generated modules. */
export function buildDefinitions(modules: readonly RawModule[], served: readonly ResourceInfo[] = openApiResources): Definitions {
  const defs: Definitions = {};
  const typeMetaDescriptions = new Map<string, string>();
  for (const m of [...modules].sort((a, b) => a.module.localeCompare(b.module))) {
    const conv = new ModuleConverter(m);
    for (const local of [...m.exports].sort()) {
      const raw = m.definitions[local];
      if (raw === undefined) continue;
      for (const field of ['apiVersion', 'kind']) {
        const p = raw.properties?.[field];
        if (p?.const !== undefined && p.description !== undefined && !typeMetaDescriptions.has(field)) typeMetaDescriptions.set(field, p.description);
      }
      defs[conv.nameOf(local)] = conv.convert(raw, undefined);
    }
  }
  fillTypeMetaDescriptions(defs, typeMetaDescriptions);

  for (const [name, scalar] of Object.entries(namedScalars)) {
    const description = defs[name]?.description ?? (name === intOrStringName ? intOrStringDescription : undefined);
    defs[name] = { ...(description !== undefined ? { description } : {}), ...scalar.v2 };
  }
  for (const name of freeFormObjects) {
    const d = defs[name];
    if (d !== undefined) defs[name] = { ...(d.description !== undefined ? { description: d.description } : {}), type: 'object' };
  }

  // Group versions served with another's declarations get definitions of their own (for their GVK).
  for (const r of served) {
    const target = aliasedGroupVersions[`${r.group}/${r.version}`];
    if (target === undefined) continue;
    const [tg, tv] = target.split('/') as [string, string];
    for (const kind of [r.kind, `${r.kind}List`]) {
      const source = defs[definitionNameOf(tg, tv, kind)];
      if (source === undefined) continue;
      const copy = structuredClone(source);
      delete copy['x-kubernetes-group-version-kind'];
      const items = copy.properties?.['items']?.items;
      if (kind.endsWith('List') && items !== undefined) items.$ref = ref(definitionNameOf(r.group, r.version, r.kind));
      defs[definitionNameOf(r.group, r.version, kind)] = copy;
    }
  }

  applyFieldExtensions(defs);

  const groupVersions = new Set<string>();
  for (const r of served) {
    groupVersions.add(`${r.group}/${r.version}`);
    addGvk(defs, definitionNameOf(r.group, r.version, r.kind), gvk(r.group, r.version, r.kind));
    addGvk(defs, definitionNameOf(r.group, r.version, `${r.kind}List`), gvk(r.group, r.version, `${r.kind}List`));
  }
  const meta = packageOfModule('meta/v1');
  addGvk(defs, `${meta}.Status`, gvk('', 'v1', 'Status'));
  addGvk(defs, definitionNameOf('autoscaling', 'v1', 'Scale'), gvk('autoscaling', 'v1', 'Scale'));
  addGvk(defs, definitionNameOf('policy', 'v1', 'Eviction'), gvk('policy', 'v1', 'Eviction'));
  for (const gv of [...groupVersions].sort()) {
    const [g, v] = gv.split('/') as [string, string];
    addGvk(defs, `${meta}.DeleteOptions`, gvk(g, v, 'DeleteOptions'));
    addGvk(defs, `${meta}.WatchEvent`, gvk(g, v, 'WatchEvent'));
  }
  return sortKeys(defs);
}

/** Names of the definitions reachable from `roots` (roots included), sorted. */
export function reachableDefinitions(defs: Definitions, roots: Iterable<string>): string[] {
  const seen = new Set<string>();
  const visit = (s: JsonSchema | undefined): void => {
    if (s === undefined) return;
    if (s.$ref !== undefined) visitName(s.$ref.slice(s.$ref.lastIndexOf('/') + 1));
    s.allOf?.forEach(visit);
    if (s.items !== undefined) visit(s.items);
    if (typeof s.additionalProperties === 'object') visit(s.additionalProperties);
    if (s.properties !== undefined) Object.values(s.properties).forEach(visit);
  };
  const visitName = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    visit(defs[name]);
  };
  for (const r of roots) visitName(r);
  return [...seen].filter((n) => defs[n] !== undefined).sort();
}
