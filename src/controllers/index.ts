// The controller manager: every controller runs against the API server through the client. Each can be turned off
// by name (`--disable-controller NAME`), with or without upstream's "-controller" suffix; a controller that is off
// is never loaded.
import type { ClientConfig } from '../client/kubeconfig.js';
import { runLeaderElected, type LeaderElectedOptions } from '../client/leader-elected.js';
import { KUBE_CONTROLLER_MANAGER_LEASE } from '../client/leader-election.js';
import { RestClient } from '../client/rest-client.js';
import { canonicalControllerName } from './controller-names.js';

export interface ControllerManagerOptions {
  /** The pod network nodes get their /24s from (--cluster-cidr). */
  clusterCidr: string;
  /** --node-monitor-grace-period and --node-monitor-period, in ms (upstream 1.32: 50 s and 5 s). */
  nodeMonitorGracePeriodMs?: number;
  nodeMonitorPeriodMs?: number;
  /** --terminated-pod-gc-threshold (12500). */
  terminatedPodGcThreshold?: number;
  /** Names of controllers not to run. */
  disabled?: readonly string[];
  /** Run only while holding the kube-system/kube-controller-manager Lease (servers sharing one etcd). */
  leaderElect?: boolean;
  /** Leader election durations for tests (upstream's 15 s / 10 s / 2 s otherwise). */
  leaderElectionTimings?: LeaderElectedOptions['timings'];
}

type Running = { stop(): void };

interface ControllerEntry {
  /** Upstream's name in kube-controller-manager --controllers. */
  name: string;
  start(client: RestClient, config: ClientConfig, opts: ControllerManagerOptions): Promise<Running>;
}

const controllers: readonly ControllerEntry[] = [
  { name: 'namespace-controller', start: async (client) => (await import('./namespace/namespace-controller.js')).startNamespaceController(client) },
  { name: 'serviceaccount-controller', start: async (client) => (await import('./serviceaccount/service-account-controller.js')).startServiceAccountController(client) },
  {
    name: 'root-ca-certificate-publisher-controller',
    start: async (client, config) => (await import('./rootcacert/root-ca-cert-publisher.js')).startRootCACertPublisher(client, config.caPem),
  },
  {
    name: 'node-ipam-controller',
    start: async (client, _config, opts) => (await import('./nodeipam/node-ipam-controller.js')).startNodeIpamController(client, { clusterCidr: opts.clusterCidr }),
  },
  { name: 'deployment-controller', start: async (client) => (await import('./deployment/deployment-controller.js')).startDeploymentController(client) },
  { name: 'replicaset-controller', start: async (client) => (await import('./replicaset/replica-set-controller.js')).startReplicaSetController(client) },
  {
    name: 'replicationcontroller-controller',
    start: async (client) => (await import('./replicaset/replica-set-controller.js')).startReplicationControllerController(client),
  },
  { name: 'statefulset-controller', start: async (client) => (await import('./statefulset/stateful-set-controller.js')).startStatefulSetController(client) },
  { name: 'daemonset-controller', start: async (client) => (await import('./daemonset/daemon-set-controller.js')).startDaemonSetController(client) },
  { name: 'endpoints-controller', start: async (client) => (await import('./endpoints/endpoints-controller.js')).startEndpointsController(client) },
  { name: 'endpointslice-controller', start: async (client) => (await import('./endpointslice/endpoint-slice-controller.js')).startEndpointSliceController(client) },
  {
    name: 'node-lifecycle-controller',
    start: async (client, _config, opts) =>
      (await import('./nodelifecycle/node-lifecycle-controller.js')).startNodeLifecycleController(client, {
        ...(opts.nodeMonitorGracePeriodMs !== undefined ? { nodeMonitorGracePeriodMs: opts.nodeMonitorGracePeriodMs } : {}),
        ...(opts.nodeMonitorPeriodMs !== undefined ? { nodeMonitorPeriodMs: opts.nodeMonitorPeriodMs } : {}),
      }),
  },
  { name: 'taint-eviction-controller', start: async (client) => (await import('./nodelifecycle/taint-eviction-controller.js')).startTaintEvictionController(client) },
  {
    name: 'pod-garbage-collector-controller',
    start: async (client, _config, opts) =>
      (await import('./podgc/pod-garbage-collector.js')).startPodGarbageCollector(client, opts.terminatedPodGcThreshold !== undefined ? { terminatedPodThreshold: opts.terminatedPodGcThreshold } : {}),
  },
  { name: 'job-controller', start: async (client) => (await import('./job/job-controller.js')).startJobController(client) },
  { name: 'cronjob-controller', start: async (client) => (await import('./cronjob/cron-job-controller.js')).startCronJobController(client) },
  { name: 'garbage-collector-controller', start: async (client) => (await import('./garbagecollector/garbage-collector.js')).startGarbageCollector(client) },
  { name: 'ttl-after-finished-controller', start: async (client) => (await import('./ttlafterfinished/ttl-after-finished-controller.js')).startTtlAfterFinishedController(client) },
  { name: 'resourcequota-controller', start: async (client) => (await import('./resourcequota/resource-quota-controller.js')).startResourceQuotaController(client) },
  { name: 'disruption-controller', start: async (client) => (await import('./disruption/disruption-controller.js')).startDisruptionController(client) },
  // k3s's ServiceLB: LoadBalancer services get the addresses of the nodes, which the service proxy answers on.
  { name: 'service-lb-controller', start: async (client) => (await import('./servicelb/service-lb-controller.js')).startServiceLbController(client) },
];

export { canonicalControllerName, controllerNames } from './controller-names.js';

/** The names of the controllers startControllers knows (the same list as controller-names.ts). */
export const startableControllerNames: readonly string[] = controllers.map((c) => c.name);

export async function startControllers(config: ClientConfig, opts: ControllerManagerOptions): Promise<{ stop(): Promise<void> }> {
  const client = new RestClient(config);
  const disabled = new Set((opts.disabled ?? []).map((n) => canonicalControllerName(n) ?? n));
  const elected = runLeaderElected(
    client,
    { lease: KUBE_CONTROLLER_MANAGER_LEASE, leaderElect: opts.leaderElect === true, ...(opts.leaderElectionTimings !== undefined ? { timings: opts.leaderElectionTimings } : {}) },
    async () => {
      const running = await Promise.all(controllers.filter((c) => !disabled.has(c.name)).map((c) => c.start(client, config, opts)));
      return { stop: () => running.forEach((c) => c.stop()) };
    },
  );
  return {
    stop: async () => {
      await elected.stop();
      client.close();
    },
  };
}
