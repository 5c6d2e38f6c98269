// Conversion between the versions k8ts serves and the storage version of each resource.
// Most resources are served in their storage version only (an apiVersion rewrite); the exceptions are
// extensions/v1beta1 workloads (stored as apps/v1), events.k8s.io/v1 Event (stored as core v1) and
// autoscaling/v1 HorizontalPodAutoscaler (stored as autoscaling/v2).
import { apiVersionOf, type KubeObject } from '../object.js';
import { type ResourceInfo } from '../resources.js';
import { dropRoundTripAnnotations, hpaV1ToV2, hpaV2ToV1 } from './autoscaling-hpa.js';
import { coreToEventsV1, eventsV1ToCore } from './events-event.js';
import { appsToExtensions, extensionsToApps, isLegacyWorkloadKind } from './extensions-workloads.js';

function isStorageVersion(r: ResourceInfo): boolean {
  return r.group === r.storage.group && r.version === r.storage.version;
}

/**
 * `obj` is in r's group/version; returns it in r.storage's group/version (a new object; `obj` is not mutated).
 * Objects sent in extensions/v1beta1 get that version's defaults first (selector from the template labels, ...),
 * as upstream decoding applied them before converting.
 */
export function toStorageVersion(obj: KubeObject, r: ResourceInfo): KubeObject {
  if (!isStorageVersion(r)) {
    if (r.group === 'extensions' && r.version === 'v1beta1' && isLegacyWorkloadKind(r.kind)) return extensionsToApps(r.kind, obj);
    if (r.group === 'events.k8s.io' && r.version === 'v1' && r.kind === 'Event') return eventsV1ToCore(obj);
    if (r.group === 'autoscaling' && r.version === 'v1' && r.kind === 'HorizontalPodAutoscaler') return hpaV1ToV2(obj);
  } else if (r.group === 'autoscaling' && r.kind === 'HorizontalPodAutoscaler') {
    // As upstream's autoscaling/v2 conversion: the round-trip annotations are conversion's alone.
    return { ...dropRoundTripAnnotations(obj), apiVersion: apiVersionOf(r.storage.group, r.storage.version) };
  }
  return { ...obj, apiVersion: apiVersionOf(r.storage.group, r.storage.version) };
}

/** `obj` is in r.storage's group/version; returns it in r's group/version (a new object; `obj` is not mutated). */
export function fromStorageVersion(obj: KubeObject, r: ResourceInfo): KubeObject {
  if (!isStorageVersion(r)) {
    if (r.group === 'extensions' && r.version === 'v1beta1' && isLegacyWorkloadKind(r.kind)) return appsToExtensions(r.kind, obj);
    if (r.group === 'events.k8s.io' && r.version === 'v1' && r.kind === 'Event') return coreToEventsV1(obj);
    if (r.group === 'autoscaling' && r.version === 'v1' && r.kind === 'HorizontalPodAutoscaler') return hpaV2ToV1(obj);
  }
  return { ...obj, apiVersion: apiVersionOf(r.group, r.version) };
}
