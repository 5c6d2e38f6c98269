// env valueFrom.resourceFieldRef (kubelet_pods.go containerResourceRuntimeValue, kubelet_resources.go
// defaultPodLimitsForDownwardAPI, pkg/api/v1/resource helpers.go ExtractContainerResourceValue): a container's
// requests or limits divided by the divisor and rounded up; a limit that is unset or zero is the node's allocatable.
import type { Container, Pod, ResourceFieldSelector } from 'kubernetes-types/core/v1.js';
import { parseQuantity, type Quantity } from '../machinery/quantity.js';

/** Resource names to quantities (a v1.ResourceList). */
export type ResourceQuantities = Readonly<Record<string, string | number>>;

const quantity = (v: string | number | undefined): Quantity => parseQuantity(v === undefined ? '0' : String(v));

/** MergeContainerResourceLimits: cpu, memory and ephemeral-storage limits default to the node's allocatable. */
export function mergeContainerResourceLimits(container: Container, allocatable: ResourceQuantities): Container {
  const limits: Record<string, string> = { ...(container.resources?.limits ?? {}) };
  for (const r of ['cpu', 'memory', 'ephemeral-storage']) {
    const cur = limits[r];
    const cap = allocatable[r];
    if ((cur === undefined || quantity(cur).isZero()) && cap !== undefined) limits[r] = String(cap);
  }
  return { ...container, resources: { ...(container.resources ?? {}), limits } };
}

/** int64(math.Ceil(float64(a) / float64(b))) */
function ceilDiv(a: bigint, b: bigint): string {
  return String(Math.ceil(Number(a) / Number(b)));
}

/** ExtractContainerResourceValue. Throws `unsupported container resource : X` for anything else. */
export function extractContainerResourceValue(fs: ResourceFieldSelector, container: Container): string {
  const divisor = fs.divisor === undefined || quantity(fs.divisor).isZero() ? parseQuantity('1') : quantity(fs.divisor);
  const limits = container.resources?.limits ?? {};
  const requests = container.resources?.requests ?? {};
  switch (fs.resource) {
    case 'limits.cpu':
      return ceilDiv(quantity(limits['cpu']).milliValue(), divisor.milliValue());
    case 'limits.memory':
    case 'limits.ephemeral-storage':
      return ceilDiv(quantity(limits[fs.resource.slice('limits.'.length)]).value(), divisor.value());
    case 'requests.cpu':
      return ceilDiv(quantity(requests['cpu']).milliValue(), divisor.milliValue());
    case 'requests.memory':
    case 'requests.ephemeral-storage':
      return ceilDiv(quantity(requests[fs.resource.slice('requests.'.length)]).value(), divisor.value());
  }
  // Hugepages: requests.hugepages-<size> and limits.hugepages-<size>.
  const m = /^(requests|limits)\.(hugepages-.+)$/.exec(fs.resource);
  if (m !== null) {
    const list = m[1] === 'requests' ? requests : limits;
    return ceilDiv(quantity(list[m[2] ?? '']).value(), divisor.value());
  }
  throw new Error(`unsupported container resource : ${fs.resource}`);
}

/**
 * containerResourceRuntimeValue on the pod and container defaulted for the downward API: the container itself when
 * the selector names none, else the named container of the pod (regular, then init).
 */
export function containerResourceRuntimeValue(fs: ResourceFieldSelector, pod: Pod, container: Container, allocatable: ResourceQuantities): string {
  const name = fs.containerName ?? '';
  if (name === '') return extractContainerResourceValue(fs, mergeContainerResourceLimits(container, allocatable));
  const regular = (pod.spec?.containers ?? []).find((c) => c.name === name);
  if (regular !== undefined) return extractContainerResourceValue(fs, mergeContainerResourceLimits(regular, allocatable));
  // Init containers are not defaulted (defaultPodLimitsForDownwardAPI merges the regular containers only).
  const init = (pod.spec?.initContainers ?? []).find((c) => c.name === name);
  if (init !== undefined) return extractContainerResourceValue(fs, init);
  throw new Error(`container ${name} not found`);
}
