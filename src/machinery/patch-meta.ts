// What strategic merge patch needs to know about a type: for each field, its patch strategy
// (from x-kubernetes-patch-strategy: "merge", "replace", "retainKeys", "merge,retainKeys"),
// its merge key for lists of objects (x-kubernetes-patch-merge-key), and the meta of its value
// (for lists: of the list items).

export interface FieldPatchMeta {
  /** Strategies from x-kubernetes-patch-strategy, split on commas; empty for the default (replace lists, merge maps). */
  readonly strategies: readonly string[];
  readonly mergeKey?: string;
  /** Meta of the field's value (for a list: of its items; for a map: of its values). Undefined when unknown (treated as opaque). */
  readonly value?: PatchMeta;
}

export interface PatchMeta {
  /** Meta of the child field `name`; undefined when the type has no such field or it is not known. */
  field(name: string): FieldPatchMeta | undefined;
}

/** Meta for values whose type is unknown: no strategies anywhere (JSON merge semantics for maps, replace for lists). */
export const opaquePatchMeta: PatchMeta = {
  field: () => ({ strategies: [], value: opaquePatchMeta }),
};
