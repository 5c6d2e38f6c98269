// STUB (owned by the openapi helper): OpenAPI v2/v3 documents and schema lookups derived from kubernetes-types.
import { opaquePatchMeta, type PatchMeta } from '../../machinery/patch-meta.js';
import type { KubeObject } from '../object.js';
import type { ResourceInfo } from '../resources.js';

export function openapiV2Json(): Buffer {
  return Buffer.from('{"swagger":"2.0","info":{"title":"Kubernetes","version":"v1.32.0"},"paths":{},"definitions":{}}');
}

/** The v2 document encoded as gnostic's openapi_v2.Document protobuf (what kubectl asks for). */
export function openapiV2Protobuf(): Buffer {
  return Buffer.alloc(0);
}

/** /openapi/v3: {"paths": {"api/v1": {"serverRelativeURL": "/openapi/v3/api/v1?hash=..."}, ...}} */
export function openapiV3Index(): unknown {
  return { paths: {} };
}

/** /openapi/v3/apis/GROUP/VERSION (or api/v1): the document, or undefined when unknown. `path` is e.g. "api/v1" or "apis/apps/v1". */
export function openapiV3Document(path: string): Buffer | undefined {
  void path;
  return undefined;
}

/** Strategic-merge-patch meta for objects of r (r in any served version). */
export function patchMetaFor(r: ResourceInfo): PatchMeta {
  void r;
  return opaquePatchMeta;
}

/** Paths of fields in obj that r's schema does not define, as upstream prints them in `unknown field "spec.foo"`. */
export function unknownFields(obj: KubeObject, r: ResourceInfo): string[] {
  void obj;
  void r;
  return [];
}
