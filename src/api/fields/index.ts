// Field selectors: the fields each kind offers (upstream's per-kind GetAttrs / *ToSelectableFields) and the labels
// each served version accepts (the field label conversion funcs registered per group version, v1.32).
import type { StoredObject } from '../object.js';
import { isRecord } from '../object.js';
import { storageResourceOf, type ResourceInfo } from '../resources.js';

/** strconv.Quote as Go's %q prints an ASCII label. */
function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

interface LabelConversion {
  /** Accepted label → the field it selects on. */
  readonly accepted: ReadonlyMap<string, string>;
  readonly error: (label: string) => string;
}

const notSupported = (label: string): string => `field label not supported: ${label}`;

function same(labels: readonly string[], aliases: readonly (readonly [string, string])[] = []): ReadonlyMap<string, string> {
  return new Map<string, string>([...labels.map((l): [string, string] => [l, l]), ...aliases]);
}

/** runtime.DefaultMetaV1FieldSelectorConversion, used for every kind without its own conversion func. */
const defaultConversion: LabelConversion = {
  accepted: same(['metadata.name', 'metadata.namespace']),
  error: (label) => `${goQuote(label)} is not a known field selector: only "metadata.name", "metadata.namespace"`,
};

const coreEventLabels = [
  'involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid', 'involvedObject.apiVersion',
  'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason', 'reportingComponent', 'source', 'type',
  'metadata.namespace', 'metadata.name',
];

/** Conversion funcs keyed by served group/version/kind. */
const conversions: ReadonlyMap<string, LabelConversion> = new Map<string, LabelConversion>([
  ['/v1/Pod', {
    accepted: same(
      ['metadata.name', 'metadata.namespace', 'spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName',
        'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.podIPs', 'status.nominatedNodeName'],
      // For backwards compatibility with old v1 clients which send spec.host.
      [['spec.host', 'spec.nodeName']],
    ),
    error: notSupported,
  }],
  ['/v1/Node', { accepted: same(['metadata.name', 'spec.unschedulable']), error: notSupported }],
  ['/v1/ReplicationController', { accepted: same(['metadata.name', 'metadata.namespace', 'status.replicas']), error: notSupported }],
  ['/v1/Event', { accepted: same(coreEventLabels), error: notSupported }],
  ['/v1/Namespace', { accepted: same(['status.phase', 'metadata.name']), error: notSupported }],
  ['/v1/Secret', { accepted: same(['type', 'metadata.namespace', 'metadata.name']), error: notSupported }],
  ['/v1/Service', { accepted: same(['metadata.namespace', 'metadata.name', 'spec.clusterIP', 'spec.type']), error: notSupported }],
  ['batch/v1/Job', {
    accepted: same(['metadata.name', 'metadata.namespace', 'status.successful']),
    error: (label) => `field label ${goQuote(label)} not supported for batchv1.Job`,
  }],
  ['events.k8s.io/v1/Event', {
    accepted: new Map<string, string>([
      ['reason', 'reason'],
      ['regarding.kind', 'involvedObject.kind'],
      ['regarding.namespace', 'involvedObject.namespace'],
      ['regarding.name', 'involvedObject.name'],
      ['regarding.uid', 'involvedObject.uid'],
      ['regarding.apiVersion', 'involvedObject.apiVersion'],
      ['regarding.resourceVersion', 'involvedObject.resourceVersion'],
      ['regarding.fieldPath', 'involvedObject.fieldPath'],
      ['reportingController', 'reportingComponent'],
      ['source', 'source'],
      ['type', 'type'],
      ['metadata.namespace', 'metadata.namespace'],
      ['metadata.name', 'metadata.name'],
    ]),
    error: notSupported,
  }],
]);

function conversionOf(r: ResourceInfo): LabelConversion {
  return conversions.get(`${r.group}/${r.version}/${r.kind}`) ?? defaultConversion;
}

/** Field labels accepted in selectors for r (as served); any other gets fieldLabelError(label, r). */
export function supportedFieldLabels(r: ResourceInfo): readonly string[] {
  return [...conversionOf(r).accepted.keys()];
}

/**
 * The field a selector label of r selects on (events.k8s.io "regarding.name" → "involvedObject.name", pod "spec.host"
 * → "spec.nodeName"), or undefined when r does not accept the label.
 */
export function normalizeFieldLabel(r: ResourceInfo, label: string): string | undefined {
  return conversionOf(r).accepted.get(label);
}

/**
 * Upstream's message for an unsupported field label. The apiserver answers 400 BadRequest with it as the Status message
 * (kubectl adds its own `Unable to find ... that match label selector ...:` prefix client side). Without r, the core
 * kinds' form `field label not supported: X` is returned.
 */
export function fieldLabelError(label: string, r?: ResourceInfo): string {
  return r ? conversionOf(r).error(label) : notSupported(label);
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const rec = (v: unknown): Record<string, unknown> => (isRecord(v) ? v : {});
const int = (v: unknown): string => String(typeof v === 'number' ? Math.trunc(v) : 0);

/** The field labels an object of r offers to field selectors (metadata.name, metadata.namespace, and per kind more). */
export function fieldLabels(r: ResourceInfo, obj: StoredObject): Record<string, string> {
  const s = storageResourceOf(r);
  const out: Record<string, string> = { 'metadata.name': obj.metadata.name ?? '' };
  if (s.namespaced) out['metadata.namespace'] = obj.metadata.namespace ?? '';
  const spec = rec(obj['spec']);
  const status = rec(obj['status']);
  switch (`${s.group}/${s.kind}`) {
    case '/Pod': {
      out['spec.nodeName'] = str(spec['nodeName']);
      out['spec.restartPolicy'] = str(spec['restartPolicy']);
      out['spec.schedulerName'] = str(spec['schedulerName']);
      out['spec.serviceAccountName'] = str(spec['serviceAccountName']);
      out['spec.hostNetwork'] = spec['hostNetwork'] === true ? 'true' : 'false';
      out['status.phase'] = str(status['phase']);
      // The v1 → internal conversion makes status.podIP authoritative over podIPs[0].
      const podIPs = Array.isArray(status['podIPs']) ? status['podIPs'] : [];
      out['status.podIP'] = str(status['podIP']) || str(rec(podIPs[0])['ip']);
      out['status.nominatedNodeName'] = str(status['nominatedNodeName']);
      break;
    }
    case '/Node':
      out['spec.unschedulable'] = spec['unschedulable'] === true ? 'true' : 'false';
      break;
    case '/ReplicationController':
    case 'apps/ReplicaSet':
      out['status.replicas'] = int(status['replicas']);
      break;
    case '/Event': {
      const involved = rec(obj['involvedObject']);
      const source = rec(obj['source']);
      out['involvedObject.kind'] = str(involved['kind']);
      out['involvedObject.namespace'] = str(involved['namespace']);
      out['involvedObject.name'] = str(involved['name']);
      out['involvedObject.uid'] = str(involved['uid']);
      out['involvedObject.apiVersion'] = str(involved['apiVersion']);
      out['involvedObject.resourceVersion'] = str(involved['resourceVersion']);
      out['involvedObject.fieldPath'] = str(involved['fieldPath']);
      out['reason'] = str(obj['reason']);
      out['reportingComponent'] = str(obj['reportingComponent']);
      out['source'] = str(source['component']) || str(obj['reportingComponent']);
      out['type'] = str(obj['type']);
      break;
    }
    case '/Namespace':
      out['status.phase'] = str(status['phase']);
      // "This is a bug, but we need to support it for backward compatibility."
      out['name'] = obj.metadata.name ?? '';
      break;
    case '/PersistentVolume':
    case '/PersistentVolumeClaim':
      out['name'] = obj.metadata.name ?? '';
      break;
    case '/Secret':
      out['type'] = str(obj['type']);
      break;
    case '/Service':
      out['spec.clusterIP'] = str(spec['clusterIP']);
      out['spec.type'] = str(spec['type']);
      break;
    case 'batch/Job':
      out['status.successful'] = int(status['succeeded']);
      break;
    default:
      break;
  }
  return out;
}
