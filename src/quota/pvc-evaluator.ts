// Quota for persistent volume claims, after pkg/quota/v1/evaluator/core/persistent_volume_claims.go (v1.32, without
// the alpha VolumeAttributesClass scope): `persistentvolumeclaims`, `requests.storage` (whole bytes, the larger of
// the request and status.allocatedResources), and both per storage class as
// `<class>.storageclass.storage.k8s.io/<resource>`.
import type { PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/object.js';
import { newQuantity, quantityFromJSON, type Quantity } from '../machinery/quantity.js';
import { objectCountName, type QuotaEvaluator } from './evaluator.js';
import type { ResourceList } from './resource-list.js';

const pvcCountName = objectCountName('', 'persistentvolumeclaims');
const pvcResources = ['persistentvolumeclaims', 'requests.storage'];
export const storageClassSuffix = '.storageclass.storage.k8s.io/';
const betaStorageClassAnnotation = 'volume.beta.kubernetes.io/storage-class';

/** V1ResourceByStorageClass. */
export function resourceByStorageClass(storageClass: string, resource: string): string {
  return `${storageClass}${storageClassSuffix}${resource}`;
}

/** storagehelpers.GetPersistentVolumeClaimClass: the beta annotation, else spec.storageClassName. */
export function claimClass(pvc: PersistentVolumeClaim): string {
  const ann = pvc.metadata?.annotations?.[betaStorageClassAnnotation];
  if (ann !== undefined) return ann;
  return pvc.spec?.storageClassName ?? '';
}

/** Quantity.RoundUp(0): a fractional byte count goes up to the next whole byte. */
function roundUpToWhole(q: Quantity): Quantity {
  const whole = newQuantity(q.value(), q.format);
  return whole.cmp(q) === 0 ? q : whole;
}

function storageUsage(pvc: PersistentVolumeClaim): Quantity | undefined {
  const requested = pvc.spec?.resources?.requests?.['storage'];
  let result = requested === undefined ? undefined : roundUpToWhole(quantityFromJSON(requested));
  const allocated = pvc.status?.allocatedResources?.['storage'];
  if (result !== undefined && allocated !== undefined) {
    const a = quantityFromJSON(allocated);
    if (a.cmp(result) > 0) result = roundUpToWhole(a);
  }
  return result;
}

export function pvcUsage(pvc: PersistentVolumeClaim): ResourceList {
  const out: ResourceList = new Map([
    ['persistentvolumeclaims', newQuantity(1, 'DecimalSI')],
    [pvcCountName, newQuantity(1, 'DecimalSI')],
  ]);
  const cls = claimClass(pvc);
  if (cls !== '') out.set(resourceByStorageClass(cls, 'persistentvolumeclaims'), newQuantity(1, 'DecimalSI'));
  const storage = storageUsage(pvc);
  if (storage !== undefined) {
    out.set('requests.storage', storage);
    if (cls !== '') out.set(resourceByStorageClass(cls, 'requests.storage'), storage);
  }
  return out;
}

export const pvcEvaluator: QuotaEvaluator = {
  group: '',
  resource: 'persistentvolumeclaims',
  handles: (op) => op === 'CREATE' || op === 'UPDATE',
  matchingResources(input) {
    const out: string[] = [];
    for (const item of input) {
      if (item === pvcCountName || pvcResources.includes(item)) out.push(item);
      else if (pvcResources.some((r) => item.endsWith(`${storageClassSuffix}${r}`))) out.push(item);
    }
    return out;
  },
  matchesScope: () => false,
  constraints: () => undefined,
  usage: (obj: KubeObject) => pvcUsage(obj as PersistentVolumeClaim),
};
