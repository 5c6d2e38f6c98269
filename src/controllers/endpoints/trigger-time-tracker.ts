// Upstream's TriggerTimeTracker: the endpoints.kubernetes.io/last-change-trigger-time of an Endpoints or
// EndpointSlice write is the earliest change (a pod's Ready transition, the Service's creation) not yet published.
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import { podReadyCondition } from '../podcontrol/active-pods.js';

export const lastChangeTriggerTimeAnnotation = 'endpoints.kubernetes.io/last-change-trigger-time';

interface ServiceState {
  lastPodTriggerTimes: Map<string, number>;
  lastServiceTriggerTime: number;
}

function parseTime(t: string | undefined): number {
  if (t === undefined) return 0;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? 0 : ms;
}

/** The earlier of two times where 0 means unset. */
function minTime(a: number, b: number): number {
  if (a === 0) return b;
  if (b === 0) return a;
  return Math.min(a, b);
}

/** Go's time.RFC3339Nano of a UTC time: fractional seconds without trailing zeros, none when whole. */
export function formatRFC3339Nano(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.replace(/\.(\d+)Z$/, (_m, frac: string) => {
    const f = frac.replace(/0+$/, '');
    return f === '' ? 'Z' : `.${f}Z`;
  });
}

export class TriggerTimeTracker {
  private readonly states = new Map<string, ServiceState>();

  /**
   * The trigger time for a sync of `svc` over `pods` in ms since the epoch, 0 for none: the Service's creation
   * for a Service not seen before, else the earliest pod Ready transition or Service change newer than at the
   * last call. Updates the state either way.
   */
  compute(namespace: string, svc: Service, pods: readonly Pod[]): number {
    const key = `${namespace}/${svc.metadata?.name ?? ''}`;
    const state = this.states.get(key);
    let minChanged = 0;
    const podTimes = new Map<string, number>();
    for (const pod of pods) {
      const t = parseTime(podReadyCondition(pod)?.lastTransitionTime);
      if (t === 0) continue;
      const name = pod.metadata?.name ?? '';
      podTimes.set(name, t);
      if (t > (state?.lastPodTriggerTimes.get(name) ?? 0)) minChanged = minTime(minChanged, t);
    }
    const svcTime = parseTime(svc.metadata?.creationTimestamp);
    if (svcTime > (state?.lastServiceTriggerTime ?? 0)) minChanged = minTime(minChanged, svcTime);
    this.states.set(key, { lastPodTriggerTimes: podTimes, lastServiceTriggerTime: svcTime });
    if (state === undefined) return svcTime;
    return minChanged;
  }

  deleteService(namespace: string, name: string): void {
    this.states.delete(`${namespace}/${name}`);
  }
}
