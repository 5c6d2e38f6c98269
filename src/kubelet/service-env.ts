// Service environment variables (pkg/kubelet/envvars FromServices and kubelet_pods.go getServiceEnvVarMap): for each
// service with a cluster IP, {NAME}_SERVICE_HOST, {NAME}_SERVICE_PORT, {NAME}_SERVICE_PORT_{PORTNAME} for named ports,
// and the Docker-link variables {NAME}_PORT, {NAME}_PORT_{PORT}_{PROTO}[_PROTO|_PORT|_ADDR]. A pod sees the services
// of its namespace (when enableServiceLinks is not false) and the `kubernetes` service of the default namespace.
import type { Service } from 'kubernetes-types/core/v1.js';

export interface EnvVarPair {
  name: string;
  value: string;
}

/** The master services, whose variables every pod gets whatever its enableServiceLinks. */
const masterServices = new Set(['kubernetes']);

/** v1helper.IsServiceIPSet: a cluster IP that is neither empty nor None. */
export function isServiceIPSet(service: Service): boolean {
  const ip = service.spec?.clusterIP ?? '';
  return ip !== '' && ip !== 'None';
}

/** makeEnvVariableName: upper case, dashes to underscores. */
export function envVariableName(name: string): string {
  return name.replaceAll('-', '_').toUpperCase();
}

/** net.JoinHostPort: brackets around an IPv6 address. */
function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function linkVariables(service: Service): EnvVarPair[] {
  const prefix = envVariableName(service.metadata?.name ?? '');
  const ip = service.spec?.clusterIP ?? '';
  const out: EnvVarPair[] = [];
  (service.spec?.ports ?? []).forEach((sp, i) => {
    const protocol = sp.protocol !== undefined && sp.protocol !== '' ? sp.protocol : 'TCP';
    const url = `${protocol.toLowerCase()}://${joinHostPort(ip, sp.port)}`;
    // Docker special-cases the first port.
    if (i === 0) out.push({ name: `${prefix}_PORT`, value: url });
    const portPrefix = `${prefix}_PORT_${sp.port}_${protocol.toUpperCase()}`;
    out.push(
      { name: portPrefix, value: url },
      { name: `${portPrefix}_PROTO`, value: protocol.toLowerCase() },
      { name: `${portPrefix}_PORT`, value: String(sp.port) },
      { name: `${portPrefix}_ADDR`, value: ip },
    );
  });
  return out;
}

/** envvars.FromServices: the variables of each service in the order given; services without a cluster IP are skipped. */
export function envVarsFromServices(services: readonly Service[]): EnvVarPair[] {
  const out: EnvVarPair[] = [];
  for (const service of services) {
    if (!isServiceIPSet(service)) continue;
    const ports = service.spec?.ports ?? [];
    const first = ports[0];
    if (first === undefined) continue;
    const base = envVariableName(service.metadata?.name ?? '');
    out.push({ name: `${base}_SERVICE_HOST`, value: service.spec?.clusterIP ?? '' });
    const portName = `${base}_SERVICE_PORT`;
    out.push({ name: portName, value: String(first.port) });
    // All named ports (only the first may be unnamed).
    for (const sp of ports) {
      if (sp.name !== undefined && sp.name !== '') out.push({ name: `${portName}_${envVariableName(sp.name)}`, value: String(sp.port) });
    }
    out.push(...linkVariables(service));
  }
  return out;
}

/**
 * getServiceEnvVarMap: the service variables a pod in `namespace` sees. The `kubernetes` service of the default
 * namespace always; the services of the pod's own namespace when enableServiceLinks is true (one of the pod's
 * namespace named as a master service replaces the master one, as upstream's map does). Services are taken by name order, so
 * the result is stable (upstream walks a Go map).
 */
export function serviceEnvVarMap(services: readonly Service[], namespace: string, enableServiceLinks: boolean): Map<string, string> {
  const byName = new Map<string, Service>();
  for (const service of services) {
    if (!isServiceIPSet(service)) continue;
    const name = service.metadata?.name ?? '';
    const ns = service.metadata?.namespace ?? '';
    if (ns === 'default' && masterServices.has(name)) {
      if (!byName.has(name)) byName.set(name, service);
    } else if (ns === namespace && enableServiceLinks) {
      byName.set(name, service);
    }
  }
  const ordered = [...byName.keys()].sort().map((k) => byName.get(k) as Service);
  return new Map(envVarsFromServices(ordered).map((e) => [e.name, e.value]));
}
