// Services and EndpointSlices for the proxy's tests.
import type { Service, ServicePort } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointPort, EndpointSlice } from 'kubernetes-types/discovery/v1.js';

export function service(name: string, spec: Service['spec'], status?: Service['status'], namespace = 'ns1'): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec, ...(status !== undefined ? { status } : {}) };
}

export function port(name: string, p: number, extra: Partial<ServicePort> = {}): ServicePort {
  return { name, port: p, protocol: 'TCP', ...extra };
}

export function endpoint(ip: string, nodeName = 'node-a', conditions: Endpoint['conditions'] = { ready: true, serving: true, terminating: false }): Endpoint {
  return { addresses: [ip], nodeName, conditions };
}

export function slice(name: string, serviceName: string, ports: EndpointPort[], endpoints: Endpoint[], namespace = 'ns1', addressType = 'IPv4'): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace, labels: { 'kubernetes.io/service-name': serviceName } },
    addressType,
    ports,
    endpoints,
  };
}
