// One attempt of a container probe (prober.runProbe): exec through CRI ExecSync, httpGet, tcpSocket or grpc against
// the pod's IP, each within the probe's timeoutSeconds.
import type { Container, Pod, Probe } from 'kubernetes-types/core/v1.js';
import { expandVars } from '../container-config.js';
import { execProbe, type ExecRuntime } from './exec-probe.js';
import { grpcProbe } from './grpc-probe.js';
import { httpProbe, newHttpProbeRequest } from './http-probe.js';
import type { ProbeOutcome } from './probe-outcome.js';
import { resolveContainerPort } from './resolve-container-port.js';
import { tcpProbe } from './tcp-probe.js';

export interface ProbeTarget {
  runtime: ExecRuntime;
  pod: Pod;
  container: Container;
  /** The CRI container ID (without the runtime:// prefix). */
  containerId: string;
  /** The pod's IP: the default host of httpGet and tcpSocket probes and the host of grpc probes. */
  podIP: string;
}

/** The probe's timeout: timeoutSeconds, default 1. */
export const probeTimeoutSeconds = (probe: Probe): number => (probe.timeoutSeconds !== undefined && probe.timeoutSeconds > 0 ? probe.timeoutSeconds : 1);

/** format.Pod: NAME_NAMESPACE(UID). */
export const formatPod = (pod: Pod): string => `${pod.metadata?.name ?? ''}_${pod.metadata?.namespace ?? ''}(${pod.metadata?.uid ?? ''})`;

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export async function runProbe(probe: Probe, target: ProbeTarget): Promise<ProbeOutcome> {
  const timeout = probeTimeoutSeconds(probe);
  const { container, podIP } = target;
  if (probe.exec !== undefined) {
    // ExpandContainerCommandOnlyStatic: $(VAR) from the container's env values (valueFrom ones count as empty).
    const env = new Map((container.env ?? []).map((e) => [e.name, e.value ?? '']));
    const cmd = (probe.exec.command ?? []).map((arg) => expandVars(arg, env));
    return execProbe(target.runtime, target.containerId, cmd, timeout);
  }
  if (probe.httpGet !== undefined) {
    let req;
    try {
      req = newHttpProbeRequest(probe.httpGet, container, podIP);
    } catch (e: unknown) {
      return { result: 'unknown', output: '', error: errorText(e) };
    }
    return httpProbe(req, timeout);
  }
  if (probe.tcpSocket !== undefined) {
    let port: number;
    try {
      port = resolveContainerPort(probe.tcpSocket.port, container);
    } catch (e: unknown) {
      return { result: 'unknown', output: '', error: errorText(e) };
    }
    const host = probe.tcpSocket.host !== undefined && probe.tcpSocket.host !== '' ? probe.tcpSocket.host : podIP;
    return tcpProbe(host, port, timeout);
  }
  if (probe.grpc !== undefined) {
    return grpcProbe(podIP, probe.grpc.service ?? '', probe.grpc.port, timeout);
  }
  return { result: 'unknown', output: '', error: `missing probe handler for ${formatPod(target.pod)}:${container.name}` };
}
