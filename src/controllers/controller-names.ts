// The controllers `k8ts server` runs, by kube-controller-manager's names: a module of its own, so that the command
// line can be checked without loading the controllers (they load once the API server is up).

export const controllerNames: readonly string[] = [
  'namespace-controller',
  'serviceaccount-controller',
  'root-ca-certificate-publisher-controller',
  'node-ipam-controller',
  'deployment-controller',
  'replicaset-controller',
  'replicationcontroller-controller',
  'daemonset-controller',
  'statefulset-controller',
  'endpoints-controller',
  'endpointslice-controller',
  'node-lifecycle-controller',
  'taint-eviction-controller',
  'pod-garbage-collector-controller',
  'job-controller',
  'cronjob-controller',
  'ttl-after-finished-controller',
  'garbage-collector-controller',
  'resourcequota-controller',
  'disruption-controller',
  'service-lb-controller',
];

/** The canonical name for a name given on the command line (with or without "-controller"), or undefined. */
export function canonicalControllerName(name: string): string | undefined {
  const n = name.trim();
  return controllerNames.find((c) => c === n || c === `${n}-controller`);
}
