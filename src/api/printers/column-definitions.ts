// The columns upstream's AddHandlers (pkg/printers/internalversion/printers.go, v1.32) registers per kind.
import { swaggerDoc, type SwaggerDocKey } from './swagger-doc.js';

export interface TableColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

function col(name: string, type: string, description: string, priority = 0, format = ''): TableColumnDefinition {
  return { name, type, format, description, priority };
}
const doc = (key: SwaggerDocKey): string => swaggerDoc[key];

const name = (): TableColumnDefinition => col('Name', 'string', doc('ObjectMeta.name'), 0, 'name');
const age = (): TableColumnDefinition => col('Age', 'string', doc('ObjectMeta.creationTimestamp'));
const containers = (priority = 1): TableColumnDefinition => col('Containers', 'string', 'Names of each container in the template.', priority);
const images = (priority = 1): TableColumnDefinition => col('Images', 'string', 'Images referenced by each container in the template.', priority);

/** The default table convertor's columns (k8s.io/apiserver/pkg/registry/rest/table.go) for kinds without a printer. */
export const defaultColumns: readonly TableColumnDefinition[] = [
  name(),
  col('Created At', 'date', doc('ObjectMeta.creationTimestamp')),
];

/** Columns keyed by the storage group and kind ("apps/Deployment", "/Pod"). */
export const columnDefinitions: ReadonlyMap<string, readonly TableColumnDefinition[]> = new Map<string, TableColumnDefinition[]>([
  ['/Pod', [
    name(),
    col('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
    col('Status', 'string', 'The aggregate status of the containers in this pod.'),
    col('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
    age(),
    col('IP', 'string', doc('PodStatus.podIP'), 1),
    col('Node', 'string', doc('PodSpec.nodeName'), 1),
    col('Nominated Node', 'string', doc('PodStatus.nominatedNodeName'), 1),
    col('Readiness Gates', 'string', doc('PodSpec.readinessGates'), 1),
  ]],
  ['/PodTemplate', [
    name(),
    containers(0),
    images(0),
    col('Pod Labels', 'string', 'The labels for the pod template.'),
  ]],
  ['policy/PodDisruptionBudget', [
    name(),
    col('Min Available', 'string', 'The minimum number of pods that must be available.'),
    col('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable.'),
    col('Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.'),
    age(),
  ]],
  ['/ReplicationController', [
    name(),
    col('Desired', 'integer', doc('ReplicationControllerSpec.replicas')),
    col('Current', 'integer', doc('ReplicationControllerStatus.replicas')),
    col('Ready', 'integer', doc('ReplicationControllerStatus.readyReplicas')),
    age(),
    containers(),
    images(),
    col('Selector', 'string', doc('ReplicationControllerSpec.selector'), 1),
  ]],
  ['apps/ReplicaSet', [
    name(),
    col('Desired', 'integer', doc('extensions.ReplicaSetSpec.replicas')),
    col('Current', 'integer', doc('extensions.ReplicaSetStatus.replicas')),
    col('Ready', 'integer', doc('ReplicaSetStatus.readyReplicas')),
    age(),
    containers(),
    images(),
    col('Selector', 'string', doc('extensions.ReplicaSetSpec.selector'), 1),
  ]],
  ['apps/DaemonSet', [
    name(),
    col('Desired', 'integer', doc('extensions.DaemonSetStatus.desiredNumberScheduled')),
    col('Current', 'integer', doc('extensions.DaemonSetStatus.currentNumberScheduled')),
    col('Ready', 'integer', doc('DaemonSetStatus.numberReady')),
    col('Up-to-date', 'integer', doc('extensions.DaemonSetStatus.updatedNumberScheduled')),
    col('Available', 'integer', doc('extensions.DaemonSetStatus.numberAvailable')),
    col('Node Selector', 'string', doc('PodSpec.nodeSelector')),
    age(),
    containers(),
    images(),
    col('Selector', 'string', doc('extensions.DaemonSetSpec.selector'), 1),
  ]],
  ['batch/Job', [
    name(),
    col('Status', 'string', 'Status of the job.'),
    col('Completions', 'string', doc('JobStatus.succeeded')),
    col('Duration', 'string', 'Time required to complete the job.'),
    age(),
    containers(),
    images(),
    col('Selector', 'string', doc('JobSpec.selector'), 1),
  ]],
  ['batch/CronJob', [
    name(),
    col('Schedule', 'string', doc('CronJobSpec.schedule')),
    col('Timezone', 'string', doc('CronJobSpec.timeZone')),
    col('Suspend', 'boolean', doc('CronJobSpec.suspend')),
    col('Active', 'integer', doc('CronJobStatus.active')),
    col('Last Schedule', 'string', doc('CronJobStatus.lastScheduleTime')),
    age(),
    containers(),
    images(),
    col('Selector', 'string', doc('JobSpec.selector'), 1),
  ]],
  ['/Service', [
    name(),
    col('Type', 'string', doc('ServiceSpec.type')),
    col('Cluster-IP', 'string', doc('ServiceSpec.clusterIP')),
    col('External-IP', 'string', doc('ServiceSpec.externalIPs')),
    col('Port(s)', 'string', doc('ServiceSpec.ports')),
    age(),
    col('Selector', 'string', doc('ServiceSpec.selector'), 1),
  ]],
  ['networking.k8s.io/Ingress', [
    name(),
    col('Class', 'string', 'The name of the IngressClass resource that should be used for additional configuration'),
    col('Hosts', 'string', 'Hosts that incoming requests are matched against before the ingress rule'),
    col('Address', 'string', 'Address is a list containing ingress points for the load-balancer'),
    col('Ports', 'string', 'Ports of TLS configurations that open'),
    age(),
  ]],
  ['networking.k8s.io/IngressClass', [
    name(),
    col('Controller', 'string', 'Controller that is responsible for handling this class'),
    col('Parameters', 'string', 'A reference to a resource with additional parameters'),
    age(),
  ]],
  ['apps/StatefulSet', [
    name(),
    col('Ready', 'string', 'Number of the pod with ready state'),
    age(),
    containers(),
    images(),
  ]],
  ['/Endpoints', [
    name(),
    col('Endpoints', 'string', doc('Endpoints.subsets')),
    age(),
  ]],
  ['/Node', [
    name(),
    col('Status', 'string', 'The status of the node'),
    col('Roles', 'string', 'The roles of the node'),
    age(),
    col('Version', 'string', doc('NodeSystemInfo.kubeletVersion')),
    col('Internal-IP', 'string', doc('NodeStatus.addresses'), 1),
    col('External-IP', 'string', doc('NodeStatus.addresses'), 1),
    col('OS-Image', 'string', doc('NodeSystemInfo.osImage'), 1),
    col('Kernel-Version', 'string', doc('NodeSystemInfo.kernelVersion'), 1),
    col('Container-Runtime', 'string', doc('NodeSystemInfo.containerRuntimeVersion'), 1),
  ]],
  ['/Event', [
    col('Last Seen', 'string', doc('Event.lastTimestamp')),
    col('Type', 'string', doc('Event.type')),
    col('Reason', 'string', doc('Event.reason')),
    col('Object', 'string', doc('Event.involvedObject')),
    col('Subobject', 'string', doc('ObjectReference.fieldPath'), 1),
    col('Source', 'string', doc('Event.source'), 1),
    col('Message', 'string', doc('Event.message')),
    col('First Seen', 'string', doc('Event.firstTimestamp'), 1),
    col('Count', 'string', doc('Event.count'), 1),
    col('Name', 'string', doc('ObjectMeta.name'), 1, 'name'),
  ]],
  ['/Namespace', [
    name(),
    col('Status', 'string', 'The status of the namespace'),
    age(),
  ]],
  ['/Secret', [
    name(),
    col('Type', 'string', doc('Secret.type')),
    col('Data', 'string', doc('Secret.data')),
    age(),
  ]],
  ['/ServiceAccount', [
    name(),
    col('Secrets', 'string', doc('ServiceAccount.secrets')),
    age(),
  ]],
  ['/PersistentVolume', [
    name(),
    col('Capacity', 'string', doc('PersistentVolumeSpec.capacity')),
    col('Access Modes', 'string', doc('PersistentVolumeSpec.accessModes')),
    col('Reclaim Policy', 'string', doc('PersistentVolumeSpec.persistentVolumeReclaimPolicy')),
    col('Status', 'string', doc('PersistentVolumeStatus.phase')),
    col('Claim', 'string', doc('PersistentVolumeSpec.claimRef')),
    col('StorageClass', 'string', 'StorageClass of the pv'),
    col('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pv'),
    col('Reason', 'string', doc('PersistentVolumeStatus.reason')),
    age(),
    col('VolumeMode', 'string', doc('PersistentVolumeSpec.volumeMode'), 1),
  ]],
  ['/PersistentVolumeClaim', [
    name(),
    col('Status', 'string', doc('PersistentVolumeClaimStatus.phase')),
    col('Volume', 'string', doc('PersistentVolumeClaimSpec.volumeName')),
    col('Capacity', 'string', doc('PersistentVolumeClaimStatus.capacity')),
    col('Access Modes', 'string', doc('PersistentVolumeClaimStatus.accessModes')),
    col('StorageClass', 'string', 'StorageClass of the pvc'),
    col('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pvc'),
    age(),
    col('VolumeMode', 'string', doc('PersistentVolumeClaimSpec.volumeMode'), 1),
  ]],
  ['/ComponentStatus', [
    name(),
    col('Status', 'string', 'Status of the component conditions'),
    col('Message', 'string', 'Message of the component conditions'),
    col('Error', 'string', 'Error of the component conditions'),
  ]],
  ['apps/Deployment', [
    name(),
    col('Ready', 'string', 'Number of the pod with ready state'),
    col('Up-to-date', 'string', doc('extensions.DeploymentStatus.updatedReplicas')),
    col('Available', 'string', doc('extensions.DeploymentStatus.availableReplicas')),
    age(),
    containers(),
    images(),
    col('Selector', 'string', doc('extensions.DeploymentSpec.selector'), 1),
  ]],
  ['autoscaling/HorizontalPodAutoscaler', [
    name(),
    col('Reference', 'string', doc('HorizontalPodAutoscalerSpec.scaleTargetRef')),
    col('Targets', 'string', doc('HorizontalPodAutoscalerSpec.metrics')),
    col('MinPods', 'string', doc('HorizontalPodAutoscalerSpec.minReplicas')),
    col('MaxPods', 'string', doc('HorizontalPodAutoscalerSpec.maxReplicas')),
    col('Replicas', 'string', doc('HorizontalPodAutoscalerStatus.currentReplicas')),
    age(),
  ]],
  ['/ConfigMap', [
    name(),
    col('Data', 'string', doc('ConfigMap.data')),
    age(),
  ]],
  ['networking.k8s.io/NetworkPolicy', [
    name(),
    col('Pod-Selector', 'string', doc('extensions.NetworkPolicySpec.podSelector')),
    age(),
  ]],
  ['rbac.authorization.k8s.io/RoleBinding', [
    name(),
    col('Role', 'string', doc('RoleBinding.roleRef')),
    age(),
    col('Users', 'string', 'Users in the roleBinding', 1),
    col('Groups', 'string', 'Groups in the roleBinding', 1),
    col('ServiceAccounts', 'string', 'ServiceAccounts in the roleBinding', 1),
  ]],
  ['rbac.authorization.k8s.io/ClusterRoleBinding', [
    name(),
    col('Role', 'string', doc('ClusterRoleBinding.roleRef')),
    age(),
    col('Users', 'string', 'Users in the clusterRoleBinding', 1),
    col('Groups', 'string', 'Groups in the clusterRoleBinding', 1),
    col('ServiceAccounts', 'string', 'ServiceAccounts in the clusterRoleBinding', 1),
  ]],
  ['coordination.k8s.io/Lease', [
    name(),
    col('Holder', 'string', doc('LeaseSpec.holderIdentity')),
    age(),
  ]],
  ['storage.k8s.io/StorageClass', [
    name(),
    col('Provisioner', 'string', doc('StorageClass.provisioner')),
    col('ReclaimPolicy', 'string', doc('StorageClass.reclaimPolicy')),
    col('VolumeBindingMode', 'string', doc('StorageClass.volumeBindingMode')),
    col('AllowVolumeExpansion', 'string', doc('StorageClass.allowVolumeExpansion')),
    age(),
  ]],
  ['apps/ControllerRevision', [
    name(),
    col('Controller', 'string', 'Controller of the object'),
    col('Revision', 'string', doc('ControllerRevision.revision')),
    age(),
  ]],
  ['/ResourceQuota', [
    name(),
    age(),
    col('Request', 'string', 'Request represents a minimum amount of cpu/memory that a container may consume.'),
    col('Limit', 'string', 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.'),
  ]],
  ['scheduling.k8s.io/PriorityClass', [
    name(),
    col('Value', 'integer', doc('PriorityClass.value')),
    col('Global-Default', 'boolean', doc('PriorityClass.globalDefault')),
    age(),
    col('PreemptionPolicy', 'string', doc('PriorityClass.preemptionPolicy')),
  ]],
  ['discovery.k8s.io/EndpointSlice', [
    name(),
    col('AddressType', 'string', doc('EndpointSlice.addressType')),
    col('Ports', 'string', doc('EndpointSlice.ports')),
    col('Endpoints', 'string', doc('EndpointSlice.endpoints')),
    age(),
  ]],
]);
