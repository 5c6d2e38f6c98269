// Decoding request bodies as upstream does: JSON or YAML by Content-Type, apiVersion/kind defaulted from the
// URL and checked against it, a depth limit, and field validation (Strict / Warn / Ignore).
import { parse as yamlParse, parseDocument } from 'yaml';
import { pruneUnknown, typeErrorFor, unknownFields } from '../../api/openapi/index.js';
import { apiVersionOf, isRecord, parseApiVersion, type KubeObject } from '../../api/object.js';
import { findByKind, type ResourceInfo } from '../../api/resources.js';
import { ApiError } from '../../machinery/errors.js';
import { decodeKubernetesProtobuf, kubernetesProtobufContentType } from '../../api/protobuf/index.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export function fieldValidationOf(query: URLSearchParams): FieldValidation {
  const v = query.get('fieldValidation');
  if (v === null || v === '') return 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw ApiError.badRequest(`fieldValidation parameter unsupported: ${v}, (valid values are Ignore, Warn, Strict)`);
}

const maxDepth = 1000;

/**
 * Checks the nesting depth of a JSON text, brackets inside strings excluded (before parsing, as Go's decoder does while
 * reading), and counts its object keys: the colons outside strings. Returns the count, or -1 when too deep.
 */
function jsonKeysWithinDepth(text: string): number {
  let depth = 0;
  let keys = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 58) keys++;
    else if (c === 123 || c === 91) {
      if (++depth > maxDepth) return -1;
    } else if (c === 125 || c === 93) depth--;
  }
  return keys;
}

/** The number of object keys in a parsed value, or -1 when it nests deeper than maxDepth. */
function keysWithinDepth(v: unknown, depth: number): number {
  if (depth > maxDepth) return -1;
  let n = 0;
  if (Array.isArray(v)) {
    for (const x of v) {
      const k = keysWithinDepth(x, depth + 1);
      if (k < 0) return -1;
      n += k;
    }
  } else if (isRecord(v)) {
    for (const key in v) {
      const k = keysWithinDepth(v[key], depth + 1);
      if (k < 0) return -1;
      n += k + 1;
    }
  }
  return n;
}

/** Duplicate keys in a JSON text, as upstream's strict decoder reports them (`json: duplicate field "x"`). */
function duplicateFields(text: string): string[] {
  const dups: string[] = [];
  const stack: Set<string>[] = [];
  const re = /"((?:[^"\\]|\\.)*)"\s*(:)?|[{}[\]]/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const t = m[0];
    if (t === '{') stack.push(new Set());
    else if (t === '}') stack.pop();
    else if (t === '[' || t === ']') continue;
    else if (m[2] === ':') {
      const top = stack[stack.length - 1];
      const key = m[1] ?? '';
      if (top !== undefined) {
        if (top.has(key)) dups.push(`duplicate field "${key}"`);
        top.add(key);
      }
    }
  }
  return dups;
}

/** Versions each group registers in upstream's scheme (served or not), which decode before the version check. */
const schemeVersions: Readonly<Record<string, readonly string[]>> = {
  '': ['v1'],
  apps: ['v1', 'v1beta1', 'v1beta2'],
  batch: ['v1', 'v1beta1'],
  autoscaling: ['v1', 'v2', 'v2beta1', 'v2beta2'],
  extensions: ['v1beta1'],
  'networking.k8s.io': ['v1', 'v1beta1'],
  policy: ['v1', 'v1beta1'],
  'rbac.authorization.k8s.io': ['v1', 'v1beta1', 'v1alpha1'],
  'storage.k8s.io': ['v1', 'v1beta1', 'v1alpha1'],
  'events.k8s.io': ['v1', 'v1beta1'],
  'coordination.k8s.io': ['v1', 'v1beta1', 'v1alpha2'],
  'discovery.k8s.io': ['v1', 'v1beta1'],
  'scheduling.k8s.io': ['v1', 'v1beta1', 'v1alpha1'],
};

/** A body that is not JSON at all; decodeObject words it as upstream's transformDecodeError does. */
export class BodyParseError extends ApiError {
  constructor(readonly reason0: string) {
    super(400, 'BadRequest', reason0);
  }
}

/** upstream's summarizeData: the start of the body as text (JSON) or hex. */
function summarize(body: Buffer): string {
  if (body.length === 0) return '<empty>';
  const max = 30;
  if (body[0] === 0x7b) return body.length > max ? `${body.subarray(0, max).toString('utf8')} ...` : body.toString('utf8');
  return body.length > max ? `${body.subarray(0, max).toString('hex')} ...` : body.toString('hex');
}

function unrecognized(kind: string, why: string, body: Buffer): ApiError {
  return ApiError.badRequest(`the object provided is unrecognized (must be of type ${kind}): ${why} (${summarize(body)})`);
}

/** Go's base64.StdEncoding error for a []byte field, or undefined when the text decodes. */
export function base64Error(s: string): string | undefined {
  const bad = s.search(/[^A-Za-z0-9+/=]/);
  if (bad >= 0) return `illegal base64 data at input byte ${bad}`;
  const pad = s.indexOf('=');
  if (pad >= 0 && (!/^=={0,1}$/.test(s.slice(pad)) || s.length % 4 !== 0)) return `illegal base64 data at input byte ${pad}`;
  if (s.length % 4 !== 0) return `illegal base64 data at input byte ${s.length - (s.length % 4)}`;
  return undefined;
}

/** Parses a body by content type; throws upstream-style 400/415 errors. */
export function parseBody(body: Buffer, contentType: string | undefined, accepted: readonly string[]): { value: unknown; duplicates: string[] } {
  const ct = (contentType ?? 'application/json').split(';')[0]?.trim().toLowerCase() ?? '';
  const text = body.toString('utf8');
  let value: unknown;
  let duplicates: string[] = [];
  let parsedKeys = -1;
  if (ct === 'application/json' || ct === '' || ct === 'application/merge-patch+json' || ct === 'application/strategic-merge-patch+json' || ct === 'application/json-patch+json') {
    const textKeys = jsonKeysWithinDepth(text);
    if (textKeys < 0) throw ApiError.badRequest('json: exceeded max depth');
    try {
      value = JSON.parse(text);
    } catch (e: unknown) {
      const msg = e instanceof Error ? e.message : String(e);
      throw new BodyParseError(`couldn't get version/kind; json parse error: ${msg.charAt(0).toLowerCase()}${msg.slice(1)}`);
    }
    // A key given twice is parsed once: only a text with more keys than its value holds has duplicates to name.
    parsedKeys = keysWithinDepth(value, 0);
    if (parsedKeys >= 0 && parsedKeys !== textKeys && text.length < 1_000_000) duplicates = duplicateFields(text);
  } else if (ct === kubernetesProtobufContentType && !accepted.some((a) => a.includes('patch'))) {
    // Typed clients (kubectl create configmap|secret|namespace|deployment …) send Kubernetes protobuf.
    try {
      value = decodeKubernetesProtobuf(body).object;
    } catch (e: unknown) {
      throw ApiError.badRequest(e instanceof Error ? e.message : String(e));
    }
  } else if (ct === 'application/yaml' || ct === 'application/apply-patch+yaml') {
    try {
      const doc = parseDocument(text, { uniqueKeys: true });
      if (doc.errors.length > 0) throw doc.errors[0];
      value = yamlParse(text);
    } catch (e: unknown) {
      throw ApiError.badRequest(`error converting YAML to JSON: yaml: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    }
  } else {
    throw ApiError.unsupportedMediaType(accepted);
  }
  if (parsedKeys < 0 && keysWithinDepth(value, 0) < 0) throw ApiError.badRequest('json: exceeded max depth');
  return { value, duplicates };
}

/**
 * An object body for create/update: apiVersion and kind default to the URL's, must match them, and unknown
 * fields are handled per fieldValidation. Returns the object and the warnings to send.
 */
export function decodeObject(
  body: Buffer,
  contentType: string | undefined,
  r: ResourceInfo,
  fieldValidation: FieldValidation,
  expectKind: { group: string; version: string; kind: string } = r,
): { obj: KubeObject; warnings: string[] } {
  let parsed: { value: unknown; duplicates: string[] };
  try {
    parsed = parseBody(body, contentType, ['application/json', 'application/yaml']);
  } catch (e: unknown) {
    if (e instanceof BodyParseError) throw unrecognized(expectKind.kind, e.reason0, body);
    throw e;
  }
  if (!isRecord(parsed.value)) {
    const t = Array.isArray(parsed.value) ? 'array' : parsed.value === null ? 'null' : typeof parsed.value === 'boolean' ? 'bool' : typeof parsed.value;
    throw unrecognized(expectKind.kind, `couldn't get version/kind; json parse error: json: cannot unmarshal ${t} into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }`, body);
  }
  return checkObject(parsed.value, parsed.duplicates, r, fieldValidation, expectKind);
}

/**
 * True when a JSON merge patch document (RFC 7386) carries no mistyped value and no unknown field for r. Applied to
 * a stored object, which has neither, such a patch cannot produce one: every value of the result comes either from
 * the stored object or from the patch, so the schema walks of checkObject can be skipped for the result.
 */
export function mergePatchIsClean(patch: Record<string, unknown>, r: ResourceInfo): boolean {
  if (r.group === '' && r.kind === 'Secret') return false;
  return typeErrorFor(patch, r) === undefined && unknownFields(patch, r).length === 0;
}

/** Whether a strategic merge patch holds a directive ($patch, $retainKeys, $setElementOrder/…, $deleteFromPrimitiveList/…). */
function hasPatchDirective(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(hasPatchDirective);
  if (!isRecord(v)) return false;
  for (const key in v) if (key.startsWith('$') || hasPatchDirective(v[key])) return true;
  return false;
}

/**
 * mergePatchIsClean for a strategic merge patch: one without directives also makes its result only of values from the
 * stored object and from the patch (lists merged by key merge the same values), so a clean one cannot add an unknown
 * field or a mistyped value either. (The kubelet's status patches are of this kind.)
 */
export function strategicMergePatchIsClean(patch: Record<string, unknown>, r: ResourceInfo): boolean {
  return !hasPatchDirective(patch) && mergePatchIsClean(patch, r);
}

/**
 * The checks of decodeObject on an already parsed value (e.g. the result of applying a patch). `knownClean` says that
 * the value is known to fit r's schema (see mergePatchIsClean): only the apiVersion, kind and metadata checks run.
 */
export function checkObject(
  value: unknown,
  duplicates: readonly string[],
  r: ResourceInfo,
  fieldValidation: FieldValidation,
  expectKind: { group: string; version: string; kind: string } = r,
  knownClean = false,
): { obj: KubeObject; warnings: string[] } {
  if (!isRecord(value)) {
    throw ApiError.badRequest(`couldn't get version/kind; json parse error: json: cannot unmarshal ${Array.isArray(value) ? 'array' : typeof value} into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }`);
  }
  const obj = value as KubeObject;
  const wantGV = apiVersionOf(expectKind.group, expectKind.version);
  if (obj.apiVersion === undefined || obj.apiVersion === '') obj.apiVersion = wantGV;
  if (obj.kind === undefined || obj.kind === '') obj.kind = expectKind.kind;
  if (typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') {
    throw ApiError.badRequest(`couldn't get version/kind; json parse error: json: cannot unmarshal non-string into Go struct field .apiVersion of type string`);
  }
  const gv = parseApiVersion(obj.apiVersion);
  if (obj.kind !== expectKind.kind || obj.apiVersion !== wantGV) {
    // Another registered version of the URL's group decodes and then fails the group-version check; anything else
    // fails to decode into the URL's kind.
    const registered = (schemeVersions[gv.group] ?? []).includes(gv.version);
    if (registered && gv.group === expectKind.group && obj.kind === expectKind.kind) {
      throw ApiError.badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${wantGV})`);
    }
    const why =
      registered && findByKind(gv.group, gv.version, obj.kind) !== undefined
        ? `converting (${gv.version}.${obj.kind}) to (${expectKind.group === '' ? 'core' : expectKind.group.split('.')[0]}.${expectKind.kind}): unknown conversion`
        : `no kind "${obj.kind}" is registered for version "${obj.apiVersion}" in scheme "pkg/api/legacyscheme/scheme.go:30"`;
    throw ApiError.badRequest(`${obj.kind} in version "${gv.version}" cannot be handled as a ${expectKind.kind}: ${why}`);
  }
  if (obj.metadata !== undefined && !isRecord(obj.metadata)) {
    throw ApiError.badRequest(`${expectKind.kind} in version "${expectKind.version}" cannot be handled as a ${expectKind.kind}: json: cannot unmarshal ${Array.isArray(obj.metadata) ? 'array' : typeof obj.metadata} into Go struct field ${expectKind.kind}.metadata of type v1.ObjectMeta`);
  }
  const cannotHandle = (why: string): ApiError => ApiError.badRequest(`${expectKind.kind} in version "${expectKind.version}" cannot be handled as a ${expectKind.kind}: ${why}`);
  // Go decodes into typed structs: a value of the wrong JSON type is a 400 before anything else looks at it.
  if (expectKind.kind === r.kind && expectKind.group === r.group && !knownClean) {
    const typeError = typeErrorFor(obj, r);
    if (typeError !== undefined) throw cannotHandle(typeError);
    if (r.group === '' && r.kind === 'Secret' && isRecord(obj['data'])) {
      for (const v of Object.values(obj['data'])) {
        const bad = typeof v === 'string' ? base64Error(v) : undefined;
        if (bad !== undefined) throw cannotHandle(bad);
      }
    }
  }
  obj.metadata ??= {};
  const warnings: string[] = [];
  // Unknown fields are never stored (upstream decodes into typed structs, which have no place for them); the same
  // walk reports them for fieldValidation.
  const unknown = expectKind.kind === r.kind && expectKind.group === r.group && !knownClean ? pruneUnknown(obj, r) : [];
  if (fieldValidation !== 'Ignore') {
    const problems = [...duplicates, ...unknown.map((p) => `unknown field "${p}"`)];
    if (problems.length > 0) {
      if (fieldValidation === 'Strict') {
        throw ApiError.badRequest(`${expectKind.kind} in version "${expectKind.version}" cannot be handled as a ${expectKind.kind}: strict decoding error: ${problems.join(', ')}`);
      }
      warnings.push(...problems);
    }
  }
  return { obj, warnings };
}
