// Defaults of the small groups: storage.k8s.io/v1 StorageClass, scheduling.k8s.io/v1 PriorityClass and
// discovery.k8s.io/v1 EndpointSlice ports, after upstream's pkg/apis/{storage,scheduling,discovery}/v1/defaults.go.
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import type { KubeObject } from '../../object.js';

export function defaultStorageClass(obj: KubeObject): void {
  const sc = obj as unknown as StorageClass;
  sc.reclaimPolicy ??= 'Delete';
  sc.volumeBindingMode ??= 'Immediate';
}

export function defaultPriorityClass(obj: KubeObject): void {
  const pc = obj as unknown as PriorityClass;
  pc.preemptionPolicy ??= 'PreemptLowerPriority';
}

export function defaultEndpointSlice(obj: KubeObject): void {
  const es = obj as unknown as EndpointSlice;
  for (const port of es.ports ?? []) {
    port.name ??= '';
    port.protocol ??= 'TCP';
  }
}
