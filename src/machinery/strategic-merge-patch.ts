// Strategic merge patch, the apply half of k8s.io/apimachinery/pkg/util/strategicpatch/patch.go
// (StrategicMergeMapPatch: mergeMap / mergeSlice with MergeParallelList and IgnoreUnmatchedNulls),
// driven by a PatchMeta instead of Go struct tags. Directives: $patch (replace, delete, merge),
// $retainKeys, $deleteFromPrimitiveList/<field>, $setElementOrder/<field>. List ordering follows
// upstream step by step (including Go's stable sort), so results come out in the same order.
import { ApiError } from './errors.js';
import { opaquePatchMeta, type PatchMeta } from './patch-meta.js';

type JsonMap = Record<string, unknown>;

/**
 * Why a strategic merge patch failed: an ApiError carrying the Status the apiserver answers
 * (interpretStrategicMergePatchError), `detail` holding strategicpatch's own message.
 *  - malformed directives ($deleteFromPrimitiveList, $retainKeys, $setElementOrder): 400 BadRequest;
 *  - lists of lists: 422 Invalid with upstream's generic message;
 *  - anything else (unknown $patch, missing merge key, ...): 500 with the message as it is.
 */
export class StrategicMergePatchError extends ApiError {
  constructor(
    code: 400 | 422 | 500,
    message: string,
    readonly detail: string,
  ) {
    super(code, code === 400 ? 'BadRequest' : code === 422 ? 'Invalid' : '', message, code === 422 ? {} : undefined);
    this.name = 'StrategicMergePatchError';
  }
}

function badRequest(detail: string): StrategicMergePatchError {
  return new StrategicMergePatchError(400, detail, detail);
}

function failed(detail: string): StrategicMergePatchError {
  return new StrategicMergePatchError(500, detail, detail);
}

const errBadPatchFormatForPrimitiveList = (): StrategicMergePatchError => badRequest('invalid patch format of primitive list');
const errBadPatchFormatForRetainKeys = (): StrategicMergePatchError => badRequest('invalid patch format of retainKeys');
const errBadPatchFormatForSetElementOrderList = (): StrategicMergePatchError => badRequest('invalid patch format of setElementOrder list');
const errNoListOfLists = (): StrategicMergePatchError =>
  new StrategicMergePatchError(422, 'the server rejected our request due to an error in our request', 'lists of lists are not supported');

const directiveMarker = '$patch';
const deleteDirective = 'delete';
const replaceDirective = 'replace';
const mergeDirective = 'merge';
const retainKeysStrategy = 'retainKeys';
const deleteFromPrimitiveListDirectivePrefix = '$deleteFromPrimitiveList';
const retainKeysDirective = '$retainKeys';
const setElementOrderDirectivePrefix = '$setElementOrder';

// ----------------------------------------------------------------------------------------------
// Go's view of decoded JSON: types, equality and fmt's %v / %s, for identical logic and messages.

type GoType = 'map' | 'slice' | 'string' | 'int64' | 'float64' | 'bool' | 'nil';

function isMap(v: unknown): v is JsonMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function hasOwn(o: object, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, k);
}

function goType(v: unknown): GoType {
  if (v === null || v === undefined) return 'nil';
  if (Array.isArray(v)) return 'slice';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isInteger(v) ? 'int64' : 'float64';
    default:
      return 'map';
  }
}

/** Go's == on interface{} values holding scalars (maps and slices never compare equal here). */
function goEq(a: unknown, b: unknown): boolean {
  const ta = goType(a);
  if (ta !== goType(b)) return false;
  if (ta === 'nil') return true;
  if (ta === 'map' || ta === 'slice') return false;
  return a === b;
}

/** strconv.FormatFloat(f, 'g', -1, 64), which %v uses for float64. */
function goFloat(f: number): string {
  if (!Number.isFinite(f)) return f > 0 ? '+Inf' : f < 0 ? '-Inf' : 'NaN';
  const [mant = '', expStr = '0'] = f.toExponential().split('e');
  const exp = Number(expStr);
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? '-' : '+';
    return `${mant}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return String(f);
}

/** fmt's %v. */
function goV(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goV).join(' ')}]`;
  if (isMap(v)) {
    return `map[${Object.keys(v)
      .sort()
      .map((k) => `${k}:${goV(v[k])}`)
      .join(' ')}]`;
  }
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v).toString() : goFloat(v);
  return String(v);
}

/** fmt's %s. */
function goS(v: unknown): string {
  if (v === null || v === undefined) return '%!s(<nil>)';
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return `[${v.map(goS).join(' ')}]`;
  if (isMap(v)) {
    return `map[${Object.keys(v)
      .sort()
      .map((k) => `${k}:${goS(v[k])}`)
      .join(' ')}]`;
  }
  return `%!s(${goType(v)}=${goV(v)})`;
}

/** reflect.TypeOf(x) printed with %s. */
function goTypeName(v: unknown): string {
  switch (goType(v)) {
    case 'map':
      return 'map[string]interface {}';
    case 'slice':
      return '[]interface {}';
    case 'nil':
      return '%!s(<nil>)';
    default:
      return goType(v);
  }
}

function errBadArgType(expected: 'map' | 'slice', actual: unknown): StrategicMergePatchError {
  const e = expected === 'map' ? 'map[string]interface {}' : '[]interface {}';
  return failed(`expected a ${e}, but received a ${goTypeName(actual)}`);
}

function errNoMergeKey(m: JsonMap | null, key: string): StrategicMergePatchError {
  return failed(`map: ${m === null ? 'map[]' : goV(m)} does not contain declared merge key: ${key}`);
}

function errBadPatchType(t: unknown, m: JsonMap): StrategicMergePatchError {
  return failed(`unknown patch type: ${goS(t)} in map: ${goV(m)}`);
}

// ----------------------------------------------------------------------------------------------
// Go's sort.SliceStable (insertion sort in blocks of 20, then SymMerge), reproduced so that the
// non-strict "less" upstream uses orders elements exactly as it does there.

function goSliceStable<T>(data: T[], less: (a: T, b: T) => boolean): void {
  const lessAt = (i: number, j: number): boolean => less(data[i] as T, data[j] as T);
  const swap = (i: number, j: number): void => {
    const t = data[i] as T;
    data[i] = data[j] as T;
    data[j] = t;
  };
  const insertionSort = (a: number, b: number): void => {
    for (let i = a + 1; i < b; i++) for (let j = i; j > a && lessAt(j, j - 1); j--) swap(j, j - 1);
  };
  const swapRange = (a: number, b: number, n: number): void => {
    for (let i = 0; i < n; i++) swap(a + i, b + i);
  };
  const rotate = (a: number, m: number, b: number): void => {
    let i = m - a;
    let j = b - m;
    while (i !== j) {
      if (i > j) {
        swapRange(m - i, m, j);
        i -= j;
      } else {
        swapRange(m - i, m + j - i, i);
        j -= i;
      }
    }
    swapRange(m - i, m, i);
  };
  const symMerge = (a: number, m: number, b: number): void => {
    if (m - a === 1) {
      let i = m;
      let j = b;
      while (i < j) {
        const h = (i + j) >>> 1;
        if (lessAt(h, a)) i = h + 1;
        else j = h;
      }
      for (let k = a; k < i - 1; k++) swap(k, k + 1);
      return;
    }
    if (b - m === 1) {
      let i = a;
      let j = m;
      while (i < j) {
        const h = (i + j) >>> 1;
        if (!lessAt(m, h)) i = h + 1;
        else j = h;
      }
      for (let k = m; k > i; k--) swap(k, k - 1);
      return;
    }
    const mid = (a + b) >>> 1;
    const n = mid + m;
    let start: number;
    let r: number;
    if (m > mid) {
      start = n - b;
      r = mid;
    } else {
      start = a;
      r = m;
    }
    const p = n - 1;
    while (start < r) {
      const c = (start + r) >>> 1;
      if (!lessAt(p - c, c)) start = c + 1;
      else r = c;
    }
    const end = n - start;
    if (start < m && m < end) rotate(start, m, end);
    if (a < start && start < mid) symMerge(a, start, mid);
    if (mid < end && end < b) symMerge(mid, end, b);
  };
  const n = data.length;
  let blockSize = 20;
  let a = 0;
  let b = blockSize;
  while (b <= n) {
    insertionSort(a, b);
    a = b;
    b += blockSize;
  }
  insertionSort(a, n);
  while (blockSize < n) {
    a = 0;
    b = 2 * blockSize;
    while (b <= n) {
      symMerge(a, a + blockSize, b);
      a = b;
      b += 2 * blockSize;
    }
    const m = a + blockSize;
    if (m < n) symMerge(a, m, n);
    blockSize *= 2;
  }
}

// ----------------------------------------------------------------------------------------------
// Patch metadata

interface Lookup {
  readonly sub: PatchMeta;
  readonly strategies: readonly string[];
  readonly mergeKey: string;
}

/** Fields the meta does not know are opaque: no strategy, replace lists, merge maps. */
function lookup(meta: PatchMeta, key: string): Lookup {
  const f = meta.field(key);
  return { sub: f?.value ?? opaquePatchMeta, strategies: f?.strategies ?? [], mergeKey: f?.mergeKey ?? '' };
}

/** extractRetainKeysPatchStrategy: the strategy other than retainKeys ("" when none). */
function patchStrategyOf(strategies: readonly string[]): string {
  switch (strategies.length) {
    case 0:
      return '';
    case 1:
      return strategies[0] === retainKeysStrategy ? '' : (strategies[0] ?? '');
    case 2:
      if (strategies[0] === retainKeysStrategy) return strategies[1] ?? '';
      if (strategies[1] === retainKeysStrategy) return strategies[0] ?? '';
      break;
    default:
      break;
  }
  throw failed(`unexpected patch strategy: [${strategies.join(' ')}]`);
}

// ----------------------------------------------------------------------------------------------
// Helpers over lists

/** sliceElementType: the Go type shared by every element of the lists. */
function sliceElementType(...slices: ReadonlyArray<readonly unknown[]>): GoType {
  let prev: GoType | undefined;
  for (const s of slices) {
    for (const v of s) {
      const t = goType(v);
      if (prev === undefined) {
        prev = t;
        if (prev === 'slice') throw errNoListOfLists();
      } else if (prev !== t) {
        throw failed(`list element types are not identical: ${goV(slices)}`);
      }
    }
  }
  if (prev === undefined) throw failed('no elements in any of the given slices');
  return prev;
}

/** deduplicateScalars, with upstream's in-place swapping (which decides the order). */
function deduplicateScalars(input: readonly unknown[]): unknown[] {
  const s = [...input];
  let length = s.length - 1;
  for (let i = 0; i < length; i++) {
    for (let j = i + 1; j <= length; j++) {
      if (goEq(s[i], s[j])) {
        s[j] = s[length];
        s.length = length;
        length--;
        j--;
      }
    }
  }
  return s;
}

function deleteFromSlice(current: readonly unknown[], toDelete: readonly unknown[]): unknown[] {
  return current.filter((v) => !toDelete.some((d) => goEq(d, v)));
}

function findMapInSliceBasedOnKeyValue(m: readonly unknown[], key: string, value: unknown): { map: JsonMap; index: number } | undefined {
  for (let k = 0; k < m.length; k++) {
    const v = m[k];
    if (!isMap(v)) throw failed(`value for key ${k} is not a map.`);
    if (hasOwn(v, key) && goEq(v[key], value)) return { map: v, index: k };
  }
  return undefined;
}

/** index(): position of the item (by merge key for maps), or -1. */
function indexOf(l: readonly unknown[], val: unknown, mergeKey: string, kind: GoType): number {
  const getVal = kind === 'map' ? (item: unknown): unknown => (isMap(item) ? item[mergeKey] : null) : (item: unknown): unknown => item;
  const want = getVal(val);
  for (let i = 0; i < l.length; i++) if (goEq(want, getVal(l[i]))) return i;
  return -1;
}

function validateMergeKeyInLists(mergeKey: string, ...lists: ReadonlyArray<readonly unknown[]>): void {
  for (const list of lists) {
    for (const item of list) {
      if (!isMap(item)) throw errBadArgType('map', item);
      if (!hasOwn(item, mergeKey)) throw errNoMergeKey(item, mergeKey);
    }
  }
}

function extractToDeleteItems(l: readonly unknown[]): { nonDelete: unknown[]; toDelete: unknown[] } {
  const nonDelete: unknown[] = [];
  const toDelete: unknown[] = [];
  for (const v of l) {
    if (!isMap(v)) throw errBadArgType('map', v);
    if (hasOwn(v, directiveMarker) && goEq(v[directiveMarker], deleteDirective)) toDelete.push(v);
    else nonDelete.push(v);
  }
  return { nonDelete, toDelete };
}

/** normalizeSliceOrder: sorts `toSort` by `order` (deletions last) with upstream's comparator. */
function normalizeSliceOrder(toSort: readonly unknown[], order: readonly unknown[], mergeKey: string, kind: GoType): unknown[] {
  let sorted = [...toSort];
  let toDelete: unknown[] = [];
  if (kind === 'map') {
    validateMergeKeyInLists(mergeKey, sorted, order);
    ({ nonDelete: sorted, toDelete } = extractToDeleteItems(sorted));
  }
  goSliceStable(sorted, (a, b) => {
    const ia = indexOf(order, a, mergeKey, kind);
    if (ia >= 0) {
      const ib = indexOf(order, b, mergeKey, kind);
      if (ib >= 0) return ia < ib;
    }
    return true;
  });
  return [...sorted, ...toDelete];
}

/** mergeSortedSlice: interleaves server-only items (left) into patch items (right) by server order. */
function mergeSortedSlice(left: readonly unknown[], right: readonly unknown[], serverOrder: readonly unknown[], mergeKey: string, kind: GoType): unknown[] {
  const less = (l: unknown, r: unknown): { less: boolean; foundBoth: boolean } => {
    const li = indexOf(serverOrder, l, mergeKey, kind);
    const ri = indexOf(serverOrder, r, mergeKey, kind);
    return li >= 0 && ri >= 0 ? { less: li < ri, foundBoth: true } : { less: false, foundBoth: false };
  };
  const size = left.length + right.length;
  const s: unknown[] = [];
  let i = 0;
  let j = 0;
  for (let k = 0; k < size; k++) {
    if (i >= left.length && j < right.length) {
      s.push(right[j++]);
    } else if (j >= right.length && i < left.length) {
      s.push(left[i++]);
    } else {
      const c = less(left[i], right[j]);
      if (c.foundBoth && c.less) s.push(left[i++]);
      else s.push(right[j++]);
    }
  }
  return s;
}

function normalizeElementOrder(
  patch: readonly unknown[],
  serverOnly: readonly unknown[],
  patchOrder: readonly unknown[],
  serverOrder: readonly unknown[],
  mergeKey: string,
  kind: GoType,
): unknown[] {
  const p = normalizeSliceOrder(patch, patchOrder, mergeKey, kind);
  const s = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
  return mergeSortedSlice(s, p, serverOrder, mergeKey, kind);
}

function partitionPrimitivesByPresentInList(original: readonly unknown[], partitionBy: readonly unknown[]): { patch: unknown[]; serverOnly: unknown[] } {
  const patch: unknown[] = [];
  const serverOnly: unknown[] = [];
  for (const v of original) {
    if (partitionBy.some((p) => goEq(p, v))) patch.push(v);
    else serverOnly.push(v);
  }
  return { patch, serverOnly };
}

function partitionMapsByPresentInList(original: readonly unknown[], partitionBy: readonly unknown[], mergeKey: string): { patch: unknown[]; serverOnly: unknown[] } {
  const patch: unknown[] = [];
  const serverOnly: unknown[] = [];
  for (const v of original) {
    if (!isMap(v)) throw errBadArgType('map', v);
    if (!hasOwn(v, mergeKey)) throw errNoMergeKey(v, mergeKey);
    if (findMapInSliceBasedOnKeyValue(partitionBy, mergeKey, v[mergeKey]) === undefined) serverOnly.push(v);
    else patch.push(v);
  }
  return { patch, serverOnly };
}

/** removeDirectives: drops maps that carry $patch (and returns keep=false for such a value). */
function removeDirectives(obj: unknown): { value: unknown; keep: boolean } {
  if (isMap(obj)) {
    if (hasOwn(obj, directiveMarker)) return { value: null, keep: false };
    for (const k of Object.keys(obj)) {
      const r = removeDirectives(obj[k]);
      if (r.keep) obj[k] = r.value;
      else delete obj[k];
    }
    return { value: obj, keep: true };
  }
  if (Array.isArray(obj)) {
    const res: unknown[] = [];
    for (const v of obj) {
      const r = removeDirectives(v);
      if (r.keep) res.push(r.value);
    }
    return { value: res, keep: true };
  }
  return { value: obj, keep: true };
}

/** discardNullValuesFromPatch: removes null members of maps, recursively (array items stay). */
function discardNullValuesFromPatch(v: unknown): void {
  if (isMap(v)) {
    for (const k of Object.keys(v)) {
      if (v[k] === null) delete v[k];
      else discardNullValuesFromPatch(v[k]);
    }
  } else if (Array.isArray(v)) {
    for (const x of v) discardNullValuesFromPatch(x);
  }
}

function extractKey(s: string, prefix: string): string {
  const slash = s.indexOf('/');
  if (slash < 0 || s.slice(0, slash) !== prefix) {
    if (prefix === deleteFromPrimitiveListDirectivePrefix) throw errBadPatchFormatForPrimitiveList();
    throw errBadPatchFormatForSetElementOrderList();
  }
  return s.slice(slash + 1);
}

function mergeKeyValueEqual(left: unknown, right: unknown, mergeKey: string): boolean {
  if (mergeKey.length === 0) return goEq(left, right);
  if (!isMap(left)) throw errBadArgType('map', left);
  if (!isMap(right)) throw errBadArgType('map', right);
  if (!hasOwn(left, mergeKey)) throw errNoMergeKey(left, mergeKey);
  if (!hasOwn(right, mergeKey)) throw errNoMergeKey(right, mergeKey);
  return goEq(left[mergeKey], right[mergeKey]);
}

/** validatePatchWithSetOrderList: the patch list's items appear in $setElementOrder, in that order. */
function validatePatchWithSetOrderList(patchList: readonly unknown[], setOrderList: readonly unknown[], mergeKey: string): void {
  if (setOrderList.length === 0 || patchList.length === 0) return;
  const nonDeleteList = mergeKey.length > 0 ? extractToDeleteItems(patchList).nonDelete : [...patchList];
  let patchIndex = 0;
  let setOrderIndex = 0;
  while (patchIndex < nonDeleteList.length && setOrderIndex < setOrderList.length) {
    const item = nonDeleteList[patchIndex];
    if (isMap(item) && hasOwn(item, directiveMarker)) {
      patchIndex++;
      continue;
    }
    if (mergeKeyValueEqual(item, setOrderList[setOrderIndex], mergeKey)) patchIndex++;
    setOrderIndex++;
  }
  if (patchIndex < nonDeleteList.length && setOrderIndex >= setOrderList.length) {
    throw failed(`The order in patch list:\n${goV(patchList)}\n doesn't match ${setElementOrderDirectivePrefix} list:\n${goV(setOrderList)}\n`);
  }
}

// ----------------------------------------------------------------------------------------------
// The merge

function handleDirectiveInMergeMap(directive: unknown, patch: JsonMap): JsonMap {
  if (directive === replaceDirective) {
    delete patch[directiveMarker];
    return patch;
  }
  if (directive === deleteDirective) return {};
  throw errBadPatchType(directive, patch);
}

function applyRetainKeysDirective(original: JsonMap, patch: JsonMap): void {
  if (!hasOwn(patch, retainKeysDirective)) return;
  const retainKeys = patch[retainKeysDirective];
  delete patch[retainKeysDirective];
  if (!Array.isArray(retainKeys)) throw errBadPatchFormatForRetainKeys();
  const retained = (k: string): boolean => retainKeys.some((r) => goEq(r, k));
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(deleteFromPrimitiveListDirectivePrefix) || k.startsWith(setElementOrderDirectivePrefix)) continue;
    if (!retained(k)) throw errBadPatchFormatForRetainKeys();
  }
  for (const k of Object.keys(original)) if (!retained(k)) delete original[k];
}

function mergePatchIntoOriginal(original: JsonMap, patch: JsonMap, meta: PatchMeta): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(setElementOrderDirectivePrefix) || !hasOwn(patch, key)) continue;
    const setElementOrder = patch[key];
    delete patch[key];
    if (!Array.isArray(setElementOrder)) throw errBadArgType('slice', setElementOrder);
    const originalKey = extractKey(key, setElementOrderDirectivePrefix);
    const foundOriginal = hasOwn(original, originalKey);
    const foundPatch = hasOwn(patch, originalKey);
    let originalFieldValue: unknown[] = [];
    let patchFieldValue: unknown[] = [];
    if (foundOriginal) {
      const v = original[originalKey];
      if (!Array.isArray(v)) throw errBadArgType('slice', v);
      originalFieldValue = v;
    }
    if (foundPatch) {
      const v = patch[originalKey];
      if (!Array.isArray(v)) throw errBadArgType('slice', v);
      patchFieldValue = v;
    }
    const { sub, strategies, mergeKey } = lookup(meta, originalKey);
    const patchStrategy = patchStrategyOf(strategies);
    validatePatchWithSetOrderList(patchFieldValue, setElementOrder, mergeKey);

    let merged: unknown[];
    if (foundOriginal && !foundPatch) {
      merged = originalFieldValue;
    } else if (!foundOriginal && foundPatch) {
      merged = removeDirectives(patchFieldValue).value as unknown[];
    } else if (foundOriginal && foundPatch) {
      merged = mergeSliceHandler(originalFieldValue, patchFieldValue, sub, patchStrategy, mergeKey, false);
    } else {
      continue;
    }

    const { patch: patchItems, serverOnly } =
      mergeKey.length === 0 ? partitionPrimitivesByPresentInList(merged, setElementOrder) : partitionMapsByPresentInList(merged, setElementOrder, mergeKey);
    const kind = sliceElementType(originalFieldValue, patchFieldValue);
    original[originalKey] = normalizeElementOrder(patchItems, serverOnly, setElementOrder, originalFieldValue, mergeKey, kind);
    delete patch[originalKey];
  }
}

function mergeMap(original: JsonMap | null, patch: JsonMap, meta: PatchMeta): JsonMap {
  if (hasOwn(patch, directiveMarker)) return handleDirectiveInMergeMap(patch[directiveMarker], patch);
  const orig = original ?? {};
  applyRetainKeysDirective(orig, patch);
  mergePatchIntoOriginal(orig, patch, meta);

  for (const patchKey of Object.keys(patch)) {
    const patchV = patch[patchKey];
    let k = patchKey;
    let isDeleteList = false;
    if (patchKey.startsWith(deleteFromPrimitiveListDirectivePrefix)) {
      isDeleteList = true;
      const noPrefixKey = extractKey(patchKey, deleteFromPrimitiveListDirectivePrefix);
      if (noPrefixKey.length > 0) k = noPrefixKey;
    }

    // null deletes; unmatched nulls are dropped (IgnoreUnmatchedNulls).
    if (patchV === null) {
      delete orig[k];
      continue;
    }

    const takePatchValue = (): void => {
      if (isDeleteList) return;
      discardNullValuesFromPatch(patchV);
      const r = removeDirectives(patchV);
      if (r.keep) orig[k] = r.value;
      else delete orig[k];
    };

    if (!hasOwn(orig, k)) {
      takePatchValue();
      continue;
    }
    const originalType = goType(orig[k]);
    if (originalType !== goType(patchV)) {
      takePatchValue();
      continue;
    }
    const { sub, strategies, mergeKey } = lookup(meta, k);
    const patchStrategy = patchStrategyOf(strategies);
    if (originalType === 'map') {
      orig[k] = patchStrategy !== replaceDirective ? mergeMap(orig[k] as JsonMap, patchV as JsonMap, sub) : patchV;
    } else if (originalType === 'slice') {
      orig[k] = mergeSliceHandler(orig[k] as unknown[], patchV as unknown[], sub, patchStrategy, mergeKey, isDeleteList);
    } else {
      const r = removeDirectives(patchV);
      if (r.keep) orig[k] = r.value;
      else delete orig[k];
    }
  }
  return orig;
}

function mergeSliceHandler(original: unknown[], patch: unknown[], sub: PatchMeta, patchStrategy: string, mergeKey: string, isDeleteList: boolean): unknown[] {
  // Deletion lists apply whatever the field's strategy is.
  if (patchStrategy === mergeDirective || isDeleteList) return mergeSlice(original, patch, sub, mergeKey, isDeleteList);
  return patch;
}

function mergeSlice(originalIn: unknown[], patchIn: unknown[], sub: PatchMeta, mergeKey: string, isDeleteList: boolean): unknown[] {
  if (originalIn.length === 0 && patchIn.length === 0) return originalIn;
  const kind = sliceElementType(originalIn, patchIn);
  let original = originalIn;
  let patch: unknown[] = patchIn;
  let merged: unknown[];
  if (kind !== 'map') {
    if (isDeleteList) return deleteFromSlice(original, patch);
    merged = deduplicateScalars([...original, ...patch]);
  } else {
    if (mergeKey === '') throw failed('cannot merge lists without merge key for struct');
    ({ original, patch } = mergeSliceWithSpecialElements(original, patch, mergeKey));
    merged = mergeSliceWithoutSpecialElements(original, patch, mergeKey, sub);
  }
  const { patch: patchItems, serverOnly } =
    mergeKey.length === 0 ? partitionPrimitivesByPresentInList(merged, patch) : partitionMapsByPresentInList(merged, patch, mergeKey);
  return normalizeElementOrder(patchItems, serverOnly, patch, original, mergeKey, kind);
}

/** Applies $patch items (delete, replace) of a list of maps; returns the list and the plain patch items. */
function mergeSliceWithSpecialElements(original: unknown[], patch: readonly unknown[], mergeKey: string): { original: unknown[]; patch: unknown[] } {
  const plain: unknown[] = [];
  let replace = false;
  let orig = [...original];
  for (const v of patch) {
    const typed = v as JsonMap;
    if (!hasOwn(typed, directiveMarker)) {
      plain.push(v);
      continue;
    }
    const patchType = typed[directiveMarker];
    if (patchType === deleteDirective) {
      if (!hasOwn(typed, mergeKey)) throw errNoMergeKey(typed, mergeKey);
      const mergeValue = typed[mergeKey];
      for (;;) {
        const found = findMapInSliceBasedOnKeyValue(orig, mergeKey, mergeValue);
        if (found === undefined) break;
        orig.splice(found.index, 1);
      }
    } else if (patchType === replaceDirective) {
      replace = true;
    } else if (patchType === mergeDirective) {
      throw failed('merging lists cannot yet be specified in the patch');
    } else {
      throw errBadPatchType(patchType, typed);
    }
  }
  if (replace) return { original: plain, patch: [] };
  return { original: orig, patch: plain };
}

function mergeSliceWithoutSpecialElements(original: readonly unknown[], patch: readonly unknown[], mergeKey: string, sub: PatchMeta): unknown[] {
  const out = [...original];
  for (const v of patch) {
    const typed = v as JsonMap;
    if (!hasOwn(typed, mergeKey)) throw errNoMergeKey(typed, mergeKey);
    const found = findMapInSliceBasedOnKeyValue(out, mergeKey, typed[mergeKey]);
    if (found !== undefined) out[found.index] = mergeMap(found.map, typed, sub);
    else out.push(v);
  }
  return out;
}

function deepCopy(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(deepCopy);
  if (isMap(v)) {
    const out: JsonMap = {};
    for (const [k, x] of Object.entries(v)) out[k] = deepCopy(x);
    return out;
  }
  return v;
}

/**
 * Applies a strategic merge patch to a copy of `original` (neither argument is modified) and
 * returns the result, as the apiserver's StrategicMergeMapPatch does. Both must be JSON objects
 * (a non-object original counts as {}). Throws StrategicMergePatchError on a malformed patch.
 */
export function applyStrategicMergePatch(original: unknown, patch: unknown, meta: PatchMeta): unknown {
  if (!isMap(patch)) throw badRequest('invalid JSON document');
  const o = isMap(original) ? (deepCopy(original) as JsonMap) : {};
  return mergeMap(o, deepCopy(patch) as JsonMap, meta);
}
