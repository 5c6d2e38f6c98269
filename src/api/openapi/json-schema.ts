// The subset of (OpenAPI-flavoured) JSON Schema that the generated Kubernetes definitions use.

export interface GroupVersionKindExtension {
  readonly group: string;
  readonly kind: string;
  readonly version: string;
}

export interface JsonSchema {
  $ref?: string;
  allOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  type?: string;
  format?: string;
  description?: string;
  default?: unknown;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  required?: string[];
  'x-kubernetes-group-version-kind'?: GroupVersionKindExtension[];
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: string;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
}

/** Definitions keyed by upstream name (io.k8s.api.core.v1.Pod), refs written as `#/definitions/<name>`. */
export type Definitions = Record<string, JsonSchema>;

export const definitionsPrefix = '#/definitions/';

/** The definition name a `$ref` points at, whatever its prefix (#/definitions/ or #/components/schemas/). */
export function refName(ref: string): string {
  return ref.slice(ref.lastIndexOf('/') + 1);
}

/** The schema a property refers to: its own $ref, or the single $ref it wraps in allOf (OpenAPI v3 style). */
export function refOf(schema: JsonSchema): string | undefined {
  if (schema.$ref !== undefined) return refName(schema.$ref);
  const only = schema.allOf?.length === 1 ? schema.allOf[0] : undefined;
  return only?.$ref !== undefined ? refName(only.$ref) : undefined;
}
