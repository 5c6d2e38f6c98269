// The controller manager: every controller runs against the API server through the client. Each can be turned off
// by name (`--disable-controller NAME`), with or without upstream's "-controller" suffix.
import type { ClientConfig } from '../client/kubeconfig.js';
import { RestClient } from '../client/rest-client.js';
import { startCronJobController } from './cronjob/cron-job-controller.js';
import { startDeploymentController } from './deployment/deployment-controller.js';
import { startJobController } from './job/job-controller.js';
import { startNodeLifecycleController } from './nodelifecycle/node-lifecycle-controller.js';
import { startTaintEvictionController } from './nodelifecycle/taint-eviction-controller.js';
import { startPodGarbageCollector } from './podgc/pod-garbage-collector.js';
import { startNamespaceController } from './namespace/namespace-controller.js';
import { startNodeIpamController } from './nodeipam/node-ipam-controller.js';
import { startReplicaSetController, startReplicationControllerController } from './replicaset/replica-set-controller.js';
import { startRootCACertPublisher } from './rootcacert/root-ca-cert-publisher.js';
import { startServiceAccountController } from './serviceaccount/service-account-controller.js';
import { startTtlAfterFinishedController } from './ttlafterfinished/ttl-after-finished-controller.js';

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
}

interface ControllerEntry {
  /** Upstream's name in kube-controller-manager --controllers. */
  name: string;
  start(client: RestClient, config: ClientConfig, opts: ControllerManagerOptions): { stop(): void };
}

const controllers: readonly ControllerEntry[] = [
  { name: 'namespace-controller', start: (client) => startNamespaceController(client) },
  { name: 'serviceaccount-controller', start: (client) => startServiceAccountController(client) },
  { name: 'root-ca-certificate-publisher-controller', start: (client, config) => startRootCACertPublisher(client, config.caPem) },
  { name: 'node-ipam-controller', start: (client, _config, opts) => startNodeIpamController(client, { clusterCidr: opts.clusterCidr }) },
  { name: 'deployment-controller', start: (client) => startDeploymentController(client) },
  { name: 'replicaset-controller', start: (client) => startReplicaSetController(client) },
  { name: 'replicationcontroller-controller', start: (client) => startReplicationControllerController(client) },
  {
    name: 'node-lifecycle-controller',
    start: (client, _config, opts) =>
      startNodeLifecycleController(client, {
        ...(opts.nodeMonitorGracePeriodMs !== undefined ? { nodeMonitorGracePeriodMs: opts.nodeMonitorGracePeriodMs } : {}),
        ...(opts.nodeMonitorPeriodMs !== undefined ? { nodeMonitorPeriodMs: opts.nodeMonitorPeriodMs } : {}),
      }),
  },
  { name: 'taint-eviction-controller', start: (client) => startTaintEvictionController(client) },
  {
    name: 'pod-garbage-collector-controller',
    start: (client, _config, opts) => startPodGarbageCollector(client, opts.terminatedPodGcThreshold !== undefined ? { terminatedPodThreshold: opts.terminatedPodGcThreshold } : {}),
  },
  { name: 'job-controller', start: (client) => startJobController(client) },
  { name: 'cronjob-controller', start: (client) => startCronJobController(client) },
  { name: 'ttl-after-finished-controller', start: (client) => startTtlAfterFinishedController(client) },
];

/** The names `--disable-controller` accepts: upstream's, and the same without "-controller". */
export const controllerNames: readonly string[] = controllers.map((c) => c.name);

/** The canonical name for a name given on the command line, or undefined when there is no such controller. */
export function canonicalControllerName(name: string): string | undefined {
  const n = name.trim();
  return controllerNames.find((c) => c === n || c === `${n}-controller`);
}

export function startControllers(config: ClientConfig, opts: ControllerManagerOptions): { stop(): void } {
  const client = new RestClient(config);
  const disabled = new Set((opts.disabled ?? []).map((n) => canonicalControllerName(n) ?? n));
  const running = controllers.filter((c) => !disabled.has(c.name)).map((c) => c.start(client, config, opts));
  return {
    stop: () => {
      for (const c of running) c.stop();
      client.close();
    },
  };
}
