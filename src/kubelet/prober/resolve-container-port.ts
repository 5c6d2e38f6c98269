// probe.ResolveContainerPort (pkg/probe/util.go): a probe's port by number, or by the name of one of the container's
// ports, or a number written as a string; errors worded as upstream's.
import type { Container } from 'kubernetes-types/core/v1.js';

export function resolveContainerPort(param: number | string, container: Container): number {
  let port: number;
  if (typeof param === 'number') {
    port = param;
  } else {
    const named = (container.ports ?? []).find((p) => p.name === param);
    if (named !== undefined) {
      port = named.containerPort;
    } else {
      // Last ditch effort: maybe it was an int stored as a string (strconv.Atoi).
      if (!/^[+-]?\d+$/.test(param)) throw new Error(`strconv.Atoi: parsing ${JSON.stringify(param)}: invalid syntax`);
      port = Number.parseInt(param, 10);
      if (!Number.isSafeInteger(port) || Math.abs(port) > 2 ** 63 - 1) throw new Error(`strconv.Atoi: parsing ${JSON.stringify(param)}: value out of range`);
    }
  }
  if (port > 0 && port < 65536) return port;
  throw new Error(`invalid port number: ${port}`);
}
