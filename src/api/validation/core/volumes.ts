// Pod volumes after ValidateVolumes/validateVolumeSource of pkg/apis/core/validation:
// exactly one source per volume, names unique DNS labels, the required fields of each source.
import type { KeyToPath, PersistentVolumeClaimSpec, Volume } from 'kubernetes-types/core/v1.js';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import { type FieldError, type FieldPath, fieldError } from '../../../machinery/field-errors.js';
import { validateAnnotations, validateLabels } from '../object-meta.js';
import { inclusiveRangeError, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, validateNameDNSSubdomain } from '../names.js';
import { quantityAt } from './resource-names.js';

export const fileModeErrorMsg = 'must be a number between 0 and 0777 (octal), both inclusive';

export interface VolumeValidationOptions {
  allowNonLocalProjectedTokenPath?: boolean;
  resourceIsPod?: boolean;
  /** Validates an embedded PVC spec (ephemeral volumes); provided by the PVC validation to avoid a cycle. */
  validateClaimSpec?: (spec: PersistentVolumeClaimSpec | undefined, path: FieldPath) => FieldError[];
}

export function validateDNS1123Label(value: string, path: FieldPath): FieldError[] {
  return isDNS1123Label(value).map((m) => fieldError.invalid(path, value, m));
}

export function validateDNS1123Subdomain(value: string, path: FieldPath): FieldError[] {
  return isDNS1123Subdomain(value).map((m) => fieldError.invalid(path, value, m));
}

function isAbs(p: string): boolean {
  return p.startsWith('/');
}

export function validatePathNoBacksteps(target: string, path: FieldPath): FieldError[] {
  return target.replaceAll('\\', '/').split('/').includes('..') ? [fieldError.invalid(path, target, "must not contain '..'")] : [];
}

export function validateLocalDescendingPath(target: string, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (isAbs(target)) errs.push(fieldError.invalid(path, target, 'must be a relative path'));
  errs.push(...validatePathNoBacksteps(target, path));
  return errs;
}

export function validateLocalNonReservedPath(target: string, path: FieldPath): FieldError[] {
  const errs = validateLocalDescendingPath(target, path);
  if (target.startsWith('..') && !target.startsWith('../')) errs.push(fieldError.invalid(path, target, "must not start with '..'"));
  return errs;
}

function validateMode(mode: number | undefined, path: FieldPath): FieldError[] {
  return mode !== undefined && (mode > 0o777 || mode < 0) ? [fieldError.invalid(path, mode, fileModeErrorMsg)] : [];
}

function validateKeyToPath(kp: KeyToPath, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if ((kp.key ?? '') === '') errs.push(fieldError.required(path.child('key')));
  if ((kp.path ?? '') === '') errs.push(fieldError.required(path.child('path')));
  errs.push(...validateLocalNonReservedPath(kp.path ?? '', path.child('path')));
  errs.push(...validateMode(kp.mode, path.child('mode')));
  return errs;
}

const supportedHostPathTypes = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];

export function validateHostPathVolumeSource(hp: { path?: string; type?: string }, path: FieldPath): FieldError[] {
  if ((hp.path ?? '') === '') return [fieldError.required(path.child('path'))];
  const errs = validatePathNoBacksteps(hp.path ?? '', path.child('path'));
  if (hp.type !== undefined && !supportedHostPathTypes.includes(hp.type)) {
    errs.push(fieldError.notSupported(path.child('type'), hp.type, supportedHostPathTypes));
  }
  return errs;
}

function required(obj: Record<string, unknown>, fields: readonly string[], path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of fields) {
    const v = obj[f];
    if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)) errs.push(fieldError.required(path.child(f)));
  }
  return errs;
}

const validEnvDownwardVolumePaths = ['metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid'];

function validateDownwardAPIFile(
  file: { path?: string; fieldRef?: { apiVersion?: string; fieldPath?: string }; resourceFieldRef?: { containerName?: string; resource?: string; divisor?: unknown }; mode?: number },
  path: FieldPath,
): FieldError[] {
  const errs: FieldError[] = [];
  if ((file.path ?? '') === '') errs.push(fieldError.required(path.child('path')));
  errs.push(...validateLocalNonReservedPath(file.path ?? '', path.child('path')));
  if (file.fieldRef !== undefined) {
    errs.push(...validateObjectFieldSelector(file.fieldRef, validEnvDownwardVolumePaths, path.child('fieldRef')));
    if (file.resourceFieldRef !== undefined) {
      errs.push(fieldError.invalid(path, 'resource', 'fieldRef and resourceFieldRef can not be specified simultaneously'));
    }
  } else if (file.resourceFieldRef !== undefined) {
    errs.push(...validateContainerResourceFieldSelector(file.resourceFieldRef, path.child('resourceFieldRef'), true));
  } else {
    errs.push(fieldError.required(path, 'one of fieldRef and resourceFieldRef is required'));
  }
  errs.push(...validateMode(file.mode, path.child('mode')));
  return errs;
}

const validContainerResourceFieldPaths = [
  'limits.cpu', 'limits.ephemeral-storage', 'limits.memory', 'requests.cpu', 'requests.ephemeral-storage', 'requests.memory',
];

export function validateContainerResourceFieldSelector(
  fs: { containerName?: string; resource?: string; divisor?: unknown },
  path: FieldPath,
  volume: boolean,
): FieldError[] {
  const errs: FieldError[] = [];
  const resource = fs.resource ?? '';
  if (volume && (fs.containerName ?? '') === '') {
    errs.push(fieldError.required(path.child('containerName')));
  } else if (resource === '') {
    errs.push(fieldError.required(path.child('resource')));
  } else if (!validContainerResourceFieldPaths.includes(resource) && !resource.startsWith('requests.hugepages-') && !resource.startsWith('limits.hugepages-')) {
    errs.push(fieldError.notSupported(path.child('resource'), resource, validContainerResourceFieldPaths));
  }
  if (fs.divisor !== undefined) {
    const divErrs: FieldError[] = [];
    const q = quantityAt(fs.divisor, path.child('divisor'), divErrs);
    errs.push(...divErrs);
    if (q !== undefined && q.sign() !== 0) {
      const d = q.toString();
      const memoryLike = ['1', '1k', '1M', '1G', '1T', '1P', '1E', '1Ki', '1Mi', '1Gi', '1Ti', '1Pi', '1Ei'];
      const memList = '1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei';
      if ((resource === 'limits.cpu' || resource === 'requests.cpu') && d !== '1m' && d !== '1') {
        errs.push(fieldError.invalid(path.child('divisor'), resource, "only divisor's values 1m and 1 are supported with the cpu resource"));
      } else if ((resource === 'limits.memory' || resource === 'requests.memory') && !memoryLike.includes(d)) {
        errs.push(fieldError.invalid(path.child('divisor'), resource, `only divisor's values ${memList} are supported with the memory resource`));
      } else if ((resource === 'limits.ephemeral-storage' || resource === 'requests.ephemeral-storage') && !memoryLike.includes(d)) {
        errs.push(
          fieldError.invalid(path.child('divisor'), resource, `only divisor's values ${memList} are supported with the local ephemeral storage resource`),
        );
      } else if ((resource.startsWith('requests.hugepages-') || resource.startsWith('limits.hugepages-')) && !memoryLike.includes(d)) {
        errs.push(fieldError.invalid(path.child('divisor'), resource, `only divisor's values ${memList} are supported with the hugepages resource`));
      }
    }
  }
  return errs;
}

/** validateObjectFieldSelector for fieldRef (downward API). */
export function validateObjectFieldSelector(fs: { apiVersion?: string; fieldPath?: string }, expressions: readonly string[], path: FieldPath): FieldError[] {
  if ((fs.apiVersion ?? '') === '') return [fieldError.required(path.child('apiVersion'))];
  const fp = fs.fieldPath ?? '';
  if (fp === '') return [fieldError.required(path.child('fieldPath'))];
  if (fs.apiVersion !== 'v1') {
    return [fieldError.invalid(path.child('fieldPath'), fp, `error converting fieldPath: unsupported pod version: ${fs.apiVersion ?? ''}`)];
  }
  const m = /^([^[\]]+)\['([^']*)'\]$/.exec(fp);
  if (m !== null) {
    const base = m[1] ?? '';
    const sub = m[2] ?? '';
    if (base === 'metadata.annotations') return isQualifiedName(sub.toLowerCase()).map((msg) => fieldError.invalid(path, sub.toLowerCase(), msg));
    if (base === 'metadata.labels') return isQualifiedName(sub).map((msg) => fieldError.invalid(path, sub, msg));
    return [fieldError.invalid(path, base, 'does not support subscript')];
  }
  const knownV1 = [
    'metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.restartPolicy',
    'spec.serviceAccountName', 'spec.schedulerName', 'status.phase', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs',
  ];
  if (!knownV1.includes(fp)) return [fieldError.invalid(path.child('fieldPath'), fp, `error converting fieldPath: field label not supported: ${fp}`)];
  if (!expressions.includes(fp)) return [fieldError.notSupported(path.child('fieldPath'), fp, expressions)];
  return [];
}

type SourceValidator = (src: Record<string, unknown>, path: FieldPath, volName: string, meta: ObjectMeta | undefined, opts: VolumeValidationOptions) => FieldError[];

function asRecord(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function validateProjected(src: Record<string, unknown>, path: FieldPath, opts: VolumeValidationOptions): FieldError[] {
  const errs = validateMode(num(src['defaultMode']), path.child('defaultMode'));
  const allPaths = new Set<string>();
  const sources = Array.isArray(src['sources']) ? (src['sources'] as unknown[]) : [];
  sources.forEach((raw, i) => {
    const source = asRecord(raw);
    const srcPath = path.child('sources').index(i);
    let n = 0;
    for (const kind of ['secret', 'configMap'] as const) {
      if (source[kind] === undefined) continue;
      n++;
      const s = asRecord(source[kind]);
      const p = srcPath.child(kind);
      if (str(s['name']) === '') errs.push(fieldError.required(p.child('name')));
      const items = Array.isArray(s['items']) ? (s['items'] as KeyToPath[]) : [];
      items.forEach((kp, j) => {
        errs.push(...validateKeyToPath(kp, p.child('items').index(j)));
        if ((kp.path ?? '') !== '') {
          if (allPaths.has(kp.path ?? '')) errs.push(fieldError.invalid(path, str(s['name']), 'conflicting duplicate paths'));
          allPaths.add(kp.path ?? '');
        }
      });
    }
    if (source['downwardAPI'] !== undefined) {
      n++;
      const p = srcPath.child('downwardAPI');
      const items = Array.isArray(asRecord(source['downwardAPI'])['items']) ? (asRecord(source['downwardAPI'])['items'] as Parameters<typeof validateDownwardAPIFile>[0][]) : [];
      for (const file of items) {
        errs.push(...validateDownwardAPIFile(file, p));
        if ((file.path ?? '') !== '') {
          if (allPaths.has(file.path ?? '')) errs.push(fieldError.invalid(path, file.path, 'conflicting duplicate paths'));
          allPaths.add(file.path ?? '');
        }
      }
    }
    if (source['serviceAccountToken'] !== undefined) {
      n++;
      const t = asRecord(source['serviceAccountToken']);
      const p = srcPath.child('serviceAccountToken');
      const exp = num(t['expirationSeconds']) ?? 0;
      if (exp < 600) errs.push(fieldError.invalid(p.child('expirationSeconds'), exp, 'may not specify a duration less than 10 minutes'));
      if (exp > 2 ** 32) errs.push(fieldError.invalid(p.child('expirationSeconds'), exp, 'may not specify a duration larger than 2^32 seconds'));
      if (str(t['path']) === '') errs.push(fieldError.required(path.child('path')));
      else if (opts.allowNonLocalProjectedTokenPath !== true) errs.push(...validateLocalNonReservedPath(str(t['path']), path.child('path')));
    }
    if (source['clusterTrustBundle'] !== undefined) {
      n++;
      const c = asRecord(source['clusterTrustBundle']);
      const p = srcPath.child('clusterTrustBundle');
      const usingName = c['name'] !== undefined;
      const usingSigner = c['signerName'] !== undefined;
      if (usingName && usingSigner) errs.push(fieldError.invalid(p, c, 'only one of name and signerName may be used'));
      else if (!usingName && !usingSigner) errs.push(fieldError.required(p, 'either name or signerName must be specified'));
      if (str(c['path']) === '') errs.push(fieldError.required(p.child('path')));
      errs.push(...validateLocalNonReservedPath(str(c['path']), p.child('path')));
      if (allPaths.has(str(c['path']))) errs.push(fieldError.invalid(path, str(c['path']), 'conflicting duplicate paths'));
      allPaths.add(str(c['path']));
    }
    if (n > 1) errs.push(fieldError.forbidden(srcPath, 'may not specify more than 1 volume type per source'));
  });
  return errs;
}

function validateEphemeral(src: Record<string, unknown>, path: FieldPath, volName: string, meta: ObjectMeta | undefined, opts: VolumeValidationOptions): FieldError[] {
  const errs: FieldError[] = [];
  const tpl = src['volumeClaimTemplate'];
  if (tpl === undefined || tpl === null) {
    errs.push(fieldError.required(path.child('volumeClaimTemplate')));
  } else {
    const t = asRecord(tpl);
    errs.push(...validateTemplateObjectMeta(asRecord(t['metadata']) as ObjectMeta, path.child('volumeClaimTemplate', 'metadata')));
    if (opts.validateClaimSpec !== undefined) {
      errs.push(...opts.validateClaimSpec(t['spec'] as PersistentVolumeClaimSpec | undefined, path.child('volumeClaimTemplate', 'spec')));
    }
  }
  return errs;
}

/** ValidateTemplateObjectMeta: only labels and annotations may be set. */
export function validateTemplateObjectMeta(meta: ObjectMeta | undefined, path: FieldPath): FieldError[] {
  const m = meta ?? {};
  const errs = validateAnnotations(m.annotations, path.child('annotations'));
  errs.push(...validateLabels(m.labels, path.child('labels')));
  for (const [k, v] of Object.entries(m)) {
    if (k === 'labels' || k === 'annotations' || v === undefined || v === null || v === '' || v === 0) continue;
    errs.push(fieldError.forbidden(path.child(k), 'cannot be set'));
  }
  return errs;
}

/** [json field, path name used for the "more than 1" error, path name used for the source's own errors, validator]. */
const volumeSources: ReadonlyArray<readonly [string, string, string, SourceValidator]> = [
  [
    'emptyDir', 'emptyDir', 'emptyDir',
    (s, p) => {
      const errs: FieldError[] = [];
      if (s['sizeLimit'] !== undefined) {
        const q = quantityAt(s['sizeLimit'], p.child('sizeLimit'), errs);
        if (q !== undefined && q.sign() < 0) errs.push(fieldError.forbidden(p.child('sizeLimit'), 'SizeLimit field must be a valid resource quantity'));
      }
      return errs;
    },
  ],
  ['hostPath', 'hostPath', 'hostPath', (s, p) => validateHostPathVolumeSource(s, p)],
  [
    'gitRepo', 'gitRepo', 'gitRepo',
    (s, p) => [...required(s, ['repository'], p), ...validateLocalDescendingPath(str(s['directory']), p.child('directory'))],
  ],
  [
    'gcePersistentDisk', 'gcePersistentDisk', 'persistentDisk',
    (s, p) => {
      const errs = required(s, ['pdName'], p);
      const part = num(s['partition']) ?? 0;
      if (part < 0 || part > 255) errs.push(fieldError.invalid(p.child('partition'), part, inclusiveRangeError(1, 255)));
      return errs;
    },
  ],
  [
    'awsElasticBlockStore', 'awsElasticBlockStore', 'awsElasticBlockStore',
    (s, p) => {
      const errs = required(s, ['volumeID'], p);
      const part = num(s['partition']) ?? 0;
      if (part < 0 || part > 255) errs.push(fieldError.invalid(p.child('partition'), part, inclusiveRangeError(1, 255)));
      return errs;
    },
  ],
  [
    'secret', 'secret', 'secret',
    (s, p) => {
      const errs = required(s, ['secretName'], p);
      errs.push(...validateMode(num(s['defaultMode']), p.child('defaultMode')));
      const items = Array.isArray(s['items']) ? (s['items'] as KeyToPath[]) : [];
      items.forEach((kp, i) => errs.push(...validateKeyToPath(kp, p.child('items').index(i))));
      return errs;
    },
  ],
  [
    'nfs', 'nfs', 'nfs',
    (s, p) => {
      const errs = required(s, ['server', 'path'], p);
      if (!isAbs(str(s['path']))) errs.push(fieldError.invalid(p.child('path'), str(s['path']), 'must be an absolute path'));
      return errs;
    },
  ],
  [
    'iscsi', 'iscsi', 'iscsi',
    (s, p) => {
      const errs = required(s, ['targetPortal', 'iqn'], p);
      const lun = num(s['lun']) ?? 0;
      if (lun < 0 || lun > 255) errs.push(fieldError.invalid(p.child('lun'), lun, inclusiveRangeError(0, 255)));
      if ((s['chapAuthDiscovery'] === true || s['chapAuthSession'] === true) && s['secretRef'] === undefined) errs.push(fieldError.required(p.child('secretRef')));
      return errs;
    },
  ],
  ['glusterfs', 'glusterfs', 'glusterfs', (s, p) => required(s, ['endpoints', 'path'], p)],
  [
    'flocker', 'flocker', 'flocker',
    (s, p) => {
      const errs: FieldError[] = [];
      const name = str(s['datasetName']);
      const uuid = str(s['datasetUUID']);
      if (name === '' && uuid === '') errs.push(fieldError.required(p, 'one of datasetName and datasetUUID is required'));
      if (name !== '' && uuid !== '') errs.push(fieldError.invalid(p, 'resource', 'datasetName and datasetUUID can not be specified simultaneously'));
      if (name.includes('/')) errs.push(fieldError.invalid(p.child('datasetName'), name, "must not contain '/'"));
      return errs;
    },
  ],
  ['persistentVolumeClaim', 'persistentVolumeClaim', 'persistentVolumeClaim', (s, p) => required(s, ['claimName'], p)],
  ['rbd', 'rbd', 'rbd', (s, p) => required(s, ['monitors', 'image'], p)],
  ['cinder', 'cinder', 'cinder', (s, p) => required(s, ['volumeID'], p)],
  ['cephfs', 'cephFS', 'cephfs', (s, p) => required(s, ['monitors'], p)],
  ['quobyte', 'quobyte', 'quobyte', (s, p) => required(s, ['registry', 'volume'], p)],
  [
    'downwardAPI', 'downwarAPI', 'downwardAPI',
    (s, p) => {
      const errs = validateMode(num(s['defaultMode']), p.child('defaultMode'));
      const items = Array.isArray(s['items']) ? (s['items'] as Parameters<typeof validateDownwardAPIFile>[0][]) : [];
      for (const f of items) errs.push(...validateDownwardAPIFile(f, p));
      return errs;
    },
  ],
  [
    'fc', 'fc', 'fc',
    (s, p) => {
      const errs: FieldError[] = [];
      const wwns = Array.isArray(s['targetWWNs']) ? s['targetWWNs'] : [];
      const wwids = Array.isArray(s['wwids']) ? s['wwids'] : [];
      if (wwns.length < 1 && wwids.length < 1) errs.push(fieldError.required(p.child('targetWWNs'), 'must specify either targetWWNs or wwids, but not both'));
      if (wwns.length !== 0 && wwids.length !== 0) errs.push(fieldError.invalid(p.child('targetWWNs'), wwns, 'targetWWNs and wwids can not be specified simultaneously'));
      if (wwns.length !== 0) {
        const lun = num(s['lun']);
        if (lun === undefined) errs.push(fieldError.required(p.child('lun'), 'lun is required if targetWWNs is specified'));
        else if (lun < 0 || lun > 255) errs.push(fieldError.invalid(p.child('lun'), lun, inclusiveRangeError(0, 255)));
      }
      return errs;
    },
  ],
  ['flexVolume', 'flexVolume', 'flexVolume', (s, p) => required(s, ['driver'], p)],
  [
    'configMap', 'configMap', 'configMap',
    (s, p) => {
      const errs = required(s, ['name'], p);
      errs.push(...validateMode(num(s['defaultMode']), p.child('defaultMode')));
      const items = Array.isArray(s['items']) ? (s['items'] as KeyToPath[]) : [];
      items.forEach((kp, i) => errs.push(...validateKeyToPath(kp, p.child('items').index(i))));
      return errs;
    },
  ],
  ['azureFile', 'azureFile', 'azureFile', (s, p) => required(s, ['secretName', 'shareName'], p)],
  ['vsphereVolume', 'vsphereVolume', 'vsphereVolume', (s, p) => required(s, ['volumePath'], p)],
  ['photonPersistentDisk', 'photonPersistentDisk', 'photonPersistentDisk', (s, p) => required(s, ['pdID'], p)],
  ['portworxVolume', 'portworxVolume', 'portworxVolume', (s, p) => required(s, ['volumeID'], p)],
  ['azureDisk', 'azureDisk', 'azureDisk', (s, p) => required(s, ['diskName', 'diskURI'], p)],
  ['storageos', 'storageos', 'storageos', (s, p) => (str(s['volumeName']) === '' ? [fieldError.required(p.child('volumeName'))] : validateDNS1123Label(str(s['volumeName']), p.child('volumeName')))],
  ['projected', 'projected', 'projected', (s, p, _n, _m, o) => validateProjected(s, p, o)],
  ['scaleIO', 'scaleIO', 'scaleIO', (s, p) => required(s, ['gateway', 'system', 'volumeName'], p)],
  [
    'csi', 'csi', 'csi',
    (s, p) => {
      const errs: FieldError[] = [];
      const driver = str(s['driver']);
      if (driver === '') errs.push(fieldError.required(p.child('driver')));
      if (driver.length > 63) errs.push(fieldError.tooLong(p.child('driver'), '', 63));
      for (const m of isDNS1123Subdomain(driver.toLowerCase())) errs.push(fieldError.invalid(p.child('driver'), driver, m));
      return errs;
    },
  ],
  [
    'ephemeral', 'ephemeral', 'ephemeral',
    (s, p, volName, meta, opts) => {
      const errs = validateEphemeral(s, p, volName, meta, opts);
      const podName = meta?.name ?? '';
      if (podName !== '' && volName !== '') {
        const pvcName = `${podName}-${volName}`;
        for (const m of validateNameDNSSubdomain(pvcName, false)) errs.push(fieldError.invalid(p.child('name'), volName, `PVC name "${pvcName}": ${m}`));
      }
      return errs;
    },
  ],
  [
    'image', 'image', 'image',
    (s, p, _n, _m, o) => {
      const errs: FieldError[] = [];
      if (o.resourceIsPod === true && str(s['reference']) === '') errs.push(fieldError.required(p.child('reference')));
      const pp = str(s['pullPolicy']);
      if (pp === '') errs.push(fieldError.required(p.child('pullPolicy')));
      else if (!['Always', 'IfNotPresent', 'Never'].includes(pp)) errs.push(fieldError.notSupported(p.child('pullPolicy'), pp, ['Always', 'IfNotPresent', 'Never']));
      return errs;
    },
  ],
];

export function validateVolumeSource(vol: Record<string, unknown>, path: FieldPath, volName: string, meta: ObjectMeta | undefined, opts: VolumeValidationOptions): FieldError[] {
  const errs: FieldError[] = [];
  let n = 0;
  for (const [key, forbiddenName, childName, validate] of volumeSources) {
    const src = vol[key];
    if (src === undefined || src === null) continue;
    if (n > 0) {
      errs.push(fieldError.forbidden(path.child(forbiddenName), 'may not specify more than 1 volume type'));
      continue;
    }
    n++;
    errs.push(...validate(asRecord(src), path.child(childName), volName, meta, opts));
  }
  if (n === 0) errs.push(fieldError.required(path, 'must specify a volume type'));
  return errs;
}

/** ValidateVolumes: returns the valid volumes by name and the errors. */
export function validateVolumes(
  volumes: readonly Volume[] | undefined,
  meta: ObjectMeta | undefined,
  path: FieldPath,
  opts: VolumeValidationOptions,
): { volumes: Map<string, Volume>; errors: FieldError[] } {
  const errs: FieldError[] = [];
  const byName = new Map<string, Volume>();
  const createdPVCs = new Set<string>();
  const podName = meta?.name ?? '';
  if (podName !== '') for (const v of volumes ?? []) if (v.ephemeral !== undefined) createdPVCs.add(`${podName}-${v.name}`);
  (volumes ?? []).forEach((vol, i) => {
    const idx = path.index(i);
    const namePath = idx.child('name');
    const el = validateVolumeSource(vol as unknown as Record<string, unknown>, idx, vol.name ?? '', meta, opts);
    if ((vol.name ?? '') === '') el.push(fieldError.required(namePath));
    else el.push(...validateDNS1123Label(vol.name, namePath));
    if (byName.has(vol.name)) el.push(fieldError.duplicate(namePath, vol.name));
    if (el.length === 0) byName.set(vol.name, vol);
    else errs.push(...el);
    const claim = vol.persistentVolumeClaim?.claimName;
    if (claim !== undefined && createdPVCs.has(claim)) {
      errs.push(fieldError.invalid(idx.child('persistentVolumeClaim', 'claimName'), claim, 'must not reference a PVC that gets created for an ephemeral volume'));
    }
  });
  return { volumes: byName, errors: errs };
}
