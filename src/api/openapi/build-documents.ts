// The served documents: one swagger 2.0 document for /openapi/v2 and one OpenAPI 3.0 document per
// group version for /openapi/v3/<api/v1 | apis/GROUP/VERSION>, both built from the definitions.
import { groupVersions, openApiResources, type ResourceInfo } from '../resources.js';
import { namedScalars } from './extension-table.js';
import { reachableDefinitions } from './build-definitions.js';
import { addGroupVersionRootPath, addResourcePaths, groupVersionPath, httpMethods, type SwaggerOperation, type SwaggerParameter, type SwaggerPathItem } from './build-paths.js';
import { refName, type Definitions, type JsonSchema } from './json-schema.js';

export const kubernetesVersion = 'v1.32.0';

const bearerToken = {
  description: 'Bearer Token authentication',
  type: 'apiKey',
  name: 'authorization',
  in: 'header',
};

export interface SwaggerDocument {
  swagger: '2.0';
  info: { title: string; version: string };
  paths: Record<string, SwaggerPathItem>;
  definitions: Definitions;
  securityDefinitions: Record<string, typeof bearerToken>;
  security: Record<string, string[]>[];
}

function sortedPaths(paths: Record<string, SwaggerPathItem>): Record<string, SwaggerPathItem> {
  const out: Record<string, SwaggerPathItem> = {};
  for (const k of Object.keys(paths).sort()) out[k] = paths[k]!;
  return out;
}

function pathsFor(served: readonly ResourceInfo[]): Record<string, SwaggerPathItem> {
  const paths: Record<string, SwaggerPathItem> = {};
  const gvs = new Set<string>();
  for (const r of served) {
    const gv = `${r.group}/${r.version}`;
    if (!gvs.has(gv)) {
      gvs.add(gv);
      addGroupVersionRootPath(paths, r.group, r.version);
    }
    addResourcePaths(paths, r);
  }
  return sortedPaths(paths);
}

/** Definition names the operations of `paths` refer to. */
function referencedByPaths(paths: Record<string, SwaggerPathItem>): Set<string> {
  const names = new Set<string>();
  const note = (s: JsonSchema | undefined): void => {
    if (s?.$ref !== undefined) names.add(refName(s.$ref));
  };
  for (const item of Object.values(paths)) {
    for (const m of httpMethods) {
      const o = item[m];
      if (o === undefined) continue;
      for (const prm of o.parameters ?? []) note(prm.schema);
      for (const resp of Object.values(o.responses)) note(resp.schema);
    }
  }
  return names;
}

export function buildSwaggerDocument(defs: Definitions, served: readonly ResourceInfo[] = openApiResources): SwaggerDocument {
  return {
    swagger: '2.0',
    info: { title: 'Kubernetes', version: kubernetesVersion },
    paths: pathsFor(served),
    definitions: defs,
    securityDefinitions: { BearerToken: bearerToken },
    security: [{ BearerToken: [] }],
  };
}

// ---- OpenAPI 3.0 ----

/** A definition rewritten for OpenAPI 3: refs into components/schemas, referenced structs wrapped in allOf. */
export function toV3Schema(s: JsonSchema, top = false): JsonSchema {
  if (s.$ref !== undefined) {
    const target = `#/components/schemas/${refName(s.$ref)}`;
    if (top || s.description === undefined) return { ...s, $ref: target };
    const { $ref: _ignored, ...rest } = s;
    void _ignored;
    return { ...rest, allOf: [{ $ref: target }] };
  }
  const out: JsonSchema = { ...s };
  if (s.items !== undefined) out.items = toV3Schema(s.items, true);
  if (typeof s.additionalProperties === 'object') out.additionalProperties = toV3Schema(s.additionalProperties, true);
  if (s.properties !== undefined) {
    const props: Record<string, JsonSchema> = {};
    for (const [k, v] of Object.entries(s.properties)) props[k] = toV3Schema(v);
    out.properties = props;
  }
  return out;
}

export function v3Definition(name: string, def: JsonSchema): JsonSchema {
  const scalar = namedScalars[name]?.v3;
  if (scalar !== undefined) {
    return { ...(def.description !== undefined ? { description: def.description } : {}), ...(scalar.format !== undefined ? { format: scalar.format } : {}), oneOf: scalar.oneOf };
  }
  return toV3Schema(def);
}

interface V3Parameter {
  name: string;
  in: string;
  description: string;
  required?: boolean;
  schema: JsonSchema;
}

interface V3Operation {
  tags: string[];
  description: string;
  operationId: string;
  parameters?: V3Parameter[];
  requestBody?: { content: Record<string, { schema: JsonSchema }>; required: boolean };
  responses: Record<string, { description: string; content?: Record<string, { schema: JsonSchema }> }>;
  'x-kubernetes-action': string;
  'x-kubernetes-group-version-kind'?: SwaggerOperation['x-kubernetes-group-version-kind'];
}

type V3PathItem = { [M in (typeof httpMethods)[number]]?: V3Operation } & { parameters?: V3Parameter[] };

export interface OpenApiV3Document {
  openapi: '3.0.0';
  info: { title: string; version: string };
  paths: Record<string, V3PathItem>;
  components: { schemas: Definitions; securitySchemes: Record<string, typeof bearerToken> };
}

function v3Parameter(prm: SwaggerParameter): V3Parameter {
  const schema: JsonSchema & { uniqueItems?: boolean } = { type: prm.type ?? 'string' };
  if (prm.uniqueItems) schema.uniqueItems = true;
  const out: V3Parameter = { name: prm.name, in: prm.in, description: prm.description, schema };
  if (prm.required) out.required = true;
  return out;
}

function v3Operation(o: SwaggerOperation): V3Operation {
  const out: V3Operation = { tags: o.tags, description: o.description, operationId: o.operationId, responses: {}, 'x-kubernetes-action': o['x-kubernetes-action'] };
  const params = (o.parameters ?? []).filter((x) => x.in !== 'body').map(v3Parameter);
  if (params.length > 0) out.parameters = params;
  const bodyParam = o.parameters?.find((x) => x.in === 'body');
  if (bodyParam?.schema !== undefined) {
    const schema = toV3Schema(bodyParam.schema, true);
    out.requestBody = { content: Object.fromEntries(o.consumes.map((c) => [c, { schema }])), required: true };
  }
  for (const [code, resp] of Object.entries(o.responses)) {
    const schema = resp.schema;
    out.responses[code] =
      schema === undefined ? { description: resp.description } : { description: resp.description, content: Object.fromEntries(o.produces.map((c) => [c, { schema: toV3Schema(schema, true) }])) };
  }
  if (o['x-kubernetes-group-version-kind']) out['x-kubernetes-group-version-kind'] = o['x-kubernetes-group-version-kind'];
  return out;
}

function v3PathItem(item: SwaggerPathItem): V3PathItem {
  const out: V3PathItem = {};
  for (const m of httpMethods) {
    const o = item[m];
    if (o !== undefined) out[m] = v3Operation(o);
  }
  if (item.parameters !== undefined) out.parameters = item.parameters.map(v3Parameter);
  return out;
}

/** "api/v1", "apis/apps/v1" */
export function v3PathOf(group: string, version: string): string {
  return groupVersionPath(group, version).slice(1);
}

/** One OpenAPI 3 document per served group version, keyed by its discovery path ("api/v1", "apis/apps/v1"). */
export function buildV3Documents(defs: Definitions, served: readonly ResourceInfo[] = openApiResources): Map<string, OpenApiV3Document> {
  const docs = new Map<string, OpenApiV3Document>();
  for (const { group, versions } of groupVersions) {
    for (const version of versions) {
      const inGv = served.filter((r) => r.group === group && r.version === version);
      if (inGv.length === 0) continue;
      const paths = pathsFor(inGv);
      const schemas: Definitions = {};
      for (const name of reachableDefinitions(defs, referencedByPaths(paths))) schemas[name] = v3Definition(name, defs[name]!);
      const v3paths: Record<string, V3PathItem> = {};
      for (const [k, v] of Object.entries(paths)) v3paths[k] = v3PathItem(v);
      docs.set(v3PathOf(group, version), {
        openapi: '3.0.0',
        info: { title: 'Kubernetes', version: kubernetesVersion },
        paths: v3paths,
        components: { schemas, securitySchemes: { BearerToken: bearerToken } },
      });
    }
  }
  return docs;
}
