// Validators for the non-core groups, keyed "<storage group>/<Kind>", after upstream's
// pkg/apis/{apps,batch,networking,policy,rbac,storage,coordination,discovery,autoscaling,scheduling}/validation.
import type { KindValidators } from '../kind-validator.js';
import {
  controllerRevisionValidator,
  daemonSetValidator,
  deploymentValidator,
  replicaSetValidator,
  statefulSetValidator,
} from './apps-validation.js';
import { horizontalPodAutoscalerValidator } from './autoscaling-validation.js';
import { cronJobValidator, jobValidator } from './batch-validation.js';
import { endpointSliceValidator, leaseValidator, priorityClassValidator, storageClassValidator } from './misc-validation.js';
import { ingressClassValidator, ingressValidator, networkPolicyValidator } from './networking-validation.js';
import { podDisruptionBudgetValidator } from './policy-validation.js';
import { clusterRoleBindingValidator, clusterRoleValidator, roleBindingValidator, roleValidator } from './rbac-validation.js';

export const groupValidators: KindValidators = {
  'apps/Deployment': deploymentValidator,
  'apps/ReplicaSet': replicaSetValidator,
  'apps/StatefulSet': statefulSetValidator,
  'apps/DaemonSet': daemonSetValidator,
  'apps/ControllerRevision': controllerRevisionValidator,
  'batch/Job': jobValidator,
  'batch/CronJob': cronJobValidator,
  'autoscaling/HorizontalPodAutoscaler': horizontalPodAutoscalerValidator,
  'networking.k8s.io/Ingress': ingressValidator,
  'networking.k8s.io/IngressClass': ingressClassValidator,
  'networking.k8s.io/NetworkPolicy': networkPolicyValidator,
  'policy/PodDisruptionBudget': podDisruptionBudgetValidator,
  'rbac.authorization.k8s.io/Role': roleValidator,
  'rbac.authorization.k8s.io/ClusterRole': clusterRoleValidator,
  'rbac.authorization.k8s.io/RoleBinding': roleBindingValidator,
  'rbac.authorization.k8s.io/ClusterRoleBinding': clusterRoleBindingValidator,
  'storage.k8s.io/StorageClass': storageClassValidator,
  'coordination.k8s.io/Lease': leaseValidator,
  'discovery.k8s.io/EndpointSlice': endpointSliceValidator,
  'scheduling.k8s.io/PriorityClass': priorityClassValidator,
};
