// OpenAPI v2/v3 documents and schema lookups, derived at build time from kubernetes-types
// (generate.ts, run by scripts/gen-openapi.mjs) and loaded from dist/openapi on first use.
import type { PatchMeta } from '../../machinery/patch-meta.js';
import type { KubeObject } from '../object.js';
import type { ResourceInfo } from '../resources.js';
import { definitionNameOf } from './build-definitions.js';
import type { JsonSchema } from './json-schema.js';
import { findTypeError } from './type-errors.js';
import { fileNames, loadDefinitions, loadV3Index, openapiFile, v3FileOf } from './openapi-files.js';
import { SchemaPatchMeta } from './schema-patch-meta.js';
import { findUnknownFields, pruneUnknownFields } from './unknown-fields.js';

export type { JsonSchema, Definitions, GroupVersionKindExtension } from './json-schema.js';

/**
 * Content type of a /openapi/v2 response in protobuf (gnostic openapi_v2.Document). Clients ask for
 * either of openapiV2ProtobufAcceptTypes; like upstream (kube-openapi's handler), the response always
 * carries this form, since Go's mime parser rejects the '@' of the older one.
 */
export const openapiV2ProtobufContentType = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
/** Accept values that select the protobuf form of /openapi/v2 (client-go asks for the '@' one). */
export const openapiV2ProtobufAcceptTypes: readonly string[] = [
  'application/com.github.proto-openapi.spec.v2@v1.0+protobuf',
  'application/com.github.proto-openapi.spec.v2.v1.0+protobuf',
];
/** Content type of the protobuf form of /openapi/v3 documents (not served: clients ask for JSON). */
export const openapiV3ProtobufContentType = 'application/com.github.proto-openapi.spec.v3@v1.0+protobuf';

export function openapiV2Json(): Buffer {
  return openapiFile(fileNames.v2Json);
}

/** The v2 document encoded as gnostic's openapi_v2.Document protobuf (what kubectl asks for). */
export function openapiV2Protobuf(): Buffer {
  return openapiFile(fileNames.v2Protobuf);
}

/** /openapi/v3: {"paths": {"api/v1": {"serverRelativeURL": "/openapi/v3/api/v1?hash=..."}, ...}} */
export function openapiV3Index(): unknown {
  return loadV3Index();
}

/** /openapi/v3/apis/GROUP/VERSION (or api/v1): the document, or undefined when unknown. `path` is e.g. "api/v1" or "apis/apps/v1". */
export function openapiV3Document(path: string): Buffer | undefined {
  const p = path.replace(/^\/+/, '').replace(/^openapi\/v3\//, '').replace(/\/+$/, '');
  if (!Object.hasOwn(loadV3Index().paths, p)) return undefined;
  return openapiFile(v3FileOf(p));
}

/** The hash the v3 index advertises for a group version's document (for ETag / immutable caching), or undefined. */
export function openapiV3Hash(path: string): string | undefined {
  const url = loadV3Index().paths[path]?.serverRelativeURL;
  return url === undefined ? undefined : new URL(url, 'http://x').searchParams.get('hash') ?? undefined;
}

/** The swagger definition of a kind (refs point into `#/definitions/`), or undefined when none is served. */
export function schemaForKind(group: string, version: string, kind: string): JsonSchema | undefined {
  return loadDefinitions()[definitionNameOf(group, version, kind)];
}

/** The swagger definition of r's kind. */
export function schemaFor(r: ResourceInfo): JsonSchema | undefined {
  return schemaForKind(r.group, r.version, r.kind);
}

/** A definition by its upstream name (io.k8s.api.core.v1.PodSpec), to follow `$ref`s of schemaFor's result. */
export function definition(name: string): JsonSchema | undefined {
  return loadDefinitions()[name];
}

let patchMetas: SchemaPatchMeta | undefined;

/** Strategic-merge-patch meta for objects of the given kind. */
export function patchMetaForKind(group: string, version: string, kind: string): PatchMeta {
  patchMetas ??= new SchemaPatchMeta(loadDefinitions());
  return patchMetas.metaOf(schemaForKind(group, version, kind));
}

/** Strategic-merge-patch meta for objects of r (r in any served version). */
export function patchMetaFor(r: ResourceInfo): PatchMeta {
  return patchMetaForKind(r.group, r.version, r.kind);
}

/** Like unknownFields, for a kind that is not a resource of its own (autoscaling/v1 Scale, policy/v1 Eviction). */
export function unknownFieldsForKind(obj: unknown, group: string, version: string, kind: string): string[] {
  const schema = schemaForKind(group, version, kind);
  return schema === undefined ? [] : findUnknownFields(loadDefinitions(), obj, schema);
}

/**
 * Drops, in place, the fields of obj that r's schema does not define (what decoding into typed structs does), and
 * returns their paths as unknownFields would.
 */
export function pruneUnknown(obj: KubeObject, r: ResourceInfo): string[] {
  const schema = schemaForKind(r.group, r.version, r.kind);
  return schema === undefined ? [] : pruneUnknownFields(loadDefinitions(), obj, schema);
}

/** Paths of fields in obj that r's schema does not define, as upstream prints them in `unknown field "spec.foo"`. */
export function unknownFields(obj: KubeObject, r: ResourceInfo): string[] {
  return unknownFieldsForKind(obj, r.group, r.version, r.kind);
}

/** The first mistyped value of obj against r's schema, as Go's JSON decoding reports it; undefined when all fit. */
export function typeErrorFor(obj: unknown, r: ResourceInfo): string | undefined {
  return typeErrorForKind(obj, r.group, r.version, r.kind);
}

/** Like typeErrorFor, for any kind with a schema (meta.k8s.io/v1 DeleteOptions, policy/v1 Eviction, …). */
export function typeErrorForKind(obj: unknown, group: string, version: string, kind: string): string | undefined {
  const schema = schemaForKind(group, version, kind);
  return schema === undefined ? undefined : findTypeError(loadDefinitions(), obj, schema, kind);
}
