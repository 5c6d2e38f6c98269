// Pod validation after ValidatePodCreate, ValidatePodUpdate and ValidatePodStatusUpdate.
import type { Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import { type FieldError, FieldPath, fieldError } from '../../../machinery/field-errors.js';
import type { StoredObject } from '../../object.js';
import type { KindValidator } from '../kind-validator.js';
import { isQualifiedName, isValidIP, validateNameDNSSubdomain } from '../names.js';
import { validateImmutableField, validateObjectMeta, validateObjectMetaUpdate } from '../object-meta.js';
import {
  mirrorPodAnnotationKey,
  type PodValidationOptions,
  validateContainersOnlyForPod,
  validatePodSpec,
  validatePodSpecificAnnotations,
  validatePodSpecUpdate,
} from './pod-spec.js';
import { validatePersistentVolumeClaimSpec } from './persistent-volume-claim.js';

const metaPath = FieldPath.root('metadata');
const specPath = FieldPath.root('spec');

const podOptions: PodValidationOptions = { resourceIsPod: true, validateClaimSpec: (s, p) => validatePersistentVolumeClaimSpec(s, p) };

function asPod(obj: StoredObject): Pod {
  return obj as unknown as Pod;
}

/** validatePodMetadataAndSpec. */
export function validatePodMetadataAndSpec(pod: Pod): FieldError[] {
  const errs = validateObjectMeta(pod.metadata, true, validateNameDNSSubdomain, metaPath);
  errs.push(...validatePodSpecificAnnotations(pod.metadata?.annotations, pod.spec, metaPath.child('annotations')));
  errs.push(...validatePodSpec(pod.spec, pod.metadata, specPath, podOptions));
  if ((pod.spec?.serviceAccountName ?? '') === '') {
    (pod.spec?.volumes ?? []).forEach((v, vi) => {
      (v.projected?.sources ?? []).forEach((s, si) => {
        if (s.serviceAccountToken !== undefined) {
          errs.push(
            fieldError.forbidden(
              specPath.child('volumes').index(vi).child('projected', 'sources').index(si).child('serviceAccountToken'),
              'must not be specified when serviceAccountName is not set',
            ),
          );
        }
      });
    });
  }
  errs.push(...validateContainersOnlyForPod(pod.spec?.containers, specPath.child('containers')));
  errs.push(...validateContainersOnlyForPod(pod.spec?.initContainers, specPath.child('initContainers')));
  return errs;
}

export function validatePodCreate(pod: Pod): FieldError[] {
  const errs = validatePodMetadataAndSpec(pod);
  if ((pod.spec?.ephemeralContainers ?? []).length > 0) errs.push(fieldError.forbidden(specPath.child('ephemeralContainers'), 'cannot be set on create'));
  if ((pod.spec?.nodeName ?? '') !== '' && (pod.spec?.schedulingGates ?? []).length > 0) {
    errs.push(fieldError.forbidden(specPath.child('nodeName'), 'cannot be set until all schedulingGates have been cleared'));
  }
  return errs;
}

function validatePodAnnotationUpdates(pod: Pod, old: Pod, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const n = pod.metadata?.annotations ?? {};
  const o = old.metadata?.annotations ?? {};
  const apparmor = 'container.apparmor.security.beta.kubernetes.io/';
  for (const [k, v] of Object.entries(o)) {
    if (Object.hasOwn(n, k) && n[k] === v) continue;
    if (k.startsWith(apparmor)) errs.push(fieldError.forbidden(path.key(k), 'may not remove or update AppArmor annotations'));
    if (k === mirrorPodAnnotationKey) errs.push(fieldError.forbidden(path.key(k), 'may not remove or update mirror pod annotation'));
  }
  for (const k of Object.keys(n)) {
    if (Object.hasOwn(o, k)) continue;
    if (k.startsWith(apparmor)) errs.push(fieldError.forbidden(path.key(k), 'may not add AppArmor annotations'));
    if (k === mirrorPodAnnotationKey) errs.push(fieldError.forbidden(path.key(k), 'may not add mirror pod annotation'));
  }
  errs.push(...validatePodSpecificAnnotations(n, pod.spec, path));
  return errs;
}

export function validatePodUpdate(pod: Pod, old: Pod): FieldError[] {
  const errs = validateObjectMetaUpdate(pod.metadata, old.metadata, metaPath);
  errs.push(...validatePodMetadataAndSpec(pod));
  errs.push(...validatePodAnnotationUpdates(pod, old, metaPath.child('annotations')));
  errs.push(...validatePodSpecUpdate(pod.spec ?? { containers: [] }, old.spec ?? { containers: [] }, specPath));
  return errs;
}

function validateIPList(ips: ReadonlyArray<{ ip?: string }> | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const list = ips ?? [];
  list.forEach((p, i) => isValidIP(p.ip ?? '').forEach((m) => errs.push(fieldError.invalid(path.index(i), p.ip ?? '', m))));
  if (list.length > 1) {
    const v6 = list.filter((p) => (p.ip ?? '').includes(':')).length;
    if (list.length > 2 || v6 !== 1) errs.push(fieldError.invalid(path, list, 'may specify no more than one IP for each IP family'));
    const seen = new Set<string>();
    list.forEach((p, i) => {
      if (seen.has(p.ip ?? '')) errs.push(fieldError.duplicate(path.index(i), p));
      seen.add(p.ip ?? '');
    });
  }
  return errs;
}

/** ValidatePodStatusUpdate: nodeName may not move, QoS is immutable, IPs are valid, terminated containers stay terminated. */
export function validatePodStatusUpdate(pod: Pod, old: Pod): FieldError[] {
  const errs = validateObjectMetaUpdate(pod.metadata, old.metadata, metaPath);
  errs.push(...validatePodAnnotationUpdates(pod, old, metaPath.child('annotations')));
  const status: PodStatus = pod.status ?? {};
  const oldStatus: PodStatus = old.status ?? {};
  const system = new Set(['PodScheduled', 'Ready', 'Initialized']);
  (status.conditions ?? []).forEach((c, i) => {
    if (system.has(c.type)) return;
    isQualifiedName(c.type).forEach((m) => errs.push(fieldError.invalid(metaPath.child('conditions').index(i).child('Type'), c.type, m)));
  });
  const statusPath = FieldPath.root('status');
  if ((pod.spec?.nodeName ?? '') !== (old.spec?.nodeName ?? '')) errs.push(fieldError.forbidden(statusPath.child('nodeName'), 'may not be changed directly'));
  const nominated = status.nominatedNodeName ?? '';
  if (nominated !== (oldStatus.nominatedNodeName ?? '') && nominated.length > 0) {
    for (const m of validateNameDNSSubdomain(nominated, false)) errs.push(fieldError.invalid(statusPath.child('nominatedNodeName'), nominated, m));
  }
  errs.push(...validateImmutableField(status.qosClass, oldStatus.qosClass, statusPath.child('qosClass')));
  const restartPolicy = old.spec?.restartPolicy ?? 'Always';
  const transitions = (
    newS: PodStatus['containerStatuses'],
    oldS: PodStatus['containerStatuses'],
    path: FieldPath,
    policy: string,
    restartable: ReadonlySet<string>,
  ): void => {
    if (policy === 'Always') return;
    (oldS ?? []).forEach((o, i) => {
      const term = o.state?.terminated;
      if (term === undefined) return;
      if (term.exitCode !== 0 && policy === 'OnFailure') return;
      if (restartable.has(o.name)) return;
      for (const n of newS ?? []) {
        if (n.name === o.name && n.state?.terminated === undefined) errs.push(fieldError.forbidden(path.index(i).child('state'), 'may not be transitioned to non-terminated state'));
      }
    });
  };
  transitions(status.containerStatuses, oldStatus.containerStatuses, statusPath.child('containerStatuses'), restartPolicy, new Set());
  const sidecars = new Set((old.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').map((c) => c.name));
  transitions(status.initContainerStatuses, oldStatus.initContainerStatuses, statusPath.child('initContainerStatuses'), restartPolicy, sidecars);
  transitions(status.ephemeralContainerStatuses, oldStatus.ephemeralContainerStatuses, statusPath.child('ephemeralContainerStatuses'), 'Never', new Set());
  errs.push(...validateIPList(status.podIPs, statusPath.child('podIPs')));
  const hostIPs = (status as PodStatus & { hostIPs?: Array<{ ip?: string }> }).hostIPs ?? [];
  if (hostIPs.length > 0) {
    if ((status.hostIP ?? '') !== (hostIPs[0]?.ip ?? '')) errs.push(fieldError.invalid(statusPath.child('hostIPs').index(0).child('ip'), hostIPs[0]?.ip ?? '', 'must be equal to `hostIP`'));
    errs.push(...validateIPList(hostIPs, statusPath.child('hostIPs')));
  }
  return errs;
}

export const podValidator: KindValidator = {
  create: (obj) => validatePodCreate(asPod(obj)),
  update: (obj, old) => validatePodUpdate(asPod(obj), asPod(old)),
  statusUpdate: (obj, old) => validatePodStatusUpdate(asPod(obj), asPod(old)),
};
