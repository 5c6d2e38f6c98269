// RFC 7386 JSON Merge Patch as the apiserver applies it (evanphx/json-patch's MergePatch): null
// deletes a member, objects merge recursively, anything else replaces. Like upstream, nulls are
// also pruned from values that are taken whole from the patch (inside arrays too).
import { ApiError } from './errors.js';

type JsonObject = Record<string, unknown>;

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A null or non-object, non-array patch: upstream's ErrBadJSONPatch, answered as 400 BadRequest. */
export class MergePatchError extends ApiError {
  constructor(message: string) {
    super(400, 'BadRequest', message);
    this.name = 'MergePatchError';
  }
}

/** A copy of v without null members (objects) or null items (arrays), recursively. */
function pruneNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.filter((x) => x !== null).map(pruneNulls);
  if (isObject(v)) {
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = pruneNulls(x);
    return out;
  }
  return v;
}

function copy(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(copy);
  if (isObject(v)) {
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v)) out[k] = copy(x);
    return out;
  }
  return v;
}

function mergeValue(cur: unknown, patch: unknown): unknown {
  // The current value is not an object: take the patch, without its nulls.
  if (!isObject(cur)) return pruneNulls(patch);
  // The patch is not an object: take it as it is.
  if (!isObject(patch)) return copy(patch);
  return mergeObjects(cur, patch);
}

function mergeObjects(doc: JsonObject, patch: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(doc)) out[k] = copy(v);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) {
      delete out[k];
    } else if (!Object.prototype.hasOwnProperty.call(out, k) || out[k] === null) {
      out[k] = pruneNulls(v);
    } else {
      out[k] = mergeValue(out[k], v);
    }
  }
  return out;
}

/**
 * Applies a merge patch to a copy of `original` and returns the result. A patch that is null or a
 * scalar throws MergePatchError("Invalid JSON Patch"); a null original throws
 * MergePatchError("Invalid JSON Document"). An array patch, or an original that is not an object,
 * yields the patch itself (nulls pruned).
 */
export function applyMergePatch(original: unknown, patch: unknown): unknown {
  if (original === null) throw new MergePatchError('Invalid JSON Document');
  if (patch === null) throw new MergePatchError('Invalid JSON Patch');
  if (Array.isArray(patch)) return pruneNulls(patch);
  if (!isObject(patch)) throw new MergePatchError('Invalid JSON Patch');
  if (!isObject(original)) return pruneNulls(patch);
  return mergeObjects(original, patch);
}
