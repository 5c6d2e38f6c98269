// The downwardAPI plugin's CollectData: fieldRef (metadata.name, namespace, uid, labels, annotations, one label or
// annotation by subscript) through fieldpath.ExtractFieldPathAsString, maps in FormatMap's sorted `key="value"` lines
// with Go's %q quoting, and resourceFieldRef through ExtractResourceValueByContainerNameAndNodeAllocatable (limits
// default to the node's allocatable, values divided by the divisor and rounded up).
import { normalize } from 'node:path';
import type { Container, DownwardAPIVolumeFile, Pod, ResourceFieldSelector } from 'kubernetes-types/core/v1.js';
import { parseQuantity } from '../../machinery/quantity.js';
import type { FileProjection } from './atomic-writer.js';

/** Resource names to quantities, as a ResourceList. */
export type ResourceList = Record<string, string>;

const printable = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** Go's strconv.Quote (what %q prints for a string). */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') {
      out += `\\${ch}`;
    } else if (cp >= 0xd800 && cp <= 0xdfff) {
      out += '\ufffd';
    } else if (printable.test(ch)) {
      out += ch;
    } else if (ch === '\x07') out += '\\a';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\v') out += '\\v';
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}

/** fieldpath.FormatMap: `key="value"` lines sorted by key, no trailing newline. */
export function formatMap(m: Readonly<Record<string, string>> | undefined): string {
  const keys = Object.keys(m ?? {}).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return keys.map((k) => `${k}=${goQuote(m?.[k] ?? '')}`).join('\n');
}

// IsQualifiedName, for the subscript of metadata.labels['x'] and metadata.annotations['x'].
const qualifiedNameFmt = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
function qualifiedNameErrors(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name = value;
  if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    name = parts[1] ?? '';
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else if (prefix.length > 253) errs.push('prefix part must be no more than 253 characters');
    else if (!dns1123Subdomain.test(prefix)) {
      errs.push("prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
    }
  } else if (parts.length > 2) {
    return ["a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push('name part must be no more than 63 characters');
  if (name.length > 0 && !qualifiedNameFmt.test(name)) {
    errs.push("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')");
  }
  return errs;
}

/** fieldpath.ExtractFieldPathAsString for a pod. */
export function extractFieldPathAsString(pod: Pod, fieldPath: string): string {
  const m = pod.metadata ?? {};
  const sub = /^(.+)\['(.*)'\]$/.exec(fieldPath);
  if (sub !== null) {
    const path = sub[1] ?? '';
    const subscript = sub[2] ?? '';
    if (path === 'metadata.annotations' || path === 'metadata.labels') {
      const errs = qualifiedNameErrors(subscript.toLowerCase());
      if (errs.length > 0) throw new Error(`invalid key subscript in ${fieldPath}: ${errs.join(';')}`);
      return (path === 'metadata.annotations' ? m.annotations : m.labels)?.[subscript] ?? '';
    }
    throw new Error(`fieldPath ${JSON.stringify(fieldPath)} does not support subscript`);
  }
  switch (fieldPath) {
    case 'metadata.annotations':
      return formatMap(m.annotations);
    case 'metadata.labels':
      return formatMap(m.labels);
    case 'metadata.name':
      return m.name ?? '';
    case 'metadata.namespace':
      return m.namespace ?? '';
    case 'metadata.uid':
      return m.uid ?? '';
    default:
      throw new Error(`unsupported fieldPath: ${fieldPath}`);
  }
}

function findContainer(pod: Pod, name: string): Container {
  const c = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((x) => x.name === name);
  if (c === undefined) throw new Error(`container ${name} not found`);
  return c;
}

function quantityOf(v: string | number | undefined): ReturnType<typeof parseQuantity> {
  return parseQuantity(v === undefined ? '0' : String(v));
}

/** The value of a resourceFieldRef for a container whose unset limits are the node's allocatable. */
export function extractResourceValue(fs: ResourceFieldSelector, pod: Pod, nodeAllocatable: ResourceList): string {
  const container = findContainer(pod, fs.containerName ?? '');
  const limits: Record<string, string | number> = { ...(container.resources?.limits ?? {}) };
  for (const r of ['cpu', 'memory', 'ephemeral-storage']) {
    const alloc = nodeAllocatable[r];
    if (limits[r] === undefined && alloc !== undefined) limits[r] = alloc;
  }
  const requests = container.resources?.requests ?? {};
  const divisorQ = fs.divisor === undefined || quantityOf(fs.divisor).isZero() ? parseQuantity('1') : quantityOf(fs.divisor);
  const [kind, resource] = fs.resource.split('.', 2) as [string, string | undefined];
  const list = kind === 'limits' ? limits : kind === 'requests' ? requests : undefined;
  if (list === undefined || resource === undefined) throw new Error(`unsupported container resource : ${fs.resource}`);
  const q = quantityOf(list[resource]);
  if (resource === 'cpu') return String(Math.ceil(Number(q.milliValue()) / Number(divisorQ.milliValue())));
  if (resource === 'memory' || resource === 'ephemeral-storage' || resource.startsWith('hugepages-')) {
    return String(Math.ceil(Number(q.value()) / Number(divisorQ.value())));
  }
  throw new Error(`unsupported container resource : ${fs.resource}`);
}

/** Upstream's utilerrors.NewAggregate message: one error as itself, several as `[a, b]`. */
export function aggregateMessage(errs: readonly string[]): string {
  return errs.length === 1 ? (errs[0] ?? '') : `[${errs.join(', ')}]`;
}

/** CollectData: every item's file, or the aggregate of the items that failed. */
export function downwardApiPayload(items: readonly DownwardAPIVolumeFile[] | undefined, pod: Pod, defaultMode: number, nodeAllocatable: ResourceList): Map<string, FileProjection> {
  const errs: string[] = [];
  const payload = new Map<string, FileProjection>();
  for (const item of items ?? []) {
    const mode = item.mode ?? defaultMode;
    let data = Buffer.alloc(0);
    try {
      if (item.fieldRef !== undefined) data = Buffer.from(extractFieldPathAsString(pod, item.fieldRef.fieldPath), 'utf8');
      else if (item.resourceFieldRef !== undefined) data = Buffer.from(extractResourceValue(item.resourceFieldRef, pod, nodeAllocatable), 'utf8');
    } catch (e: unknown) {
      errs.push(e instanceof Error ? e.message : String(e));
    }
    payload.set(normalize(item.path), { data, mode });
  }
  if (errs.length > 0) throw new Error(aggregateMessage(errs));
  return payload;
}
