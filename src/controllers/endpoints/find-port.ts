// Upstream's podutil.FindPort: the container port a Service port's targetPort means for one pod.
import type { Container, Pod, ServicePort } from 'kubernetes-types/core/v1.js';

function portByName(containers: readonly Container[], name: string, protocol: string): number | undefined {
  for (const c of containers) {
    for (const p of c.ports ?? []) {
      if (p.name === name && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
    }
  }
  return undefined;
}

/**
 * A numeric targetPort as is; a named one from the pod's containers (then its sidecars: init containers with
 * restartPolicy Always) by name and protocol. Undefined when the name resolves to nothing ("no suitable port").
 */
export function findPort(pod: Pod, svcPort: ServicePort): number | undefined {
  const target = svcPort.targetPort ?? svcPort.port;
  if (typeof target === 'number') return target;
  const protocol = svcPort.protocol ?? 'TCP';
  const spec = pod.spec;
  if (spec === undefined) return undefined;
  return (
    portByName(spec.containers, target, protocol) ??
    portByName((spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always'), target, protocol)
  );
}
