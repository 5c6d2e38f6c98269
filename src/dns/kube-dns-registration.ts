// The cluster DNS in the API, as k3s's CoreDNS addon has it: the kube-dns Service in kube-system (the cluster DNS
// address, no selector), an EndpointSlice per server (kube-dns-NODE) with its address and real listen port, and the
// Endpoints object kube-dns built from those slices (for `kubectl describe`). The service proxy routes
// CLUSTER_DNS:53 to the slices' endpoints. A server on a loopback address publishes no endpoint (the API refuses
// loopback endpoint addresses, as upstream's), like the `kubernetes` service's endpoints of such a server.
import type { EndpointAddress, EndpointSubset, Endpoints, Service, ServicePort } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { isIPv6 } from 'node:net';
import { ApiError } from '../machinery/errors.js';
import type { Informer, Obj } from '../client/informer.js';
import type { RestClient } from '../client/rest-client.js';

export const kubeDnsName = 'kube-dns';
export const kubeDnsNamespace = 'kube-system';
/**
 * The managed-by label of the slices the cluster DNS servers keep (the EndpointSlice controller leaves them alone),
 * shaped as upstream's endpointslice-controller.k8s.io (a label value cannot hold a slash).
 */
export const clusterDnsManagedBy = 'cluster-dns.k8ts.io';
export const kubeDnsLabels: Readonly<Record<string, string>> = { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' };

const servicePath = `/api/v1/namespaces/${kubeDnsNamespace}/services/${kubeDnsName}`;
const endpointsPath = `/api/v1/namespaces/${kubeDnsNamespace}/endpoints/${kubeDnsName}`;
const slicesPath = `/apis/discovery.k8s.io/v1/namespaces/${kubeDnsNamespace}/endpointslices`;

export function kubeDnsSliceName(nodeName: string): string {
  return `${kubeDnsName}-${nodeName}`;
}

/** Whether the API accepts the address as an endpoint (not unspecified, loopback or link-local). */
export function publishableAddress(ip: string): boolean {
  const lower = ip.toLowerCase();
  if (lower === '0.0.0.0' || lower === '::' || lower === '::1' || lower.startsWith('127.') || lower.startsWith('169.254.') || /^fe[89ab]/.test(lower)) return false;
  return true;
}

const servicePorts: ServicePort[] = [
  { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
  { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
];

export function kubeDnsService(clusterIp: string): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: kubeDnsName, namespace: kubeDnsNamespace, labels: { ...kubeDnsLabels } },
    spec: { type: 'ClusterIP', clusterIP: clusterIp, clusterIPs: [clusterIp], ports: servicePorts.map((p) => ({ ...p })), sessionAffinity: 'None' },
  };
}

export interface KubeDnsEndpoint {
  nodeName: string;
  address: string;
  port: number;
}

export function kubeDnsSlice(ep: KubeDnsEndpoint, serviceUid: string | undefined): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: kubeDnsSliceName(ep.nodeName),
      namespace: kubeDnsNamespace,
      labels: { 'kubernetes.io/service-name': kubeDnsName, 'endpointslice.kubernetes.io/managed-by': clusterDnsManagedBy },
      ...(serviceUid !== undefined ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: kubeDnsName, uid: serviceUid, controller: true, blockOwnerDeletion: true }] } : {}),
    },
    addressType: isIPv6(ep.address) ? 'IPv6' : 'IPv4',
    endpoints: [{ addresses: [ep.address], conditions: { ready: true, serving: true, terminating: false }, nodeName: ep.nodeName }],
    ports: [
      { name: 'dns', port: ep.port, protocol: 'UDP' },
      { name: 'dns-tcp', port: ep.port, protocol: 'TCP' },
    ],
  };
}

/** The kube-dns Endpoints subsets for the servers' slices: one subset per listen port, addresses sorted. */
export function kubeDnsSubsets(slices: readonly EndpointSlice[]): EndpointSubset[] {
  const byPorts = new Map<string, { udp: number; tcp: number; addresses: EndpointAddress[] }>();
  for (const s of slices) {
    if (s.metadata?.deletionTimestamp !== undefined) continue;
    const udp = s.ports?.find((p) => p.name === 'dns')?.port;
    const tcp = s.ports?.find((p) => p.name === 'dns-tcp')?.port;
    if (udp === undefined || tcp === undefined) continue;
    const k = `${udp}/${tcp}`;
    let group = byPorts.get(k);
    if (group === undefined) byPorts.set(k, (group = { udp, tcp, addresses: [] }));
    for (const ep of s.endpoints ?? []) {
      if (ep.conditions?.ready === false) continue;
      for (const ip of ep.addresses) group.addresses.push({ ip, ...(ep.nodeName !== undefined ? { nodeName: ep.nodeName } : {}) });
    }
  }
  return [...byPorts.values()]
    .filter((g) => g.addresses.length > 0)
    .sort((a, b) => a.udp - b.udp || a.tcp - b.tcp)
    .map((g) => ({
      addresses: g.addresses.sort((a, b) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0)),
      ports: [
        { name: 'dns', port: g.udp, protocol: 'UDP' },
        { name: 'dns-tcp', port: g.tcp, protocol: 'TCP' },
      ],
    }));
}

function sameServicePorts(ports: readonly ServicePort[] | undefined): boolean {
  const norm = (p: ServicePort): string => `${p.name ?? ''}|${p.port}|${p.protocol ?? 'TCP'}|${String(p.targetPort ?? p.port)}`;
  return JSON.stringify((ports ?? []).map(norm)) === JSON.stringify(servicePorts.map(norm));
}

function hasLabels(labels: Record<string, string> | undefined, want: Readonly<Record<string, string>>): boolean {
  return Object.entries(want).every(([k, v]) => labels?.[k] === v);
}

function normalizeSubsets(subsets: readonly EndpointSubset[] | undefined): string {
  return JSON.stringify(
    (subsets ?? []).map((s) => ({
      addresses: (s.addresses ?? []).map((a) => ({ ip: a.ip, nodeName: a.nodeName })),
      ports: (s.ports ?? []).map((p) => ({ name: p.name, port: p.port, protocol: p.protocol ?? 'TCP' })),
    })),
  );
}

function isNotFound(e: unknown): boolean {
  return e instanceof ApiError && e.code === 404;
}

function isConflict(e: unknown): boolean {
  return e instanceof ApiError && e.code === 409;
}

export interface KubeDnsRegistrationOptions {
  clusterIp: string;
  /** This server's endpoint; undefined (or an address the API refuses) publishes none. */
  endpoint?: KubeDnsEndpoint;
  /** Informers whose kube-dns events trigger a reconcile (they may be shared with the DNS records). */
  services?: Informer;
  slices?: Informer;
  /** How often everything is checked again without an event (default 30 s). */
  resyncMs?: number;
  onError?: (what: string, e: unknown) => void;
  onChange?: (what: string, fields: Record<string, unknown>) => void;
}

/** Keeps the kube-dns Service, this server's slice and the Endpoints in place until stopped. */
export class KubeDnsRegistration {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private failures = 0;
  private readonly endpoint: KubeDnsEndpoint | undefined;

  constructor(
    private readonly client: RestClient,
    private readonly opts: KubeDnsRegistrationOptions,
  ) {
    this.endpoint = opts.endpoint !== undefined && publishableAddress(opts.endpoint.address) ? opts.endpoint : undefined;
    const onEvent = (obj: Obj): void => {
      if (obj.metadata?.namespace !== kubeDnsNamespace) return;
      const labels = (obj.metadata as { labels?: Record<string, string> }).labels;
      if (obj.metadata.name === kubeDnsName || labels?.['kubernetes.io/service-name'] === kubeDnsName) this.schedule(0);
    };
    for (const inf of [opts.services, opts.slices]) inf?.addHandlers({ add: onEvent, update: (_o, n) => onEvent(n), delete: onEvent });
  }

  /** Whether this server's endpoint is published (false on a loopback address). */
  get publishing(): boolean {
    return this.endpoint !== undefined;
  }

  start(): void {
    this.schedule(0);
  }

  /** One pass now (what start's loop runs); resolves when it is done, rejects when it failed. */
  async reconcileOnce(): Promise<void> {
    const svc = await this.ensureService();
    if (this.endpoint !== undefined) await this.ensureSlice(svc.metadata?.uid);
    await this.ensureEndpoints(undefined);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.running !== undefined) {
      this.again = true;
      return;
    }
    if (this.timer !== undefined) {
      if (ms > 0) return;
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.reconcileOnce().then(
        () => {
          this.failures = 0;
        },
        (e: unknown) => {
          this.failures++;
          this.opts.onError?.('kube-dns registration failed', e);
        },
      );
      void this.running.then(() => {
        this.running = undefined;
        if (this.stopped) return;
        if (this.again) {
          this.again = false;
          this.schedule(0);
        } else this.schedule(this.failures > 0 ? Math.min(30_000, 500 * 2 ** Math.min(this.failures, 6)) : (this.opts.resyncMs ?? 30_000));
      });
    }, ms);
    this.timer.unref();
  }

  private async ensureService(): Promise<Service> {
    const desired = kubeDnsService(this.opts.clusterIp);
    let current: Service | undefined;
    try {
      current = await this.client.request<Service>('GET', servicePath);
    } catch (e: unknown) {
      if (!isNotFound(e)) throw e;
    }
    if (current !== undefined && current.spec?.clusterIP !== this.opts.clusterIp) {
      // The cluster IP cannot change: a kube-dns Service left with another address (a changed --cluster-dns) goes.
      this.opts.onChange?.('replacing the kube-dns Service', { clusterIP: current.spec?.clusterIP, want: this.opts.clusterIp });
      try {
        await this.client.request('DELETE', servicePath);
      } catch (e: unknown) {
        if (!isNotFound(e)) throw e;
      }
      current = undefined;
    }
    if (current === undefined) {
      try {
        const created = await this.client.request<Service>('POST', `/api/v1/namespaces/${kubeDnsNamespace}/services`, desired);
        this.opts.onChange?.('created the kube-dns Service', { clusterIP: this.opts.clusterIp });
        return created;
      } catch (e: unknown) {
        if (!isConflict(e)) throw e;
        return await this.client.request<Service>('GET', servicePath);
      }
    }
    if (!hasLabels(current.metadata?.labels, kubeDnsLabels) || !sameServicePorts(current.spec?.ports)) {
      return await this.client.request<Service>('PATCH', servicePath, { metadata: { labels: { ...kubeDnsLabels } }, spec: { ports: desired.spec?.ports } }, 'application/merge-patch+json');
    }
    return current;
  }

  private async ensureSlice(serviceUid: string | undefined): Promise<void> {
    const ep = this.endpoint;
    if (ep === undefined) return;
    const desired = kubeDnsSlice(ep, serviceUid);
    const path = `${slicesPath}/${kubeDnsSliceName(ep.nodeName)}`;
    let current: EndpointSlice | undefined;
    try {
      current = await this.client.request<EndpointSlice>('GET', path);
    } catch (e: unknown) {
      if (!isNotFound(e)) throw e;
    }
    if (current === undefined) {
      await this.client.request('POST', slicesPath, desired);
      this.opts.onChange?.('published the cluster DNS endpoint', { address: ep.address, port: ep.port });
      return;
    }
    const same =
      JSON.stringify(current.endpoints) === JSON.stringify(desired.endpoints) &&
      JSON.stringify(current.ports) === JSON.stringify(desired.ports) &&
      current.addressType === desired.addressType &&
      hasLabels(current.metadata?.labels, desired.metadata?.labels ?? {}) &&
      (serviceUid === undefined || current.metadata?.ownerReferences?.some((r) => r.uid === serviceUid) === true);
    if (same) return;
    if (current.addressType !== desired.addressType) {
      // addressType is immutable.
      await this.client.request('DELETE', path);
      await this.client.request('POST', slicesPath, desired);
      return;
    }
    await this.client.request('PUT', path, { ...desired, metadata: { ...current.metadata, labels: { ...current.metadata?.labels, ...desired.metadata?.labels }, ownerReferences: desired.metadata?.ownerReferences ?? current.metadata?.ownerReferences } });
  }

  /** Writes the Endpoints from the servers' slices (leaving out the slice named `without`). */
  private async ensureEndpoints(without: string | undefined): Promise<void> {
    const selector = encodeURIComponent(`kubernetes.io/service-name=${kubeDnsName},endpointslice.kubernetes.io/managed-by=${clusterDnsManagedBy}`);
    const list = await this.client.request<{ items?: EndpointSlice[] }>('GET', `${slicesPath}?labelSelector=${selector}`);
    const subsets = kubeDnsSubsets((list.items ?? []).filter((s) => s.metadata?.name !== without));
    let current: Endpoints | undefined;
    try {
      current = await this.client.request<Endpoints>('GET', endpointsPath);
    } catch (e: unknown) {
      if (!isNotFound(e)) throw e;
    }
    const labels = { ...kubeDnsLabels, 'endpointslice.kubernetes.io/skip-mirror': 'true' };
    if (current === undefined) {
      const body: Endpoints = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: kubeDnsName, namespace: kubeDnsNamespace, labels }, ...(subsets.length > 0 ? { subsets } : {}) };
      try {
        await this.client.request('POST', `/api/v1/namespaces/${kubeDnsNamespace}/endpoints`, body);
      } catch (e: unknown) {
        if (!isConflict(e)) throw e;
        this.again = true;
      }
      return;
    }
    if (normalizeSubsets(current.subsets) === normalizeSubsets(subsets) && hasLabels(current.metadata?.labels, labels)) return;
    const body: Endpoints = { ...current, metadata: { ...current.metadata, labels: { ...current.metadata?.labels, ...labels } } };
    if (subsets.length > 0) body.subsets = subsets;
    else delete body.subsets;
    try {
      await this.client.request('PUT', endpointsPath, body);
    } catch (e: unknown) {
      if (!isConflict(e)) throw e;
      this.again = true;
    }
  }

  /** Stops the loop and withdraws this server's endpoint (its slice, and its address in the Endpoints). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.running;
    const ep = this.endpoint;
    if (ep === undefined) return;
    const name = kubeDnsSliceName(ep.nodeName);
    try {
      await this.client.request('DELETE', `${slicesPath}/${name}`);
    } catch (e: unknown) {
      if (!isNotFound(e)) this.opts.onError?.('withdrawing the cluster DNS endpoint failed', e);
    }
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        this.again = false;
        await this.ensureEndpoints(name);
        if (!this.again) return;
      } catch (e: unknown) {
        this.opts.onError?.('updating the kube-dns Endpoints failed', e);
        return;
      }
    }
  }
}
