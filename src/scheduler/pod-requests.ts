// A pod's resource requests as the scheduler counts them: k8s.io/component-helpers/resource
// PodRequests of v1.32 (containers summed, each init container as a maximum, restartable
// "sidecar" init containers added to everything that starts after them, then the overhead).
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { Quantity, newMilliQuantity, newQuantity, quantityFromJSON } from '../machinery/quantity.js';

/** A ResourceList: resource name to quantity. */
export type ResourceList = Map<string, Quantity>;

/** schedutil.DefaultMilliCPURequest: what a container without a cpu request counts for in scoring. */
export const defaultMilliCPURequest = 100;
/** schedutil.DefaultMemoryRequest: 200 MiB. */
export const defaultMemoryRequest = 200 * 1024 * 1024;

export interface PodRequestsOptions {
  /** NonMissingContainerRequests: values for container requests that are not set at all. */
  readonly nonMissingContainerRequests?: ResourceList;
  readonly excludeOverhead?: boolean;
}

/** The scheduler's non-zero defaults (100m cpu, 200Mi memory) for containers that request neither. */
export function nonZeroDefaults(): ResourceList {
  return new Map([
    ['cpu', newMilliQuantity(defaultMilliCPURequest, 'DecimalSI')],
    ['memory', newQuantity(defaultMemoryRequest, 'DecimalSI')],
  ]);
}

function toResourceList(raw: Readonly<Record<string, string | number>> | undefined): ResourceList {
  const out: ResourceList = new Map();
  for (const [name, q] of Object.entries(raw ?? {})) out.set(name, quantityFromJSON(q));
  return out;
}

function containerRequests(c: Container, nonMissing: ResourceList | undefined): ResourceList {
  const reqs = toResourceList(c.resources?.requests);
  if (nonMissing !== undefined) {
    for (const [name, q] of nonMissing) if (!reqs.has(name)) reqs.set(name, q);
  }
  return reqs;
}

function addResourceList(into: ResourceList, more: ResourceList): void {
  for (const [name, q] of more) {
    const have = into.get(name);
    into.set(name, have === undefined ? q : have.add(q));
  }
}

function maxResourceList(into: ResourceList, other: ResourceList): void {
  for (const [name, q] of other) {
    const have = into.get(name);
    if (have === undefined || q.cmp(have) > 0) into.set(name, q);
  }
}

/** resourcehelper.PodRequests (pod-level resources and in-place resize are off in 1.32 defaults). */
export function podRequests(pod: Pod, opts: PodRequestsOptions = {}): ResourceList {
  const nonMissing = opts.nonMissingContainerRequests;
  const reqs: ResourceList = new Map();
  for (const c of pod.spec?.containers ?? []) addResourceList(reqs, containerRequests(c, nonMissing));

  const restartableInitReqs: ResourceList = new Map();
  const initReqs: ResourceList = new Map();
  for (const c of pod.spec?.initContainers ?? []) {
    let cReqs = containerRequests(c, nonMissing);
    if (c.restartPolicy === 'Always') {
      // A sidecar keeps running: it adds to the pod's total and to every later init container.
      addResourceList(reqs, cReqs);
      addResourceList(restartableInitReqs, cReqs);
      cReqs = new Map(restartableInitReqs);
    } else {
      const tmp: ResourceList = new Map();
      addResourceList(tmp, cReqs);
      addResourceList(tmp, restartableInitReqs);
      cReqs = tmp;
    }
    maxResourceList(initReqs, cReqs);
  }
  maxResourceList(reqs, initReqs);

  if (opts.excludeOverhead !== true && pod.spec?.overhead !== undefined) addResourceList(reqs, toResourceList(pod.spec.overhead));
  return reqs;
}

/** A quantity as the scheduler stores it: millicores for cpu, Value() (rounded up) for the rest. */
export function schedulerUnits(name: string, q: Quantity | undefined): number {
  if (q === undefined) return 0;
  return Number(name === 'cpu' ? q.milliValue() : q.value());
}
