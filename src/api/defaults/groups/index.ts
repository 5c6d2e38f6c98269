// Defaulters for the non-core groups, keyed "<storage group>/<Kind>" (upstream's SetDefaults_* per kind).
import type { KubeObject } from '../../object.js';
import { defaultDaemonSet, defaultDeployment, defaultReplicaSet, defaultStatefulSet } from './apps-defaults.js';
import { defaultHorizontalPodAutoscaler } from './autoscaling-defaults.js';
import { defaultCronJob, defaultJob } from './batch-defaults.js';
import { defaultEndpointSlice, defaultPriorityClass, defaultStorageClass } from './misc-defaults.js';
import { defaultIngressClass, defaultNetworkPolicy } from './networking-defaults.js';
import { defaultRoleBinding } from './rbac-defaults.js';

export { prepareJobForCreate } from './prepare-job-for-create.js';

export const groupDefaulters: Readonly<Record<string, (obj: KubeObject) => void>> = {
  'apps/Deployment': defaultDeployment,
  'apps/ReplicaSet': defaultReplicaSet,
  'apps/StatefulSet': defaultStatefulSet,
  'apps/DaemonSet': defaultDaemonSet,
  'batch/Job': defaultJob,
  'batch/CronJob': defaultCronJob,
  'autoscaling/HorizontalPodAutoscaler': defaultHorizontalPodAutoscaler,
  'networking.k8s.io/NetworkPolicy': defaultNetworkPolicy,
  'networking.k8s.io/IngressClass': defaultIngressClass,
  'rbac.authorization.k8s.io/RoleBinding': defaultRoleBinding,
  'rbac.authorization.k8s.io/ClusterRoleBinding': defaultRoleBinding,
  'storage.k8s.io/StorageClass': defaultStorageClass,
  'scheduling.k8s.io/PriorityClass': defaultPriorityClass,
  'discovery.k8s.io/EndpointSlice': defaultEndpointSlice,
};
