// apiequality.Semantic.DeepEqual over JSON values: like a deep equality, except that an
// absent value equals an empty one (Go's nil and empty slices, maps and strings compare equal).

function isEmptyish(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v).length === 0;
  return false;
}

export function semanticEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isEmptyish(a) && isEmptyish(b)) {
    // "" equals absent, [] and {} equal absent, but [] and {} are different types.
    if (Array.isArray(a) && typeof b === 'object' && b !== null && !Array.isArray(b)) return false;
    if (Array.isArray(b) && typeof a === 'object' && a !== null && !Array.isArray(a)) return false;
    return true;
  }
  if (typeof a !== typeof b || a === null || b === null || a === undefined || b === undefined) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => semanticEqual(x, b[i]));
  }
  if (typeof a === 'object' && typeof b === 'object') {
    if (Array.isArray(b)) return false;
    const ao = a as Record<string, unknown>;
    const bo = b as Record<string, unknown>;
    const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
    for (const k of keys) if (!semanticEqual(ao[k], bo[k])) return false;
    return true;
  }
  return false;
}
