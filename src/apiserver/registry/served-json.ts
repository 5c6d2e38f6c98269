// The served JSON of stored objects, computed once per object revision. Objects the registry hands out are shared
// and never changed afterwards, so their JSON can be remembered with them: the response to a write, every watcher's
// event and later GETs all send the same text.
const wholeJson = new WeakMap<object, string>();

export function cachedServedJson(obj: object): string | undefined {
  return wholeJson.get(obj);
}

export function rememberServedJson(obj: object, json: string): void {
  wholeJson.set(obj, json);
}

/** Stands for the metadata while the rest of an object is stringified; it cannot occur in a JSON text unescaped. */
const metadataMark = '\u0000k8ts:metadata\u0000';
const quotedMark = JSON.stringify(metadataMark);

/**
 * An object's JSON as stored (metadata without resourceVersion), and, when it can be had by splicing, a function
 * giving its JSON once the store has given it a resourceVersion: the same text JSON.stringify would make of the
 * object with `metadata.resourceVersion` set, as long as that key is absent or last (where setting it leaves it).
 */
export function encodeStored(obj: Record<string, unknown> & { metadata: Record<string, unknown> }, apiVersion: string, kind: string): { value: string; withResourceVersion?: (rv: string) => string } {
  const { resourceVersion: _rv, ...metadata } = obj.metadata;
  void _rv;
  const keys = Object.keys(obj.metadata);
  const rvLast = !('resourceVersion' in obj.metadata) || keys[keys.length - 1] === 'resourceVersion';
  const metaJson = JSON.stringify(metadata);
  const shell = JSON.stringify({ ...obj, apiVersion, kind, metadata: metadataMark });
  const at = shell.indexOf(quotedMark);
  if (at < 0 || shell.indexOf(quotedMark, at + quotedMark.length) >= 0) {
    // Only if the object's own strings hold the mark: stringify it whole.
    return { value: JSON.stringify({ ...obj, apiVersion, kind, metadata }) };
  }
  const before = shell.slice(0, at);
  const after = shell.slice(at + quotedMark.length);
  const value = before + metaJson + after;
  if (!rvLast) return { value };
  const open = metaJson.slice(0, -1);
  const sep = metaJson === '{}' ? '' : ',';
  return { value, withResourceVersion: (rv) => `${before}${open}${sep}"resourceVersion":${JSON.stringify(rv)}}${after}` };
}
