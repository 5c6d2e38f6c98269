// RFC 6902 JSON Patch as the apiserver applies it: with gopkg.in/evanphx/json-patch.v4 (its
// quirks included: negative array indices count from the end, "replace" of a missing object key
// adds it, null and missing values are alike), capped at 10000 operations, failing with the Status
// the apiserver sends back. The document is never mutated; the result is a new value.
import { ApiError } from './errors.js';

/** Upstream's maxJSONPatchOperations. */
export const maxJsonPatchOperations = 10000;

/**
 * Why a JSON patch failed. It is an ApiError carrying what the apiserver answers; `detail` keeps
 * the library's own message ("add operation does not apply: doc is missing path: ...").
 *  - the body is not a list of operations: 400 BadRequest, message = detail;
 *  - more than 10000 operations: 413 RequestEntityTooLarge;
 *  - an operation fails: 422 Invalid "the server rejected our request due to an error in our request"
 *    (upstream's NewGenericServerResponse drops the detail).
 */
export class JsonPatchError extends ApiError {
  constructor(
    code: number,
    reason: 'BadRequest' | 'RequestEntityTooLarge' | 'Invalid',
    message: string,
    readonly detail: string,
  ) {
    super(code, reason, message, reason === 'Invalid' ? {} : undefined);
    this.name = 'JsonPatchError';
  }
}

const unprocessableMessage = 'the server rejected our request due to an error in our request';

function applyFailed(detail: string): JsonPatchError {
  return new JsonPatchError(422, 'Invalid', unprocessableMessage, detail);
}

type JsonObject = Record<string, unknown>;
type Operation = Readonly<Record<string, unknown>>;

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function hasOwn(o: object, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, k);
}

function deepCopy(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(deepCopy);
  if (isObject(v)) {
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v)) out[k] = deepCopy(x);
    return out;
  }
  return v;
}

/** The word encoding/json uses for a JSON value's kind in UnmarshalTypeError. */
function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'number':
      return 'number';
    case 'boolean':
      return 'bool';
    default:
      return 'object';
  }
}

/**
 * jsonpatch.DecodePatch: the body must be a JSON array of objects (null entries are allowed and
 * fail later as "Unexpected kind: unknown"). Throws a 400 JsonPatchError otherwise.
 */
export function decodeJsonPatch(patch: unknown): Operation[] {
  if (patch === null) return [];
  if (!Array.isArray(patch)) {
    const m = `json: cannot unmarshal ${jsonKind(patch)} into Go value of type jsonpatch.Patch`;
    throw new JsonPatchError(400, 'BadRequest', m, m);
  }
  return patch.map((op: unknown): Operation => {
    if (op === null) return {};
    if (!isObject(op)) {
      const m = `json: cannot unmarshal ${jsonKind(op)} into Go value of type jsonpatch.Operation`;
      throw new JsonPatchError(400, 'BadRequest', m, m);
    }
    return op;
  });
}

// ----------------------------------------------------------------------------------------------
// Containers: an object or an array inside the document, addressed by the last path segment.

/** A failure inside a container operation, worded as evanphx words it. */
class OpError extends Error {}

const errMissing = 'missing value';
const errInvalidIndex = 'invalid index referenced';
const errTestFailed = 'test failed';

const int64Min = -(2n ** 63n);
const int64Max = 2n ** 63n - 1n;

/** strconv.Atoi: the integer, or an OpError with Go's message. */
function atoi(s: string): number {
  if (!/^[+-]?[0-9]+$/.test(s)) throw new OpError(`strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax`);
  const v = BigInt(s);
  if (v < int64Min || v > int64Max) throw new OpError(`strconv.Atoi: parsing ${JSON.stringify(s)}: value out of range`);
  return Number(v);
}

function invalidIndex(idx: number): OpError {
  return new OpError(`Unable to access invalid index: ${idx}: ${errInvalidIndex}`);
}

type Container = { kind: 'object'; obj: JsonObject } | { kind: 'array'; arr: unknown[] };

function containerOf(v: unknown): Container | undefined {
  if (Array.isArray(v)) return { kind: 'array', arr: v };
  if (isObject(v)) return { kind: 'object', obj: v };
  return undefined;
}

/** get: undefined for a missing (or null) object member; errors for bad array indices. */
function get(c: Container, key: string): unknown {
  if (c.kind === 'object') return hasOwn(c.obj, key) ? c.obj[key] : undefined;
  let idx = atoi(key);
  if (idx < 0) {
    if (idx < -c.arr.length) throw invalidIndex(idx);
    idx += c.arr.length;
  }
  if (idx >= c.arr.length) throw invalidIndex(idx);
  return c.arr[idx];
}

/** set: only used by "replace", after get has checked the key. */
function set(c: Container, key: string, val: unknown): void {
  if (c.kind === 'object') {
    c.obj[key] = val;
    return;
  }
  let idx = atoi(key);
  if (idx < 0) {
    if (idx < -c.arr.length) throw invalidIndex(idx);
    idx += c.arr.length;
  }
  c.arr[idx] = val;
}

function add(c: Container, key: string, val: unknown): void {
  if (c.kind === 'object') {
    c.obj[key] = val;
    return;
  }
  if (key === '-') {
    c.arr.push(val);
    return;
  }
  let idx: number;
  try {
    idx = atoi(key);
  } catch (e: unknown) {
    throw new OpError(`value was not a proper array index: '${key}': ${e instanceof Error ? e.message : String(e)}`);
  }
  const size = c.arr.length + 1;
  if (idx >= size) throw invalidIndex(idx);
  if (idx < 0) {
    if (idx < -size) throw invalidIndex(idx);
    idx += size;
  }
  c.arr.splice(idx, 0, val);
}

function remove(c: Container, key: string): void {
  if (c.kind === 'object') {
    if (!hasOwn(c.obj, key)) throw new OpError(`Unable to remove nonexistent key: ${key}: ${errMissing}`);
    delete c.obj[key];
    return;
  }
  let idx = atoi(key);
  if (idx >= c.arr.length) throw invalidIndex(idx);
  if (idx < 0) {
    if (idx < -c.arr.length) throw invalidIndex(idx);
    idx += c.arr.length;
  }
  c.arr.splice(idx, 1);
}

/** RFC 6901 unescaping: ~1 then ~0, in one pass as strings.NewReplacer does. */
function decodePatchKey(k: string): string {
  return k.replace(/~[01]/g, (m) => (m === '~1' ? '/' : '~'));
}

/** findObject: the container holding the path's last segment and that segment, or undefined. */
function findObject(root: unknown, path: string): { con: Container; key: string } | undefined {
  const split = path.split('/');
  if (split.length < 2) return undefined;
  let con = containerOf(root);
  if (con === undefined) return undefined;
  for (const part of split.slice(1, -1)) {
    let next: unknown;
    try {
      next = get(con, decodePatchKey(part));
    } catch {
      return undefined;
    }
    if (next === undefined || next === null) return undefined;
    con = containerOf(next);
    if (con === undefined) return undefined;
  }
  return { con, key: decodePatchKey(split[split.length - 1] ?? '') };
}

/** Operation.Path() / From(): the string member, or an OpError as Go's decoding reports it. */
function stringMember(op: Operation, name: 'path' | 'from'): string {
  const v = op[name];
  if (v === undefined || v === null) {
    throw new OpError(name === 'path' ? `operation missing path field: ${errMissing}` : `operation, missing from field: ${errMissing}`);
  }
  if (typeof v !== 'string') throw new OpError(`json: cannot unmarshal ${jsonKind(v)} into Go value of type string`);
  return v;
}

function kindOf(op: Operation): string {
  const v = op['op'];
  return typeof v === 'string' ? v : 'unknown';
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** lazyNode.equal, on decoded values: null compares like an empty object or array, as upstream's does. */
function nodeEqual(n: unknown, o: unknown): boolean {
  const nDoc = isObject(n) || n === null;
  const nAry = Array.isArray(n) || n === null;
  if (!nDoc && !nAry) {
    if (isObject(o) || Array.isArray(o) || o === null || o === undefined) return false;
    return typeof n === typeof o && n === o;
  }
  if (nDoc) {
    if (!(isObject(o) || o === null)) return false;
    const nd: JsonObject = n === null ? {} : (n as JsonObject);
    const od: JsonObject = o === null ? {} : o;
    if (Object.keys(nd).length !== Object.keys(od).length) return false;
    for (const [k, v] of Object.entries(nd)) {
      if (!hasOwn(od, k)) return false;
      const ov = od[k];
      if ((v === null) !== (ov === null)) return false;
      if (v === null) continue;
      if (!nodeEqual(v, ov)) return false;
    }
    return true;
  }
  if (!(Array.isArray(o) || o === null)) return false;
  const na = n as unknown[];
  const oa = o === null ? [] : o;
  if (na.length !== oa.length) return false;
  return na.every((v, i) => (v === null && oa[i] === null ? true : v !== null && nodeEqual(v, oa[i])));
}

/** The document being patched; replace and move may swap the root. */
interface Doc {
  root: unknown;
}

function opAdd(doc: Doc, op: Operation): void {
  let path: string;
  try {
    path = stringMember(op, 'path');
  } catch {
    throw new OpError(`add operation failed to decode path: ${errMissing}`);
  }
  const found = findObject(doc.root, path);
  if (found === undefined) throw new OpError(`add operation does not apply: doc is missing path: "${path}": ${errMissing}`);
  try {
    add(found.con, found.key, hasOwn(op, 'value') ? deepCopy(op['value']) : null);
  } catch (e: unknown) {
    throw new OpError(`error in add for path: '${path}': ${messageOf(e)}`);
  }
}

function opRemove(doc: Doc, op: Operation): void {
  let path: string;
  try {
    path = stringMember(op, 'path');
  } catch {
    throw new OpError(`remove operation failed to decode path: ${errMissing}`);
  }
  const found = findObject(doc.root, path);
  if (found === undefined) throw new OpError(`remove operation does not apply: doc is missing path: "${path}": ${errMissing}`);
  try {
    remove(found.con, found.key);
  } catch (e: unknown) {
    throw new OpError(`error in remove for path: '${path}': ${messageOf(e)}`);
  }
}

function opReplace(doc: Doc, op: Operation): void {
  let path: string;
  try {
    path = stringMember(op, 'path');
  } catch (e: unknown) {
    throw new OpError(`replace operation failed to decode path: ${messageOf(e)}`);
  }
  if (path === '') {
    const val = op['value'];
    if (!isObject(val) && !Array.isArray(val)) throw new OpError('replace operation value must be object or array: %!w(<nil>)');
    doc.root = deepCopy(val);
    return;
  }
  const found = findObject(doc.root, path);
  if (found === undefined) throw new OpError(`replace operation does not apply: doc is missing path: ${path}: ${errMissing}`);
  try {
    get(found.con, found.key);
  } catch {
    throw new OpError(`replace operation does not apply: doc is missing key: ${path}: ${errMissing}`);
  }
  try {
    set(found.con, found.key, hasOwn(op, 'value') ? deepCopy(op['value']) : null);
  } catch (e: unknown) {
    throw new OpError(`error in remove for path: '${path}': ${messageOf(e)}`);
  }
}

function opMove(doc: Doc, op: Operation): void {
  let from: string;
  try {
    from = stringMember(op, 'from');
  } catch (e: unknown) {
    throw new OpError(`move operation failed to decode from: ${messageOf(e)}`);
  }
  const src = findObject(doc.root, from);
  if (src === undefined) throw new OpError(`move operation does not apply: doc is missing from path: ${from}: ${errMissing}`);
  let val: unknown;
  try {
    val = get(src.con, src.key);
    remove(src.con, src.key);
  } catch (e: unknown) {
    throw new OpError(`error in move for path: '${src.key}': ${messageOf(e)}`);
  }
  let path: string;
  try {
    path = stringMember(op, 'path');
  } catch (e: unknown) {
    throw new OpError(`move operation failed to decode path: ${messageOf(e)}`);
  }
  const dst = findObject(doc.root, path);
  if (dst === undefined) throw new OpError(`move operation does not apply: doc is missing destination path: ${path}: ${errMissing}`);
  try {
    add(dst.con, dst.key, val === undefined ? null : val);
  } catch (e: unknown) {
    throw new OpError(`error in move for path: '${path}': ${messageOf(e)}`);
  }
}

function opTest(doc: Doc, op: Operation): void {
  let path: string;
  try {
    path = stringMember(op, 'path');
  } catch (e: unknown) {
    throw new OpError(`test operation failed to decode path: ${messageOf(e)}`);
  }
  const failed = (): OpError => new OpError(`testing value ${path} failed: ${errTestFailed}`);
  if (path === '') {
    if (!hasOwn(op, 'value') || !nodeEqual(doc.root, op['value'])) throw failed();
    return;
  }
  const found = findObject(doc.root, path);
  if (found === undefined) throw new OpError(`test operation does not apply: is missing path: ${path}: ${errMissing}`);
  let val: unknown;
  try {
    val = get(found.con, found.key);
  } catch (e: unknown) {
    throw new OpError(`error in test for path: '${path}': ${messageOf(e)}`);
  }
  if (val === undefined || val === null) {
    if (!hasOwn(op, 'value') || op['value'] === null) return;
    throw failed();
  }
  if (!hasOwn(op, 'value')) throw failed();
  if (!nodeEqual(val, op['value'])) throw failed();
}

function opCopy(doc: Doc, op: Operation): void {
  let from: string;
  try {
    from = stringMember(op, 'from');
  } catch (e: unknown) {
    throw new OpError(`copy operation failed to decode from: ${messageOf(e)}`);
  }
  const src = findObject(doc.root, from);
  if (src === undefined) throw new OpError(`copy operation does not apply: doc is missing from path: ${from}: ${errMissing}`);
  let val: unknown;
  try {
    val = get(src.con, src.key);
  } catch (e: unknown) {
    throw new OpError(`error in copy for from: '${from}': ${messageOf(e)}`);
  }
  let path: string;
  try {
    path = stringMember(op, 'path');
  } catch {
    throw new OpError(`copy operation failed to decode path: ${errMissing}`);
  }
  const dst = findObject(doc.root, path);
  if (dst === undefined) throw new OpError(`copy operation does not apply: doc is missing destination path: ${path}: ${errMissing}`);
  try {
    add(dst.con, dst.key, val === undefined ? null : deepCopy(val));
  } catch (e: unknown) {
    throw new OpError(`error while adding value during copy: ${messageOf(e)}`);
  }
}

/**
 * Applies a JSON patch (the decoded request body) to a copy of `doc` and returns the result.
 * Throws JsonPatchError: 400 for a body that is not a list of operations, 413 beyond 10000
 * operations, 422 when an operation fails (`detail` says which and why).
 */
export function applyJsonPatch(doc: unknown, patch: unknown): unknown {
  const ops = decodeJsonPatch(patch);
  if (ops.length > maxJsonPatchOperations) {
    const m = `The allowed maximum operations in a JSON patch is ${maxJsonPatchOperations}, got ${ops.length}`;
    throw new JsonPatchError(413, 'RequestEntityTooLarge', `Request entity too large: ${m}`, m);
  }
  const d: Doc = { root: deepCopy(doc) };
  for (const op of ops) {
    try {
      const kind = kindOf(op);
      switch (kind) {
        case 'add':
          opAdd(d, op);
          break;
        case 'remove':
          opRemove(d, op);
          break;
        case 'replace':
          opReplace(d, op);
          break;
        case 'move':
          opMove(d, op);
          break;
        case 'test':
          opTest(d, op);
          break;
        case 'copy':
          opCopy(d, op);
          break;
        default:
          throw new OpError(`Unexpected kind: ${kind}`);
      }
    } catch (e: unknown) {
      if (e instanceof OpError) throw applyFailed(e.message);
      throw e;
    }
  }
  return d.root;
}
